"""Keep a clean Parquet source that is already in canonical form as it is, instead of rewriting it.

Why: rewriting rows into DuckDB's compressed storage is most of what a load costs (about 2.7 CPU-s
per half a million declarations with their items and events, against under one second to check
every rule), and it buys nothing when the export already has the canonical column names and types
and every value is already as the store would keep it. Such a file is copied into the store's
``<store>.parts/`` folder (a kernel-side copy) and its table becomes a view over the rows written
the usual way (``_rows_<table>``) plus the kept files. Readers see the same ``declarations``,
``items`` and ``events`` names either way.

A store is therefore its ``.duckdb`` file *and* the ``.parts`` folder beside it: move or back up
both. Rows superseded by a later export of the same keys are moved out of a kept file into the
table first (that file is then dropped), so "a newer export supersedes the older" holds as before.
"""

from __future__ import annotations

import shutil
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from arusha import contract
from arusha.importing.mapping import Mapping
from arusha.importing.validate import literal, quote, row_checks

PARTS_TABLE = "_arusha_parts"
# DuckDB reads a Parquet file in parallel by row group; a file written as one huge group would make
# every later analysis single-threaded, so such a file is rewritten into the store instead.
MAX_ROW_GROUP = 2_000_000


def parts_dir(store: Path) -> Path:
    """Return the folder that holds a store's kept Parquet files."""
    return store.with_name(store.stem + ".parts")


def native_name(table: str) -> str:
    """Return the name of the table holding the rows written into DuckDB once ``table`` is a view."""
    return f"_rows_{table}"


def ensure_registry(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table listing kept files when it does not exist yet."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PARTS_TABLE} (table_name VARCHAR, path VARCHAR, file_hash VARCHAR, "
        "source_file VARCHAR, rows BIGINT, columns VARCHAR, added_at TIMESTAMP)"
    )


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


