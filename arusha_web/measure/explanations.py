"""Lead explanations of older analyses in the reader's language.

Leads are records now (``lead_records.py``) and their sentences are made from the fields
(``lead_text.py``). This module serves the leads imported before that, which have only the
engine's English sentence: it came from four fixed frames (``arusha/signals.py``, since replaced:
shares against peers, officer × trader pairings, Benford's law; ``arusha/detection.py``: found
versus expected) with identifiers and numbers in them. This module recognises each frame, takes the
values out and says the sentence again through gettext, so the French catalogue holds the French
wording. Rendered in English, a recognised sentence comes out exactly as the engine wrote it. A
sentence it does not recognise is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy

REVIEW_NOTE = "Lead for managerial review, not a conclusion about the person."
OFFICE_REVIEW_NOTE = "Lead for managerial review, not a conclusion about the office or its staff."
_NUM = r"[0-9][0-9.e+-]*"
_PCT = r"[0-9][0-9.]*%"
_ID = r"\S+"
# "p = 1.2e-05", or "p < 1e-300" where the exact p-value is too small for a float.
_P = rf"(?P<p_op>[=<]) (?P<p>{_NUM})"

# The engine's phrases inside the share frame, as ``arusha/signals.py`` words them.
WHAT = {
    "relaxed the channel (red/yellow → green/blue)": gettext_lazy(
        "relaxed the channel (red/yellow → green/blue)"
    ),
    "had the channel relaxed (red/yellow → green/blue)": gettext_lazy(
        "had the channel relaxed (red/yellow → green/blue)"
    ),
    "released outside Monday–Friday 07:00–18:00": gettext_lazy("released outside Monday–Friday 07:00–18:00"),
    "released goods before duties were paid": gettext_lazy("released goods before duties were paid"),
    "released red-channel goods with no inspection result": gettext_lazy(
        "released red-channel goods with no inspection result"
    ),
    "imposed a fine below half the usual amount for the offence": gettext_lazy(
        "imposed a fine below half the usual amount for the offence"
    ),
    "declared a value per kg below half the HS6 × origin median, released without adjustment": gettext_lazy(
        "declared a value per kg below half the HS6 × origin median, released without adjustment"
    ),
}
OF_WHAT = {
    "red/yellow-channel declarations": gettext_lazy("red/yellow-channel declarations"),
    "releases": gettext_lazy("releases"),
    "releases with duties due": gettext_lazy("releases with duties due"),
    "red-channel releases": gettext_lazy("red-channel releases"),
    "fined offences": gettext_lazy("fined offences"),
    "item lines": gettext_lazy("item lines"),
}
WHO = {
    "officer": pgettext_lazy("lead subject", "officer"),
    "declarant": pgettext_lazy("lead subject", "declarant"),
    "importer": pgettext_lazy("lead subject", "importer"),
    "office": pgettext_lazy("lead subject", "office"),
}
ALL_OF = {
    "officer": gettext_lazy("all officers"),
    "declarant": gettext_lazy("all declarants"),
    "importer": gettext_lazy("all importers"),
    "office": gettext_lazy("all offices"),
}
# Peers of a trader or an office: every other one (the engine's wording since it leaves the entity out).
THE_OTHER = {
    "officer": gettext_lazy("the other officers"),
    "declarant": gettext_lazy("the other declarants"),
    "importer": gettext_lazy("the other importers"),
    "office": gettext_lazy("the other offices"),
}
OTHER = {
    "declarant": pgettext_lazy("trader in a pairing", "declarant"),
    "importer": pgettext_lazy("trader in a pairing", "importer"),
}

SHARE = re.compile(
    rf"^(?P<who>officer|declarant|importer|office) (?P<id>{_ID}) (?P<what>.+?) on (?P<share>{_PCT}) of "
    rf"(?P<of_what>.+?)(?: in (?P<period>\d{{4}}(?:-\d\d|-Q\d)?))? \((?P<k>\d+) of (?P<n>\d+)"
    rf"(?:, leaving out officer leads (?P<left_out>[^)]+))?\) vs (?P<peer_share>{_PCT}) for "
    rf"(?:peers at office (?P<office>{_ID})(?: in (?P=period))?|all (?P<all>officer|declarant|importer|office)s"
    rf"|the other (?P<others>officer|declarant|importer|office)s); exact binomial p {_P}\. (?P<note>.*)$",
    re.S,
)
PAIRING = re.compile(
    rf"^officer (?P<officer>{_ID}) handled (?P<n>\d+) of (?P<other>declarant|importer) (?P<other_id>{_ID})'s "
    rf"(?P<n_other>\d+) declarations at office (?P<office>{_ID}); (?P<expected>{_NUM}) expected from the "
    rf"officer's share \((?P<share>{_PCT})\) of the office's other files \((?P<ratio>{_NUM})×\); "
    rf"exact binomial p {_P}\. (?P<note>.*)$",
    re.S,
)
BENFORD = re.compile(
    rf"^(?P<who>officer|declarant|importer|office) (?P<id>{_ID}): first digit (?P<digit>\d) on (?P<share>{_PCT}) "
    rf"of declared values \((?P<k>\d+) of (?P<n>\d+)\) vs (?P<expected>{_PCT}) under Benford's law; mean "
    rf"absolute deviation (?P<mad>{_NUM}) \(above 0\.015 is nonconformity\), χ² p {_P}\. (?P<note>.*)$",
    re.S,
)
SHORTFALL = re.compile(
    rf"^(?P<who>officer|office) (?P<id>{_ID})(?: at office (?P<office>{_ID}))? found (?P<found>\d+) "
    rf"discrepanc(?:y|ies) in (?P<inspected>\d+) inspections; the risk model(?: \((?P<model>.+?)\))? expected "
    rf"(?P<expected>\d+) \(95% interval (?P<low>\d+)–(?P<high>\d+)\); exact Poisson-binomial p {_P}\. "
    rf"(?P<note>.*)$",
    re.S,
)
MODEL = re.compile(r"^trained on declarations registered up to (?P<until>\S+), made (?P<made>.+) UTC$")


def _number(text: str) -> str:
    """A number as the engine printed it ("2.5%", "1.2e-05"), in the reader's notation."""
    if not (get_language() or "en").startswith("fr"):
        return text
    return text.replace(".", ",").replace("%", "\u00a0%")


