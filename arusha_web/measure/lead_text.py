"""A lead in words, made from its record through gettext (English and French).

One sentence per kind says, in plain language, what happened, how often and over which months;
a second says what other staff did on comparable files (or what the risk model expected). The
statistics (bounds of the effect, p and q) go to :func:`computed`, which the lead page shows
under "How this was computed" and the CSV export as columns. Nothing here parses a sentence: the
record comes from ``signals.csv``'s columns (``lead_records.py``), already masked for the viewer.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from arusha.leads.kinds import BY_CODE

from .kinds import kind_label
from .lead_records import LeadRecord

# Who the lead is about, as the subject of its sentence.
SUBJECT: dict[str, Promise] = {
    "officer": pgettext_lazy("lead sentence", "Officer %(id)s"),
    "office": pgettext_lazy("lead sentence", "Office %(id)s"),
    "declarant": pgettext_lazy("lead sentence", "Declarant %(id)s"),
    "importer": pgettext_lazy("lead sentence", "Importer %(id)s"),
    "officer_declarant_pair": pgettext_lazy(
        "lead sentence", "Officer %(officer)s, with declarant %(other)s,"
    ),
    "officer_importer_pair": pgettext_lazy("lead sentence", "Officer %(officer)s, with importer %(other)s,"),
}

# What happened, how often and when: one sentence per kind of the catalogue (arusha/leads/kinds.py).
WHAT: dict[str, Promise] = {
    "channel_override": gettext_lazy(
        "%(who)s relaxed the channel of %(observed)s of %(n)s red or yellow files (to green or blue) %(window)s."
    ),
    "detection_shortfall": gettext_lazy(
        "%(who)s recorded a discrepancy in %(observed)s of %(n)s inspections %(window)s."
    ),
    "unit_value_gap": gettext_lazy(
        "%(who)s accepted a declared value below half the usual price on %(observed)s of %(n)s examined "
        "files %(window)s."
    ),
    "release_delay": gettext_lazy(
        "%(who)s released %(observed)s of %(n)s files late (two days slower than 9 in 10 comparable files) "
        "%(window)s."
    ),
    "after_hours_release": gettext_lazy(
        "%(who)s signed %(observed)s of %(n)s releases outside working hours %(window)s."
    ),
    "release_before_payment": gettext_lazy(
        "%(who)s released goods before the duties were paid on %(observed)s of %(n)s releases with duties "
        "due %(window)s."
    ),
    "red_without_inspection": gettext_lazy(
        "%(who)s released %(observed)s of %(n)s red-channel files with no inspection step %(window)s."
    ),
    "low_penalty": gettext_lazy(
        "%(who)s imposed a fine below half the usual one for the offence and amount, or none, on "
        "%(observed)s of %(n)s offences %(window)s."
    ),
    "fabricated_values": gettext_lazy(
        "%(who)s declared item values with an unusual pattern (leading digits, round numbers) on "
        "%(observed)s of %(n)s item lines %(window)s."
    ),
}
# A broker does not relax channels: the files it lodged had their channel relaxed.
WHAT_BY_TYPE: dict[tuple[str, str], Promise] = {
    ("channel_override", "declarant"): gettext_lazy(
        "%(who)s saw the channel of %(observed)s of its %(n)s red or yellow files relaxed (to green or "
        "blue) %(window)s."
    ),
}
# A kind this table does not know yet (a newer engine) still reads as counts and months.
WHAT_OTHER = gettext_lazy("%(who)s: %(kind)s, %(observed)s of %(n)s files %(window)s.")

# Pairings: the officer handled more of one trader's files than assignment would give him.
PAIRING: dict[str, tuple[Promise, Promise]] = {
    "officer_declarant_pairing": (
        gettext_lazy(
            "Officer %(officer)s handled %(observed)s of the %(n)s files of declarant %(other)s at office "
            "%(office)s %(window)s."
        ),
        gettext_lazy(
            "Had the declarant's files been shared out like the office's other files, about %(expected)s "
            "would have gone to this officer."
        ),
    ),
    "officer_importer_pairing": (
        gettext_lazy(
            "Officer %(officer)s handled %(observed)s of the %(n)s files of importer %(other)s at office "
            "%(office)s %(window)s."
        ),
        gettext_lazy(
            "Had the importer's files been shared out like the office's other files, about %(expected)s "
            "would have gone to this officer."
        ),
    ),
}

PEERS: dict[str, Promise] = {
    "office": gettext_lazy("the other offices"),
    "declarant": gettext_lazy("the other declarants"),
    "importer": gettext_lazy("the other importers"),
}


def month(value: str) -> str:
    """``2024-03`` as the reader says it: "March 2024", "mars 2024" (as written when not a month)."""
    try:
        first = dt.date(int(value[:4]), int(value[5:7]), 1)
    except (ValueError, IndexError):
        return value
    return date_format(first, "YEAR_MONTH_FORMAT")


def months(start: str, end: str) -> str:
    """A run of months, short: "March 2024", "March – May 2024", "November 2023 – February 2024"
    ("" when unknown)."""
    if not start:
        return ""
    end = end or start
    if end == start:
        return month(start)
    if start[:4] == end[:4] and month(start) != start:  # one year, said once
        return f"{date_format(dt.date(int(start[:4]), int(start[5:7]), 1), 'F')} – {month(end)}"
    return f"{month(start)} – {month(end)}"


def window(record: LeadRecord) -> str:
    """The months of the lead (see ``months``)."""
    return months(record.window_start, record.window_end)


def _window_phrase(record: LeadRecord) -> str:
    if not record.window_start:
        return _("over the period analysed")
    end = record.window_end or record.window_start
    if end == record.window_start:
        return _("in %(month)s") % {"month": month(record.window_start)}
    return _("from %(start)s to %(end)s") % {"start": month(record.window_start), "end": month(end)}


def count(value: int | float | None) -> str:
    """A count in the reader's notation ("1,234", "1 234")."""
    return "—" if value is None else number_format(round(value), 0, use_l10n=True, force_grouping=True)


