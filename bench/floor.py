"""How far below the full analysis could any implementation go? Its unavoidable queries, hand-written.

The issue asks the full ``analyze`` to stay within 8 × the hand-written SQL of the core officer ×
month indicators (``baseline.sql``). This script times, in one process and alternating with that
baseline, hand-written DuckDB queries for the work the full analysis cannot skip and the baseline
does not do: the exact medians and 90th percentiles of every level, window and Time Release Study
cell; the per-declaration summary of the item lines (main HS chapter, priced lines); the
officer × trader pair counts with their totals; Benford first-digit counts; and, for the lead engine
(issue 16), its one row per declaration with who acted from the event log, and its digit counts per
declaration. No Python after the queries (the leads' statistics run in NumPy on top), no output
files: a lower bound for the engine's share alone.

Usage: python bench/floor.py var/bench/5000000/s.duckdb [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).parent

DURATIONS = """
CREATE OR REPLACE TEMP TABLE d AS
SELECT office_code, officer_id, declarant_id, importer_id, channel_final, declared_value,
       strftime(registered_at, '%Y-%m') AS p,
       (epoch(released_at) - epoch(registered_at)) / 3600.0 AS r,
       (epoch(assessed_at) - epoch(registered_at)) / 3600.0 AS a,
       CASE WHEN paid_at >= assessed_at THEN (epoch(paid_at) - epoch(assessed_at)) / 3600.0 END AS b,
       CASE WHEN released_at >= paid_at THEN (epoch(released_at) - epoch(paid_at)) / 3600.0 END AS c
FROM declarations
"""

# Each level and window the catalogue asks quantiles for (HS chapters left out: they need the items).
QUANTILES = [
    "SELECT office_code, officer_id, p, quantile_cont(r, [0.5, 0.9]) FROM d GROUP BY ALL",
    "SELECT office_code, officer_id, quantile_cont(r, [0.5, 0.9]) FROM d GROUP BY ALL",
    "SELECT office_code, p, quantile_cont(r, [0.5, 0.9]), median(a), median(b), median(c) FROM d GROUP BY ALL",
    "SELECT office_code, quantile_cont(r, [0.5, 0.9]), median(a), median(b), median(c) FROM d GROUP BY ALL",
    "SELECT p, quantile_cont(r, [0.5, 0.9]), median(a), median(b), median(c) FROM d GROUP BY ALL",
    "SELECT quantile_cont(r, [0.5, 0.9]), median(a), median(b), median(c) FROM d",
    "SELECT declarant_id, quantile_cont(r, [0.5, 0.9]) FROM d GROUP BY ALL",
    "SELECT importer_id, quantile_cont(r, [0.5, 0.9]) FROM d GROUP BY ALL",
    "SELECT office_code, channel_final, p, median(r), median(a), median(b), median(c) FROM d GROUP BY ALL",
]

ITEMS = """
SELECT d.declaration_id, i.lines, i.priced, i.chapter
FROM declarations d LEFT JOIN (
    SELECT declaration_id, count(*) AS lines,
           count(*) FILTER (WHERE net_mass_kg > 0 AND declared_value > 0) AS priced,
           arg_max(substr(hs_code, 1, 2), declared_value) AS chapter
    FROM items GROUP BY 1
) i USING (declaration_id)
"""


def _pairs(other: str) -> str:
    return f"""
WITH k AS (SELECT office_code, officer_id, {other} AS o, count(*) AS k FROM d
           WHERE officer_id IS NOT NULL AND {other} IS NOT NULL GROUP BY ALL),
     f AS (SELECT office_code, officer_id, sum(k) AS nf FROM k GROUP BY ALL),
     t AS (SELECT office_code, o, sum(k) AS nt FROM k GROUP BY ALL),
     n AS (SELECT office_code, sum(nf) AS nn FROM f GROUP BY ALL)
