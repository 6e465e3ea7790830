"""``analyze``: compute the indicator catalogue and the ranked leads, and write the output contract.

Outputs (read by other tools, so their shape is fixed):

* ``indicators.parquet``: ``entity_type, entity_id, office_code, period, indicator, value, n,
  peer_median, z``. Rows with ``period = "all"`` cover the whole analysed window.
* ``signals.csv``: ``entity_type,entity_id,score,kind,explanation`` sorted by score descending, then
  the lead record's fields (``arusha/leads/record.py``).
* ``trader_risk.csv``: importer-only patterns for targeting, never integrity leads.
* ``report.html``: self-contained summary.
* ``time_release_study.csv`` (extra): median stage hours by office, final channel and period.

The heavy lifting (facts, aggregations, and the sort of each level's entities × periods) is Ibis and
runs on the chosen engine, one scan per family of levels (``level_rows.py``); long rows and peer
statistics are built from those sorted aggregates with Arrow and NumPy (``peers.py``), the exact
tests in pandas/SciPy, whatever the engine. On DuckDB every query over the facts is queued on one
background thread as soon as the facts exist, and the rows and leads of each result are worked out
here while the engine runs the next (``backends.QueryQueue``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from ibis import _
from ibis.backends import BaseBackend

from arusha import backends, detection, leads, level_rows, peers
from arusha.leads import decisions as lead_decisions
from arusha.leads import frame as lead_frame
from arusha.leads import ranking
from arusha.metrics import benford, catalogue, facts, levels, pairing
from arusha.peers import INDICATOR_SCHEMA as INDICATOR_SCHEMA  # re-exported: the output contract

Progress = Callable[[int, str], None]

# Levels whose indicators are computed for the whole window only, unless per-period rows are asked for.
TRADER_LEVELS = {"declarant", "importer"}


@dataclass
class AnalyzeResult:
    """What an analysis produced, and what it could not compute (with the reason)."""

    out_dir: Path
    indicators: int = 0
    signals: int = 0
    strong_signals: int = 0
    not_computable: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    engine: str = "duckdb"


@dataclass
class Analysis:
    """In-memory results of :func:`analyze_tables` (before writing)."""

    indicators: pa.Table
    signals: pd.DataFrame
    trs: pd.DataFrame
    not_computable: dict[str, str]
    summary: dict[str, Any]
    expectation: detection.Detection | None = None  # expected versus found, when the store has risk_scores
    trader_risk: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=leads.TRADER_RISK_COLUMNS))
    lead_families: dict[str, dict[str, float]] = field(default_factory=dict)


class NothingToAnalyse(ValueError):
    """The store, or the window asked for, holds no declaration; nothing was written.

    Why an error and not empty outputs: an analysis of a mistyped year would otherwise "succeed"
    with no indicator and no lead, which reads as "nothing suspicious".
    """


def _nothing_reason(declarations: ir.Table, date_from: dt.date | None, date_to: dt.date | None) -> str:
    """Say why a window holds no declaration, with the registration dates the store does hold."""
    span = declarations.aggregate(
        first=declarations.registered_at.min(), last=declarations.registered_at.max()
    ).to_pyarrow()
    first, last = span["first"][0].as_py(), span["last"][0].as_py()
    if first is None:
        return "the store holds no declarations: load data first (arusha data load)"
    window = f"between {date_from or 'the start'} and {date_to or 'the end'}"
    return (
        f"no declaration was registered {window}: the store holds declarations registered "
        f"from {first.date()} to {last.date()}"
    )


def _available(tables: dict[str, ir.Table]) -> set[str]:
    available = backends.populated_columns(tables["declarations"])
    for name in ("items", "events"):
        table = tables.get(name)
        # Is there a row at all: ``limit(1)`` stops at the first one (a full count of 29 M events
        # in a store that keeps Parquet cost 0.8 CPU-s).
        if table is not None and int(table.limit(1).count().to_pyarrow().as_py()) > 0:
            available.add(name)
    return available


def _engine_duckdb(table: ir.Table) -> duckdb.DuckDBPyConnection | None:
    """Return the DuckDB connection ``table`` runs on, or ``None`` on another engine.

    Why: on DuckDB an analysis queues its queries on a background thread; a Spark session runs
    them in turn, in the caller.
    """
    backend = table._find_backend()
    if backend.name != "duckdb":
        return None
    con: duckdb.DuckDBPyConnection = backend.con
    return con


def _long(wide: pa.Table, level: str, inds: list[catalogue.Indicator]) -> pa.Table:
    """Return the wide per-entity metrics as long indicator rows (rows with n = 0 dropped).

    Kept for ``bench/core_engine.py``, which times the engine's path for the core indicators.
    """
    pieces: peers.Pieces = {}
    peers.add(pieces, level, peers.indicator_rows(peers.sorted_rows(wide), inds))
    return peers.assemble(pieces).drop(["peer_median", "z"])


RAW_COLUMNS_NOT_AGGREGATED = (
    "declaration_id",  # no level groups by it
    "regime",
    "channel_assigned",
    "channel_changed_by",
    "assessed_at",
    "paid_at",
    "released_at",
    "assessed_value",
    "duties_declared",
    "duties_assessed",
    "inspection_result",
    "offence_code",
    "penalty_amount",
    "country_origin",
    "country_export",
    "transport_mode",
    "pen_median",
)


def _peer_stats(table: pa.Table) -> pa.Table:
    """Return long rows in output order with ``peer_median`` and robust ``z`` (see ``peers.py``).

    Kept for ``bench/core_engine.py``, as :func:`_long`.
    """
    return peers.assemble(peers.pieces_of(table))


def _ordered(table: ir.Table) -> pa.Table:
    """Run ``table`` sorted by period, entity and office (nulls last), the order the rows are written in.

    Why on the engine: it sorts these few rows (entities × periods, before the thirty indicators
    are spread into rows) faster than Arrow, and the long rows then need no sort at all.
    """
    keys = [ibis.asc(k, nulls_first=False) for k in peers.ROW_KEYS if k in table.columns]
    return table.order_by(keys).to_pyarrow()


def analyze_tables(
    tables: dict[str, ir.Table],
    period: str = "month",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    progress: Progress | None = None,
    trader_periods: bool = False,
) -> Analysis:
    """Compute indicators, time-release table and ranked leads from canonical Ibis tables.

    Args:
        tables: ``declarations`` (required), ``items`` and ``events`` (optional), on any Ibis backend.
        period: ``month`` (default), ``quarter`` or ``year``.
        date_from: First registration date included.
        date_to: Last registration date included.
        progress: Called with (percent, message).
        trader_periods: Also compute declarant and importer indicators per period. Off by default:
            leads and the web pages use their whole-window values, and per-period rows for tens of
            thousands of traders would be most of ``indicators.parquet`` and of the analysis time.

    Returns:
        The results as pandas frames.
    """
    return _analyze(tables, period, date_from, date_to, progress, trader_periods)


def _analyze(
    tables: dict[str, ir.Table],
    period: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    progress: Progress | None,
    trader_periods: bool,
) -> Analysis:
    report = progress or (lambda _p, _m: None)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise NothingToAnalyse(f"the window starts on {date_from}, after it ends on {date_to}")
    available = _available(tables)
    decl = tables["declarations"]
    if date_from is not None:
        decl = decl.filter(_.registered_at >= ibis.timestamp(dt.datetime.combine(date_from, dt.time())))
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        decl = decl.filter(_.registered_at < ibis.timestamp(end))
    if int(decl.limit(1).count().to_pyarrow().as_py()) == 0:
        raise NothingToAnalyse(_nothing_reason(tables["declarations"], date_from, date_to))
    items = tables.get("items") if "items" in available else None
    events = tables.get("events") if "events" in available else None
    report(10, "building declaration facts")
    fact_expr = facts.declaration_facts(decl, items, events)
    # Keep keys and facts only: the raw columns are already folded into flags, and memory matters at 5 M rows.
    fact_expr = fact_expr.drop(*[c for c in RAW_COLUMNS_NOT_AGGREGATED if c in fact_expr.columns])
    # Period labels formatted once here instead of in every aggregation; then the timestamp is not needed.
    fact_expr = levels.with_period(fact_expr, period).drop("registered_at")
    fact_table = backends.materialize(fact_expr, "arusha_facts")

    not_computable: dict[str, str] = {}
    for ind in catalogue.CATALOGUE:
        reason = catalogue.not_computable_reason(ind, available)
        if reason:
            not_computable[ind.code] = reason
    inds_by_level: dict[str, list[catalogue.Indicator]] = {}
    for level in levels.LEVEL_KEYS:
        need = levels.LEVEL_NEEDS.get(level)
        if need and need not in available:
            kind = "table" if need in {"items", "events"} else "column"
            not_computable[f"level:{level}"] = f"not computable (missing {kind} {need})"
            continue
        inds_by_level[level] = [
            ind
            for ind in catalogue.CATALOGUE
            if ind.agg != "special" and level in ind.levels and ind.code not in not_computable
        ]
    # Every query over the facts is queued now, in the order its result is needed; the engine
    # runs them while the rows and leads of the earlier ones are worked out here.
    queue = backends.QueryQueue(background=_engine_duckdb(decl) is not None)
    try:
        work = _queue_work(
            queue,
            fact_table,
            decl,
            items,
            events,
            tables.get("risk_scores"),
            period,
            trader_periods,
            inds_by_level,
            not_computable,
            available,
        )
        indicators, coded, digits, trs, declarations, expectation = _collect(work, not_computable, report)
    finally:
        queue.close()
        backends.release(fact_table, "arusha_facts")
    # The leads run on their own arrays once the engine's facts are released (memory at 5 M).
    report(85, "integrity leads")
    found = leads.find_leads(coded, digits)
    del coded, digits
    summary = {
        "declarations": declarations,
        "period": period,
        "date_from": str(date_from) if date_from else None,
        "date_to": str(date_to) if date_to else None,
        "available": sorted(available),
    }
    return Analysis(
        indicators,
        found.signals,
        trs,
        not_computable,
        summary,
        expectation,
        found.trader_risk,
        found.families,
    )


PAIRS = (
    ("declarant_id", "officer_declarant_pair", "declarant"),
    ("importer_id", "officer_importer_pair", "importer"),
)
BENFORD = (("declarant_id", "declarant"), ("importer_id", "importer"))


@dataclass
class _Queued:
    """The queued queries of an analysis, in the order their results are used."""

    families: list[Callable[[peers.Pieces], None]]
    concentration: Future[pa.Table] | None
    pairs: list[tuple[str, str, Future[pa.Table]]]  # entity type, party label, pair rows
    benford: list[tuple[str, Future[pa.Table]]]  # entity type, Benford rows
    expectation: Future[tuple[detection.Detection | None, dict[str, str]]]
    trs: Future[pd.DataFrame] | None
    declarations: Future[int]
    decisions: Future[pa.Table]
    digit_counts: Future[pa.Table] | None


def _queue_work(
    queue: backends.QueryQueue,
    fact_table: ir.Table,
    decl: ir.Table,
    items: ir.Table | None,
    events: ir.Table | None,
    risk_scores: ir.Table | None,
    period: str,
    trader_periods: bool,
    inds_by_level: dict[str, list[catalogue.Indicator]],
    not_computable: dict[str, str],
    available: set[str],
) -> _Queued:
    """Queue every query of the analysis (pairs, levels, tests, Time Release Study, count).

    Pairs come first: their rows take the most work here (sorting millions of them, their leads,
    their peer statistics), done while the engine computes the levels.
    """
    # Pairs and Benford from the facts (one row per declaration, kept in memory), not the store.
    pairs = [
        (etype, label, queue.submit(pairing.pair_excess_columns(fact_table, other).to_pyarrow))
        for other, etype, label in (PAIRS if "CP1" not in not_computable else ())
    ]
    families = []
    for family in level_rows.FAMILIES:
        by_period = trader_periods or not set(family.levels) & TRADER_LEVELS
        wanted = {lvl: inds_by_level[lvl] for lvl in family.levels if lvl in inds_by_level}
        families.append(
            level_rows.family_rows(fact_table, family, period if by_period else None, wanted, _ordered, queue)
        )
    concentration = None
    if "BP1_CONC" not in not_computable:
        concentration = queue.submit(partial(_ordered, levels.override_concentration(fact_table, period)))
    digits = [
        (etype, queue.submit(partial(_ordered, benford.benford_deviation(fact_table, by))))
        for by, etype in (BENFORD if "BENFORD_MAD" not in not_computable else ())
    ]
    expectation = queue.submit(partial(_expected_vs_found, decl, risk_scores, period))
    trs = None
    if "assessed_at" in available:
        trs = queue.submit(levels.time_release_study(fact_table, period).to_pandas)
    declarations = queue.submit(lambda: int(fact_table.count().to_pyarrow().as_py()))  # a fact row each
    decisions = queue.submit(partial(_decisions, decl, items, events, risk_scores))
    digit_counts = None
    if items is not None:
        digit_counts = queue.submit(lead_decisions.digit_counts(decl, items).to_pyarrow)
    return _Queued(
        families, concentration, pairs, digits, expectation, trs, declarations, decisions, digit_counts
    )


def _decisions(
    decl: ir.Table, items: ir.Table | None, events: ir.Table | None, risk_scores: ir.Table | None
) -> pa.Table:
    """The leads' decisions table; without the risk model's scores when they are unusable.

    Why the fallback: an unusable ``risk_scores`` table is reported as not computable by
    expected-versus-found; the leads then compare inspections with other officers' instead.
    """
    if risk_scores is not None:
        try:
            return lead_decisions.decision_table(decl, items, events, risk_scores).to_pyarrow()
        except detection.RiskScoresError:
            pass
    return lead_decisions.decision_table(decl, items, events).to_pyarrow()


def _collect(
    work: _Queued, not_computable: dict[str, str], report: Progress
) -> tuple[pa.Table, lead_frame.Decisions, pa.Table | None, pd.DataFrame, int, detection.Detection | None]:
    """Turn the queued results into indicator rows, the coded decisions for the leads and the Time Release Study table."""
    # Each stage's rows are assembled (peer statistics included) while the engine runs the next.
    pieces: peers.Pieces = {}
    assembly = peers.Assembly()
    report(15, "officer × trader pairs")
    for etype, _label, queued in work.pairs:
        pairs = peers.pair_rows(queued.result())  # sorted here, while the engine runs the next queries
        peers.add(pieces, etype, {"CP1": peers.rows(pairs)})
        assembly.seal(pieces)
    for i, (family, finish) in enumerate(zip(level_rows.FAMILIES, work.families, strict=True)):
        report(25 + int(45 * i / len(level_rows.FAMILIES)), f"indicators by {', '.join(family.levels)}")
        finish(pieces)
        assembly.seal(pieces)
    report(70, "concentration and first digits")
    if work.concentration is not None:
        peers.add(pieces, "office", {"BP1_CONC": peers.rows(work.concentration.result())})
        assembly.seal(pieces)
    for etype, queued in work.benford:
        bf = queued.result()
        long = bf.select(["entity_id", "n"]).append_column("value", bf["mad"])
        long = long.append_column("period", pa.repeat(pa.scalar("all"), bf.num_rows))
        long = long.append_column("office_code", pa.nulls(bf.num_rows, pa.string()))
        peers.add(pieces, etype, {"BENFORD_MAD": peers.rows(long)})
        assembly.seal(pieces)
    indicators = assembly.table()

    expectation, reasons = work.expectation.result()
    not_computable.update(reasons)
    report(75, "time release study")
    trs = work.trs.result() if work.trs is not None else pd.DataFrame()
    # Coded here and the future dropped, so that the Arrow rows (a gigabyte at 5 M) go before the
    # tests run.
    report(80, "decisions for the integrity leads")
    coded = lead_frame.from_arrow(work.decisions.result())
    work.decisions = None  # type: ignore[assignment]
    digits = work.digit_counts.result() if work.digit_counts else None
    return indicators, coded, digits, trs, work.declarations.result(), expectation


def _expected_vs_found(
    decl: ir.Table, risk_scores: ir.Table | None, period: str
) -> tuple[detection.Detection | None, dict[str, str]]:
    """Run expected-versus-found when the store has the risk model's scores (see ``detection.py``).

    Returns the result and the reasons of what it could not compute (merged by the caller: this
    runs on the query thread).
    """
    if risk_scores is None:
        return None, {}
    try:
        found = detection.expected_vs_found(decl, risk_scores, period)
    except detection.RiskScoresError as exc:
        return None, {"EXPECTED_FOUND": f"not computable ({exc})"}
    return found, dict(found.not_computable)


@contextmanager
def _open(
    store: str | Path, engine: str, spark_session: Any = None, spark_master: str | None = None
) -> Iterator[dict[str, ir.Table]]:
    """Open a DuckDB store, or a folder of canonical Parquet files, on the chosen engine."""
    if engine not in {"duckdb", "spark"}:
        raise ValueError(f"unknown engine {engine!r}: use duckdb or spark")
    if _is_parquet_folder(store):
        with _open_parquet(store, engine, spark_session, spark_master) as tables:
            yield tables
        return
    store = Path(store)
    if not store.exists():
        raise FileNotFoundError(f"store {store} does not exist: load data first (arusha data load)")
    if engine == "duckdb":
        con: BaseBackend = backends.connect(memory_limit=backends.duckdb_memory_limit())
        # Attach read-only so that analysis never changes the store and cache() stays in memory.
        con.raw_sql(f"ATTACH '{store}' AS store (READ_ONLY)")
        names = set(con.list_tables(database=("store", "main")))
        tables = {
            t: con.table(t, database=("store", "main"))
            for t in ("declarations", "items", "events", "risk_scores")
            if t in names
        }
        try:
            yield tables
        finally:
            con.disconnect()
        return
    with tempfile.TemporaryDirectory(prefix="arusha-spark-") as tmp:
        export_parquet(store, tmp)
        spark = backends.connect_spark(spark_session, **_master(spark_master))
        yield backends.register_parquet(spark, tmp)


def _is_parquet_folder(source: str | Path) -> bool:
    """A folder of canonical Parquet files (or a URI to one, e.g. on S3 or HDFS), not a store file."""
    return backends.is_uri(source) or Path(source).is_dir()


def _master(spark_master: str | None) -> dict[str, str]:
    return {"master": spark_master} if spark_master else {}


@contextmanager
def _open_parquet(
    folder: str | Path, engine: str, spark_session: Any, spark_master: str | None
) -> Iterator[dict[str, ir.Table]]:
    """Read the canonical Parquet files of ``folder`` (as ``export_parquet`` writes them).

    The files are taken as validated (``arusha data load`` checks a store's rows; ``export_parquet``
    writes them out): only the presence of every contract column is checked here.
    """
    if engine == "duckdb":
        if backends.is_uri(folder):
            raise LookupError(
                f"{folder}: DuckDB reads local or mounted folders; use --engine spark for a URI"
            )
        con: BaseBackend = backends.connect(memory_limit=backends.duckdb_memory_limit())
    else:
        con = backends.connect_spark(spark_session, **_master(spark_master))
    try:
        tables = backends.register_parquet(con, folder)
        if "declarations" not in tables:
            raise LookupError(
                f"{folder} holds no declarations.parquet: a folder to analyse holds declarations.parquet "
                "and, optionally, items.parquet and events.parquet (arusha data export writes them from a store)"
            )
        missing = backends.missing_columns(tables)
        if missing:
            name, lacks = next(iter(missing.items()))
            raise LookupError(
                f"{folder}/{name}.parquet lacks the column(s) {', '.join(lacks)} of the contract: "
                "load it with arusha data load (a mapping can rename or add them), then analyse the store"
            )
        yield tables
    finally:
        if engine == "duckdb":
            con.disconnect()


def export_parquet(store: str | Path, directory: str | Path) -> list[Path]:
    """Write the store's canonical tables as Parquet files (for Spark or shared storage)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    con = duckdb.connect(str(store), read_only=True)
    try:
        names = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        for name in ("declarations", "items", "events", "risk_scores"):
            if name in names:
                path = directory / f"{name}.parquet"
                con.execute(f"COPY {name} TO '{path}' (FORMAT parquet)")
                out.append(path)
    finally:
        con.close()
    return out


