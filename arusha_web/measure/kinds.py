"""Plain-language names of the lead kinds and of the trader-risk kinds the analytics engine emits.

The kinds are those of the engine's catalogue (``arusha/leads/kinds.py``: ``KINDS`` for integrity
leads, ``TRADER_RISK_KINDS`` for ``trader_risk.csv``); this module only gives each a name in the
reader's language. A manager reads the name; the code stays in CSV exports so files can be joined
with the engine's own outputs. Leads of older analyses may carry a kind the catalogue no longer
has (``benford``): they keep their name. A code neither knows is shown as it is rather than hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arusha.leads.kinds import BY_CODE, KINDS

_NAMES: dict[str, Promise] = {
    "channel_override": _("Relaxed the inspection channel far more often than peers"),
    "after_hours_release": _("Released goods outside working hours far more often than peers"),
    "release_before_payment": _("Released goods before duties were paid far more often than peers"),
    "red_without_inspection": _("Released red-channel goods with no inspection"),
    "low_penalty": _("Imposed unusually low fines for the offence"),
    "unit_value_gap": _("Accepted declared values far below the usual price without adjustment"),
    "officer_declarant_pairing": _("Officer handled one declarant's files far more often than chance"),
    "officer_importer_pairing": _("Officer handled one importer's files far more often than chance"),
    "detection_shortfall": _("Found far fewer discrepancies than expected on comparable inspections"),
    "release_delay": _("Released some traders' goods late far more often than peers"),
    "fabricated_values": _("Declared values that look made up (leading digits, round numbers)"),
}
# Kinds of leads imported from analyses made before the catalogue (still shown, never emitted).
LEGACY_KIND_LABELS: dict[str, Promise] = {
    "benford": _("Declared amounts with an unusual pattern of leading digits"),
}
KIND_LABELS: dict[str, Promise] = {
    **{k.code: _NAMES[k.code] for k in KINDS if k.code in _NAMES},
    **LEGACY_KIND_LABELS,
}

# The category a referred lead starts with in the Cases intake (the integrity unit changes it when
# it opens a case): what the behaviour most often hides. Codes of ``cases.models.Category``, kept
# as strings so that Measure does not import Cases (built and installed separately).
REFERRAL_CATEGORY: dict[str, str] = {
    "channel_override": "smuggling",
    "red_without_inspection": "smuggling",
    "detection_shortfall": "smuggling",
    "unit_value_gap": "smuggling",
    "fabricated_values": "smuggling",
    "officer_declarant_pairing": "favouritism",
    "officer_importer_pairing": "favouritism",
    "low_penalty": "favouritism",
    "release_before_payment": "misconduct",
    "after_hours_release": "misconduct",
    "release_delay": "extortion",
}


def referral_category(kind: str) -> str:
    """The intake category for a lead of ``kind`` ("other" for a kind not listed)."""
    return REFERRAL_CATEGORY.get(kind, "other")


# One per code of TRADER_RISK_KINDS (a test checks it).
TRADER_RISK_LABELS: dict[str, Promise] = {
    "low_unit_values": _("Goods declared at low values, mostly released on the green channel"),
    "unusual_digits": _("Declared values with an unusual pattern of digits"),
}


def kind_label(code: str) -> str:
    """The plain-language name of a lead kind: ours, else the catalogue's English name, else the code."""
    label = KIND_LABELS.get(code)
    if label is not None:
        return str(label)
    return BY_CODE[code].name if code in BY_CODE else code


def trader_risk_label(code: str) -> str:
    """The plain-language name of a kind of trader-risk row; the code itself when unknown."""
    label = TRADER_RISK_LABELS.get(code)
    return str(label) if label is not None else code


def kind_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, label) pairs for a filter, sorted by label as the reader sees it."""
    return sorted(((c, kind_label(c)) for c in codes), key=lambda pair: pair[1].lower())


ABOUT_LABELS = {
    "officer": _("Officer %(id)s"),
    "office": _("Office %(id)s"),
    "declarant": _("Declarant %(id)s"),
    "importer": _("Importer %(id)s"),
    "officer_declarant_pair": _("Officer %(officer)s with declarant %(other)s"),
    "officer_importer_pair": _("Officer %(officer)s with importer %(other)s"),
}


def about_label(entity_type: str, entity_id: str) -> str:
    """What a lead is about, in words: "Officer O-PORT1-03", "Officer O-AIRPT-01 with declarant
    D-0152" (a pair's identifier is ``officer|trader``); unknown types as type and identifier."""
    label = ABOUT_LABELS.get(entity_type)
    if label is None:
        return f"{entity_type} {entity_id}"
    officer, _sep, other = entity_id.partition("|")
    return str(label) % {"id": entity_id, "officer": officer, "other": other}