SELECT k.*, nf, nt, nn FROM k JOIN f USING (office_code, officer_id) JOIN t USING (office_code, o)
JOIN n USING (office_code)
"""


# The sums and counts behind the ratio indicators (flags as in arusha/metrics/facts.py), at the
# finest grain of each family of levels; coarser levels are sums of these few rows.
FLAGS = """
    count(*), sum(declared_value), sum(coalesce(duties_assessed, duties_declared)),
    count(*) FILTER (WHERE assessed_at::DATE = registered_at::DATE),
    count(*) FILTER (WHERE epoch(assessed_at) - epoch(registered_at) >= 432000),
    count(*) FILTER (WHERE channel_final = 'yellow'),
    count(*) FILTER (WHERE channel_final = 'yellow' AND epoch(assessed_at) - epoch(registered_at) <= 86400),
    count(*) FILTER (WHERE inspection_result IN ('no_discrepancy', 'discrepancy')),
    count(*) FILTER (WHERE inspection_result = 'discrepancy'),
    sum(coalesce(duties_assessed, duties_declared) - duties_declared)
        FILTER (WHERE inspection_result IN ('no_discrepancy', 'discrepancy')),
    sum(coalesce(assessed_value, declared_value) - declared_value)
        FILTER (WHERE inspection_result IN ('no_discrepancy', 'discrepancy')),
    sum(declared_value) FILTER (WHERE inspection_result IN ('no_discrepancy', 'discrepancy')),
    count(*) FILTER (WHERE offence_code IS NOT NULL), sum(penalty_amount) FILTER (WHERE offence_code IS NOT NULL),
    count(*) FILTER (WHERE assessed_value IS NOT NULL),
    count(*) FILTER (WHERE abs(assessed_value - declared_value) > 0.005 * declared_value),
    count(*) FILTER (WHERE channel_assigned IN ('red', 'yellow')),
    count(*) FILTER (WHERE channel_assigned = 'red'), count(*) FILTER (WHERE channel_assigned = 'yellow'),
    count(*) FILTER (WHERE channel_assigned = 'red' AND channel_final = 'green'),
    count(*) FILTER (WHERE channel_assigned = 'red' AND channel_final = 'yellow'),
    count(*) FILTER (WHERE channel_assigned = 'yellow' AND channel_final = 'green'),
    count(*) FILTER (WHERE channel_assigned IN ('red', 'yellow') AND channel_final IN ('green', 'blue')),
    count(*) FILTER (WHERE released_at IS NOT NULL),
    count(*) FILTER (WHERE hour(released_at) < 7 OR hour(released_at) >= 18 OR isodow(released_at) >= 6),
    count(*) FILTER (WHERE released_at IS NOT NULL AND duties_declared > 0),
    count(*) FILTER (WHERE duties_declared > 0 AND (paid_at IS NULL OR paid_at > released_at)),
    count(*) FILTER (WHERE channel_final = 'red' AND released_at IS NOT NULL),
    count(*) FILTER (WHERE channel_final = 'red' AND released_at IS NOT NULL
                     AND coalesce(inspection_result, 'none') = 'none')
"""
SUMS = [
    f"SELECT office_code, officer_id, strftime(registered_at, '%Y-%m') AS p, {FLAGS} FROM declarations GROUP BY ALL",
    f"SELECT declarant_id, {FLAGS} FROM declarations GROUP BY ALL",
    f"SELECT importer_id, {FLAGS} FROM declarations GROUP BY ALL",
]

# Milestones from the event log for declarations that lack one in their own columns.
MILESTONES = """
SELECT declaration_id, min("at") FILTER (WHERE event = 'assessed'), min("at") FILTER (WHERE event = 'paid'),
       min("at") FILTER (WHERE event = 'released')
FROM events
WHERE event IN ('assessed', 'paid', 'released') AND declaration_id IN (
    SELECT declaration_id FROM declarations WHERE assessed_at IS NULL OR paid_at IS NULL OR released_at IS NULL)
GROUP BY ALL
"""


def _benford(by: str) -> str:
    return f"""
