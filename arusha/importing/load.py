"""Load sources into a DuckDB store: all-or-nothing, optional quarantine, idempotent.

A load stages and validates every (source, table) pair first, and writes only when no rule is
broken (or, with ``quarantine=True``, writes the good rows and parks the bad ones with their reasons).
The writes happen in one transaction, so a failure never leaves half a load behind. A file whose
content hash was already loaded into a table is skipped; rows whose key already exists are replaced
(a newer export of the same declaration supersedes the older one), and a declaration's item lines
are replaced all together, so that a line an amendment dropped goes too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import duckdb

from arusha import contract, formula_safe
from arusha.contract import RULE_MESSAGES, Rule
from arusha.importing import parts, query_progress
from arusha.importing.mapping import Mapping
from arusha.importing.read import UnreadableFile, file_hash, source_types, stage
from arusha.importing.validate import (
    TablePlan,
    detect_number_format,
    duplicate_sql,
    literal,
    numeric_sources,
    plan_table,
    quote,
)

Progress = Callable[[int, str], None]

MAX_LISTED_ERRORS = 100
DEFAULT_STORE = Path("var/clearance.duckdb")


@dataclass(frozen=True)
class LoadError:
    """One broken rule: where (file, row, column), which rule, the offending value and a message."""

    file: str
    row: int | None
    column: str
    rule: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row is not None else self.file
        if self.column:
            where += f", column {self.column}"
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{where}: {self.message}{shown} [{self.rule}]"


@dataclass
class LoadResult:
    """What a load did. ``errors`` lists at most 100; ``error_count`` counts them all."""

    loaded: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # sources kept as they are (see ``parts.py``)
    absent_columns: dict[str, list[str]] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)
    error_count: int = 0
    errors_csv: Path | None = None
    rows_read: int = 0
    seconds: float = 0.0
    replaced: dict[str, int] = field(default_factory=dict)  # stored rows a newer export superseded, by table


class LoadRejected(Exception):
    """The load broke contract rules and nothing was written; ``result`` holds the errors."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result
        super().__init__(f"load rejected: {result.error_count} error(s); nothing was loaded")


def _message(rule: str, column: str, table: str, value: str) -> str:
    col = next((c for c in contract.COLUMNS[table] if c.name == column), None)
    template = RULE_MESSAGES[rule]
    key = ", ".join(contract.KEYS[table])
    message = template.format(
        kind=col.kind if col else "value",
        allowed=", ".join(col.enum) if col else "",
        minimum=col.minimum if col else "",
        maximum=col.maximum if col else "",
        key=key,
    )
    if rule == Rule.UNPARSEABLE_VALUE and col is not None and col.kind == "timestamp":
        fitting = _date_format_for(value)
        if fitting:
            message += f'; date_format: "{fitting}" in the mapping would read it'
    return message


# Date layouts seen in customs exports, day first before month first (most administrations in scope).
_DATE_FORMATS = (
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d", "%d-%b-%Y", "%d-%b-%y", "%d/%m/%y",
)  # fmt: skip


def _date_format_for(value: str) -> str | None:
    """Return a strptime format that reads ``value``, to suggest for the mapping, or ``None``."""
    for fmt in _DATE_FORMATS:
        try:
            dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        return fmt
    return None


def ensure_store(con: duckdb.DuckDBPyConnection, store: Path | None = None) -> None:
    """Create the canonical tables and the bookkeeping tables when they do not exist yet.

    With the store's path, views over kept files are also re-pointed when the store has moved.
    """
    for table in contract.TABLES:
        cols = ", ".join(f"{quote(c.name)} {c.sql_type}" for c in contract.COLUMNS[table])
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
    con.execute(
        "CREATE TABLE IF NOT EXISTS _arusha_loads (file_hash VARCHAR, file_name VARCHAR, "
        "table_name VARCHAR, rows BIGINT, quarantined BIGINT, columns VARCHAR, loaded_at TIMESTAMP)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS quarantine (table_name VARCHAR, source_file VARCHAR, "
        "file_hash VARCHAR, row BIGINT, reasons VARCHAR, record JSON, quarantined_at TIMESTAMP)"
    )
    parts.ensure_registry(con)
    if store is not None:
        parts.repoint(con, store)


