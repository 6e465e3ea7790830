"""Indicator rows of every level and window, from as few scans of the declaration facts as possible.

Sums and counts (most of the catalogue) nest: an office's month is the sum of its officers' months
(and of its declarations handled by no officer), the administration's the sum of its offices', a
whole window the sum of its periods. So the engine scans the facts once per *family* of levels, at
the finest grain of the family, and everything coarser is summed from those few thousand rows in
Arrow. Quantiles (median and 90th percentile hours) do not nest: each level and window gets its own
holistic query, with only those columns in it. Why the split: DuckDB collected quantile values far
more slowly in a query that also summed thirty columns (officer × month: 2.0 s against 0.4 + 0.8 s
for the two halves at 5 M declarations), and the ten scans per analysis became four plus the
quantiles.

Every wide table is sorted before its indicators are read off it, so the long rows come out in the
order ``indicators.parquet`` is written in (``peers.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from arusha import backends, peers
from arusha.metrics import levels
from arusha.metrics.catalogue import Indicator


@dataclass(frozen=True)
class Family:
    """Levels whose sums come from one scan: ``grain`` is what the scan groups by (with the period)."""

    grain: tuple[str, ...]
    levels: tuple[str, ...]


FAMILIES = (
    Family(("office_code", "officer_id"), ("officer", "office", "administration")),
    Family(("hs_chapter",), ("hs_chapter",)),
    Family(("declarant_id",), ("declarant",)),
    Family(("importer_id",), ("importer",)),
)

Ordered = Callable[[ir.Table], pa.Table]  # runs an Ibis table sorted by ``peers.ROW_KEYS``


def _additive(inds: Sequence[Indicator]) -> list[Indicator]:
    return [ind for ind in inds if ind.agg in levels.ADDITIVE]


def _holistic(inds: Sequence[Indicator]) -> list[Indicator]:
    return [ind for ind in inds if ind.agg not in levels.ADDITIVE]


def rollup(wide: pa.Table, keys: Sequence[str], whole: bool) -> pa.Table:
    """Return the metric columns of ``wide`` summed by ``keys`` and period (``whole``: over periods too).

    A group whose values are all null sums to null, as in SQL. The period of a whole-window sum is
    ``"all"``.
    """
    metrics = [c for c in wide.column_names if "__" in c]
    by = [*keys] if whole else [*keys, "period"]
    out = wide.group_by(by, use_threads=False).aggregate([(c, "sum") for c in metrics])
    summed = {f"{c}_sum": c for c in metrics}  # pyarrow names a sum "<column>_sum"
    out = out.rename_columns([summed.get(c, c) for c in out.column_names])
    if whole:
        out = out.append_column("period", pa.repeat(pa.scalar("all"), out.num_rows))
    return out


def as_level(wide: pa.Table, level: str) -> pa.Table:
    """Return ``wide`` (grouped by the level's keys) with ``entity_id, office_code`` and sorted rows.

    Rows with no entity (e.g. declarations handled by no officer, at the officer level) are left out.
    """
    _, entity, office = levels.LEVEL_KEYS[level]
    n = wide.num_rows
    entity_ids = pc.cast(wide[entity], pa.string()) if entity else pa.repeat(pa.scalar("ALL"), n)
    offices = pc.cast(wide[office], pa.string()) if office else pa.nulls(n, pa.string())
    metrics = {c: wide[c] for c in wide.column_names if "__" in c}
    out = pa.table({"entity_id": entity_ids, "office_code": offices, "period": wide["period"], **metrics})
    if entity:
        out = out.filter(pc.is_valid(out["entity_id"]))
    return peers.sorted_rows(out)


def family_rows(
    fact_table: ir.Table,
    family: Family,
    period: str | None,
    inds_by_level: dict[str, list[Indicator]],
    ordered: Ordered,
    queue: backends.QueryQueue,
) -> Callable[[peers.Pieces], None]:
    """Queue the family's queries and return what adds their rows to pieces once they are done.

    Rows come per ``period`` and for the whole window; ``period=None``: the whole window only
    (declarants and importers by default). Only the levels in ``inds_by_level`` are computed.
    """
    wanted = [lvl for lvl in family.levels if lvl in inds_by_level]
    grain = tuple(k for k in family.grain if _keeps(k, wanted))
    union = {ind.code: ind for lvl in wanted for ind in _additive(inds_by_level[lvl])}
    scan: Future[pa.Table] | None = None
    if union:
        expr = levels.additive_metrics(fact_table, grain, period or "all", list(union.values()))
        # Sorted by the grain so that the sums below add in the same order on every run.
        scan = queue.submit(expr.order_by([*grain, "period"]).to_pyarrow)
    windows = ["all"] if period is None else [period, "all"]
    holistic = [
        (
            lvl,
            inds,
            queue.submit(partial(ordered, levels.level_indicators_wide(fact_table, lvl, window, inds))),
        )
        for lvl in wanted
        if (inds := _holistic(inds_by_level[lvl]))
        for window in windows
    ]

    def finish(pieces: peers.Pieces) -> None:
        if scan is not None:
            sums = scan.result()
            for lvl in wanted:
                keys = levels.LEVEL_KEYS[lvl][0]
                inds = _additive(inds_by_level[lvl])
                if period is not None:
                    by_period = rollup(sums, keys, whole=False) if keys != grain else sums
                    peers.add(pieces, lvl, peers.indicator_rows(as_level(by_period, lvl), inds))
                whole = rollup(sums, keys, whole=True) if period is not None or keys != grain else sums
                peers.add(pieces, lvl, peers.indicator_rows(as_level(whole, lvl), inds))
        for lvl, inds, wide in holistic:
            peers.add(pieces, lvl, peers.indicator_rows(wide.result(), inds))

    return finish


def _keeps(key: str, wanted: Sequence[str]) -> bool:
    """Whether a grain key is needed by one of the wanted levels (the officer, when only offices are)."""
    return any(key in levels.LEVEL_KEYS[lvl][0] for lvl in wanted)