def storage_table(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Return where rows of ``table`` are inserted: the table itself, or its ``_rows_`` table."""
    return native_name(table) if _exists(con, native_name(table)) else table


@dataclass(frozen=True)
class KeepPlan:
    """How a source would be read as a kept file: its canonical columns and their source names.

    ``columns`` is what the registry keeps: ``name:TYPE`` of each canonical column in the file.
    """

    table: str
    sources: dict[str, str]  # canonical column -> source column (same name, maybe other case)
    columns: str = ""


def keep_plan(table: str, mapping: Mapping, types: dict[str, str], path: Path) -> KeepPlan | None:
    """Return a plan when ``path`` could be kept as it is, else ``None`` (it is converted as usual).

    A file qualifies when it is Parquet, the mapping changes nothing for ``table`` (no column map, no
    time-zone conversion) and every canonical column it has carries the canonical type or one the
    view casts to it exactly as the usual conversion would (smaller integers, FLOAT, DATE and the
    other timestamp precisions pandas and Spark write). Whether its values are clean and canonical
    is checked later, on the data.
    """
    if (
        path.suffix.lower() != ".parquet"
        or mapping.tables.get(table)
        or mapping.zones() != (None, None)
        or (table == "events" and mapping.system_actors)
    ):
        return None
    by_lower = {name.lower(): name for name in types}
    sources: dict[str, str] = {}
    columns: list[str] = []
    for col in contract.COLUMNS[table]:
        source = by_lower.get(col.name)
        if source is None:
            continue
        if types[source].upper() not in _CASTS_EXACTLY[col.sql_type]:
            return None
        sources[col.name] = source
        columns.append(f"{col.name}:{types[source].upper()}")
    return KeepPlan(table, sources, ",".join(columns))


# Source types the view may cast to each canonical type with the usual conversion's result.
_CASTS_EXACTLY: dict[str, frozenset[str]] = {
    "VARCHAR": frozenset({"VARCHAR"}),
    "BIGINT": frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"}),
    "DOUBLE": frozenset({"DOUBLE", "FLOAT"}),
    "TIMESTAMP": frozenset({"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"}),
}


# Values a DOUBLE holds exactly: the conversion of an integer column goes through DOUBLE.
_EXACT_INT = 2**53


def as_is_sql(plan: KeepPlan, source: str) -> str:
    """Return a query counting the rows of ``source`` that are not stored exactly as they are.

    A row counts when it breaks a rule, or when the usual conversion would change a value: text
    with surrounding spaces or empty, an enumeration, country or HS code not already in canonical
    form, an integer too large for the exact conversion. Zero means the file can be kept as it is.
    """
    aliases = ", ".join(
        f"{quote(src)} AS {quote(name)}, {quote(src)} AS {quote('__t_' + name)}"
        for name, src in plan.sources.items()
    )
    conditions = [c.cond for c in row_checks(plan.table, list(plan.sources))]
    for col in contract.COLUMNS[plan.table]:
        if col.name not in plan.sources:
            continue
        v = quote(col.name)
        if col.kind == "string":  # enum, country and HS code rules already demand canonical text
            conditions.append(
                f"CASE WHEN ord({v}) BETWEEN 33 AND 126 AND ord({v}[-1]) BETWEEN 33 AND 126 THEN false "
                f"ELSE {v} IS DISTINCT FROM NULLIF(trim({v}), '') END"
            )
        elif col.kind == "int":
            conditions.append(f"abs({v}) > {_EXACT_INT}")
    where = " OR ".join(f"({c})" for c in conditions) or "false"
    return f"SELECT count(*) FROM (SELECT {aliases} FROM {source}) WHERE ({where}) IS TRUE"


def duplicate_keys_sql(plan: KeepPlan, source: str) -> str | None:
    """Return a query that is non-zero when a key repeats in ``source`` (``None`` for events).

    Why a hash: counting distinct 64-bit hashes of the key is cheaper than grouping the key
    columns; a collision can only send a clean file down the usual path, never let a duplicate in.
    """
    if plan.table == "events" or not all(k in plan.sources for k in contract.KEYS[plan.table]):
        return None  # an event log may repeat a step; a missing key column is left to the usual path
    key = ", ".join(quote(plan.sources[k]) for k in contract.KEYS[plan.table])
    first = quote(plan.sources[contract.KEYS[plan.table][0]])
    return f"SELECT count(*) - count(DISTINCT hash({key})) FROM {source} WHERE {first} IS NOT NULL"


def row_groups_fit(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Return True when no row group of the Parquet file is too large to scan in parallel."""
    rows = con.execute(
        "SELECT coalesce(max(row_group_num_rows), 0) FROM parquet_metadata(?)", [str(path)]
    ).fetchall()
    return bool(rows) and int(rows[0][0]) <= MAX_ROW_GROUP


def _select(table: str, columns: list[str], source: str) -> str:
    """Return a SELECT of every canonical column from ``source`` in its canonical type.

    ``columns`` lists the columns ``source`` has (``name`` or ``name:TYPE``); absent ones are typed
    NULLs. A cast to the type a column already has costs nothing.
    """
    present = {c.split(":")[0] for c in columns}
    parts = [
        f"CAST({quote(c.name) if c.name in present else 'NULL'} AS {c.sql_type}) AS {quote(c.name)}"
        for c in contract.COLUMNS[table]
    ]
    return f"SELECT {', '.join(parts)} FROM {source}"


def kept_files(con: duckdb.DuckDBPyConnection, store: Path, table: str) -> list[tuple[str, str, list[str]]]:
    """Return (name in the registry, absolute path, canonical columns) of ``table``'s kept files.

    The registry holds paths relative to the parts folder, so a store moved with its folder still
    finds its files (the view is re-pointed by :func:`repoint`).
    """
    ensure_registry(con)
    rows = con.execute(
        f"SELECT path, columns FROM {PARTS_TABLE} WHERE table_name = ? ORDER BY added_at, path", [table]
    ).fetchall()
    folder = parts_dir(store).resolve()
    return [(str(p), str(folder / str(p)), str(c).split(",") if c else []) for p, c in rows]


def missing_files(store: Path) -> list[Path]:
    """Return the kept files a store's registry names but its ``.parts`` folder no longer holds.

    Why: a store copied without its folder opens fine and fails only deep inside a query, with a
    message about file patterns; callers check first and say what is wrong.
    """
    if not store.exists():
        return []
    con = duckdb.connect(str(store), read_only=True)
    try:
        if not _exists(con, PARTS_TABLE):
            return []
        names = [str(r[0]) for r in con.execute(f"SELECT path FROM {PARTS_TABLE}").fetchall()]
    finally:
        con.close()
    folder = parts_dir(store)
    return [folder / name for name in names if not (folder / name).exists()]


def repoint(con: duckdb.DuckDBPyConnection, store: Path) -> None:
    """Rebuild the views whose kept files sit in another folder than this store's (a moved store)."""
    ensure_registry(con)
    folder = str(parts_dir(store).resolve())
    for table in contract.TABLES:
        view = con.execute(
            "SELECT sql FROM duckdb_views() WHERE view_name = ? AND NOT temporary", [table]
        ).fetchall()
        if view and literal(folder + "/")[1:-1] not in str(view[0][0]):
            rebuild_view(con, store, table)


def rebuild_view(con: duckdb.DuckDBPyConnection, store: Path, table: str) -> None:
    """Make ``table`` the rows written into DuckDB plus every kept file (or a plain table again)."""
    files = [(path, columns) for _name, path, columns in kept_files(con, store, table)]
    native = native_name(table)
    if not files:
        if _exists(con, native):
            con.execute(f"DROP VIEW IF EXISTS {table}")
            con.execute(f"ALTER TABLE {native} RENAME TO {table}")
        return
    if not _exists(con, native):
        con.execute(f"ALTER TABLE {table} RENAME TO {native}")
    groups: dict[tuple[str, ...], list[str]] = {}
    for path, columns in files:
        groups.setdefault(tuple(columns), []).append(path)
    branches = [_select(table, [c.name for c in contract.COLUMNS[table]], native)]
    for group, paths in groups.items():
        listed = "[" + ", ".join(literal(p) for p in paths) + "]"
        branches.append(_select(table, list(group), f"read_parquet({listed})"))
    con.execute(f"CREATE OR REPLACE VIEW {table} AS " + " UNION ALL ".join(branches))


class Copies:
    """Copies of the files a load may keep, made in the background while the load checks them.

    Why: copying a large file is disk work that needs no CPU of DuckDB's; starting every candidate's
    copy before the checks overlaps the two, so a clean load costs about the longer of them instead
    of their sum. A candidate that turns out not to be kept has its copy dropped. A view can only be
    built over finished copies, so :meth:`wait` comes before :func:`rebuild_view` and the commit.
    """

    def __init__(self, store: Path) -> None:
        self._store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="arusha-copy")
        self._pending: dict[str, Future[object]] = {}
        self.targets: list[Path] = []

    def start(self, table: str, source: Path, digest: str) -> str:
        """Start copying ``source`` for ``table``; return its name in the registry."""
        name = f"{table}/{digest[:16]}-{uuid.uuid4().hex[:8]}.parquet"
        target = parts_dir(self._store) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.targets.append(target)
        self._pending[name] = self._pool.submit(shutil.copyfile, source, target)
        return name

    def drop(self, name: str) -> None:
        """Give up the copy ``name`` (its file is not kept after all)."""
        future = self._pending.pop(name, None)  # None: already waited for
        if future is not None and not future.cancel():
            future.exception()
        target = parts_dir(self._store) / name
        self.targets.remove(target)
        target.unlink(missing_ok=True)

    def wait(self) -> None:
        """Wait for every copy started so far; raise the first copy's error (a full disk, say)."""
        pending, self._pending = self._pending, {}
        for future in pending.values():
            future.result()

    def close(self) -> None:
        """Stop the background thread (every copy has been waited for)."""
        self._pool.shutdown()

    def discard(self) -> None:
        """Wait for the copies, whatever their outcome, and delete them (the load did not commit)."""
        for future in self._pending.values():
            if not future.cancel():
                future.exception()
        self._pool.shutdown()
        remove_files(self.targets)