def write_outputs(analysis: Analysis, out_dir: str | Path) -> AnalyzeResult:
    """Write ``indicators.parquet``, ``signals.csv`` and ``report.html`` to ``out_dir``."""
    from arusha import report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Dictionary pages only for the few-valued columns: on ids and numbers they cost time for nothing.
    few_valued = ["entity_type", "office_code", "period", "indicator"]
    pq.write_table(analysis.indicators, out / "indicators.parquet", use_dictionary=few_valued)
    analysis.signals.to_csv(out / "signals.csv", index=False, columns=leads.LEAD_COLUMNS)
    analysis.trader_risk.to_csv(out / "trader_risk.csv", index=False, columns=leads.TRADER_RISK_COLUMNS)
    if not analysis.trs.empty:
        analysis.trs.to_csv(out / "time_release_study.csv", index=False)  # extra file, outside the contract
    if analysis.expectation is not None:
        analysis.expectation.write(out)  # detection.parquet, targeting_quality.csv (extra files)
    (out / "report.html").write_text(report.render(analysis), encoding="utf-8")
    strong = int((analysis.signals.score >= ranking.STRONG_SCORE).sum()) if len(analysis.signals) else 0
    return AnalyzeResult(
        out, len(analysis.indicators), len(analysis.signals), strong, dict(analysis.not_computable)
    )