def _targets(path: Path, mapping: Mapping, table: str | None) -> list[str]:
    if table:
        return [table]
    by_name = contract.table_for_file(path.name)
    if by_name:
        return [by_name]
    if mapping.tables:
        return [t for t in contract.TABLES if t in mapping.tables]
    return []


@dataclass
class _Job:
    path: Path
    digest: str
    plan: TablePlan
    conv: str
    relation: str
    rows: int
    keep: parts.KeepPlan | None = None
    errors: int = 0


def load_sources(
    paths: Sequence[str | Path],
    store: str | Path = DEFAULT_STORE,
    mapping: Mapping | None = None,
    quarantine: bool = False,
    table: str | None = None,
    errors_csv: str | Path | None = None,
    progress: Progress | None = None,
    keep_parquet: bool = True,
    known_hashes: dict[str, str] | None = None,
    tables: dict[str, str] | None = None,
    reload: bool = False,
) -> LoadResult:
    """Validate and load clearance-data sources into a DuckDB store.

    Args:
        paths: CSV, Parquet or Excel files. A name starting with ``declarations``, ``items`` or
            ``events`` designates its table; otherwise ``table`` or the mapping's tables do.
        store: DuckDB file, created when missing.
        mapping: How the source maps onto the canonical shape; ``None`` means canonical names.
        quarantine: Load the good rows and keep bad rows in the ``quarantine`` table instead of
            rejecting the whole load. File-level errors (unreadable, missing column) still reject.
        table: Canonical table for sources whose name does not say.
        errors_csv: Where to write every error of a rejected load; defaults to
            ``<store>-load-errors.csv`` beside the store.
        progress: Called with (percent, message) as the load advances.
        keep_parquet: Keep a clean Parquet source already in canonical form as it is (a copy in
            the store's ``.parts`` folder; the fast path, see ``parts.py``). ``False`` writes every
            row into DuckDB's own storage: slower to load, but single-threaded point queries (the
            web dashboards' drill-downs) then run 2-5 times faster.
        tables: Canonical table of each source (``str(path)`` -> table) where its name does not say
            and no single ``table`` fits them all (the web app lets the user choose per file).
        known_hashes: SHA-256 of sources the caller has already hashed (``str(path)`` -> hex), so a
            large file is not read once more only to be hashed again.
        reload: Load sources again even when their content was loaded before (e.g. after the
            mapping was corrected); their rows replace the stored ones by key, as any newer export.

    Returns:
        What was loaded, skipped or quarantined.

    Raises:
        LoadRejected: When a rule is broken (and not quarantined); nothing is written.

    Example:
        >>> load_sources(["declarations.csv"], "var/clearance.duckdb")  # doctest: +SKIP
    """
    started = time.perf_counter()
    report = progress or (lambda _pct, _msg: None)
    mapping = mapping or Mapping()
    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    result = LoadResult()
    file_errors: list[LoadError] = []
    errors_path = Path(errors_csv) if errors_csv else store.with_name(store.stem + "-load-errors.csv")
    new_store = not store.exists()
    con = _open_store(store, result, errors_path, started)
    steps = query_progress.StepReporter(con, report)
    committed = False
    try:
        steps.start()
        ensure_store(con, store)
        done = (
            set()
            if reload
            else {
                (str(h), str(t))
                for h, t in con.execute("SELECT file_hash, table_name FROM _arusha_loads").fetchall()
            }
        )
        jobs: list[_Job] = []
        total = max(len(paths), 1)
        digests = _hash_all([Path(p) for p in paths], known_hashes or {})
        for i, raw_path in enumerate(paths):
            path = Path(raw_path)
            steps.step(int(60 * i / total), int(60 * (i + 1) / total), f"reading {path.name}")
            targets = _targets(path, mapping, (tables or {}).get(str(path)) or table)
            unknown = [t for t in targets if t not in contract.TABLES]
            if unknown:
                message = f"unknown table {unknown[0]!r}: use {', '.join(contract.TABLES)}"
                file_errors.append(LoadError(str(path), None, "", Rule.UNREADABLE_FILE, "", message))
                continue
            if not targets:
                file_errors.append(
                    LoadError(
                        str(path),
                        None,
                        "",
                        Rule.UNREADABLE_FILE,
                        "",
                        "cannot tell which table this file fills: name it "
                        "declarations*/items*/events* or pass --table",
                    )
                )
                continue
            try:
                digest = digests[i]
                if isinstance(digest, OSError):
                    raise digest
                pending = [t for t in targets if (digest, t) not in done]
                if not pending:
                    result.skipped.append(str(path))
                    continue
                done.update((digest, t) for t in pending)  # the same content named twice loads once
                relation = f"stg_{i}"
                rows = stage(con, path, mapping, relation)
            except (UnreadableFile, OSError) as exc:
                file_errors.append(
                    LoadError(
                        str(path),
                        None,
                        "",
                        Rule.UNREADABLE_FILE,
                        "",
                        f"{RULE_MESSAGES[Rule.UNREADABLE_FILE]}: {exc}",
                    )
                )
                continue
            result.rows_read += rows
            types = source_types(con, relation)
            missing: list[LoadError] = []  # required columns this file lacks, for any table
            filled: list[str] = []
            for target in pending:
                decimal, table_mapping = mapping.decimal, mapping
                if decimal == "auto" and mapping.thousands == ",":
                    decimal = "."  # commas group thousands: decimals can only be dots
                if decimal == "auto":
                    found = detect_number_format(con, relation, numeric_sources(target, mapping, types))
                    if found.ambiguous:
                        column, value = found.ambiguous
                        file_errors.append(_ambiguous_number(path, column, value))
                        continue
                    decimal = found.decimal
                    if found.thousands and not mapping.thousands:
                        table_mapping = dataclasses.replace(mapping, thousands=found.thousands)
                source, source_rows = relation, rows
                if target == "declarations" and "items" in pending:
                    source, source_rows = _one_line_per_declaration(con, relation, mapping, types)
                plan = plan_table(target, table_mapping, types, source, decimal)
                if plan.file_errors:
                    missing += [
                        LoadError(str(path), None, e.column, e.rule, "", e.message) for e in plan.file_errors
                    ]
                    continue
                failing = _expression_errors(con, path, plan, relation, run=False)
                if failing:
                    file_errors += failing
                    continue
                filled.append(target)
                result.absent_columns[target] = plan.absent
                keep = parts.keep_plan(target, mapping, types, path) if keep_parquet else None
                jobs.append(_Job(path, digest, plan, f"conv_{i}_{target}", source, source_rows, keep))
            if missing and filled:
                # A file whose name does not say its table was tried on every table of the mapping.
                other = filled[0]
                hint = (
                    f" (this file fills {', '.join(filled)} but its name does not say so, so every table of "
                    f"the mapping was tried: name it {other}*{path.suffix} or pass --table {other})"
                )
                missing = [dataclasses.replace(e, message=e.message + hint) for e in missing]
            file_errors += missing
        if not file_errors and jobs and not any(job.rows for job in jobs):
            # Headers and nothing else: "Done — 0 rows loaded" would send the user to analyse nothing.
            # (An empty file beside files with rows loads: an export's events file may be empty.)
            message = RULE_MESSAGES[Rule.NO_ROWS]
            empty = dict.fromkeys(str(job.path) for job in jobs)
            file_errors += [LoadError(path, None, "", Rule.NO_ROWS, "", message) for path in empty]
        try:
            if not file_errors and _write_clean(con, store, jobs, result, steps, started):
                result.seconds = time.perf_counter() - started
                steps.step(100, 100, f"loaded {sum(result.loaded.values())} rows")
                committed = True
                return result
            # Some row breaks a rule (or a file cannot load): convert into temp tables to list every error.
            for n, job in enumerate(jobs):
                share = 10 / max(len(jobs), 1)
                steps.step(
                    60 + int(share * n),
                    60 + int(share * (n + 1)),
                    f"checking {job.path.name} → {job.plan.table}",
                )
                _convert(con, job)
            row_errors = _collect_errors(con, jobs)
        except duckdb.Error:
            # A mapping expression that binds may still fail on a value (a CAST of text, say): name it.
            failing = [
                e for job in jobs for e in _expression_errors(con, job.path, job.plan, job.relation, run=True)
            ]
            if not failing:
                raise
            _reject(con, result, [], failing, errors_path, started)
        result.error_count = len(file_errors) + row_errors
        if file_errors or (row_errors and not quarantine):
            _reject(con, result, jobs, file_errors, errors_path, started)
        steps.step(70, 100, "writing")
        _write(con, store, jobs, result)
        result.seconds = time.perf_counter() - started
        steps.step(100, 100, f"loaded {sum(result.loaded.values())} rows")
        committed = True
        return result
    finally:
        steps.stop()
        con.close()
        if new_store and not committed:
            _remove_new_store(store)


