"""A synthetic customs administration with honest confounders and planted integrity schemes.

``arusha.synth`` plants one anomaly of each kind in otherwise flat data; this package builds a
world in which a detector has to earn its keep: offices with different hours and sizes, officers who
join, leave and take leave, importers with honest reasons to look unusual (deferred payment,
perishables, cheap suppliers...), and integrity schemes of varying strength that run for a few
months only. ``truth.json`` lists both, so a detector can be scored on what it finds and on the
honest entities it leaves alone.

Modules, in the order the clearance process runs: ``world`` (entities, who files where and when),
``confounders``, ``goods`` (items and values), ``clearance`` (channels, inspections, fines),
``timing``, ``events``; ``schemes`` acts at each stage; ``generate`` runs them all.
"""

from arusha.worldgen.generate import generate_world, write_world
from arusha.worldgen.schemes import KINDS as SCHEME_KINDS
from arusha.worldgen.truth import ConfounderTruth, SchemeTruth, WorldTruth

__all__ = ["SCHEME_KINDS", "ConfounderTruth", "SchemeTruth", "WorldTruth", "generate_world", "write_world"]
