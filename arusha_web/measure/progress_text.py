"""The engine's progress messages in the reader's language.

A background load or analysis shows what it is doing ("Building the declaration facts", "Validating
and loading declarations.csv → declarations (1,200,000 of 5,000,000 rows loaded, …)"). The library
words those messages in English and knows nothing of Django; the job runner writes them in the
language of the person who started the job. This module recognises each of the engine's fixed
messages (``arusha/analysis.py``, ``arusha/importing/load.py``), takes out the names and numbers,
and says it again through gettext, numbers in the reader's format and stored upload names replaced
by the names the analyst uploaded. A message it does not recognise (from a newer engine, say) is
shown as written; a test runs a real load and analysis and fails on any message left unrecognised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext_lazy

# Level names as ``arusha/level_rows.py`` lists them in "indicators by …".
LEVELS = {
    "officer": pgettext_lazy("indicators by", "officers"),
    "office": pgettext_lazy("indicators by", "offices"),
    "administration": pgettext_lazy("indicators by", "the administration"),
    "hs_chapter": pgettext_lazy("indicators by", "HS chapters"),
    "declarant": pgettext_lazy("indicators by", "declarants"),
    "importer": pgettext_lazy("indicators by", "importers"),
}


def _count(text: str) -> str:
    return number_format(int(text.replace(",", "")), 0, use_l10n=True, force_grouping=True)


def _levels(text: str) -> str:
    return ", ".join(str(LEVELS.get(name.strip(), name.strip())) for name in text.split(","))


Render = Callable[[re.Match[str], Callable[[str], str]], str]
_NUMBER = r"[0-9][0-9,]*"
FRAMES: tuple[tuple[re.Pattern[str], Render], ...] = (
    # Analysis (arusha/analysis.py)
    (
        re.compile(r"opening (?P<store>.+) on (?P<engine>\w+)"),
        lambda m, _n: gettext("Opening %(store)s on %(engine)s") % m.groupdict(),
    ),
    (re.compile(r"building declaration facts"), lambda _m, _n: gettext("Building the declaration facts")),
    (re.compile(r"officer × trader pairs"), lambda _m, _n: gettext("Pairing officers with traders")),
    (
        re.compile(r"indicators by (?P<levels>.+)"),
        lambda m, _n: gettext("Indicators by %(levels)s") % {"levels": _levels(m["levels"])},
    ),
    (re.compile(r"integrity-risk tests"), lambda _m, _n: gettext("Integrity-risk tests")),
    (re.compile(r"concentration and first digits"), lambda _m, _n: gettext("Concentration and first digits")),
    (
        re.compile(r"decisions for the integrity leads"),
        lambda _m, _n: gettext("Gathering who decided what, for the integrity leads"),
    ),
    (re.compile(r"integrity leads"), lambda _m, _n: gettext("Integrity leads")),
    (re.compile(r"time release study"), lambda _m, _n: gettext("Time Release Study")),
    (re.compile(r"writing outputs"), lambda _m, _n: gettext("Writing the results")),
    (
        re.compile(rf"(?P<leads>{_NUMBER}) leads, (?P<values>{_NUMBER}) indicator values"),
        lambda m, _n: (
            gettext("%(leads)s leads, %(values)s indicator values")
            % {"leads": _count(m["leads"]), "values": _count(m["values"])}
        ),
    ),
    # Load (arusha/importing/load.py)
    (
        re.compile(
            rf"validating and loading (?P<name>.+) → (?P<table>\w+) \((?P<done>{_NUMBER}) of "
            rf"(?P<total>{_NUMBER}) rows loaded, (?P<rate>{_NUMBER}) rows/s\)"
        ),
        lambda m, n: (
            gettext(
                "Validating and loading %(name)s → %(table)s (%(done)s of %(total)s rows loaded, %(rate)s rows a second)"
            )
            % {
                "name": n(m["name"]),
                "table": m["table"],
                "done": _count(m["done"]),
                "total": _count(m["total"]),
                "rate": _count(m["rate"]),
            }
        ),
    ),
    (re.compile(r"reading (?P<name>.+)"), lambda m, n: gettext("Reading %(name)s") % {"name": n(m["name"])}),
    (
        re.compile(r"checking (?P<name>.+) → (?P<table>\w+)"),
        lambda m, n: gettext("Checking %(name)s → %(table)s") % {"name": n(m["name"]), "table": m["table"]},
    ),
    (re.compile(r"writing"), lambda _m, _n: gettext("Writing into the store")),
    (
        re.compile(rf"loaded (?P<rows>{_NUMBER}) rows"),
        lambda m, _n: gettext("%(rows)s rows loaded") % {"rows": _count(m["rows"])},
    ),
)


def _match(message: str) -> tuple[re.Match[str], Render] | None:
    for pattern, render in FRAMES:
        found = pattern.fullmatch(message)
        if found is not None:
            return found, render
    return None


def recognised(message: str) -> bool:
    """Whether ``message`` is one of the engine's known progress messages."""
    return _match(message) is not None


def localise(message: str, file_names: Mapping[str, str] | None = None) -> str:
    """The engine's progress message in the reader's language; as written when it is unknown.

    ``file_names`` maps stored file names to the names shown to the reader (the uploaded ones).
    """
    found = _match(message)
    if found is None:
        return message
    names = file_names or {}
    return found[1](found[0], lambda name: names.get(name, name))