def _one_line_per_declaration(
    con: duckdb.DuckDBPyConnection, relation: str, mapping: Mapping, types: dict[str, str]
) -> tuple[str, int]:
    """Return a relation with one line per declaration of a file that fills declarations and items.

    Why: such exports often have one line per item, repeating the declaration's columns. Lines equal
    in every column the declarations table reads are one declaration (the first line's number is
    kept); lines of one declaration that differ there stay, and are reported as duplicate keys.
    """
    cmaps = mapping.columns_for("declarations", list(types))
    read = sorted({c for cmap in cmaps.values() for c in cmap.source_columns() if c in types})
    if not read:
        return relation, _scalar(con, f"SELECT count(*) FROM {relation}")
    name = f"{relation}_declarations"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {relation} WHERE __row IN "
        f"(SELECT min(__row) FROM {relation} GROUP BY {', '.join(quote(c) for c in read)})"
    )
    return name, _scalar(con, f"SELECT count(*) FROM {name}")


def _ambiguous_number(path: Path, column: str, value: str) -> LoadError:
    message = (
        f"numbers such as {value!r} in column {column!r} could use ',' for thousands or for decimals; "
        f"set csv.thousands to ',' in the mapping when {value!r} means {value.replace(',', '')}, "
        "or csv.decimal to ',' when it has decimals"
    )
    return LoadError(str(path), None, column, Rule.AMBIGUOUS_NUMBER_FORMAT, "", message)