def analyze_store(
    store: str | Path,
    out_dir: str | Path,
    engine: str = "duckdb",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period: str = "month",
    progress: Progress | None = None,
    spark_session: Any = None,
    trader_periods: bool = False,
    spark_master: str | None = None,
) -> AnalyzeResult:
    """Analyse a DuckDB store (or a folder of canonical Parquet files) and write the output contract.

    Args:
        store: DuckDB store written by :func:`arusha.importing.load_sources`, or a folder (local,
            mounted, or a URI Spark reads such as ``s3a://bucket/clearance``) holding
            ``declarations.parquet`` and optionally ``items.parquet``, ``events.parquet`` and
            ``risk_scores.parquet``, as :func:`export_parquet` writes them.
        out_dir: Output directory (created).
        engine: ``duckdb`` (default) or ``spark`` (the store is exported to Parquet and read by Spark).
        date_from: First registration date included.
        date_to: Last registration date included.
        period: ``month``, ``quarter`` or ``year``.
        progress: Called with (percent, message); the web app's background job passes one.
        spark_session: An existing SparkSession (e.g. on a cluster) for ``engine="spark"``.
        trader_periods: Also write declarant and importer indicators per period (see
            :func:`analyze_tables`).
        spark_master: Where a new Spark session runs (e.g. ``spark://host:7077``; default
            ``local[2]``), when no ``spark_session`` is given.

    Returns:
        Counts, not-computable indicators and timing.

    Example:
        >>> analyze_store("var/clearance.duckdb", "var/out")  # doctest: +SKIP
    """
    started = time.perf_counter()
    report = progress or (lambda _p, _m: None)
    report(0, f"opening {store} on {engine}")
    with _open(store, engine, spark_session, spark_master) as tables:
        if "declarations" not in tables:
            raise LookupError("the store has no declarations table: load data first (arusha data load)")
        analysis = analyze_tables(tables, period, date_from, date_to, progress, trader_periods)
    report(95, "writing outputs")
    result = write_outputs(analysis, out_dir)
    result.engine = engine
    result.seconds = time.perf_counter() - started
    report(100, f"{result.signals} leads, {result.indicators} indicator values")
    return result
