"""Captured assignments: an officer who handles one trader's files far more than chance.

For an officer o and a declarant (or importer) t at office f in month m, chance is the trader's
files there that month times the officer's share of the office's *other* traders' files that
month (Chalendard et al., QJE 2023), so officers joining, leaving or on leave expect nothing in
the months they are away. Months are scanned as for every kind (``scan.py``), and over-dispersion
absorbs the ordinary unevenness of busy desks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arusha.leads import family
from arusha.leads.family import CANDIDATE_COLUMNS, Candidates
from arusha.leads.frame import Decisions
from arusha.leads.scan import Effect, minimum_observed, scan


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at ``query`` among sorted unique ``keys`` (0 where absent)."""
    at = np.searchsorted(keys, query)
    at = np.minimum(at, keys.size - 1)
    found = keys[at] == query
    return np.where(found, values[at], 0.0)


def _counts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys, counts = np.unique(key, return_counts=True)
    return keys, counts.astype(np.float64)


def pairing(dec: Decisions, effect: Effect, other_column: str, kind: str, pair_type: str) -> Candidates:
    officer, trader = dec.codes("officer_id"), dec.codes(other_column)
    office, month = dec.codes("office_code"), dec.codes("month")
    ok = (officer >= 0) & (trader >= 0) & (office >= 0)
    officer, trader, office, month = officer[ok], trader[ok], office[ok], month[ok]
    if officer.size == 0:
        return family.empty(kind, pair_type)
    months = len(dec.months)
    n_off = int(office.max()) + 1
    n_tr = int(trader.max()) + 1
    n_oc = int(officer.max()) + 1
    fm = office * months + month
    ofm_keys, ofm = _counts(officer.astype(np.int64) * (n_off * months) + fm)
    tfm_keys, tfm = _counts(trader.astype(np.int64) * (n_off * months) + fm)
    fm_keys, fmc = _counts(fm)
    otfm_keys, otfm = _counts((officer.astype(np.int64) * n_tr + trader) * (n_off * months) + fm)
    pair = officer.astype(np.int64) * n_tr + trader
    pair_keys, pair_total = _counts(pair)
    # Units tested: every officer of the office with every trader that has files enough there for a
    # capture to show at all (see scan.minimum_observed); pairs with fewer cannot be leads.
    floor = minimum_observed(effect.excess)
    main_office = family.most_common(officer, office, n_oc)
    officers_at = np.bincount(main_office[main_office >= 0], minlength=n_off).astype(np.float64)
    tf_keys, tf = _counts(trader.astype(np.int64) * n_off + office)
    tested = int(officers_at[tf_keys[tf >= floor] % n_off].sum())
    cand = pair_keys[pair_total >= floor]
    if cand.size == 0:
        return Candidates(kind, pair_type, pd.DataFrame(columns=CANDIDATE_COLUMNS), tested)
    c_off, c_tr = cand // n_tr, cand % n_tr
    # The office an officer worked at, month by month: one transferred mid-year is compared with
    # the office he was at that month (months he was away expect nothing).
    office_in_month = family.most_common(officer.astype(np.int64) * months + month, office, n_oc * months)
    grid_m = np.arange(months)
    o_idx = np.repeat(c_off, months)
    t_idx = np.repeat(c_tr, months)
    m_idx = np.tile(grid_m, cand.size)
    f_idx = office_in_month[o_idx * months + m_idx]
    active = f_idx >= 0
    f_idx = np.maximum(f_idx, 0)
    fm_q = f_idx * months + m_idx
    n_ofm = _lookup(ofm_keys, ofm, o_idx * (n_off * months) + fm_q) * active
    n_tfm = _lookup(tfm_keys, tfm, t_idx * (n_off * months) + fm_q) * active
    n_fm = _lookup(fm_keys, fmc, fm_q) * active
    n_otfm = _lookup(otfm_keys, otfm, (o_idx * n_tr + t_idx) * (n_off * months) + fm_q) * active
    share = np.where(n_fm - n_tfm > 0, (n_ofm - n_otfm) / np.maximum(n_fm - n_tfm, 1.0), 0.0)
    expected = (n_tfm * share).reshape(cand.size, months)
    files = n_tfm.reshape(cand.size, months)
    # Observed at the office he worked at that month.
    at_home = office == office_in_month[officer.astype(np.int64) * months + month]
    unit = np.searchsorted(cand, pair)
    hit = (unit < cand.size) & (cand[np.minimum(unit, cand.size - 1)] == pair) & at_home
    observed = np.zeros((cand.size, months))
    np.add.at(observed, (unit[hit], month[hit]), 1.0)
    found, _tested, _phi = scan(observed, expected, files, "high", effect)
    records = []
    for r in found.itertuples():
        o, t = int(c_off[r.unit]), int(c_tr[r.unit])
        officer_id, other_id = dec.label("officer_id", o), dec.label(other_column, t)
        records.append(
            family.record(
                dec,
                r,
                kind=kind,
                entity_type=pair_type,
                entity_id=f"{officer_id}|{other_id}",
                officer_id=officer_id,
                other_id=other_id,
                office_code=dec.label("office_code", int(main_office[o])),
            )
        )
    return Candidates(
        kind, pair_type, pd.DataFrame(records, columns=CANDIDATE_COLUMNS), max(tested, len(cand))
    )
