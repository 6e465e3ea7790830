"""The catalogue of lead kinds: one place that ``signals.csv``, the web app and the risk register read.

Why a catalogue: each kind names the staff decision (or the broker's filing practice) it rests on,
the levels it is tested at and the indicator that measures the same behaviour, so that the engine,
the web app's labels (``arusha_web/measure/kinds.py``) and the typical risks' evidence
(``arusha_web/risks/seed.py``) cannot drift apart. Importer-only patterns are not lead kinds: they
go to ``trader_risk.csv`` (see :data:`TRADER_RISK_KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class LeadKind:
    """One kind of integrity lead.

    Attributes:
        code: The ``kind`` column of ``signals.csv``.
        decision: The staff decision (or broker practice) the lead rests on, in words.
        entity_types: The levels leads of this kind are about.
        indicator: The catalogue indicator that measures the same behaviour (``None``: none does).
        direction: ``"high"`` when doing more than expected is the lead, ``"low"`` when doing less.
        name: A short English name.
    """

    code: str
    decision: str
    entity_types: tuple[str, ...]
    indicator: str | None
    direction: str
    name: str


KINDS: Final = (
    LeadKind(
        "channel_override",
        "channel change",
        ("officer", "officer_declarant_pair", "office"),
        "BP1",
        "high",
        "relaxed channels",
    ),
    LeadKind(
        "detection_shortfall",
        "inspection result",
        ("officer", "office"),
        "BP2",
        "low",
        "found fewer discrepancies than expected",
    ),
    LeadKind(
        "unit_value_gap",
        "assessment",
        ("officer", "officer_importer_pair"),
        "BP6",
        "high",
        "accepted low declared values",
    ),
    LeadKind(
        "officer_declarant_pairing",
        "assignment",
        ("officer_declarant_pair",),
        "CP1",
        "high",
        "handled one declarant's files more than chance",
    ),
    LeadKind(
        "officer_importer_pairing",
        "assignment",
        ("officer_importer_pair",),
        "CP1",
        "high",
        "handled one importer's files more than chance",
    ),
    LeadKind(
        "release_delay",
        "release",
        ("officer", "officer_importer_pair"),
        "TF5",
        "high",
        "released some traders' goods late",
    ),
    LeadKind(
        "after_hours_release",
        "release",
        ("officer",),
        "AFTER_HOURS",
        "high",
        "signed releases after hours",
    ),
    LeadKind(
        "release_before_payment",
        "release",
        ("officer",),
        "REL_BEFORE_PAY",
        "high",
        "released before payment",
    ),
    LeadKind(
        "red_without_inspection",
        "inspection",
        ("officer", "office"),
        "RED_NO_INSP",
        "high",
        "red-channel files without an inspection",
    ),
    LeadKind(
        "low_penalty",
        "fine",
        ("officer", "office"),
        "PEN_LOW",
        "high",
        "fined low or waived fines",
    ),
    LeadKind(
        "fabricated_values",
        "broker's filing practice",
        ("declarant",),
        "BENFORD_MAD",
        "high",
        "declared values that look made up",
    ),
)

BY_CODE: Final = {k.code: k for k in KINDS}

# Importer-only patterns: no officer or broker decision explains them, so they feed targeting
# (``trader_risk.csv``), never the integrity ranking.
TRADER_RISK_KINDS: Final = ("low_unit_values", "unusual_digits")

# Entity types a lead may be about; the first id of a pair is the officer.
ENTITY_TYPES: Final = ("officer", "office", "declarant", "officer_declarant_pair", "officer_importer_pair")


def kind(code: str) -> LeadKind:
    """Return the catalogue entry of ``code``; a ``KeyError`` names the known codes."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown lead kind {code!r}: known kinds are {', '.join(BY_CODE)}") from None
