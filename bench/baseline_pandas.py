"""Plain pandas baseline: the same core officer × month indicators as baseline.sql.

Usage: python bench/baseline_pandas.py DECLARATIONS.parquet
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

RANK = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


def core_indicators(d: pd.DataFrame) -> pd.DataFrame:
    """Return long rows office_code, officer_id, period, indicator, value, peer_median, z."""
    d = d[d.officer_id.notna()].copy()
    d["period"] = d.registered_at.dt.strftime("%Y-%m")
    d["release_h"] = (d.released_at - d.registered_at).dt.total_seconds() / 3600
    ra, rf = d.channel_assigned.map(RANK), d.channel_final.map(RANK)
    d["red_or_yellow"] = d.channel_assigned.isin(["red", "yellow"])
    d["overridden"] = d.red_or_yellow & (rf < ra)
    d["inspected"] = d.inspection_result.isin(["no_discrepancy", "discrepancy"])
    d["hit"] = d.inspection_result.eq("discrepancy")
    d["uplift_i"] = np.where(d.inspected, d.assessed_value.fillna(d.declared_value) - d.declared_value, 0.0)
    d["declared_i"] = np.where(d.inspected, d.declared_value, 0.0)
    d["released"] = d.released_at.notna()
    hour, dow = d.released_at.dt.hour, d.released_at.dt.dayofweek
    d["after_hours"] = d.released & ((hour < 7) | (hour >= 18) | (dow >= 5))
    d["due"] = d.released & (d.duties_declared > 0)
    d["before_pay"] = d.due & (d.paid_at.isna() | (d.paid_at > d.released_at))
    g = d.groupby(["office_code", "officer_id", "period"])
    s = g[
        [
            "red_or_yellow",
            "overridden",
            "inspected",
            "hit",
            "uplift_i",
            "declared_i",
            "released",
            "after_hours",
            "due",
            "before_pay",
        ]
    ].sum()
    agg = pd.DataFrame(
        {
            "declarations": g.size().astype(float),
            "median_release_h": g.release_h.median(),
            "p90_release_h": g.release_h.quantile(0.9),
            "override_rate": s.overridden / s.red_or_yellow.replace(0, np.nan),
            "hit_rate": s.hit / s.inspected.replace(0, np.nan),
            "value_uplift": s.uplift_i / s.declared_i.replace(0, np.nan),
            "after_hours_share": s.after_hours / s.released.replace(0, np.nan),
            "before_payment_share": s.before_pay / s.due.replace(0, np.nan),
        }
    )
    long = agg.reset_index().melt(["office_code", "officer_id", "period"], var_name="indicator")
    long = long.dropna(subset=["value"])
    grp = long.groupby(["office_code", "period", "indicator"]).value
    long["peer_median"] = grp.transform("median")
    mad = (long.value - long.peer_median).abs().groupby([long.office_code, long.period, long.indicator])
    long["z"] = (long.value - long.peer_median) / (1.4826 * mad.transform("median")).replace(0, np.nan)
    return long


if __name__ == "__main__":
    started = time.perf_counter()
    frame = pd.read_parquet(sys.argv[1])
    result = core_indicators(frame)
    print(f"{len(result)} rows in {time.perf_counter() - started:.2f} s")