# Stands for the p-value while a sentence goes through gettext; ``_with_p`` puts "= 0.003" or
# "< 1e-300" in its place. Why: the catalogue's sentences say "p = %(p)s", and the engine writes
# "p < 1e-300" where the exact value is too small for a float; one wording for both keeps the
# translations as they are.
_P_SLOT = "\x00p\x00"


def _with_p(text: str, m: re.Match[str]) -> str:
    return text.replace(f"= {_P_SLOT}", f"{m['p_op']} {_number(m['p'])}")


def _note(note: str) -> str:
    if note == REVIEW_NOTE:
        return gettext("Lead for managerial review, not a conclusion about the person.")
    if note == OFFICE_REVIEW_NOTE:
        return gettext("Lead for managerial review, not a conclusion about the office or its staff.")
    return note


def _share(m: re.Match[str]) -> str | None:
    what, of_what = WHAT.get(m["what"]), OF_WHAT.get(m["of_what"])
    if what is None or of_what is None:
        return None
    values = {
        "who": WHO[m["who"]],
        "id": m["id"],
        "what": what,
        "share": _number(m["share"]),
        "of_what": of_what,
        "k": m["k"],
        "n": m["n"],
        "peer_share": _number(m["peer_share"]),
        "p": _P_SLOT,
    }
    if m["period"] and m["office"]:
        text = gettext(
            "%(who)s %(id)s %(what)s on %(share)s of %(of_what)s in %(period)s (%(k)s of %(n)s) vs %(peer_share)s "
            "for peers at office %(office)s in %(period)s; exact binomial p = %(p)s."
        ) % {**values, "office": m["office"], "period": m["period"]}
    elif m["left_out"]:
        text = gettext(
            "%(who)s %(id)s %(what)s on %(share)s of %(of_what)s (%(k)s of %(n)s, leaving out officer leads "
            "%(left_out)s) vs %(peer_share)s for %(others)s; exact binomial p = %(p)s."
        ) % {**values, "left_out": m["left_out"], "others": THE_OTHER[m["others"] or m["all"] or "office"]}
    elif m["others"]:
        text = gettext(
            "%(who)s %(id)s %(what)s on %(share)s of %(of_what)s (%(k)s of %(n)s) vs %(peer_share)s for %(others)s; "
            "exact binomial p = %(p)s."
        ) % {**values, "others": THE_OTHER[m["others"]]}
    elif m["office"]:
        text = gettext(
            "%(who)s %(id)s %(what)s on %(share)s of %(of_what)s (%(k)s of %(n)s) vs %(peer_share)s for peers at "
            "office %(office)s; exact binomial p = %(p)s."
        ) % {**values, "office": m["office"]}
    else:
        text = gettext(
            "%(who)s %(id)s %(what)s on %(share)s of %(of_what)s (%(k)s of %(n)s) vs %(peer_share)s for %(all)s; "
            "exact binomial p = %(p)s."
        ) % {**values, "all": ALL_OF[m["all"]]}
    return f"{_with_p(text, m)} {_note(m['note'])}"


