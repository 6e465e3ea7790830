"""A lead as a record: the fields every reader uses, and the English sentence made from them.

Why records: the web app used to parse the engine's English sentences back with regular
expressions and to mask officers by a pattern that fitted one id format. Now ``signals.csv`` carries
the fields (who, which window, observed, expected, the bounds of the effect, the evidence) and the
sentence is only made from them, here in English and in the web app through gettext.

``signals.csv`` keeps its first five columns (other tools read them) and adds :data:`RECORD_COLUMNS`
after them; ``docs/engine.md`` documents each.
"""

from __future__ import annotations

from typing import Any, Final

from arusha.leads.kinds import BY_CODE

SIGNAL_COLUMNS: Final = ["entity_type", "entity_id", "score", "kind", "explanation"]
RECORD_COLUMNS: Final = [
    "officer_id",  # the officer the lead is about (pairs: the officer of the pair); empty otherwise
    "other_id",  # the declarant or importer of a pair; empty otherwise
    "office_code",  # the office the lead is about or the officer's office
    "window_start",  # first month of the window where the evidence is strongest (YYYY-MM)
    "window_end",  # last month of that window
    "observed",  # what the entity did in the window (count)
    "expected",  # what other staff did on comparable files, summed over the entity's files
    "n",  # the entity's files that could show it in the window (the denominator)
    "ratio_low",  # one-sided 95 % lower bound of observed / expected ("low" kinds: expected / observed)
    "excess_low",  # one-sided 95 % lower bound of observed − expected ("low" kinds: expected − observed)
    "p",  # p-value of the window, penalised for the windows tried
    "q",  # Benjamini–Hochberg q within the family (kind × entity type)
    "related",  # every other person the lead names, ';'-separated (the web app masks them too)
    "counterparts",  # pairs: how many other counterparts of the same officer were leads too
    "unstandardised_n",  # files left out: no comparable files of other staff to compare with
    "basis",  # what the expectation rests on: "peers" or "risk_model"
]
LEAD_COLUMNS: Final = SIGNAL_COLUMNS + RECORD_COLUMNS

REVIEW_NOTE: Final = "Lead for managerial review, not a conclusion about the person."
OFFICE_REVIEW_NOTE: Final = "Lead for managerial review, not a conclusion about the office or its staff."
BROKER_REVIEW_NOTE: Final = "Lead for review, not a conclusion about the broker."

# What the entity did, and of which files, per kind: "<who> <did> on <observed> of <n> <files>".
_DID: Final = {
    "channel_override": ("relaxed the channel (red/yellow → green/blue)", "red/yellow-channel files"),
    "detection_shortfall": ("recorded a discrepancy", "inspections"),
    "unit_value_gap": (
        "accepted a declared value below half the usual price",
        "examined files with priced goods",
    ),
    "officer_declarant_pairing": ("handled the declarant's files", "files of the declarant at the office"),
    "officer_importer_pairing": ("handled the importer's files", "files of the importer at the office"),
    "release_delay": ("released late (two days slower than 9 in 10 comparable files)", "releases"),
    "after_hours_release": ("signed the release outside working hours", "releases he signed"),
    "release_before_payment": ("released goods before duties were paid", "releases with duties due"),
    "red_without_inspection": ("released a red-channel file with no inspection step", "red-channel releases"),
    "low_penalty": (
        "imposed a fine below half the usual one for the offence and amount, or none",
        "offences",
    ),
    "fabricated_values": ("declared item values with an unusual pattern", "declarations"),
}


def _subject(row: dict[str, Any]) -> str:
    etype = row["entity_type"]
    if etype == "officer_declarant_pair":
        return f"officer {row['officer_id']} with declarant {row['other_id']}"
    if etype == "officer_importer_pair":
        return f"officer {row['officer_id']} with importer {row['other_id']}"
    return f"{etype} {row['entity_id']}"


def _window(row: dict[str, Any]) -> str:
    start, end = row["window_start"], row["window_end"]
    return f"in {start}" if start == end else f"from {start} to {end}"


def _number(x: float) -> str:
    """``306``, ``4.2``, ``0.04``: an expectation under one keeps two decimals (``0.0`` read as none)."""
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def p_text(p: float) -> str:
    """Return ``= 6.3e-13`` or ``= 0.012``; a p-value that underflows reads ``< 1e-300``, never ``= 0``."""
    if p < 1e-300:
        return "< 1e-300"
    return f"= {p:.1e}" if p < 0.001 else f"= {p:.3f}"


def review_note(entity_type: str) -> str:
    """The closing sentence of a lead: about a person, a broker, or an office and its staff."""
    if entity_type == "office":
        return OFFICE_REVIEW_NOTE
    if entity_type == "declarant":
        return BROKER_REVIEW_NOTE
    return REVIEW_NOTE


def explain(row: dict[str, Any]) -> str:
    """Return the English sentence of a lead record (the ``explanation`` column).

    Example:
        >>> explain({"entity_type": "officer", "entity_id": "O-1", "kind": "after_hours_release",
        ...          "officer_id": "O-1", "other_id": "", "office_code": "P1", "window_start": "2024-03",
        ...          "window_end": "2024-05", "observed": 40, "expected": 6.2, "n": 120, "ratio_low": 4.6,
        ...          "excess_low": 22.4, "p": 1e-9, "related": "", "basis": "peers"})[:92]
        'officer O-1 signed the release outside working hours on 40 of 120 releases he signed from 2'
    """
    kind = row["kind"]
    did, files = _DID.get(kind, (BY_CODE[kind].name if kind in BY_CODE else kind, "files"))
    low = kind in BY_CODE and BY_CODE[kind].direction == "low"
    office = (
        f" at office {row['office_code']}"
        if row.get("office_code") and row["entity_type"] != "office"
        else ""
    )
    basis = "the risk model" if row.get("basis") == "risk_model" else _peers(row["entity_type"])
    effect = (
        f"at most 1/{row['ratio_low']:.1f} of that ({_number(row['excess_low'])} or more fewer)"
        if low
        else f"at least {row['ratio_low']:.1f} times as often ({_number(row['excess_low'])} or more above)"
    )
    left_out = (
        f"; leaving out officers with leads of their own ({row['related']})" if row.get("related") else ""
    )
    return (
        f"{_subject(row)}{office} {did} on {int(row['observed'])} of {int(row['n'])} {files} {_window(row)}; "
        f"{_number(row['expected'])} expected from {basis} on comparable files{left_out}: {effect}; "
        f"p {p_text(float(row['p']))}. {review_note(row['entity_type'])}"
    )


def _peers(entity_type: str) -> str:
    if entity_type == "office":
        return "the other offices"
    if entity_type == "declarant":
        return "the other declarants"
    return "the other officers"