def _open_store(
    store: Path, result: LoadResult, errors_csv: Path, started: float
) -> duckdb.DuckDBPyConnection:
    """Open the store for writing; raise :class:`LoadRejected` saying why when it cannot be opened."""
    try:
        if not is_duckdb_file(store):
            # DuckDB would open a CSV named as the store without a word, and the load would go nowhere.
            raise duckdb.IOException(
                "it is no DuckDB store: --store names the analytics store to write (e.g. "
                "var/clearance.duckdb), the export files come before it"
            )
        return duckdb.connect(str(store))
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        if "lock" in str(exc).lower():
            reason = "another process (an analysis, the web worker, a notebook) is using it; try again when it has finished"
        message = f"{RULE_MESSAGES[Rule.STORE_UNAVAILABLE]}: {reason}"
        error = LoadError(str(store), None, "", Rule.STORE_UNAVAILABLE, "", message)
        _reject(duckdb.connect(), result, [], [error], errors_csv, started)


def _remove_new_store(store: Path) -> None:
    """Remove the store a refused first load created: an empty store made the dataset look loaded
    (the web app offered to analyse it, and the analysis then failed)."""
    for path in (store, store.with_name(store.name + ".wal")):
        path.unlink(missing_ok=True)
    folder = parts.parts_dir(store)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def is_duckdb_file(store: Path) -> bool:
    """Return True when ``store`` is missing or empty (a new store) or starts as a DuckDB file does."""
    try:
        with store.open("rb") as handle:
            head = handle.read(12)
    except FileNotFoundError:
        return True
    except OSError:
        return True  # let DuckDB say what is wrong
    return not head or head[8:12] == b"DUCK"


def _reject(
    con: duckdb.DuckDBPyConnection,
    result: LoadResult,
    jobs: list[_Job],
    file_errors: list[LoadError],
    errors_csv: Path,
    started: float,
) -> NoReturn:
    """Fill ``result`` with the first errors, write them all to ``errors_csv`` and raise :class:`LoadRejected`."""
    result.error_count = max(result.error_count, len(file_errors))
    result.errors = (file_errors + _first_errors(con, jobs))[:MAX_LISTED_ERRORS]
    result.errors_csv = errors_csv
    _write_errors_csv(con, jobs, file_errors, errors_csv)
    result.seconds = time.perf_counter() - started
    raise LoadRejected(result)