def amount(value: float | None) -> str:
    """An expected count: one decimal below 100, none above ("4.2", "4,2", "1,250")."""
    if value is None:
        return "—"
    return number_format(value, 0 if abs(value) >= 100 else 1, use_l10n=True, force_grouping=True)


def p_value(p: float | None) -> str:
    """``0.012``, ``6.3e-13`` (decimal comma in French), or ``< 1e-300`` for a p-value that underflows."""
    if p is None:
        return "—"
    if p < 1e-300:
        return "< 1e-300"
    if p < 0.001:
        mantissa, exponent = f"{p:.1e}".split("e")
        return f"{number_format(float(mantissa), 1, use_l10n=True)}e{exponent}"
    return number_format(p, 3, use_l10n=True)


def review_note(entity_type: str) -> str:
    """The closing sentence: about a person, a broker, or an office and its staff."""
    if entity_type == "office":
        return _("Lead for managerial review, not a conclusion about the office or its staff.")
    if entity_type == "declarant":
        return _("Lead for review, not a conclusion about the broker.")
    return _("Lead for managerial review, not a conclusion about the person.")


def _subject(record: LeadRecord) -> str:
    template = SUBJECT.get(record.entity_type)
    if template is None:
        return f"{record.entity_type} {record.entity_id}"
    return str(template) % {"id": record.entity_id, "officer": record.officer, "other": record.other}


def _what(record: LeadRecord) -> str:
    values = {
        "who": _subject(record),
        "observed": count(record.observed),
        "n": count(record.n),
        "window": _window_phrase(record),
        "kind": kind_label(record.kind),
        "officer": record.officer,
        "other": record.other,
        "office": record.office_code or "—",
    }
    if record.kind in PAIRING:
        return str(PAIRING[record.kind][0]) % values
    template = WHAT_BY_TYPE.get((record.kind, record.entity_type)) or WHAT.get(record.kind) or WHAT_OTHER
    return str(template) % values


def _compared(record: LeadRecord) -> str:
    expected = amount(record.expected)
    if record.kind in PAIRING:
        return str(PAIRING[record.kind][1]) % {"expected": expected}
    if record.basis == "risk_model":
        return _("On the same files, the risk model expected about %(expected)s.") % {"expected": expected}
    peers = PEERS.get(record.entity_type) or gettext_lazy("the other officers")
    return _("On comparable files, %(peers)s would have done so about %(expected)s times.") % {
        "peers": peers,
        "expected": expected,
    }


def _counterparts(record: LeadRecord) -> str:
    k = record.counterparts or 0
    if k <= 0:
        return ""
    if record.entity_type == "officer_declarant_pair":
        text = ngettext(
            "The same officer shows this with %(count)s other declarant too.",
            "The same officer shows this with %(count)s other declarants too.",
            k,
        )
    elif record.entity_type == "officer_importer_pair":
        text = ngettext(
            "The same officer shows this with %(count)s other importer too.",
            "The same officer shows this with %(count)s other importers too.",
            k,
        )
    else:
        return ""
    return text % {"count": count(k)}


def sentence(record: LeadRecord) -> str:
    """The lead in the reader's language, from a complete record (mask it first).

    Example (English): "Officer 74021 signed 40 of 120 releases outside working hours from March 2024
    to May 2024. On comparable files, the other officers would have done so about 6.2 times. Lead
    for managerial review, not a conclusion about the person."
    """
    parts = [_what(record), _compared(record)]
    if record.related:
        parts.append(
            _("Left out of these figures, as they have leads of their own: officers %(officers)s.")
            % {"officers": ", ".join(record.related)}
        )
    parts.append(_counterparts(record))
    parts.append(review_note(record.entity_type))
    return " ".join(part for part in parts if part)


def computed(record: LeadRecord) -> list[tuple[str, str]]:
    """How the lead was computed, as (label, value) pairs for the lead page (which shows its months)."""
    low = record.kind in BY_CODE and BY_CODE[record.kind].direction == "low"
    basis = (
        _("the risk model, on the same files")
        if record.basis == "risk_model"
        else _("other staff, on comparable files")
    )
    rows = [
        (_("Observed"), count(record.observed)),
        (_("Expected"), f"{amount(record.expected)} ({basis})"),
        (_("Files that could show it"), count(record.n)),
    ]
    if record.ratio_low is not None:
        label = (
            _("Expected against observed, lower bound (95 %)")
            if low
            else _("Observed against expected, lower bound (95 %)")
        )
        rows.append((label, f"× {amount(record.ratio_low)}"))
    if record.excess_low is not None:
        label = (
            _("Fewer than expected, lower bound (95 %)")
            if low
            else _("More than expected, lower bound (95 %)")
        )
        rows.append((label, amount(record.excess_low)))
    rows.append((_("p-value (penalised for the months tried)"), p_value(record.p)))
    rows.append((_("q-value (among the leads of this kind)"), p_value(record.q)))
    if record.unstandardised_n:
        rows.append((_("Files left out: no comparable files of other staff"), count(record.unstandardised_n)))
    if record.counterparts is not None and record.entity_type.endswith("_pair"):
        rows.append((_("Other counterparts of the officer with leads"), count(record.counterparts)))
    return rows