def _pairing(m: re.Match[str]) -> str:
    text = gettext(
        "officer %(officer)s handled %(n)s of %(other)s %(other_id)s's %(n_other)s declarations at office "
        "%(office)s; %(expected)s expected from the officer's share (%(share)s) of the office's other files "
        "(%(ratio)s×); exact binomial p = %(p)s."
    ) % {
        "officer": m["officer"],
        "n": m["n"],
        "other": OTHER[m["other"]],
        "other_id": m["other_id"],
        "n_other": m["n_other"],
        "office": m["office"],
        "expected": _number(m["expected"]),
        "share": _number(m["share"]),
        "ratio": _number(m["ratio"]),
        "p": _P_SLOT,
    }
    return f"{_with_p(text, m)} {_note(m['note'])}"


def _benford(m: re.Match[str]) -> str:
    text = gettext(
        "%(who)s %(id)s: first digit %(digit)s on %(share)s of declared values (%(k)s of %(n)s) vs %(expected)s "
        "under Benford's law; mean absolute deviation %(mad)s (above 0.015 is nonconformity), χ² p = %(p)s."
    ) % {
        "who": WHO[m["who"]],
        "id": m["id"],
        "digit": m["digit"],
        "share": _number(m["share"]),
        "k": m["k"],
        "n": m["n"],
        "expected": _number(m["expected"]),
        "mad": _number(m["mad"]),
        "p": _P_SLOT,
    }
    return f"{_with_p(text, m)} {_note(m['note'])}"


def _model(label: str | None) -> str:
    if label is None:
        return gettext("the risk model")
    named = MODEL.match(label)
    if named is None:
        return gettext("the risk model (%(model)s)") % {"model": label}
    return gettext(
        "the risk model (trained on declarations registered up to %(until)s, made %(made)s UTC)"
    ) % {"until": named["until"], "made": named["made"]}


def _shortfall(m: re.Match[str]) -> str:
    values = {
        "who": WHO[m["who"]],
        "id": m["id"],
        "found": m["found"],
        "inspected": m["inspected"],
        "model": _model(m["model"]),
        "expected": m["expected"],
        "low": m["low"],
        "high": m["high"],
        "p": _P_SLOT,
    }
    found = int(m["found"])
    if m["office"]:
        text = (
            gettext(
                "%(who)s %(id)s at office %(office)s found %(found)s discrepancy in %(inspected)s inspections; "
                "%(model)s expected %(expected)s (95%% interval %(low)s–%(high)s); exact Poisson-binomial p = %(p)s."
            )
            if found == 1
            else gettext(
                "%(who)s %(id)s at office %(office)s found %(found)s discrepancies in %(inspected)s inspections; "
                "%(model)s expected %(expected)s (95%% interval %(low)s–%(high)s); exact Poisson-binomial p = %(p)s."
            )
        ) % {**values, "office": m["office"]}
    else:
        text = (
            gettext(
                "%(who)s %(id)s found %(found)s discrepancy in %(inspected)s inspections; %(model)s expected "
                "%(expected)s (95%% interval %(low)s–%(high)s); exact Poisson-binomial p = %(p)s."
            )
            if found == 1
            else gettext(
                "%(who)s %(id)s found %(found)s discrepancies in %(inspected)s inspections; %(model)s expected "
                "%(expected)s (95%% interval %(low)s–%(high)s); exact Poisson-binomial p = %(p)s."
            )
        ) % values
    return f"{_with_p(text, m)} {_note(m['note'])}"


FRAMES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (PAIRING, _pairing),
    (BENFORD, _benford),
    (SHORTFALL, _shortfall),
    (SHARE, _share),
)


def localise(explanation: str) -> str:
    """The engine's explanation in the reader's language; as written when its frame is unknown."""
    for pattern, render in FRAMES:
        found = pattern.match(explanation)
        if found is not None:
            said = render(found)
            if said is not None:
                return said
    return explanation