def _expression_errors(
    con: duckdb.DuckDBPyConnection, path: Path, plan: TablePlan, relation: str, *, run: bool
) -> list[LoadError]:
    """Return one error per mapping expression DuckDB cannot compile (or, with ``run``, evaluate).

    Why: a typo in an ``expr`` would otherwise surface as a SQL traceback over the generated query.
    """
    errors: list[LoadError] = []
    limit = "" if run else " LIMIT 0"
    for column, (expr, sql) in plan.expressions.items():
        try:
            con.execute(f"SELECT count(__v) FROM (SELECT {sql} AS __v FROM {relation}{limit})").fetchall()
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = f"{RULE_MESSAGES[Rule.MAPPING_EXPRESSION_FAILS]}: {expr.strip()!r}: {reason}"
            errors.append(LoadError(str(path), None, column, Rule.MAPPING_EXPRESSION_FAILS, "", message))
    return errors


def _hash_all(paths: list[Path], known: dict[str, str]) -> list[str | OSError]:
    """Return each file's content hash (or the error reading it), hashing files side by side.

    Why: hashing reads every byte of every source; hashlib releases the GIL, so two files hash on
    two cores in the time of one.
    """

    def digest(path: Path) -> str | OSError:
        if str(path) in known:
            return known[str(path)]
        try:
            return file_hash(path)
        except OSError as exc:
            return exc

    if len(paths) < 2:
        return [digest(p) for p in paths]
    with ThreadPoolExecutor(max_workers=min(len(paths), 4), thread_name_prefix="arusha-hash") as pool:
        return list(pool.map(digest, paths))


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchall()
    return int(row[0][0]) if row and row[0][0] is not None else 0


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(_scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)"))


def _replace_existing(
    con: duckdb.DuckDBPyConnection, store: Path, table: str, rows_sql: str, replaced: dict[str, int]
) -> list[Path]:
    """Delete stored rows whose key comes again in ``rows_sql``: a newer export supersedes the older.

    Counts them in ``replaced``. Returns kept files that left the store this way, to delete once the
    transaction has committed.
    """
    if not _has_rows(con, table):
        return []
    before = _scalar(con, f"SELECT count(*) FROM {table}")
    released = parts.release_superseded(con, store, table, rows_sql)
    con.execute(f"DELETE FROM {parts.storage_table(con, table)} WHERE {parts.key_match(table, rows_sql)}")
    _count_replaced(con, table, before, replaced)
    return released


def _count_replaced(
    con: duckdb.DuckDBPyConnection, table: str, before: int, replaced: dict[str, int]
) -> None:
    gone = before - _scalar(con, f"SELECT count(*) FROM {table}")
    if gone:
        replaced[table] = replaced.get(table, 0) + gone


def _replace_whole_declarations(
    con: duckdb.DuckDBPyConnection, store: Path, sources: list[tuple[str, str]], replaced: dict[str, int]
) -> list[Path]:
    """Delete the stored rows of every declaration this load brings rows for, in the tables that a
    newer export replaces declaration by declaration (``contract.SUPERSEDED_WHOLE``: item lines).

    Called once at the start of a load's transaction, before any insert: only rows of earlier loads
    go, so the lines of one declaration spread over two files of the same load are all kept.

    Args:
        sources: ``(table, rows_sql)`` of each file of the load.
    """
    released: list[Path] = []
    for table, key in contract.SUPERSEDED_WHOLE.items():
        rows = [sql for name, sql in sources if name == table]
        if not rows or not _has_rows(con, table):
            continue
        cols = ", ".join(quote(k) for k in key)
        union = "(" + " UNION ALL ".join(f"SELECT {cols} FROM {sql}" for sql in rows) + ")"
        before = _scalar(con, f"SELECT count(*) FROM {table}")
        released += parts.release_superseded(con, store, table, union, key)
        con.execute(
            f"DELETE FROM {parts.storage_table(con, table)} WHERE {parts.key_match(table, union, key)}"
        )
        _count_replaced(con, table, before, replaced)
    return released


def _keep_as_is(con: duckdb.DuckDBPyConnection, job: _Job) -> bool:
    """Return True when ``job``'s source can be kept as it is: clean, canonical, superseding nothing."""
    if job.keep is None or not parts.row_groups_fit(con, job.path):
        return False
    source = f"read_parquet({literal(str(job.path))})"
    if _scalar(con, parts.as_is_sql(job.keep, source)):
        return False
    dup = parts.duplicate_keys_sql(job.keep, source)
    if dup is not None and _scalar(con, dup):
        return False  # the usual path names the duplicates
    table = job.plan.table
    if _has_rows(con, table):
        clash = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {parts.key_match(table, f'({job.plan.key_sql})')} LIMIT 1)"
        if _scalar(con, clash):
            return False
    return True


