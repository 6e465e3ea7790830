"""Rank integrity-risk leads: each entity against its peers, robust to small counts.

Method (documented in ``docs/engine.md``): for every share indicator the entity's count ``k`` of
``n`` is compared with its peers' pooled rate ``p0`` (peers exclude the entity) by an **exact
one-sided binomial test**, P(X ≥ k | n, p0). Pairs use the same test against the rate the office's
assignment pattern predicts; Benford deviations use a χ² test with 8 degrees of freedom. A rate from
6 declarations therefore needs a far larger gap than one from 600 to reach the same p-value.
p-values of all tests are adjusted together (Benjamini–Hochberg), and a lead needs an effect as
well as evidence (rate ≥ 2 × peers, at least 3 cases; Benford MAD above 0.015). The score is
``-log10(q)`` (capped at 30) plus a quarter of the entity's other leads' scores, so corroborated
entities rank first. Scores of 3 or more (q ≤ 0.001) are "strong".

Execution happens before this module: it works on small pandas frames of aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

STRONG_SCORE: Final = 3.0
MAX_SCORE: Final = 30.0
MIN_CASES: Final = 3
MIN_RATIO: Final = 2.0
MIN_BENFORD_N: Final = 30
MAX_Q: Final = 0.05
CORROBORATION: Final = 0.25
MAX_PEER_ROUNDS: Final = 5  # rounds of leaving candidates out of their peers' rate (_share_tests)
REVIEW_NOTE: Final = "Lead for managerial review, not a conclusion about the person."
OFFICE_REVIEW_NOTE: Final = "Lead for managerial review, not a conclusion about the office or its staff."


def review_note(entity_type: str) -> str:
    """The closing sentence of a lead: about a person, or about an office and its staff."""
    return OFFICE_REVIEW_NOTE if entity_type == "office" else REVIEW_NOTE


SIGNAL_COLUMNS: Final = ["entity_type", "entity_id", "score", "kind", "explanation"]


@dataclass(frozen=True)
class ShareSignal:
    """A share indicator whose excess over peers is an integrity-risk lead."""

    kind: str
    indicator: str
    entity_type: str
    peers_by_office: bool
    what: str
    of_what: str


SHARE_SIGNALS: Final = (
    ShareSignal(
        "channel_override",
        "BP1",
        "officer",
        True,
        "relaxed the channel (red/yellow → green/blue)",
        "red/yellow-channel declarations",
    ),
    ShareSignal(
        "channel_override",
        "BP1",
        "declarant",
        False,
        "had the channel relaxed (red/yellow → green/blue)",
        "red/yellow-channel declarations",
    ),
    ShareSignal(
        "channel_override",
        "BP1",
        "importer",
        False,
        "had the channel relaxed (red/yellow → green/blue)",
        "red/yellow-channel declarations",
    ),
    ShareSignal(
        "after_hours_release",
        "AFTER_HOURS",
        "officer",
        True,
        "released outside Monday–Friday 07:00–18:00",
        "releases",
    ),
    ShareSignal(
        "release_before_payment",
        "REL_BEFORE_PAY",
        "officer",
        True,
        "released goods before duties were paid",
        "releases with duties due",
    ),
    ShareSignal(
        "red_without_inspection",
        "RED_NO_INSP",
        "officer",
        True,
        "released red-channel goods with no inspection result",
        "red-channel releases",
    ),
    ShareSignal(
        "low_penalty",
        "PEN_LOW",
        "officer",
        True,
        "imposed a fine below half the usual amount for the offence",
        "fined offences",
    ),
    # Offices against the other offices: when every officer of an office does the same, the
    # officers' own peers cannot show it. Not after-hours releases: opening hours differ by office.
    ShareSignal(
        "channel_override",
        "BP1",
        "office",
        False,
        "had the channel relaxed (red/yellow → green/blue)",
        "red/yellow-channel declarations",
    ),
    ShareSignal(
        "release_before_payment",
        "REL_BEFORE_PAY",
        "office",
        False,
        "released goods before duties were paid",
        "releases with duties due",
    ),
    ShareSignal(
        "red_without_inspection",
        "RED_NO_INSP",
        "office",
        False,
        "released red-channel goods with no inspection result",
        "red-channel releases",
    ),
    ShareSignal(
        "low_penalty",
        "PEN_LOW",
        "office",
        False,
        "imposed a fine below half the usual amount for the offence",
        "fined offences",
    ),
    ShareSignal(
        "unit_value_gap",
        "BP6",
        "declarant",
        False,
        "declared a value per kg below half the HS6 × origin median, released without adjustment",
        "item lines",
    ),
    ShareSignal(
        "unit_value_gap",
        "BP6",
        "importer",
        False,
        "declared a value per kg below half the HS6 × origin median, released without adjustment",
        "item lines",
    ),
)


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.1 else f"{x:.1%}"


SMALLEST_P: Final = 1e-300


def _p(p: float) -> str:
    """Return ``= 6.3e-13`` or ``= 0.012``; a p-value that underflows reads ``< 1e-300``, never ``= 0``."""
    if p < SMALLEST_P:
        return "< 1e-300"
    return f"= {p:.1e}" if p < 0.001 else f"= {p:.3f}"


def _binomial_tail(k: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Return P(X ≥ k) for X ~ Binomial(n, p0), elementwise."""
    return np.asarray(stats.binom.sf(k - 1, n, np.clip(p0, 1e-9, 1 - 1e-9)), dtype=float)


