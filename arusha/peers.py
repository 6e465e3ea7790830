"""Long indicator rows in the order of ``indicators.parquet``, with their peer statistics.

``indicators.parquet`` is sorted by ``entity_type, indicator, period, entity_id, office_code``, and
each row carries the median of its peer group and a robust z = (value − median) / (1.4826 × MAD).
Both used to be one SQL query over all rows (1.4 M at 0.5 M declarations) whose sort on five text
keys was a fifth of the whole analysis. Here the order is built instead: each level's wide table
(entities × periods, some thirty times fewer rows than the long ones) is sorted once, every indicator
is read off it in that order, and the pieces are concatenated by entity type and indicator. The peer
statistics are then computed piece by piece (one entity type and indicator) with NumPy, which keeps
the rows in place. Medians match DuckDB's ``median`` bit for bit (mean of the two middle values).

Only aggregates reach this module, whatever the engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arusha.metrics.catalogue import Indicator

INDICATOR_SCHEMA = pa.schema(
    [
        ("entity_type", pa.string()),
        ("entity_id", pa.string()),
        ("office_code", pa.string()),
        ("period", pa.string()),
        ("indicator", pa.string()),
        ("value", pa.float64()),
        ("n", pa.int64()),
        ("peer_median", pa.float64()),
        ("z", pa.float64()),
    ]
)
MIN_PEERS = 3
MAD_SCALE = 1.4826
# Peer group of each level: officers and pairs are compared within their office and period; the
# other levels against all entities of the level in the period; the administration has no peers.
PEERS_BY_OFFICE = {"officer", "officer_declarant_pair", "officer_importer_pair"}
NO_PEERS = {"administration"}
ROW_KEYS = ("period", "entity_id", "office_code")  # the order within one entity type and indicator
ROW_SCHEMA = pa.schema([f for f in INDICATOR_SCHEMA if f.name in (*ROW_KEYS, "value", "n")])

# (entity type, indicator) -> row pieces, each sorted by ROW_KEYS, in the order they were added.
Pieces = dict[tuple[str, str], list[pa.Table]]
F = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def sorted_rows(table: pa.Table) -> pa.Table:
    """Return ``table`` sorted by period, entity and office, nulls last (as DuckDB's ``ORDER BY``)."""
    return table.sort_by([(k, "ascending") for k in ROW_KEYS])


PAIR_SEPARATOR = "|"


def _ranks(values: pa.ChunkedArray, suffix: str = "") -> tuple[I64, int]:
    """Return the rank of each value (``suffix`` appended) among the distinct ones, nulls last, and
    how many ranks there are. Strings compare by code point, as in DuckDB's ``ORDER BY`` and Arrow."""
    encoded = pc.dictionary_encode(values.combine_chunks())
    dictionary = encoded.dictionary
    if suffix:
        dictionary = pc.binary_join_element_wise(dictionary, pa.scalar(suffix), "")
    rank = np.empty(len(dictionary) + 1, np.int64)
    rank[pc.sort_indices(dictionary).to_numpy()] = np.arange(len(dictionary))
    rank[-1] = len(dictionary)  # nulls
    codes = pc.fill_null(encoded.indices, len(dictionary)).to_numpy(zero_copy_only=False)
    ranked: I64 = rank[codes]
    return ranked, len(dictionary) + 1


def pair_rows(pairs: pa.Table) -> pa.Table:
    """Return pair rows (``officer_id``, ``other_id`` and the rest) as ``OFFICER|OTHER`` rows in output order.

    ``A|x`` strings sort as (``A|``, ``x``): two officer ids that differ do so before the
    separator, or one is a prefix of the other and the separator meets another character, either
    way whatever follows. So ranks of the few distinct officers and parties make one integer key
    instead of a sort of millions of strings. An officer id holding the separator breaks that: such
    data is sorted as strings.
    """
    officers, others = pairs["officer_id"], pairs["other_id"]
    rest = pairs.drop(["office_code", "officer_id", "other_id"])
    if pc.any(pc.match_substring(pc.unique(officers), PAIR_SEPARATOR)).as_py():
        entity = pc.binary_join_element_wise(officers, others, PAIR_SEPARATOR)
        order = pc.sort_indices(
            pa.table({"e": entity, "o": pairs["office_code"]}),
            sort_keys=[("e", "ascending"), ("o", "ascending")],  # nulls last, as by default
        ).to_numpy()
    else:
        officer_rank, _ = _ranks(officers, PAIR_SEPARATOR)
        other_rank, n_others = _ranks(others)
        office_rank, n_offices = _ranks(pairs["office_code"])
        order = np.argsort((officer_rank * n_others + other_rank) * n_offices + office_rank)
    take = pa.array(order)
    entity = pc.binary_join_element_wise(officers.take(take), others.take(take), PAIR_SEPARATOR)
    columns = {"entity_id": entity, "office_code": pairs["office_code"].take(take)}
    columns["period"] = pa.repeat(pa.scalar("all"), pairs.num_rows)
    return pa.table({**columns, **{c: rest[c].take(take) for c in rest.column_names}})


def rows(table: pa.Table) -> pa.Table:
    """Return ``entity_id, office_code, period, value, n`` of ``table`` with the output types."""
    return pa.table({f.name: pc.cast(table[f.name], f.type) for f in ROW_SCHEMA}, schema=ROW_SCHEMA)


def indicator_rows(wide: pa.Table, inds: Sequence[Indicator]) -> dict[str, pa.Table]:
    """Return, per indicator, its rows read off a wide level table (rows with n = 0 dropped).

    Ratios are ``num / den`` (null when ``den`` is 0) and counts ``num``; ``n`` is the denominator,
    or the ``count`` fact when the denominator is an amount. The rows keep the order of ``wide``.
    """
    base = {k: pc.cast(wide[k], pa.string()) for k in ROW_KEYS}
    out = {}
    for ind in inds:
        code = ind.code
        if ind.agg in {"ratio", "count"}:
            num = pc.cast(wide[f"{code}__num"], pa.float64())
            den = pc.cast(wide[f"{code}__den"], pa.float64())
            nonzero = pc.if_else(pc.equal(den, 0.0), pa.scalar(None, pa.float64()), den)
            value = num if ind.agg == "count" else pc.divide(num, nonzero)
            n = pc.cast(wide[f"{code}__cnt"], pa.float64()) if ind.count else den
        else:
            value = pc.cast(wide[f"{code}__val"], pa.float64())
            n = pc.cast(wide[f"{code}__n"], pa.float64())
        keep = pc.fill_null(pc.greater(n, 0.0), False)
        table = pa.table({**base, "value": value, "n": n}).filter(keep)
        out[code] = rows(table.set_column(4, "n", pc.cast(table["n"], pa.int64())))
    return out


def add(pieces: Pieces, entity_type: str, per_indicator: dict[str, pa.Table]) -> None:
    """Append sorted row pieces of ``entity_type`` (a period's rows before the whole window's)."""
    for code, table in per_indicator.items():
        if table.num_rows:
            pieces.setdefault((entity_type, code), []).append(table)


def _group_codes(table: pa.Table, by_office: bool) -> I64:
    """Return one integer per row naming its peer group within a piece (period, and office if asked)."""
    period = pc.dictionary_encode(table["period"].combine_chunks())
    codes: I64 = pc.fill_null(period.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    if not by_office:
        return codes
    office = pc.dictionary_encode(pc.fill_null(table["office_code"].combine_chunks(), ""))
    office_codes: I64 = office.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes * (len(office.dictionary) + 1) + office_codes


def _medians(keys: I64, values: F) -> tuple[I64, F, I64]:
    """Return the distinct sorted ``keys``, the median of ``values`` in each and the group sizes.

    The median of an even count is the mean of the two middle values, as DuckDB computes it (NaN,
    if any, sorts last in both).
    """
    if not keys.size:
        return keys, np.zeros(0), np.zeros(0, np.int64)
    if (keys == keys[0]).all():  # one group (a level without periods or offices): no sort needed
        size = values.size
        mid = np.partition(values, [(size - 1) // 2, size // 2])
        lo, hi = mid[(size - 1) // 2], mid[size // 2]
        median = lo if size % 2 else (lo + hi) / 2
        return keys[:1], np.array([median]), np.array([size], np.int64)
    if keys.min() >= 0 and keys.max() < 4 * keys.size + 1024:  # small codes: group ids by counting
        present = np.bincount(keys)
        group_keys = np.flatnonzero(present).astype(np.int64)
        group = (np.cumsum(present > 0) - 1)[keys]
        sizes = present[group_keys].astype(np.int64)
    else:
        group_keys, group = np.unique(keys, return_inverse=True)
        sizes = np.bincount(group, minlength=group_keys.size).astype(np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    small = group_keys.size < 2**16
    by_group = np.argsort(group.astype(np.uint16) if small else group, kind="stable")  # radix when small
    if group_keys.size <= 256:  # few groups (offices, periods): a selection in each, no full sort
        v = values[by_group]
        lo, hi = np.empty(group_keys.size), np.empty(group_keys.size)
        for g, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True)):
            mid = np.partition(v[start : start + size], [(size - 1) // 2, size // 2])
            lo[g], hi[g] = mid[(size - 1) // 2], mid[size // 2]
    else:
        # Sort by value, then stably by group.
        by_value = np.argsort(values)
        g_of = group[by_value]
        order = by_value[np.argsort(g_of.astype(np.uint16) if small else g_of, kind="stable")]
        v = values[order]
        lo, hi = v[starts + (sizes - 1) // 2], v[starts + sizes // 2]
    return group_keys, np.where(sizes % 2 == 1, lo, (lo + hi) / 2), sizes


def _lookup(group_keys: I64, keys: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Return the index of each of ``keys`` in the sorted ``group_keys`` and whether it is there."""
    if not group_keys.size:
        return np.zeros(keys.size, np.int64), np.zeros(keys.size, bool)
    at = np.minimum(np.searchsorted(group_keys, keys), group_keys.size - 1)
    return at, group_keys[at] == keys


def with_peer_stats(table: pa.Table, entity_type: str) -> tuple[pa.Array, pa.Array]:
    """Return ``peer_median`` and ``z`` for the rows of one entity type and indicator.

    Groups: same period (and office, for officers and pairs); statistics only for groups of at least
    ``MIN_PEERS`` values, z only where the MAD is positive; none for the administration.
    """
    n = table.num_rows
    value_col = table["value"].combine_chunks() if n else pa.array([], pa.float64())
    valid = pc.is_valid(value_col).to_numpy(zero_copy_only=False) if n else np.zeros(0, bool)
    value = value_col.to_numpy(zero_copy_only=False).astype(np.float64)
    if entity_type in NO_PEERS or not valid.any():
        empty = pa.nulls(n, pa.float64())
        return empty, empty
    keys = _group_codes(table, entity_type in PEERS_BY_OFFICE)
    gk, med, size = _medians(keys[valid], value[valid])
    at, found = _lookup(gk, keys)
    row_med = np.where(found, med[at], np.nan)
    # MAD: the median of absolute deviations from the group's median, over the same values.
    dev = np.abs(value[valid] - row_med[valid])
    _, mad_raw, _ = _medians(keys[valid], dev)
    mad = MAD_SCALE * mad_raw
    peers = found & (size[at] >= MIN_PEERS)
    row_mad = np.where(peers, mad[at], np.nan)
    scored = peers & valid & (row_mad > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (value - row_med) / row_mad
    return pa.array(row_med, pa.float64(), mask=~peers), pa.array(z, pa.float64(), mask=~scored)


def assemble_piece(entity_type: str, code: str, parts: list[pa.Table]) -> pa.Table:
    """Return the rows of one entity type and indicator in output order, with peer statistics.

    The parts are concatenated in the order added; they must then be sorted by ``ROW_KEYS`` (a
    period's rows, then ``period = "all"``), else they are sorted here.
    """
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    if not _joined_in_order(parts):
        table = sorted_rows(table)
    peer_median, z = with_peer_stats(table, entity_type)
    rows_ = table.num_rows
    return pa.table(
        {
            "entity_type": pa.repeat(pa.scalar(entity_type), rows_),
            "entity_id": table["entity_id"],
            "office_code": table["office_code"],
            "period": table["period"],
            "indicator": pa.repeat(pa.scalar(code), rows_),
            "value": table["value"],
            "n": table["n"],
            "peer_median": peer_median,
            "z": z,
        },
        schema=INDICATOR_SCHEMA,
    )


class Assembly:
    """Indicator rows assembled as their pieces complete, joined in output order at the end.

    Why: an analysis gets its rows stage by stage (levels, pairs, Benford); assembling each stage
    while the engine runs the next takes the peer statistics of millions of rows off the end of
    the analysis. A piece must be complete when sealed: rows of one entity type and indicator
    arriving in two stages are refused.
    """

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], pa.Table] = {}

    def seal(self, pieces: Pieces) -> None:
        """Assemble ``pieces`` now (with their peer statistics) and empty it."""
        for key, parts in pieces.items():
            if key in self._done:
                raise ValueError(f"rows of {key[0]} {key[1]} came in two stages")
            self._done[key] = assemble_piece(key[0], key[1], parts)
        pieces.clear()

    def table(self) -> pa.Table:
        """Return every sealed piece as one table in output order."""
        out = [self._done[key] for key in sorted(self._done)]
        return pa.concat_tables(out) if out else INDICATOR_SCHEMA.empty_table()


def assemble(pieces: Pieces) -> pa.Table:
    """Return all pieces as one table in output order, with peer statistics (see :func:`assemble_piece`)."""
    assembly = Assembly()
    assembly.seal(pieces)
    return assembly.table()


def _row_key(table: pa.Table, i: int) -> tuple[tuple[bool, str], ...]:
    """Return the sort key of row ``i`` (nulls last, strings by code point as DuckDB and Arrow)."""
    values = [table[k][i].as_py() for k in ROW_KEYS]
    return tuple((v is None, v or "") for v in values)


def _joined_in_order(parts: list[pa.Table]) -> bool:
    """Whether sorted ``parts`` stay sorted end to end (a period's rows before ``"all"``: always so
    unless a period label is null)."""
    return all(_row_key(a, a.num_rows - 1) <= _row_key(b, 0) for a, b in zip(parts, parts[1:], strict=False))


def pieces_of(table: pa.Table) -> Pieces:
    """Split long rows (any order, with ``entity_type`` and ``indicator``) into sorted pieces."""
    out: Pieces = {}
    types = table["entity_type"].to_numpy(zero_copy_only=False)
    codes = table["indicator"].to_numpy(zero_copy_only=False)
    for entity_type, code in sorted(set(zip(types, codes, strict=True))):
        mask = pa.array((types == entity_type) & (codes == code))
        out[(str(entity_type), str(code))] = [sorted_rows(rows(table.filter(mask)))]
    return out