def _record(con: duckdb.DuckDBPyConnection, job: _Job, loaded: int, quarantined: int) -> None:
    con.execute(
        "INSERT INTO _arusha_loads VALUES (?, ?, ?, ?, ?, ?, now())",
        [job.digest, str(job.path), job.plan.table, loaded, quarantined, ",".join(job.plan.columns)],
    )


def _write_clean(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    jobs: list[_Job],
    result: LoadResult,
    steps: query_progress.StepReporter,
    started: float,
) -> bool:
    """Validate while writing, straight from the sources; return False, having written nothing, on any error.

    Why: most loads are clean, and converting each source once, straight into its table, costs about
    half of converting into a temp table, listing its errors and copying it again. A row that breaks
    a rule is not inserted, so fewer rows than the source holds means "not clean": the transaction is
    rolled back and the caller takes the slow path that lists every error. A Parquet source already
    in canonical form is not rewritten at all but kept as it is (``parts.py``).
    """
    loaded: dict[str, int] = {}
    total = sum(job.rows for job in jobs)
    done = 0
    copies = parts.Copies(store)
    # Most loads are clean: copy every candidate while the checks run, drop what is not kept.
    copy_names = {id(job): copies.start(job.plan.table, job.path, job.digest) for job in jobs if job.keep}
    unviewed: set[str] = set()  # tables with kept files whose view is not rebuilt yet

    def show_kept(tables: set[str]) -> None:
        copies.wait()
        for name in sorted(tables):
            parts.rebuild_view(con, store, name)
        unviewed.difference_update(tables)

    released: list[Path] = []
    kept: list[str] = []
    replaced: dict[str, int] = {}  # counted here, reported only if this attempt commits
    con.execute("BEGIN TRANSACTION")
    try:
        whole = [(job.plan.table, f"({job.plan.key_sql})") for job in jobs if job.plan.key_sql]
        released += _replace_whole_declarations(con, store, whole, replaced)
        for job in jobs:
            rate = done / max(time.perf_counter() - started, 1e-9)
            steps.step(
                60 + int(35 * done / max(total, 1)),
                60 + int(35 * (done + job.rows) / max(total, 1)),
                f"validating and loading {job.path.name} → {job.plan.table} "
                f"({done:,} of {total:,} rows loaded, {rate:,.0f} rows/s)",
            )
            if job.plan.table in unviewed:  # an earlier file of this load fills the same table
                show_kept({job.plan.table})
            if job.keep is not None and _keep_as_is(con, job):
                parts.keep(con, job.keep, copy_names[id(job)], job.path, job.digest, job.rows)
                unviewed.add(job.plan.table)
                kept.append(str(job.path))
                inserted = job.rows
            else:
                if job.keep is not None:
                    copies.drop(copy_names[id(job)])
                dup = job.plan.duplicate_count_sql()
                if not job.plan.key_sql or (dup is not None and _scalar(con, dup)):
                    con.execute("ROLLBACK")
                    copies.discard()
                    return False
                released += _replace_existing(con, store, job.plan.table, f"({job.plan.key_sql})", replaced)
                cols = ", ".join(quote(c) for c in job.plan.columns)
                into = parts.storage_table(con, job.plan.table)
                inserted = _scalar(con, f"INSERT INTO {into} ({cols}) {job.plan.clean_sql}")
            if inserted != job.rows:
                con.execute("ROLLBACK")
                copies.discard()
                return False
            _record(con, job, inserted, 0)
            loaded[job.plan.table] = loaded.get(job.plan.table, 0) + inserted
            done += inserted
        show_kept(set(unviewed))
        copies.close()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        copies.discard()
        raise
    parts.remove_files(released)
    result.loaded.update(loaded)
    result.replaced.update(replaced)
    result.kept = kept
    return True