def _testable(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the rows whose p-value can still make a lead (p < ``MAX_Q``), before any text is written.

    Why: an adjusted q is never below its p, so a candidate with p ≥ ``MAX_Q`` can never pass
    :func:`rank_leads`; at 5 M declarations some 100,000 pairs pass the effect filter, and writing
    their explanations was most of the time spent on leads.
    """
    return rows[rows.p < MAX_Q].copy()


def _share_tests(rows: pd.DataFrame, by_office: bool, by_period: bool = False) -> pd.DataFrame:
    """Return the rows (with ``k, n, value``) passing the effect filter, with their ``p0`` and ``p``.

    Peers are the other rows of the same office (``by_office``) and period (``by_period``), or all
    the other rows; the peers that are candidates themselves (p < ``MAX_Q`` when every row is
    compared with all its peers) are then left out of the others' peer rate and every row is tested
    again, until the candidates stay the same (at most ``MAX_PEER_ROUNDS`` rounds). Why: two officers
    relaxing a third of their channels at one office raise each other's peer rate, so each looked
    less unusual than he is (9.7 % against 3.8 % instead of 2.4 %). Where only candidates remain as
    peers, they are compared with each other.
    """
    group = rows.office_code.fillna("") if by_office else pd.Series("", index=rows.index)
    if by_period:
        group = group + "|" + rows.period.astype(str)
    codes = pd.factorize(group)[0]  # sums by group with bincount: the tests run once per round

    def by_group(values: np.ndarray) -> np.ndarray:
        summed = np.bincount(codes, weights=values)
        return np.asarray(summed[codes], dtype=np.float64)

    k, n = rows.k.to_numpy(dtype=np.int64), rows.n.to_numpy(dtype=np.int64)
    peer_k, peer_n = by_group(k) - k, by_group(n) - n
    candidates = np.zeros(len(rows), dtype=bool)
    for _ in range(MAX_PEER_ROUNDS):
        cand_k, cand_n = np.where(candidates, k, 0), np.where(candidates, n, 0)
        tested = _tested(rows, peer_k, peer_n, by_group(cand_k) - cand_k, by_group(cand_n) - cand_n)
        found = rows.index.isin(tested.index[tested.p < MAX_Q])
        if (found == candidates).all():
            break
        candidates = found
    return tested


def _tested(
    rows: pd.DataFrame, peer_k: np.ndarray, peer_n: np.ndarray, leave_k: np.ndarray, leave_n: np.ndarray
) -> pd.DataFrame:
    """Test each row against its peers (``peer_k`` of ``peer_n``) less ``leave_k`` of ``leave_n`` (other candidates)."""
    alone = peer_n - leave_n <= 0  # only candidates as peers: keep them
    peer_k = peer_k - np.where(alone, 0, leave_k)
    peer_n = peer_n - np.where(alone, 0, leave_n)
    p0 = (peer_k + 0.5) / (peer_n + 1.0)  # Jeffreys-style continuity: never exactly zero
    k, n, value = rows.k.to_numpy(), rows.n.to_numpy(), rows.value.to_numpy()
    keep = (peer_n > 0) & (k >= MIN_CASES) & (value >= MIN_RATIO * p0)
    out = rows[keep].copy()
    out["p0"] = p0[keep]
    out["p"] = _binomial_tail(k[keep], n[keep], p0[keep])
    return out


def _counts(indicators: pd.DataFrame, indicator: str, entity_type: str) -> pd.DataFrame:
    rows = indicators[(indicators.indicator == indicator) & (indicators.entity_type == entity_type)]
    rows = rows[rows.n > 0].copy()
    rows["k"] = np.rint(rows.value * rows.n).astype(int)
    return rows


def _without_officer_leads(offices: pd.DataFrame, indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Return office rows less the declarations of their officers who are candidates of their own.

    Why: one officer relaxing a third of his channels lifts his whole office above the others, and
    the office lead then only repeats his. Left out, what remains is what the office's officers do
    alike, which their own peers cannot show (and the other offices' rates are not inflated by their
    own outliers either). ``left_out`` names them for the explanation.
    """
    officers = _counts(indicators, indicator, "officer")
    outliers = _share_tests(officers, by_office=True) if not officers.empty else officers
    outliers = outliers[outliers.p < MAX_Q] if "p" in outliers else outliers
    offices = offices.assign(left_out="")
    if outliers.empty:
        return offices
    by_office = outliers.sort_values("entity_id").groupby("office_code")
    dropped = by_office[["k", "n"]].sum()
    names = by_office.entity_id.agg(", ".join)
    key = offices.entity_id
    offices["k"] = offices.k - key.map(dropped.k).fillna(0).astype(int)
    offices["n"] = offices.n - key.map(dropped.n).fillna(0).astype(int)
    offices["left_out"] = key.map(names).fillna("")
    offices = offices[offices.n > 0].copy()
    offices["value"] = offices.k / offices.n
    return offices


def share_leads(indicators: pd.DataFrame, spec: ShareSignal) -> pd.DataFrame:
    """Return candidate leads for one share signal from whole-period indicator rows.

    Args:
        indicators: Long indicator rows (``entity_type, entity_id, office_code, period, indicator,
            value, n``) for the whole analysed period; office leads also read the officer rows.
        spec: Which indicator, level and peer group.

    Returns:
        Columns ``entity_type, entity_id, kind, p, explanation`` for entities passing the effect filter
        whose p-value can still make a lead (see :func:`_testable`). Offices are compared without the
        declarations of their officers who are candidates of their own (see
        :func:`_without_officer_leads`).
    """
    rows = _counts(indicators, spec.indicator, spec.entity_type)
    if spec.entity_type == "office" and not rows.empty:
        rows = _without_officer_leads(rows, indicators, spec.indicator)
    if rows.empty:
        return pd.DataFrame(columns=["entity_type", "entity_id", "kind", "p", "explanation"])
    rows = _testable(_share_tests(rows, spec.peers_by_office))
    label = spec.entity_type
    left_out = rows.left_out if "left_out" in rows else pd.Series("", index=rows.index)
    rows["explanation"] = [
        f"{label} {r.entity_id} {spec.what} on {_pct(r.value)} of {spec.of_what} ({r.k} of {r.n}"
        f"{f', leaving out officer leads {out}' if out else ''}) "
        f"vs {_pct(r.p0)} for {f'peers at office {r.office_code}' if spec.peers_by_office else f'the other {label}s'}; "
        f"exact binomial p {_p(r.p)}. {review_note(label)}"
        for r, out in zip(rows.itertuples(), left_out, strict=True)
    ]
    rows["kind"] = spec.kind
    return rows[["entity_type", "entity_id", "kind", "p", "explanation"]]


def period_leads(indicators: pd.DataFrame, spec: ShareSignal) -> pd.DataFrame:
    """Return candidate leads for one officer share signal, period by period (a month by default).

    Each officer's count in a period is compared with his office's other officers in the same
    period. Why: an officer who relaxes channels for one month only is diluted in the whole
    window (44 of 608 instead of 44 of 61) and would rank low or not at all. :func:`rank_leads`
    keeps, per officer and kind, the strongest of the whole-window lead and the period leads.

    Args:
        indicators: Long indicator rows of the officers per period (``period`` other than ``all``).
        spec: An officer-level share signal (peers by office).

    Returns:
        The columns of :func:`share_leads` and ``period``.
    """
    columns = ["entity_type", "entity_id", "kind", "p", "explanation", "period"]
    if spec.entity_type != "officer" or not spec.peers_by_office:
        return pd.DataFrame(columns=columns)
    rows = _counts(indicators[indicators.period != "all"], spec.indicator, spec.entity_type)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = _testable(_share_tests(rows, by_office=True, by_period=True))
    rows["explanation"] = [
        f"officer {r.entity_id} {spec.what} on {_pct(r.value)} of {spec.of_what} in {r.period} ({r.k} of {r.n}) "
        f"vs {_pct(r.p0)} for peers at office {r.office_code} in {r.period}; exact binomial p {_p(r.p)}. "
        f"{REVIEW_NOTE}"
        for r in rows.itertuples()
    ]
    rows["kind"] = spec.kind
    return rows[columns]


def pairing_leads(pairs: pd.DataFrame, entity_type: str, other_label: str) -> pd.DataFrame:
    """Return candidate leads from pair rows (``entity_id, office_code, value, n, n_other, p_officer``)."""
    rows = pairs.dropna(subset=["p_officer"]).copy()
    rows = rows[(rows.n >= MIN_CASES) & (rows.value >= MIN_RATIO)]
    if rows.empty:
        return pd.DataFrame(columns=["entity_type", "entity_id", "kind", "p", "explanation"])
    rows["p"] = _binomial_tail(rows.n.to_numpy(), rows.n_other.to_numpy(), rows.p_officer.to_numpy())
    rows = _testable(rows)
    expl = []
    for r in rows.itertuples():
        officer, other = str(r.entity_id).split("|", 1)
        expected = r.p_officer * r.n_other
        expl.append(
            f"officer {officer} handled {r.n} of {other_label} {other}'s {r.n_other} declarations at office "
            f"{r.office_code}; {expected:.1f} expected from the officer's share ({_pct(r.p_officer)}) of the "
            f"office's other files ({r.value:.1f}×); exact binomial p {_p(r.p)}. {REVIEW_NOTE}"
        )
    rows["explanation"] = expl
    rows["entity_type"] = entity_type
    rows["kind"] = f"officer_{other_label}_pairing"
    return rows[["entity_type", "entity_id", "kind", "p", "explanation"]]


def benford_leads(benford: pd.DataFrame, entity_type: str) -> pd.DataFrame:
    """Return candidate leads from Benford rows (``entity_id, n, mad, chi2, top_digit...``)."""
    from arusha.metrics.benford import NIGRINI_NONCONFORMITY

    rows = benford[(benford.n >= MIN_BENFORD_N) & (benford.mad > NIGRINI_NONCONFORMITY)].copy()
    if rows.empty:
        return pd.DataFrame(columns=["entity_type", "entity_id", "kind", "p", "explanation"])
    rows["p"] = stats.chi2.sf(rows.chi2.to_numpy(), 8)
    rows = _testable(rows)
    rows["explanation"] = [
        f"{entity_type} {r.entity_id}: first digit {r.top_digit} on {_pct(r.top_share)} of declared values "
        f"({round(r.top_share * r.n)} of {r.n}) vs {_pct(r.top_expected)} under Benford's law; mean absolute "
        f"deviation {r.mad:.3f} (above 0.015 is nonconformity), χ² p {_p(r.p)}. {REVIEW_NOTE}"
        for r in rows.itertuples()
    ]
    rows["entity_type"] = entity_type
    rows["kind"] = "benford"
    return rows[["entity_type", "entity_id", "kind", "p", "explanation"]]


def benjamini_hochberg(p: np.ndarray, m: int | None = None) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (q-values) for ``p`` among ``m`` tests.

    Example:
        >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03])).round(3).tolist()
        [0.03, 0.04, 0.04]
    """
    m = m or p.size
    if p.size == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, p.size + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


def _strongest_of_whole_and_periods(leads: pd.DataFrame) -> pd.DataFrame:
    """Keep, per entity and kind, only the strongest of its whole-window lead and its period leads
    (see :func:`period_leads`): one line per finding, in the window where the evidence is clearest.

    A tie goes to the whole window. Leads without a period column (pairs, Benford...) pass unchanged.
    """
    if "period" not in leads:
        return leads
    if not leads.period.notna().any():
        return leads.drop(columns="period")
    key = ["entity_type", "entity_id", "kind"]
    leads = leads.assign(_whole=leads.period.isna()).sort_values(
        ["q", "_whole", "period"], ascending=[True, False, True], na_position="first"
    )
    return leads.drop_duplicates(key).drop(columns=["period", "_whole"])


def rank_leads(candidates: list[pd.DataFrame], n_tests: int) -> pd.DataFrame:
    """Combine candidate leads into one list sorted by score, keeping those with q < 0.05.

    Args:
        candidates: Frames from the ``*_leads`` functions.
        n_tests: Number of entities tested in all (for the multiple-testing adjustment); candidates
            are the tested entities that passed the effect filter, the others count as p = 1.

    Returns:
        Columns ``entity_type, entity_id, score, kind, explanation`` sorted by ``score`` descending.
    """
    frames = [c for c in candidates if not c.empty]
    if not frames:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    leads = pd.concat(frames, ignore_index=True)
    q = benjamini_hochberg(leads.p.to_numpy(dtype=float), max(n_tests, len(leads)))
    leads["q"] = q
    leads = _strongest_of_whole_and_periods(leads[leads.q < MAX_Q].copy())
    leads["base"] = np.minimum(-np.log10(np.maximum(leads.q, 1e-300)), MAX_SCORE)
    entity_total = leads.groupby(["entity_type", "entity_id"]).base.transform("sum")
    leads["score"] = (leads.base + CORROBORATION * (entity_total - leads.base)).round(2)
    leads = leads.sort_values(["score", "entity_type", "entity_id"], ascending=[False, True, True])
    return leads[SIGNAL_COLUMNS].reset_index(drop=True)
