"""Reads behind the dashboards: indicator tables for the administration, an office, an officer.

Every chart is drawn from one of these tables, and the same table is shown and exportable, so a
figure on a chart can always be checked against a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language, gettext_lazy

from arusha import formula_safe
from arusha.metrics.catalogue import CATALOGUE

from .figures import figure
from .models import AnalysisRun, AntiGamingThresholds, IndicatorValue

BY_CODE = {i.code: i for i in CATALOGUE}
T = TypeVar("T")
OVERVIEW = ("VOL_DECL", "VOL_VALUE", "VOL_DUTIES", "TF1", "TF5", "TF5_P90", "BP1", "BP2")
TREND = ("VOL_DECL", "TF5", "BP2")


def indicator_name(code: str) -> str:
    ind = BY_CODE.get(code)
    if ind is None:
        return code
    return ind.name_fr if (get_language() or "en").startswith("fr") else ind.name_en


def fmt(value: float | None, code: str) -> str:
    """The value as the reader writes numbers (see ``figures.figure``)."""
    return figure(value, code)


@dataclass
class Table:
    """Column headers and rows of plain values (what the page shows and the export writes)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


# A week: what the pages compute from one analysis stays ready while people work on it.
MEMO_SECONDS = 7 * 24 * 3600


def run_memo(run: AnalysisRun, name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache for this run: an imported analysis never changes (a
    re-import sets a new ``finished_at``, hence new keys), so its tables need computing once."""
    stamp = run.finished_at.isoformat() if run.finished_at else ""
    return _memo(f"run:{run.pk}:{stamp}:{name}", parts, compute)


def store_memo(store: str, name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept while the DuckDB store file is unchanged (a load rewrites it)."""
    try:
        stat = Path(store).stat()
    except OSError:
        return compute()
    return _memo(f"store:{store}:{stat.st_mtime_ns}:{stat.st_size}:{name}", parts, compute)


def _memo(prefix: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    material = json.dumps([prefix, get_language(), parts], default=str)
    key = "measure:memo:" + hashlib.sha256(material.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, MEMO_SECONDS)
    return cast(T, found)


def _store(store: str) -> Any:
    """A read-only DuckDB connection with one thread: the pages' queries are small, and on a busy
    server one thread answers them faster than several competing for the cores."""
    import duckdb

    return duckdb.connect(store, read_only=True, config={"threads": 1})


def pivot(
    run: AnalysisRun, *, entity_type: str, period: str, codes: tuple[str, ...], office: str | None = None
) -> dict[str, dict[str, IndicatorValue]]:
    qs = IndicatorValue.objects.filter(run=run, entity_type=entity_type, period=period, indicator__in=codes)
    if office is not None:
        qs = qs.filter(office_code=office)
    out: dict[str, dict[str, IndicatorValue]] = defaultdict(dict)
    for v in qs.order_by("entity_id"):
        out[v.entity_id][v.indicator] = v
    return dict(out)


def offices_table(run: AnalysisRun, *, office: str | None = None) -> Table:
    data = pivot(run, entity_type="office", period="all", codes=OVERVIEW)
    if office is not None:
        data = {k: v for k, v in data.items() if k == office}
    rows = [[code] + [vals[c].value if c in vals else None for c in OVERVIEW] for code, vals in data.items()]
    return Table("offices", ["office"] + [indicator_name(c) for c in OVERVIEW], rows)


def monthly(
    run: AnalysisRun, *, entity_type: str, entity_id: str, codes: tuple[str, ...]
) -> tuple[list[str], dict[str, dict[str, IndicatorValue]]]:
    qs = IndicatorValue.objects.filter(
        run=run, entity_type=entity_type, entity_id=entity_id, indicator__in=codes
    ).exclude(period="all")
    by: dict[str, dict[str, IndicatorValue]] = defaultdict(dict)
    for v in qs:
        by[v.indicator][v.period] = v
    periods = sorted({v.period for v in qs})
    return periods, dict(by)


def trend_table(run: AnalysisRun, *, entity_type: str = "administration", entity_id: str = "ALL") -> Table:
    periods, by = monthly(run, entity_type=entity_type, entity_id=entity_id, codes=TREND)
    rows: list[list[Any]] = []
    for p in periods:
        cells = [by.get(c, {}).get(p) for c in TREND]
        rows.append([p] + [v.value if v is not None else None for v in cells])
    return Table("trend", ["period"] + [indicator_name(c) for c in TREND], rows)


def officers_table(run: AnalysisRun, *, office: str) -> tuple[Table, list[str]]:
    codes = tuple(i.code for i in CATALOGUE if "officer" in i.levels)
    data = pivot(run, entity_type="officer", period="all", codes=codes, office=office)
    used = [c for c in codes if any(c in vals for vals in data.values())]
    rows = []
    for officer, vals in data.items():
        row: list[Any] = [officer]
        for c in used:
            v = vals.get(c)
            row += [v.value if v else None, v.peer_median if v else None]
        rows.append(row)
    columns = ["officer"]
    for c in used:
        columns += [c, f"{c} peer median"]
    return Table("officers", columns, rows), used


def officer_series(
    run: AnalysisRun, *, officer_id: str
) -> tuple[list[str], dict[str, dict[str, IndicatorValue]]]:
    codes = tuple(i.code for i in CATALOGUE if "officer" in i.levels and i.direction != "context")
    return monthly(run, entity_type="officer", entity_id=officer_id, codes=codes)


def export(table: Table, fmt_: str, filename: str) -> HttpResponse:
    """The table behind a chart as CSV or XLSX."""
    if fmt_ == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = table.title[:31]
        ws.append(table.columns)
        for row in table.rows:
            ws.append(row)
        response = HttpResponse(
            formula_safe.xlsx_bytes(wb),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    # The byte-order mark makes Excel read the file as UTF-8 (without it, "χ²", "→" and accented
    # names come out garbled); every other reader of CSV skips it.
    out = io.StringIO("\ufeff")
    out.seek(0, io.SEEK_END)
    writer = formula_safe.csv_writer(out)
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


DRILL_COLUMNS = (
    "declaration_id",
    "office_code",
    "officer_id",
    "declarant_id",
    "importer_id",
    "channel_assigned",
    "channel_final",
    "registered_at",
    "released_at",
    "declared_value",
    "duties_declared",
)


DRILL_BY_COLUMNS = ("officer_id", "office_code", "declarant_id", "importer_id", "all")
DRILL_LABELS = {
    "declaration_id": gettext_lazy("Declaration"),
    "office_code": gettext_lazy("Office"),
    "officer_id": gettext_lazy("Officer"),
    "declarant_id": gettext_lazy("Declarant"),
    "importer_id": gettext_lazy("Importer"),
    "channel_assigned": gettext_lazy("Channel assigned"),
    "channel_final": gettext_lazy("Final channel"),
    "registered_at": gettext_lazy("Registered"),
    "released_at": gettext_lazy("Released"),
    "declared_value": gettext_lazy("Declared value"),
    "duties_declared": gettext_lazy("Duties declared"),
}
# A drill-down's download: the newest declarations, up to this many (an office can have a million).
EXPORT_ROWS = 100_000


def _drill_where(
    column: str, value: str, office: str | None, channel: str = "", month: str = ""
) -> tuple[str, list[Any]]:
    """The WHERE clause of a drill-down: who (``column = value``), narrowed to the viewer's office,
    and optionally to a final channel and a month of registration ("2024-03"), so a cell of the
    channel mix or of a monthly trend leads to its own declarations."""
    # "all": every declaration (the administration's figures), still narrowed below.
    params: list[Any] = [] if column == "all" else [value]
    where = "TRUE" if column == "all" else f"{column} = ?"
    if office is not None:
        where, params = where + " AND office_code = ?", [*params, office]
    if channel:
        where, params = where + " AND channel_final = ?", [*params, channel]
    if month:
        start = dt.datetime.strptime(month, "%Y-%m")
        end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        where, params = where + " AND registered_at >= ? AND registered_at < ?", [*params, start, end]
    return where, params


def declarations_export(
    store: str, *, column: str, value: str, office: str | None = None, channel: str = "", month: str = ""
) -> Table:
    """The declarations behind a figure as a table for a file, newest first, at most EXPORT_ROWS."""
    if column not in DRILL_BY_COLUMNS or not Path(store).exists():
        return Table("declarations", list(DRILL_COLUMNS), [])
    where, params = _drill_where(column, value, office, channel, month)
    con = _store(store)
    try:
        rows = con.execute(
            f"SELECT {', '.join(DRILL_COLUMNS)} FROM declarations WHERE {where} "
            f"ORDER BY registered_at DESC, declaration_id DESC LIMIT {EXPORT_ROWS}",
            params,
        ).fetchall()
    finally:
        con.close()
    return Table("declarations", list(DRILL_COLUMNS), [list(r) for r in rows])


# Every PAGE_MARK-th declaration of a drill-down, in page order, is remembered (see ``_marks``).
PAGE_MARK = 1000


def declarations(
    store: str,
    *,
    column: str,
    value: str,
    page: int,
    office: str | None = None,
    size: int = 50,
    channel: str = "",
    month: str = "",
) -> tuple[list[tuple[Any, ...]], int]:
    """Declarations behind a figure, read-only from the DuckDB store, one page at a time, newest
    first (ties in the registration time by declaration number, so pages never overlap).

    Why the marks: ``ORDER BY … LIMIT 50 OFFSET 4000`` keeps 4,050 rows in a heap while it reads
    the 1.3 M declarations of a large office, and costs 50–80 ms a page at 5 M. Knowing the
    registration time of every 1,000th row (``_marks``, computed once per filter and state of the
    store), a page only sorts the rows between its mark and the next (``registered_at`` between
    the two, a small offset): the same rows for a fraction of the work.
    """
    if column not in DRILL_BY_COLUMNS or not Path(store).exists():
        return [], 0
    where, params = _drill_where(column, value, office, channel, month)
    total, dated, marks = store_memo(
        store, "declarations-marks", (where, params), lambda: _marks(store, where, params)
    )
    offset = (page - 1) * size
    if offset >= total:
        return [], total
    first, last = offset // PAGE_MARK, (offset + size - 1) // PAGE_MARK
    if last >= len(marks):  # among the declarations with no registration time (sorted last)
        rows = store_memo(
            store,
            "declarations-rows",
            (where, params, page, size),
            lambda: _rows(store, where, params, marks, start=offset, count=size, bounded=False),
        )
        return rows, total
    # The whole stretch between two marks is read at once (about the cost of one page) and kept:
    # the next pages come from it.
    stretch: list[tuple[Any, ...]] = []
    for k in range(first, last + 1):
        stretch += store_memo(
            store,
            "declarations-stretch",
            (where, params, k, PAGE_MARK),
            functools.partial(
                _rows,
                store,
                where,
                params,
                marks,
                start=k * PAGE_MARK,
                count=PAGE_MARK,
                bounded=dated == total or (k + 1) * PAGE_MARK <= dated,
            ),
        )
    begin = offset - first * PAGE_MARK
    return stretch[begin : begin + size], total


def _rows(
    store: str,
    where: str,
    params: list[Any],
    marks: list[tuple[int, Any]],
    *,
    start: int,
    count: int,
    bounded: bool,
) -> list[tuple[Any, ...]]:
    """``count`` declarations from position ``start`` (newest first). ``bounded``: between the
    marks around them (from the mark at or before ``start``, whose ``before`` rows are strictly
    newer, ties all after; to the first mark past the end, no newer than any row wanted)."""
    order = "ORDER BY registered_at DESC, declaration_id DESC LIMIT ? OFFSET ?"
    sql, args = f"SELECT {', '.join(DRILL_COLUMNS)} FROM declarations WHERE {where} ", list(params)
    if bounded:
        before, registered = marks[start // PAGE_MARK]
        sql, args = sql + "AND registered_at <= ? ", [*args, registered]
        past = (start + count - 1) // PAGE_MARK + 1
        if past < len(marks):
            sql, args = sql + "AND registered_at >= ? ", [*args, marks[past][1]]
        args += [count, start - before]
    else:
        args += [count, start]
    con = _store(store)
    try:
        return con.execute(sql + order, args).fetchall()
    finally:
        con.close()


def _marks(store: str, where: str, params: list[Any]) -> tuple[int, int, list[tuple[int, Any]]]:
    """How many declarations match, how many have a registration time, and for every
    PAGE_MARK-th of those (newest first) how many are strictly newer and its registration time."""
    con = _store(store)
    try:
        found = con.execute(
            f"SELECT count(*), count(registered_at) FROM declarations WHERE {where}", params
        ).fetchone()
        marks = con.execute(
            "SELECT newer, registered_at FROM ("
            " SELECT registered_at, rank() OVER w - 1 AS newer, row_number() OVER w - 1 AS position"
            f" FROM declarations WHERE {where} AND registered_at IS NOT NULL"
            " WINDOW w AS (ORDER BY registered_at DESC)"
            f") WHERE position % {PAGE_MARK} = 0 ORDER BY position",
            params,
        ).fetchall()
    finally:
        con.close()
    total, dated = (int(found[0]), int(found[1])) if found else (0, 0)
    return total, dated, [(int(n), r) for n, r in marks]


FACILITATION = ("TF1", "TF5")
CONTROL = ("BP2", "BP1", "RED_NO_INSP")


def _change(series: dict[str, float | None], periods: list[str]) -> float | None:
    """Mean of the last three months minus mean of the first three (None when too few months)."""
    values: list[float] = [v for p in periods if (v := series.get(p)) is not None]
    if len(values) < 4:
        return None
    k = min(3, len(values) // 2)
    return sum(values[-k:]) / k - sum(values[:k]) / k


def complete_periods(run: AnalysisRun) -> list[str]:
    """Months of the data, without a partial month (under half the median monthly volume) that
    would fake a trend: the data usually ends in the middle of a month."""
    volumes = dict(
        IndicatorValue.objects.filter(run=run, entity_type="administration", indicator="VOL_DECL")
        .exclude(period="all")
        .values_list("period", "value")
    )
    if not volumes:
        return []
    typical = sorted(v or 0 for v in volumes.values())[len(volumes) // 2]
    return sorted(p for p, v in volumes.items() if (v or 0) >= typical / 2)


def anti_gaming(run: AnalysisRun, *, office: str | None, limits: AntiGamingThresholds | None = None) -> Table:
    """Facilitation gains next to control-effectiveness trends, officer by officer.

    Speed bought by waving declarations through shows as faster assessment (TF1 up, TF5 down)
    together with a lower hit rate (BP2) or more channel overrides (BP1, RED_NO_INSP). The
    thresholds are the stored, editable ones (``AntiGamingThresholds``).
    """
    t = limits or AntiGamingThresholds.current()
    qs = IndicatorValue.objects.filter(
        run=run, entity_type="officer", indicator__in=FACILITATION + CONTROL
    ).exclude(period="all")
    if office is not None:
        qs = qs.filter(office_code=office)
    by: dict[str, dict[str, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    offices: dict[str, str] = {}
    # Tuples, not model instances: thousands of rows (officers × months × indicators).
    for officer, office_code, indicator, period, value in qs.values_list(
        "entity_id", "office_code", "indicator", "period", "value"
    ):
        by[officer][indicator][period] = value
        offices[officer] = office_code
    periods = complete_periods(run)
    rows = []
    for officer in sorted(by):
        changes = {c: _change(by[officer].get(c, {}), periods) for c in FACILITATION + CONTROL}
        faster = (changes["TF1"] or 0) > t.assessment_gain_points / 100 or (
            changes["TF5"] or 0
        ) < -t.release_gain_hours
        weaker = (
            (changes["BP2"] or 0) < -t.hit_rate_drop_points / 100
            or (changes["BP1"] or 0) > t.override_rise_points / 100
            or (changes["RED_NO_INSP"] or 0) > t.red_release_rise_points / 100
        )
        rows.append(
            [officer, offices[officer], *(changes[c] for c in FACILITATION + CONTROL), faster and weaker]
        )
    rows.sort(key=lambda r: not r[-1])  # officers to look at first
    return Table("anti-gaming", ["officer", "office", *FACILITATION, *CONTROL, "to look at"], rows)


def trader(run: AnalysisRun, *, entity_type: str, entity_id: str) -> Table:
    codes = tuple(i.code for i in CATALOGUE if entity_type in i.levels)
    qs = IndicatorValue.objects.filter(
        run=run, entity_type=entity_type, entity_id=entity_id, period="all", indicator__in=codes
    ).order_by("indicator")
    return Table(
        entity_type,
        ["indicator", "value", "peer median", "n"],
        [[v.indicator, v.value, v.peer_median, v.n] for v in qs],
    )


CHANNELS = ("green", "blue", "yellow", "red")
CHANNEL_LABELS = {
    "green": gettext_lazy("Green"),
    "blue": gettext_lazy("Blue"),
    "yellow": gettext_lazy("Yellow"),
    "red": gettext_lazy("Red"),
}


def channel_label(channel: str) -> str:
    """The channel's name in the reader's language (an unknown code as it is)."""
    label = CHANNEL_LABELS.get(channel)
    return str(label) if label is not None else channel


def channel_mix(store: str, *, office: str | None = None) -> Table:
    """Declarations by final channel and office, read-only from the store (not an indicator);
    counted once per state of the store."""
    return store_memo(store, "channel-mix", (office,), lambda: _channel_mix(store, office=office))


def _channel_mix(store: str, *, office: str | None = None) -> Table:
    import duckdb

    if not Path(store).exists():
        return Table("channels", ["office", *CHANNELS], [])
    con = _store(store)
    try:
        where, params = ("WHERE office_code = ?", [office]) if office is not None else ("", [])
        found = con.execute(
            f"SELECT office_code, channel_final, count(*) FROM declarations {where} GROUP BY 1, 2 ORDER BY 1",
            params,
        ).fetchall()
    except duckdb.Error:
        return Table("channels", ["office", *CHANNELS], [])
    finally:
        con.close()
    by: dict[str, dict[str, int]] = defaultdict(dict)
    for code, channel, n in found:
        by[str(code)][str(channel)] = int(n)
    rows = [[code, *(by[code].get(c, 0) for c in CHANNELS)] for code in sorted(by)]
    return Table("channels", ["office", *CHANNELS], rows)


TRS_FILE = "time_release_study.csv"
# The Time Release Study's stages, in the order a declaration goes through them (columns of the
# analysis' ``time_release_study.csv``), and the whole duration.
TRS_STAGES = ("reg_to_assess_h", "assess_to_pay_h", "pay_to_release_h")
TRS_TOTAL = "reg_to_release_h"


def time_release_study(run: AnalysisRun, *, office: str) -> Table | None:
    """The office's Time Release Study: median hours of each stage by final channel and month, as
    written by the analysis (``time_release_study.csv``); None when the analysis has no such file
    (a run made before it existed, or data without the stage events)."""
    path = Path(run.out_dir) / TRS_FILE if run.out_dir else None
    if path is None or not path.is_file():
        return None
    rows: list[list[Any]] = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("office_code") != office:
                continue
            rows.append(
                [
                    r.get("period", ""),
                    r.get("channel_final", ""),
                    _int_or_none(r.get("n")),
                    *(_float_or_none(r.get(c)) for c in (*TRS_STAGES, TRS_TOTAL)),
                ]
            )
    order = {c: i for i, c in enumerate(CHANNELS)}
    rows.sort(key=lambda r: (r[0], order.get(r[1], len(order)), r[1]))
    return Table("time-release-study", ["month", "channel", "declarations", *TRS_STAGES, TRS_TOTAL], rows)


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _int_or_none(text: str | None) -> int | None:
    number = _float_or_none(text)
    return None if number is None else int(number)


def typical_stages(table: Table) -> dict[str, list[float | None]]:
    """Per channel, the median over the months of each stage's monthly median (what a typical month
    looks like; months are not weighted, so a quiet month counts as much as a busy one)."""
    import statistics

    by: dict[str, list[list[Any]]] = defaultdict(list)
    for r in table.rows:
        by[r[1]].append(r)
    out: dict[str, list[float | None]] = {}
    for channel in sorted(by, key=lambda c: (CHANNELS.index(c) if c in CHANNELS else len(CHANNELS), c)):
        out[channel] = []
        for k in range(len(TRS_STAGES) + 1):
            values = [r[3 + k] for r in by[channel] if r[3 + k] is not None]
            out[channel].append(statistics.median(values) if values else None)
    return out