SELECT {by}, left(floor(declared_value)::BIGINT::VARCHAR, 1) AS digit, count(*) FROM d
WHERE declared_value >= 10 AND {by} IS NOT NULL GROUP BY ALL
"""


# The lead engine's own input (arusha/leads/decisions.py): one row per declaration with who acted
# (from the event log) and the flags its tests read, collected whole; and one count per
# declaration of its largest line's first digit and of round values, by declarant × importer × month.
DECISIONS = """
WITH e AS (
    SELECT declaration_id, count(*) AS n, min(actor_id) FILTER (WHERE event = 'released') AS release_actor,
           count(*) FILTER (WHERE event IN ('inspection_started', 'inspection_done')) AS steps,
           count(*) FILTER (WHERE event = 'reassigned') AS reassigned,
           max(actor_id) FILTER (WHERE event = 'channel_changed') AS changer
    FROM events GROUP BY ALL),
i AS (
    SELECT declaration_id, count(*) FILTER (WHERE net_mass_kg > 0 AND declared_value > 0) AS priced
    FROM items GROUP BY ALL)
SELECT d.declaration_id, office_code, officer_id, declarant_id, importer_id, offence_code,
       year(registered_at) * 12 + month(registered_at) AS month, channel_assigned, channel_final,
       coalesce(channel_changed_by, e.changer) AS changer, e.release_actor, e.steps, e.reassigned,
       (epoch(released_at) - epoch(registered_at)) / 3600.0 AS release_h,
       hour(released_at) < 7 OR hour(released_at) >= 18 OR isodow(released_at) >= 6 AS after_hours,
       duties_declared > 0 AND (paid_at IS NULL OR paid_at > released_at) AS before_pay,
       inspection_result, penalty_amount, coalesce(duties_assessed, duties_declared) - duties_declared AS evaded,
       abs(assessed_value - declared_value) > 0.005 * declared_value AS adjusted, i.priced
FROM declarations d LEFT JOIN e USING (declaration_id) LEFT JOIN i USING (declaration_id)
ORDER BY d.declaration_id
"""

DIGITS = """
WITH l AS (
    SELECT declaration_id, max(declared_value) AS top,
           min((declared_value >= 1000 AND declared_value % 1000 = 0)::INT) AS round_all
    FROM items WHERE declared_value >= 10 GROUP BY ALL)
SELECT declarant_id, importer_id, year(registered_at) * 12 + month(registered_at) AS month,
       left(floor(top)::BIGINT::VARCHAR, 1) AS digit, count(*), sum(round_all)
FROM l JOIN declarations USING (declaration_id) GROUP BY ALL ORDER BY ALL
"""

PARTS = {
    "durations (one temp table)": [DURATIONS],
    "exact quantiles": QUANTILES,
    "item summary per declaration": [ITEMS],
    "officer x trader pairs": [_pairs("declarant_id"), _pairs("importer_id")],
    "Benford digit counts": [_benford("declarant_id"), _benford("importer_id")],
    "sums and counts (30) at three grains": SUMS,
    "milestones from events": [MILESTONES],
    "lead decisions per declaration": [DECISIONS],
    "lead digit counts": [DIGITS],
}


def _timed(con: duckdb.DuckDBPyConnection, queries: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for q in queries:
        if q.lstrip().upper().startswith("CREATE"):
            con.execute(q)
        else:
            con.sql(q).to_arrow_table()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect(args.store, read_only=True)
    baseline = (HERE / "baseline.sql").read_text()
    print("| pass | load avg | baseline work s (CPU s) | " + " | ".join(PARTS) + " | sum × baseline CPU |")
    print("|---:|---:|---:|" + "---:|" * len(PARTS) + "---:|")
    for i in range(args.repeat):
        load = os.getloadavg()[0]
        base = _timed(con, [baseline])
        cells, total = [], 0.0
        for queries in PARTS.values():
            _, cpu = _timed(con, queries)
            total += cpu
            cells.append(f"{cpu:.2f} ({cpu / base[1]:.1f} ×)")
        print(
            f"| {i + 1} | {load:.1f} | {base[0]:.2f} ({base[1]:.2f}) | "
            + " | ".join(cells)
            + f" | {total / base[1]:.1f} × |"
        )


if __name__ == "__main__":
    main()
