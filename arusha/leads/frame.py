"""The decisions table as NumPy arrays: ids as integer codes, months as 0, 1, 2...

Why codes: every test groups rows by combinations of office, officer, importer, channel and month;
integer codes combine and count with ``np.bincount`` in milliseconds, where grouping strings would
take seconds at millions of declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

I = npt.NDArray[np.int64]  # noqa: E741
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

ID_COLUMNS = ("office_code", "officer_id", "declarant_id", "importer_id", "offence_code")
ACTOR_COLUMNS = ("changer", "release_actor")  # coded in the officers' dictionary


@dataclass
class Decisions:
    """One row per declaration (see :func:`arusha.leads.decisions.decision_table`), as arrays."""

    columns: dict[str, npt.NDArray[np.generic]]
    names: dict[str, npt.NDArray[np.object_]]  # code → id, per id column ("officer_id" also for actors)
    months: list[str]  # label of month code k ("2024-03")
    size: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, name: str) -> npt.NDArray[np.generic]:
        return self.columns[name]

    def codes(self, name: str) -> I:
        """The column as 64-bit integers (stored in 32 bits: half the memory at millions of rows)."""
        return np.asarray(self.columns[name], dtype=np.int64)

    def flag(self, name: str) -> B:
        return np.asarray(self.columns[name], dtype=bool)

    def number(self, name: str) -> F:
        return np.asarray(self.columns[name], dtype=np.float64)

    def label(self, column: str, code: int) -> str:
        """The id behind ``code`` of an id column, or ``""`` for a missing one (−1)."""
        return "" if code < 0 else str(self.names[column][code])


def _canonical(codes: I, dictionary: pa.Array) -> tuple[I, pa.Array]:
    """Renumber codes so that the dictionary is sorted: the same ids get the same codes whatever
    order the engine returned the rows in (DuckDB and Spark then agree to the last tie)."""
    if len(dictionary) == 0:
        return codes, dictionary
    order = np.asarray(pc.sort_indices(dictionary).to_numpy(zero_copy_only=False), dtype=np.int64)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), dictionary.take(pa.array(order))


def _encode(array: pa.ChunkedArray | pa.Array, dictionary: pa.Array | None = None) -> tuple[I, pa.Array]:
    """Return integer codes (−1 for null) and the sorted dictionary; ``dictionary`` extends an existing one."""
    values = pa.chunked_array([array]) if isinstance(array, pa.Array) else array
    values = values.cast(pa.string())
    if dictionary is None:
        encoded = pc.dictionary_encode(values).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        nulls = encoded.indices.is_null().to_numpy(zero_copy_only=False)
        codes = np.where(nulls, -1, np.nan_to_num(codes)).astype(np.int64)
        return _canonical(codes, encoded.dictionary)
    index = pc.index_in(values, value_set=dictionary)
    unknown = pc.and_(pc.is_null(index), pc.is_valid(values))
    if pc.any(unknown).as_py():
        extra = pc.unique(pc.filter(values, unknown)).cast(pa.string())
        extra = extra.take(pc.sort_indices(extra))
        dictionary = pa.concat_arrays([dictionary, extra])
        index = pc.index_in(values, value_set=dictionary)
    filled = pc.fill_null(index, -1).to_numpy(zero_copy_only=False)
    return np.asarray(filled, dtype=np.int64), dictionary


def month_label(month: int) -> str:
    """``24290`` (months since year 0) → ``"2024-03"``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def from_arrow(table: pa.Table) -> Decisions:
    """Return the decisions table as arrays: ids coded, months counted from the first one."""
    columns: dict[str, npt.NDArray[np.generic]] = {}
    names: dict[str, npt.NDArray[np.object_]] = {}
    for name in ID_COLUMNS:
        if name == "officer_id":
            continue
        codes, dictionary = _encode(table[name])
        columns[name], names[name] = codes.astype(np.int32), np.asarray(dictionary.to_pylist(), dtype=object)
    # Officers and the actors (who changed a channel, who signed a release) share one dictionary.
    codes, dictionary = _encode(table["officer_id"])
    columns["officer_id"] = codes.astype(np.int32)
    for name in ACTOR_COLUMNS:
        actor_codes, dictionary = _encode(table[name], dictionary)
        columns[name] = actor_codes.astype(np.int32)
    names["officer_id"] = np.asarray(dictionary.to_pylist(), dtype=object)
    month = table["month"].to_numpy()
    first = int(month.min()) if len(month) else 0
    last = int(month.max()) if len(month) else 0
    columns["month"] = (month - first).astype(np.int32)
    for name in table.column_names:
        if name in columns or name in ID_COLUMNS or name in ACTOR_COLUMNS or name == "declaration_id":
            continue
        col = table[name]
        if pa.types.is_boolean(col.type):
            columns[name] = pc.fill_null(col, False).to_numpy(zero_copy_only=False).astype(bool)
        elif pa.types.is_floating(col.type):
            columns[name] = col.to_numpy(zero_copy_only=False).astype(np.float64)  # nulls → NaN
        else:
            columns[name] = pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype(np.int32)
    months = [month_label(m) for m in range(first, last + 1)]
    return Decisions(columns, names, months, size=table.num_rows)
