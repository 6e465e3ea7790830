"""What a load or an analysis says about itself, worded when the page is drawn.

A run is finished by a background job, in the language of whoever started it (the demo's runs by a
command, in English), and the engine writes its fingerprints in English: "3 loads, 506409 rows,
last 2026-12-07 02:07", "trained on declarations registered up to 2024-07-01, made … UTC",
"not computable (missing column officer_id)". Storing a sentence at job time would show a French
reader English for ever. The run keeps the figures and the engine's text (compare and audit read
them as they are); these functions say them in the reader's language and number format, and give
back anything they do not recognise unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext, pgettext

from arusha.metrics.catalogue import BY_CODE
from arusha_web.measure.explanations import MODEL
from arusha_web.measure.progress_text import LEVELS

if TYPE_CHECKING:
    from arusha_web.measure.models import AnalysisRun, ImportRun

# ``services.data_version`` writes this shape.
DATA_VERSION = re.compile(r"^(?P<loads>\d+) loads, (?P<rows>\d+) rows, last (?P<last>.+)$")
# ``catalogue.not_computable_reason`` and ``detection`` write these shapes.
MISSING = re.compile(r"^not computable \(missing (?P<kind>column|table) (?P<name>[\w.]+)\)$")
NO_REVENUE = "not computable (risk_scores has no expected_additional_duties)"


def _count(n: int) -> str:
    return number_format(n, 0, use_l10n=True, force_grouping=True)


def table_label(table: str) -> str:
    """A table of the clearance data contract ("declarations") as a reader says it ("déclarations")."""
    names = {
        "declarations": pgettext("clearance data table", "declarations"),
        "items": pgettext("clearance data table", "items"),
        "events": pgettext("clearance data table", "events"),
    }
    return names.get(table, table)


def period_label(period: str) -> str:
    """The analysis period ("month") as a reader says it ("Mois")."""
    names = {
        "month": pgettext("analysis period", "Month"),
        "quarter": pgettext("analysis period", "Quarter"),
        "year": pgettext("analysis period", "Year"),
    }
    return names.get(period, period)


def analysis_outcome(run: AnalysisRun) -> str:
    """A finished analysis's figures as a sentence; the stored message for any other state."""
    if run.status != "done":
        return run.message
    return ngettext(
        "%(values)s indicator values and %(leads)s lead.",
        "%(values)s indicator values and %(leads)s leads.",
        run.lead_count,
    ) % {"values": _count(run.indicator_count), "leads": _count(run.lead_count)}


def load_outcome(run: ImportRun) -> str:
    """A load's result as a sentence (rows loaded, or problems found); else the stored message."""
    if run.status == "done":
        rows = sum(int(n) for n in (run.loaded or {}).values())
        return ngettext("%(rows)s row loaded.", "%(rows)s rows loaded.", rows) % {"rows": _count(rows)}
    if run.status == "rejected":
        return ngettext(
            "Nothing was loaded: %(n)s problem found.",
            "Nothing was loaded: %(n)s problems found.",
            run.error_count,
        ) % {"n": _count(run.error_count)}
    return run.message


def data_version_text(version: str) -> str:
    """The store's fingerprint ("3 loads, 506409 rows, last …") in the reader's words."""
    m = DATA_VERSION.match(version or "")
    if m is None:
        return version
    loads, rows = int(m["loads"]), int(m["rows"])
    try:
        last = formats.date_format(dt.datetime.strptime(m["last"], "%Y-%m-%d %H:%M"), "SHORT_DATETIME_FORMAT")
    except ValueError:
        last = m["last"]
    return gettext("%(loads)s, %(rows)s, last on %(last)s") % {
        "loads": ngettext("%(n)s load", "%(n)s loads", loads) % {"n": _count(loads)},
        "rows": ngettext("%(n)s row", "%(n)s rows", rows) % {"n": _count(rows)},
        "last": last,
    }


def data_files_shown(files: list[dict[str, object]]) -> list[dict[str, object]]:
    """The files a run read, rows and load times in the reader's format (stored in ISO form)."""
    shown = []
    for f in files:
        row = dict(f)
        with contextlib.suppress(ValueError):  # not a time: shown as stored
            row["loaded_at"] = formats.date_format(
                dt.datetime.fromisoformat(str(f.get("loaded_at"))), "SHORT_DATETIME_FORMAT"
            )
        rows = f.get("rows")
        if isinstance(rows, int):
            row["rows"] = _count(rows)
        shown.append(row)
    return shown


def model_text(label: str) -> str:
    """The risk model's plain label ("trained on declarations registered up to …") in the reader's words."""
    # A run that read scores of two models names both, joined by ", ".
    return ", ".join(_one_model(part) for part in re.split(r"(?<= UTC), ", label or "")) if label else label


def _one_model(label: str) -> str:
    m = MODEL.match(label)
    if m is None:
        return label
    return gettext("trained on declarations registered up to %(until)s, made %(made)s UTC") % {
        "until": m["until"],
        "made": m["made"],
    }


def not_computable_text(reason: str) -> str:
    """Why an indicator could not be computed, in the reader's words."""
    m = MISSING.match(reason or "")
    if m is not None:
        if m["kind"] == "table":
            return gettext("not computable: the data has no %(name)s table") % {"name": m["name"]}
        return gettext("not computable: the data has no %(name)s column") % {"name": m["name"]}
    if reason == NO_REVENUE:
        return gettext("not computable: the risk scores have no expected additional duties")
    return reason


def _subject(code: str) -> str:
    if code.startswith("level:"):
        level = code.removeprefix("level:")
        return gettext("Indicators by %(levels)s") % {"levels": LEVELS.get(level, level)}
    detection = {
        "EXPECTED_FOUND": gettext("Expected versus found (risk model)"),
        "EXPECTED_FOUND:officer": gettext("Expected versus found, by officer"),
        "REVENUE_AT_RISK": gettext("Revenue at risk"),
    }
    if code in detection:
        return detection[code]
    indicator = BY_CODE.get(code)
    if indicator is None:
        return code
    name = indicator.name_fr if (get_language() or "en").startswith("fr") else indicator.name_en
    return f"{code} — {name}"


def not_computable_rows(not_computable: dict[str, str]) -> list[tuple[str, str]]:
    """What an analysis could not compute, as (what, why) in the reader's words."""
    return [(_subject(code), not_computable_text(why)) for code, why in not_computable.items()]