def keep(
    con: duckdb.DuckDBPyConnection, plan: KeepPlan, name: str, source: Path, digest: str, rows: int
) -> None:
    """Register the copy ``name`` of ``source`` as one of ``plan.table``'s kept files.

    Must run inside the load's transaction. The caller waits for the copies and rebuilds the
    table's view before it reads the table again or commits.
    """
    con.execute(
        f"INSERT INTO {PARTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, now())",
        [plan.table, name, digest, str(source), rows, plan.columns],
    )


def key_match(table: str, rows_sql: str, key: tuple[str, ...] | None = None) -> str:
    """Return a condition true for stored rows whose key (the table's, or ``key``) comes again in ``rows_sql``."""
    key = key or contract.KEYS[table]
    key_sql = ", ".join(quote(k) for k in key)
    if len(key) > 1:
        return f"({key_sql}) IN (SELECT ({key_sql}) FROM {rows_sql})"
    return f"{key_sql} IN (SELECT {key_sql} FROM {rows_sql})"


def release_superseded(
    con: duckdb.DuckDBPyConnection, store: Path, table: str, rows_sql: str, key: tuple[str, ...] | None = None
) -> list[Path]:
    """Move the rows of kept files whose key (the table's, or ``key``) comes again in ``rows_sql`` out of those files.

    The file's other rows go into the table's ``_rows_`` storage and the file leaves the view; the
    returned files are deleted by the caller once the transaction has committed.
    """
    match = key_match(table, rows_sql, key)
    released: list[Path] = []
    for name, path, columns in kept_files(con, store, table):
        source = f"read_parquet({literal(path)})"
        hit = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {match} LIMIT 1)").fetchall()
        if not hit or not hit[0][0]:
            continue
        native = storage_table(con, table)
        con.execute(f"INSERT INTO {native} {_select(table, columns, source)} WHERE ({match}) IS NOT TRUE")
        con.execute(f"DELETE FROM {PARTS_TABLE} WHERE path = ?", [name])
        released.append(Path(path))
    if released:
        rebuild_view(con, store, table)
    return released


def remove_files(paths: list[Path]) -> None:
    """Delete kept files that left the store (after commit) or never entered it (after rollback)."""
    for path in paths:
        path.unlink(missing_ok=True)