def _convert(con: duckdb.DuckDBPyConnection, job: _Job) -> None:
    """Convert a source into the temp table ``job.conv`` with each row's broken rules in ``__errs``."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {job.conv} AS {job.plan.sql}")
    dup = duplicate_sql(job.plan.table, job.conv)
    if dup is not None and _scalar(con, dup[0]):
        con.execute(dup[1])


def _collect_errors(con: duckdb.DuckDBPyConnection, jobs: list[_Job]) -> int:
    total = 0
    for job in jobs:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {job.conv}_err AS "
            f"SELECT __row AS row, split_part(e, chr(31), 1) AS col, split_part(e, chr(31), 2) AS rule, "
            f"split_part(e, chr(31), 3) AS value FROM "
            f"(SELECT __row, unnest(__errs) AS e FROM {job.conv} WHERE len(__errs) > 0)"
        )
        count = con.execute(f"SELECT count(*) FROM {job.conv}_err").fetchall()[0]
        job.errors = int(count[0]) if count else 0
        total += job.errors
    return total


def _error_rows(con: duckdb.DuckDBPyConnection, job: _Job, limit: int | None) -> list[LoadError]:
    lim = f" LIMIT {limit}" if limit is not None else ""
    rows = con.execute(f"SELECT row, col, rule, value FROM {job.conv}_err ORDER BY row, col{lim}").fetchall()
    return [
        LoadError(
            str(job.path),
            int(r),
            str(c),
            str(rule),
            str(v),
            _message(str(rule), str(c), job.plan.table, str(v)),
        )
        for r, c, rule, v in rows
    ]


def _first_errors(con: duckdb.DuckDBPyConnection, jobs: list[_Job]) -> list[LoadError]:
    out: list[LoadError] = []
    for job in jobs:
        if len(out) >= MAX_LISTED_ERRORS:
            break
        out += _error_rows(con, job, MAX_LISTED_ERRORS - len(out))
    return out


def _write_errors_csv(
    con: duckdb.DuckDBPyConnection, jobs: list[_Job], file_errors: list[LoadError], path: Path
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = formula_safe.csv_writer(handle)
        writer.writerow(["file", "row", "column", "rule", "value", "message"])
        for e in file_errors:
            writer.writerow([e.file, "", e.column, e.rule, e.value, e.message])
        for job in jobs:
            for e in _error_rows(con, job, None):
                writer.writerow([e.file, e.row, e.column, e.rule, e.value, e.message])


def _write(con: duckdb.DuckDBPyConnection, store: Path, jobs: list[_Job], result: LoadResult) -> None:
    released: list[Path] = []
    con.execute("BEGIN TRANSACTION")
    try:
        good_rows = [(job.plan.table, f"(SELECT * FROM {job.conv} WHERE len(__errs) = 0)") for job in jobs]
        released += _replace_whole_declarations(con, store, good_rows, result.replaced)
        for job in jobs:
            table, cols = job.plan.table, job.plan.columns
            col_sql = ", ".join(quote(c) for c in cols)
            good = f"(SELECT * FROM {job.conv} WHERE len(__errs) = 0)"
            released += _replace_existing(con, store, table, good, result.replaced)
            into = parts.storage_table(con, table)
            loaded = _scalar(con, f"INSERT INTO {into} ({col_sql}) SELECT {col_sql} FROM {good}")
            quarantined = (
                0
                if not job.errors
                else _scalar(
                    con,
                    f"INSERT INTO quarantine SELECT '{table}', ?, ?, s.__row, r.reasons, "
                    f"to_json(s) , now() FROM {job.relation} s JOIN "
                    f"(SELECT row AS __row, string_agg(col || ': ' || rule || CASE WHEN value <> '' "
                    f"THEN ' (' || value || ')' ELSE '' END, '; ' ORDER BY col) AS reasons "
                    f"FROM {job.conv}_err GROUP BY row) r ON r.__row = s.__row",
                    [str(job.path), job.digest],
                )
            )
            result.loaded[table] = result.loaded.get(table, 0) + loaded
            result.quarantined += quarantined
            _record(con, job, loaded, quarantined)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    parts.remove_files(released)


def quarantine_rows(store: str | Path) -> list[dict[str, object]]:
    """Return the quarantined rows of a store (table, file, row, reasons), oldest first."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        cur = con.execute(
            "SELECT table_name, source_file, row, reasons FROM quarantine ORDER BY quarantined_at, row"
        )
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
