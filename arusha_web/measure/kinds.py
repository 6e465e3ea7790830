"""Plain-language names of the lead kinds the analytics engine emits.

The engine writes a short code per lead (``channel_override``, ``detection_shortfall``…; see
``arusha/signals.py`` and ``arusha/detection.py``). A manager reads the sentence below instead; the
code stays in CSV exports so files can be joined with the engine's own outputs. A code the engine
adds later and this table does not know yet is shown as it is rather than hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "channel_override": _("Relaxed the inspection channel far more often than peers"),
    "after_hours_release": _("Released goods outside working hours far more often than peers"),
    "release_before_payment": _("Released goods before duties were paid far more often than peers"),
    "red_without_inspection": _("Released red-channel goods without an inspection result"),
    "low_penalty": _("Imposed unusually low fines for the offence"),
    "unit_value_gap": _("Declared values far below the usual price, released without adjustment"),
    "officer_declarant_pairing": _("Officer handled one declarant's files far more often than chance"),
    "officer_importer_pairing": _("Officer handled one importer's files far more often than chance"),
    "benford": _("Declared amounts with an unusual pattern of leading digits"),
    "detection_shortfall": _("Found far fewer discrepancies than the risk model expected"),
}


def kind_label(code: str) -> str:
    """The plain-language name of a lead kind; the code itself when the kind is unknown."""
    label = KIND_LABELS.get(code)
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
