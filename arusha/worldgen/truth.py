"""What a generated world's ``truth.json`` says: the planted schemes and the honest confounders.

Records, not prose: every field a detector evaluation matches on (kind, entity, window) is a value;
``description`` is only for the person reading the file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SchemeTruth:
    """One planted integrity scheme: the lead a good detector should surface.

    Attributes:
        kind: Lead kind, e.g. ``channel_override`` (see ``schemes.KINDS``).
        entity_type: ``officer``, ``declarant``, ``officer_declarant_pair`` or ``officer_importer_pair``.
        entity_id: The culprit; for a pair ``"OFFICER|OTHER"``.
        officer_id: The culprit officer, or None for a broker's scheme.
        other_id: The declarant or importer of a pair, else None.
        office_code: Where the scheme runs (a broker's busiest office in the window).
        window_start: First calendar month of the scheme, ``YYYY-MM``.
        window_end: Last calendar month of the scheme, ``YYYY-MM`` (inclusive).
        strength: ``weak`` or ``strong``.
        description: What the culprit does, in words.
        variant: How the scheme works within its kind: ``officer`` (on his own files), ``chief``
            (a chief relaxing other officers' files), ``collusive`` (only one broker's files),
            ``steered`` (a rubber stamp who also gets red files steered to him), ``pair`` or ``broker``.
        share: The share of the culprit's eligible files the scheme acts on in the window.
        affected_declarations: How many declarations the scheme changed (0: it had nothing to act on).
    """

    kind: str
    entity_type: str
    entity_id: str
    officer_id: str | None
    other_id: str | None
    office_code: str
    window_start: str
    window_end: str
    strength: str
    description: str
    variant: str
    share: float
    affected_declarations: int

    def as_dict(self) -> dict[str, Any]:
        """Return the scheme as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class ConfounderTruth:
    """One honest but unusual entity (or population) that a good detector must not flag.

    ``entity_type`` is ``officer``, ``importer``, ``office``, ``actor`` (``SYSTEM``), ``period``
    (a quarter, ``YYYY-Qn``) or ``all`` (``entity_id`` ``*``: a pattern spread over everyone).
    ``months`` (``YYYY-MM``) are the months the pattern concerns when it is not year-round: an
    officer's months off duty (joined, left, on leave), a growing office's months of doubled
    volume, the busy quarter's months; empty otherwise.
    """

    kind: str
    entity_type: str
    entity_id: str
    office_code: str | None
    description: str
    months: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the confounder as a JSON-ready dict."""
        return {**asdict(self), "months": list(self.months)}


@dataclass
class WorldTruth:
    """Everything ``truth.json`` records about a generated world.

    ``parameters`` holds every argument of :func:`arusha.worldgen.generate_world` as resolved
    (defaults replaced by the values used), so ``generate_world(**parameters)`` rebuilds the world.
    ``risk_pattern`` names what drives honest inspection outcomes (risky importers, HS6 lines, origins).
    """

    seed: int
    declarations: int
    parameters: dict[str, Any]
    schemes: list[SchemeTruth] = field(default_factory=list)
    confounders: list[ConfounderTruth] = field(default_factory=list)
    risk_pattern: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the truth as the JSON-ready dict written to ``truth.json``."""
        return {
            "seed": self.seed,
            "declarations": self.declarations,
            "parameters": dict(self.parameters),
            "schemes": [s.as_dict() for s in self.schemes],
            "confounders": [c.as_dict() for c in self.confounders],
            "risk_pattern": dict(self.risk_pattern),
        }
