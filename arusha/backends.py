"""Where tables live and how they execute: DuckDB by default, PySpark on request.

Metric code only builds Ibis expressions; this module is the one place that knows which engine runs
them. PySpark is imported inside :func:`connect_spark` so that the default install never loads it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from arusha import contract

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pyspark.sql import SparkSession

T = TypeVar("T")


def _duckdb2_compat() -> None:
    """Give DuckDB 2 connections the fetch methods Ibis 12 still calls.

    DuckDB 2.0 renamed ``fetch_arrow_table``/``fetch_record_batch`` to ``to_arrow_table``/
    ``to_arrow_reader``; Ibis 12.0 (the newest release) still calls the old names. Remove this helper
    once Ibis supports DuckDB 2 (or constraints pin duckdb<2).
    """
    cls: Any = duckdb.DuckDBPyConnection
    if not hasattr(cls, "fetch_arrow_table") and hasattr(cls, "to_arrow_table"):
        cls.fetch_arrow_table = cls.to_arrow_table
        cls.fetch_record_batch = lambda self, rows_per_batch=1_000_000: self.to_arrow_reader(rows_per_batch)
        # The same extra copy happened under DuckDB 1.x; the new warning only reports it.
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


_duckdb2_compat()


# DuckDB's share of an analysis's memory; beyond it DuckDB spills to disk instead of growing.
# Why: DuckDB's default (80 % of RAM) lets a 5 M-declaration analysis take the shared machine's memory.
DUCKDB_MEMORY_ENV = "ARUSHA_DUCKDB_MEMORY"
DEFAULT_DUCKDB_MEMORY = "3GB"


def duckdb_memory_limit() -> str:
    """Return the memory limit for analysis connections (``ARUSHA_DUCKDB_MEMORY``, default 3GB)."""
    return os.environ.get(DUCKDB_MEMORY_ENV, "").strip() or DEFAULT_DUCKDB_MEMORY


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    """Cap DuckDB's memory at ``limit`` (e.g. ``"2GB"``) and let it spill to the system temp folder.

    Why: an in-memory DuckDB would otherwise spill to ``.tmp`` in the current directory.
    """
    spill = Path(tempfile.gettempdir()) / f"arusha-duckdb-{os.getpid()}"
    con.execute("SET memory_limit = ?", [limit])
    con.execute("SET temp_directory = ?", [str(spill)])


def connect(
    path: str | Path | None = None, read_only: bool = False, memory_limit: str | None = None
) -> BaseBackend:
    """Return an Ibis DuckDB connection: in memory by default, or over the DuckDB file at ``path``.

    Args:
        path: A DuckDB file; ``None`` for an in-memory database.
        read_only: Open ``path`` read-only.
        memory_limit: Cap DuckDB's memory (e.g. ``"2GB"``); it spills to disk beyond.

    Example:
        >>> con = connect()
        >>> con.name
        'duckdb'
    """
    if path is None:
        con = ibis.duckdb.connect(":memory:")
    else:
        con = ibis.duckdb.connect(str(path), read_only=read_only)
    con.raw_sql("SET enable_progress_bar = false")  # callers report progress themselves
    if memory_limit:
        limit_memory(con.con, memory_limit)
    return con


def connect_spark(session: SparkSession | None = None, master: str = "local[2]") -> BaseBackend:
    """Return Ibis over a SparkSession; needs the ``spark`` extra.

    Args:
        session: An existing session (e.g. on a cluster). When ``None``, a local session is built
            with ``master`` (``local[2]``, or ``spark://host:7077`` for a standalone cluster).
        master: Spark master URL used only when ``session`` is ``None``.

    Returns:
        An Ibis PySpark backend.
    """
    from pyspark.sql import SparkSession  # here, so the default install never loads pyspark

    if session is None:
        session = (
            SparkSession.builder.master(master)
            .appName("arusha")
            .config("spark.sql.session.timeZone", "UTC")  # timestamps are naive UTC in the contract
            .config("spark.ui.enabled", "false")
            # Arusha reports its own progress; Spark's stage bars would scramble it on a terminal.
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def canonical_tables(con: BaseBackend) -> dict[str, ir.Table]:
    """Return the canonical tables present in ``con`` (declarations is required)."""
    names = set(con.list_tables())
    if "declarations" not in names:
        raise LookupError("the store has no declarations table: load data first (arusha data load)")
    return {t: con.table(t) for t in contract.TABLES if t in names}


def populated_columns(table: ir.Table) -> set[str]:
    """Return the columns of ``table`` that hold at least one non-null value.

    Why: the store keeps every canonical column, so an absent export column shows up as all-null;
    indicators needing it must say "not computable" instead of reporting zero.
    """
    counts = table.aggregate(**{c: table[c].count() for c in table.columns})
    row: dict[str, Any] = counts.to_pyarrow().to_pylist()[0]
    return {c for c, n in row.items() if n}


def is_uri(location: str | Path) -> bool:
    """Whether ``location`` is a URI an engine reads itself (``s3a://...``, ``hdfs://...``), not a local path."""
    return "://" in str(location)


def register_parquet(con: BaseBackend, directory: str | Path) -> dict[str, ir.Table]:
    """Read ``declarations/items/events.parquet`` (and ``risk_scores.parquet``) from a folder as tables.

    ``directory`` is a local or mounted folder, or a URI the engine reads itself (``s3a://...``,
    ``hdfs://...`` on Spark): there a file that cannot be read is taken as absent.

    Why: Spark (or DuckDB over shared storage) reads the canonical Parquet export of a store.
    """
    out: dict[str, ir.Table] = {}
    for name in (*contract.TABLES, "risk_scores"):
        if is_uri(directory):
            try:
                out[name] = con.read_parquet(f"{str(directory).rstrip('/')}/{name}.parquet", table_name=name)
            except Exception:  # noqa: BLE001 - each engine says "no such file" in its own way
                continue
        elif (path := Path(directory) / f"{name}.parquet").exists():
            out[name] = con.read_parquet(str(path), table_name=name)
    return out


def missing_columns(tables: dict[str, ir.Table]) -> dict[str, list[str]]:
    """Return, per canonical table, the contract's columns it lacks (tables lacking none left out).

    Why: a store always has every column (``arusha data load`` adds absent ones as empty), but a
    folder of Parquet files written by another tool may not; the analysis would fail deep inside.
    """
    missing: dict[str, list[str]] = {}
    for name in contract.TABLES:
        if name in tables:
            lacks = [c for c in contract.schema(name).names if c not in tables[name].columns]
            if lacks:
                missing[name] = lacks
    return missing


def materialize(table: ir.Table, name: str) -> ir.Table:
    """Compute ``table`` once and return a table over the stored result.

    Why: facts feed a dozen aggregations; computing them once halves analysis time. On DuckDB this
    uses plain SQL rather than ``Table.cache()`` because Ibis 12's DROP statement is rendered empty
    by sqlglot 30 (``DROP TABLE IF EXISTS`` with no name); other engines use ``cache()``.
    """
    con = table._find_backend()
    if con.name != "duckdb":
        return table.cache()
    con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {con.compile(table)}')
    return con.table(name)


def release(table: ir.Table, name: str) -> None:
    """Drop a table made by :func:`materialize`."""
    con = table._find_backend()
    if con.name == "duckdb":
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    else:
        table.release()


class QueryQueue:
    """Runs engine work one piece after another on a background thread, in the order submitted.

    Why: between two queries an analysis spends seconds in Python (long rows, exact tests, leads)
    while the engine's threads wait; with the queries queued ahead the engine keeps working
    meanwhile. One thread, so queries never run side by side on one connection and results come
    in the order they were asked for. ``background=False`` runs each piece at once, in the caller
    (for engines whose sessions are not to be shared between threads).

    Example:
        >>> with QueryQueue() as queue:
        ...     queue.submit(lambda: 6 * 7).result()
        42
    """

    def __init__(self, background: bool = True) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="arusha-engine") if background else None

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Queue ``work``; its result (or its exception) comes from the returned future."""
        if self._pool is not None:
            return self._pool.submit(work)
        done: Future[T] = Future()
        try:
            done.set_result(work())
        except BaseException as exc:  # re-raised by result(), as from the thread
            done.set_exception(exc)
        return done

    def close(self) -> None:
        """Wait for the piece running now, drop those not started (after an error nobody wants them)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> QueryQueue:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
