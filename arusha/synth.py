"""Synthetic canonical clearance data with planted integrity-risk anomalies.

Demo and tests need data that looks like an ASYCUDA-type export (skewed operator volumes, channel
mix, realistic unit values, clearance times by channel, office hours) and contains known anomalies
whose detection can be checked. Everything is vectorised with NumPy so that millions of declarations
generate in seconds, and fully determined by the seed.

Control outcomes follow a planted, learnable risk pattern rather than a flat rate, so that a risk
model trained on the data has something to find and "expected versus found" has a true expectation:
a latent fraud propensity per declaration from a few risky importers, HS6 lines and origins plus
undervaluation (unit value below the HS6 reference), and idiosyncratic noise. The probability that an
inspection finds a discrepancy is ``sigmoid(intercept[channel] + propensity)``, the intercepts set so
that red (physical) inspections find a discrepancy about 25 % of the time and yellow (documentary)
ones about 10 %. Selectivity is mildly risk-based: riskier declarations go red/yellow a little more often.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

Progress = Callable[[int, str], None]
F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
B = npt.NDArray[np.bool_]

OFFICE_CODES = ("PORT1", "PORT5", "AIRPT", "DRYPT", "NBORD", "SBORD", "EBORD", "WBORD", "RAIL1", "POST1")
CHANNELS = np.array(["green", "blue", "yellow", "red"])
CHANNEL_P = np.array([0.55, 0.05, 0.28, 0.12])
ORIGINS = np.array(["CN", "FR", "IN", "TR", "US", "DE", "NG", "BR", "JP", "AE", "IT", "ZA"])
ORIGIN_P = np.array([0.3, 0.12, 0.1, 0.08, 0.07, 0.07, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03])
# Offence codes and typical fines (national currency): the peer norm the penalty indicator uses.
OFFENCES = {"VAL-UNDER": 400_000.0, "TAR-MISCL": 250_000.0, "ORI-FALSE": 600_000.0, "QTY-SHORT": 150_000.0}
HOUR = 3600.0
DAY = 24 * HOUR
# Mean hit rate of inspections by final channel (yellow = documentary, red = physical).
HIT_RATE = {2: 0.10, 3: 0.25}
MEAN_UPLIFT = 0.35  # assessed value / declared value − 1 when a discrepancy is found (uniform 1.1–1.6)


@dataclass
class Anomaly:
    """One planted anomaly: the lead that analysis should surface."""

    kind: str
    entity_type: str
    entity_id: str
    office_code: str | None
    description: str

    def as_dict(self) -> dict[str, Any]:
        """Return the anomaly as a JSON-ready dict."""
        return {
            "kind": self.kind,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "office_code": self.office_code,
            "description": self.description,
        }


@dataclass
class Truth:
    """What ``truth.json`` records about a generated data set.

    ``hit_probability`` and ``expected_additional_duties`` (one value per declaration, in
    declaration order) are the generator's true P(inspection finds a discrepancy) — for the
    declaration's own channel when inspected, for a physical inspection otherwise — and the duties
    such an inspection recovers on average. They stay out of ``truth.json`` (size) and serve tests
    as a perfect "model" (see :func:`true_risk_scores`). ``risk_pattern`` names what drives risk.
    """

    seed: int
    declarations: int
    anomalies: list[Anomaly] = field(default_factory=list)
    risk_pattern: dict[str, Any] = field(default_factory=dict)
    hit_probability: F | None = field(default=None, repr=False)
    expected_additional_duties: F | None = field(default=None, repr=False)


def _zipf_weights(n: int, s: float) -> F:
    w = 1.0 / np.arange(1, n + 1) ** s
    return np.asarray(w / w.sum(), dtype=np.float64)


def _sigmoid(x: F) -> F:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _intercept(score: F, target: float) -> float:
    """Return ``a`` such that the mean of ``sigmoid(a + score)`` is ``target`` (bisection)."""
    if score.size == 0:
        return float(np.log(target / (1.0 - target)))
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(_sigmoid(mid + score).mean()) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _risk_channels(score: F, uniform: F) -> I:
    """Draw assigned channels (0 green … 3 red) mildly tilted toward red/yellow for risky declarations.

    Why: real selectivity is risk-based but far from perfect; the tilt keeps the overall channel mix
    close to ``CHANNEL_P`` (the exponents are centred) while leaving the model room to do better.
    ``uniform`` (one per declaration) is inverted through each row's cumulative weights, as
    ``Generator.choice`` does with fixed weights, so only declarations near a boundary move.
    """
    z = (score - score.mean()) / max(float(score.std()), 1e-9)
    weights = np.column_stack(
        [
            np.full(score.size, CHANNEL_P[0]),
            np.full(score.size, CHANNEL_P[1]),
            CHANNEL_P[2] * np.exp(0.3 * z - 0.045),
            CHANNEL_P[3] * np.exp(0.6 * z - 0.18),
        ]
    )
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return np.asarray((uniform[:, None] >= cum).sum(axis=1).clip(0, 3), dtype=np.int64)


def _to_working_hours(ts: F, rng: np.random.Generator) -> F:
    """Move timestamps (epoch seconds) outside Mon–Fri 07:30–17:30 to the next working morning."""
    missing = np.isnan(ts)
    ts = np.where(missing, 0.0, ts)
    days = np.floor(ts / DAY)
    sec = ts - days * DAY
    late = sec > 17.5 * HOUR
    days = days + late
    early = (sec < 7.5 * HOUR) | late
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    moved = early | (shift > 0)
    days = days + shift
    morning = days * DAY + 7.5 * HOUR + rng.uniform(0, 2.5 * HOUR, ts.size)
    return np.where(missing, np.nan, np.where(moved, morning, ts))


def generate(
    n: int,
    seed: int = 0,
    anomalies: bool = True,
    start: str = "2024-01-01",
    months: int = 6,
    progress: Progress | None = None,
) -> tuple[dict[str, pa.Table], Truth]:
    """Generate synthetic declarations, items and events.

    Args:
        n: Number of declarations.
        seed: Random seed; the same seed gives the same data.
        anomalies: Plant one anomaly of each integrity-risk kind (False gives clean data).
        start: First registration day (ISO date).
        months: Length of the period, in months of 30.4 days.
        progress: Called with (percent, message).

    Returns:
        The three canonical tables as Arrow tables, and the truth about planted anomalies.

    Example:
        >>> tables, truth = generate(2000, seed=1)
        >>> tables["declarations"].num_rows, len(truth.anomalies) > 5
        (2000, True)
    """
    report = progress or (lambda _p, _m: None)
    rng = np.random.default_rng(seed)
    truth = Truth(seed=seed, declarations=n)

    n_off = int(np.clip(n // 25_000, 3, len(OFFICE_CODES)))
    per_office = int(np.clip(n // (n_off * 150), 4, 60))
    n_decl = int(np.clip(n // 40, 20, 3000))
    n_imp = int(np.clip(n // 8, 50, 60_000))
    offices = np.array(OFFICE_CODES[:n_off])
    officers = np.array([f"O-{o}-{k:02d}" for o in offices for k in range(1, per_office + 1)])
    declarants = np.array([f"D-{k:04d}" for k in range(1, n_decl + 1)])
    importers = np.array([f"I-{k:05d}" for k in range(1, n_imp + 1)])

    # Importers stick to one broker most of the time; both have skewed (Zipf) volumes.
    imp_broker = rng.choice(n_decl, n_imp, p=_zipf_weights(n_decl, 0.9))
    imp = rng.choice(n_imp, n, p=_zipf_weights(n_imp, 1.0))
    decl = np.where(rng.random(n) < 0.9, imp_broker[imp], rng.choice(n_decl, n, p=_zipf_weights(n_decl, 0.9)))
    office = rng.choice(n_off, n, p=_zipf_weights(n_off, 0.7))
    # Official assignment is random among the office's officers (the QJE 2023 benchmark).
    officer = office * per_office + rng.integers(0, per_office, n)

    t0 = np.datetime64(start, "s").astype(np.int64).astype(np.float64)
    span_days = int(months * 30.4)
    day = rng.integers(0, span_days, n).astype(np.float64)
    reg = t0 + day * DAY + rng.uniform(7.5 * HOUR, 16.5 * HOUR, n)
    reg = _to_working_hours(reg, rng)
    period_end = t0 + span_days * DAY
    # The channel draw's uniforms are taken here, where a flat draw used to be, so that a seed keeps
    # giving the same items, times and operators; the channels are set once risk is known (below).
    # Everything the risk pattern adds draws from its own generator, for the same reason.
    channel_u = rng.random(n)
    relax_u = rng.random(n)
    risk_rng = np.random.default_rng([seed, 1])
    report(10, "declarations drawn")

    # Items: 1–4 lines; HS6 lines have reference unit values (per kg) spread over 3 orders of magnitude.
    n_hs = 80
    hs_codes = np.array([f"{c:06d}" for c in rng.choice(np.arange(10_000, 970_000), n_hs, replace=False)])
    hs_ref = np.exp(rng.uniform(np.log(2.0), np.log(400.0), n_hs)) * 650.0
    hs_rate = rng.choice([0.0, 0.05, 0.1, 0.2, 0.3], n_hs)
    n_items = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.25, 0.12, 0.08])
    it_decl = np.repeat(np.arange(n), n_items)
    starts = np.cumsum(n_items) - n_items
    it_no = np.arange(it_decl.size) - np.repeat(starts, n_items) + 1
    m = it_decl.size
    it_hs = rng.choice(n_hs, m, p=_zipf_weights(n_hs, 0.6))
    it_origin = rng.choice(ORIGINS.size, m, p=ORIGIN_P)
    mass = np.round(np.exp(rng.normal(np.log(300), 1.4, m)), 1) + 0.1
    uv_noise = np.exp(rng.normal(0.0, 0.3, m))
    # Background undervaluation: 4 % of declarations declare all lines at about 45 % of the value.
    under = risk_rng.random(n) < 0.04
    uv_noise = np.where(under[it_decl], uv_noise * 0.45, uv_noise)
    it_value = np.round(mass * hs_ref[it_hs] * uv_noise, 2)
    report(25, "items drawn")

    # The planted risk pattern (see the module docstring): what a risk model should learn.
    risky_imp = risk_rng.choice(
        np.argsort(-np.bincount(imp, minlength=n_imp), kind="stable")[:300], 15, replace=False
    )
    risky_hs = risk_rng.choice(n_hs, 10, replace=False)
    risky_origin = risk_rng.choice(ORIGINS.size, 2, replace=False)
    propensity = (
        1.6 * np.isin(imp, risky_imp)
        + 1.0 * (np.bincount(it_decl, weights=np.isin(it_hs, risky_hs), minlength=n) > 0)
        + 0.6 * np.isin(it_origin[starts], risky_origin)
        + risk_rng.normal(0.0, 0.5, n)
    )
    truth.risk_pattern = {
        "importers": sorted(str(importers[i]) for i in risky_imp),
        "hs_codes": sorted(str(hs_codes[i]) for i in risky_hs),
        "origins": sorted(str(ORIGINS[i]) for i in risky_origin),
        "undervaluation": "risk rises by 2 logits per unit of −log(unit value / HS6 reference), mean over lines",
    }
    assigned = _risk_channels(propensity + 2.0 * _undervaluation(uv_noise, it_decl, n), channel_u)
    final = assigned.copy()
    # Background: a few legitimate relaxations after document checks.
    relax = (assigned >= 2) & (relax_u < 0.02)
    final[relax] = 0

    picks: dict[str, int] = {}
    if anomalies:
        picks = _plant_assignments(
            rng,
            risk_rng,
            n_off,
            per_office,
            office,
            officer,
            decl,
            imp,
            final,
            assigned,
            truth,
            offices,
            officers,
            declarants,
            importers,
        )
        if "uv_importer" in picks:
            low = imp[it_decl] == picks["uv_importer"]
            it_value = np.where(low, np.round(it_value * 0.35, 2), it_value)
            uv_noise = np.where(low, uv_noise * 0.35, uv_noise)

    declared = np.bincount(it_decl, weights=it_value, minlength=n)
    if anomalies and "benford_declarant" in picks:
        # Values bunched just under round thresholds (first digit 9) for most of one broker's declarations.
        target = (decl == picks["benford_declarant"]) & (rng.random(n) < 0.7)
        mag = 10.0 ** np.floor(np.log10(np.maximum(declared, 1.0)))
        factor = np.where(target, (mag * rng.uniform(9.0, 9.99, n)) / np.maximum(declared, 1.0), 1.0)
        it_value = np.round(it_value * factor[it_decl], 2)
        declared = np.bincount(it_decl, weights=it_value, minlength=n)
    it_duty = it_value * hs_rate[it_hs]
    duties = np.bincount(it_decl, weights=it_duty, minlength=n)

    # Control outcome by final channel (red = physical, yellow = documentary) and propensity.
    propensity = propensity + 2.0 * _undervaluation(uv_noise, it_decl, n)
    a_red = _intercept(propensity[final == 3], HIT_RATE[3])
    a_yellow = _intercept(propensity[final == 2], HIT_RATE[2])
    hit_p = np.where(final == 2, _sigmoid(a_yellow + propensity), _sigmoid(a_red + propensity))
    truth.hit_probability = hit_p
    truth.expected_additional_duties = np.asarray(hit_p * duties * MEAN_UPLIFT, dtype=np.float64)
    result = np.full(n, "none", dtype=object)
    inspected = final >= 2
    hit = inspected & (rng.random(n) < hit_p)
    if anomalies:
        # Rubber stamp: the officer records "no discrepancy" on 90 % of what inspection would find.
        hit &= ~((officer == picks["rubber_stamp"]) & (risk_rng.random(n) < 0.9))
    result[inspected] = "no_discrepancy"
    result[hit] = "discrepancy"
    uplift = np.where(hit, rng.uniform(1.1, 1.6, n), 1.0)
    assessed_value = np.round(declared * uplift, 2)
    duties_assessed = np.round(duties * uplift, 2)
    offence = np.full(n, None, dtype=object)
    codes = np.array(list(OFFENCES))
    offence_idx = rng.integers(0, codes.size, n)
    offence[hit] = codes[offence_idx[hit]]
    penalty = np.where(
        hit, np.array(list(OFFENCES.values()))[offence_idx] * np.exp(rng.normal(0, 0.25, n)), np.nan
    )

    # Clearance times by channel (hours), with a long tail of slow files.
    ch = final
    assess_h = np.exp(rng.normal(np.log(np.array([2.0, 2.0, 18.0, 40.0])[ch]), 0.6))
    slow = rng.random(n) < 0.03
    assess_h = np.where(slow, rng.uniform(5 * 24, 25 * 24, n), assess_h)
    never = rng.random(n) < 0.005
    assessed = reg + assess_h * HOUR
    assessed = np.where(never, np.nan, assessed)
    paid = assessed + np.exp(rng.normal(np.log(4.0), 0.8, n)) * HOUR
    release_h = np.exp(rng.normal(np.log(np.array([3.0, 2.0, 8.0, 30.0])[ch]), 0.5))
    released = _to_working_hours(paid + release_h * HOUR, rng)
    urgent = rng.random(n) < 0.02  # legitimate after-hours releases (perishables, urgent cargo)
    released = np.where(urgent, paid + release_h * HOUR, released)
    # Rare background: release before payment, red released without inspection record.
    early = rng.random(n) < 0.005
    paid = np.where(early, released + rng.uniform(2, 72, n) * HOUR, paid)
    skip = (final == 3) & (rng.random(n) < 0.01)
    result[skip] = "none"

    if anomalies:
        o_ah, o_rbp, o_red, o_pen = (
            picks[k] for k in ("after_hours", "before_payment", "red_no_insp", "penalty")
        )
        sel = (officer == o_ah) & (rng.random(n) < 0.4) & ~np.isnan(released)
        night = np.floor(released / DAY) * DAY + rng.uniform(19.5, 23.5, n) * HOUR
        released = np.where(sel, np.maximum(night, paid + HOUR), released)
        sel = (officer == o_rbp) & (rng.random(n) < 0.3)
        paid = np.where(sel, released + rng.uniform(4, 96, n) * HOUR, paid)
        sel = (officer == o_red) & (final == 3) & (rng.random(n) < 0.5)
        result[sel] = "none"
        hit &= ~sel
        offence[sel] = None
        penalty = np.where(sel, np.nan, penalty)
        assessed_value = np.where(sel, declared, assessed_value)
        duties_assessed = np.where(sel, duties, duties_assessed)
        sel = (officer == o_pen) & hit
        penalty = np.where(sel, penalty * 0.25, penalty)

    unreleased = (released > period_end) | np.isnan(assessed)
    released = np.where(unreleased, np.nan, released)
    paid = np.where(np.isnan(assessed), np.nan, paid)
    report(60, "times drawn")

    changed = final != assigned
    changed_by = np.where(changed, officers[officer], None)
    ids = np.array([f"DEC-{k:08d}" for k in range(1, n + 1)])
    tables = {
        "declarations": pa.table(
            {
                "declaration_id": ids,
                "office_code": offices[office],
                "regime": np.where(rng.random(n) < 0.9, "IM4", "IM7"),
                "declarant_id": declarants[decl],
                "importer_id": importers[imp],
                "officer_id": officers[officer],
                "channel_assigned": CHANNELS[assigned],
                "channel_final": CHANNELS[final],
                "channel_changed_by": pa.array(changed_by, pa.string()),
                "registered_at": _ts(reg),
                "assessed_at": _ts(assessed),
                "paid_at": _ts(paid),
                "released_at": _ts(released),
                "declared_value": np.round(declared, 2),
                "assessed_value": assessed_value,
                "duties_declared": np.round(duties, 2),
                "duties_assessed": duties_assessed,
                "inspection_result": pa.array(result, pa.string()),
                "offence_code": pa.array(offence, pa.string()),
                "penalty_amount": pa.array(np.round(penalty, 0), pa.float64(), mask=np.isnan(penalty)),
                "country_origin": ORIGINS[it_origin[starts]],
                "country_export": ORIGINS[it_origin[starts]],
                "transport_mode": np.where(rng.random(n) < 0.7, "sea", "road"),
            }
        ),
        "items": pa.table(
            {
                "declaration_id": ids[it_decl],
                "item_no": it_no.astype(np.int64),
                "hs_code": hs_codes[it_hs],
                "country_origin": ORIGINS[it_origin],
                "net_mass_kg": mass,
                "quantity": np.round(mass / 10.0 + 1.0, 0),
                "declared_value": it_value,
                "assessed_value": np.round(it_value * uplift[it_decl], 2),
                "duty_rate": hs_rate[it_hs],
            }
        ),
    }
    report(75, "building events")
    tables["events"] = _events(
        ids, reg, assessed, paid, released, changed, officers[officer], final, result, rng
    )
    report(100, "done")
    return tables, truth


def _undervaluation(uv_ratio: F, it_decl: I, n: int) -> F:
    """Return per declaration the mean over lines of −log(unit value / HS6 reference), floored at 0."""
    lines = np.bincount(it_decl, minlength=n)
    gap = -np.bincount(it_decl, weights=np.log(uv_ratio), minlength=n) / np.maximum(lines, 1)
    return np.asarray(np.maximum(gap, 0.0), dtype=np.float64)


def true_risk_scores(
    tables: dict[str, pa.Table], truth: Truth, model_id: str = "synthetic-truth"
) -> pa.Table:
    """Return the generator's true probabilities in the layout ``arusha model score`` writes.

    Columns ``declaration_id, probability, expected_additional_duties, model_id, scored_at``: the
    ``risk_scores`` table of a perfect model, for tests and demos of expected-versus-found.
    """
    if truth.hit_probability is None or truth.expected_additional_duties is None:
        raise ValueError("this Truth has no per-declaration probabilities: generate the data again")
    ids = tables["declarations"]["declaration_id"]
    n = len(ids)
    return pa.table(
        {
            "declaration_id": ids,
            "probability": pa.array(truth.hit_probability, pa.float64()),
            "expected_additional_duties": pa.array(
                np.round(truth.expected_additional_duties, 2), pa.float64()
            ),
            "model_id": pa.array([model_id] * n, pa.string()),
            "scored_at": pa.array(np.full(n, np.datetime64("2025-01-01T00:00:00", "s")), pa.timestamp("us")),
        }
    )


def _ts(seconds: F) -> pa.Array:
    mask = np.isnan(seconds)
    values = np.where(mask, 0, np.round(seconds)).astype("int64").astype("datetime64[s]")
    return pa.array(values, pa.timestamp("us"), mask=mask)


def _plant_assignments(
    rng: np.random.Generator,
    risk_rng: np.random.Generator,
    n_off: int,
    per_office: int,
    office: I,
    officer: I,
    decl: I,
    imp: I,
    final: I,
    assigned: I,
    truth: Truth,
    offices: npt.NDArray[np.str_],
    officers: npt.NDArray[np.str_],
    declarants: npt.NDArray[np.str_],
    importers: npt.NDArray[np.str_],
) -> dict[str, int]:
    """Plant the assignment/channel anomalies in place and return the chosen entity indexes."""
    n = office.size
    # Distinct officers from every office, so each anomaly has its own culprit; the one needing the
    # most files (red releases without inspection) goes to the busiest office.
    pool = [o * per_office + k for k in range(per_office) for o in range(n_off)]
    keys = ("override", "pair", "red_no_insp", "before_payment", "after_hours", "penalty", "rubber_stamp")
    picks = dict(zip(keys, pool[1 : len(keys) + 1], strict=True))

    def add(kind: str, etype: str, eid: str, off: str | None, text: str) -> None:
        truth.anomalies.append(Anomaly(kind, etype, eid, off, text))

    # Pick planted traders by actual volume, so that each has enough files to be tested.
    by_volume = np.argsort(-np.bincount(decl, minlength=declarants.size), kind="stable")
    imp_by_volume = np.argsort(-np.bincount(imp, minlength=importers.size), kind="stable")
    o = picks["override"]
    sel = (officer == o) & (assigned >= 2) & (rng.random(n) < 0.35)
    final[sel] = 0
    add(
        "channel_override",
        "officer",
        str(officers[o]),
        str(offices[o // per_office]),
        "relaxes 35% of red/yellow declarations to green",
    )

    # A mid-sized broker whose red/yellow files get relaxed by whichever officer handles them.
    d_over = int(by_volume[2])
    sel = (decl == d_over) & (assigned >= 2) & (rng.random(n) < 0.3)
    final[sel] = 0
    add(
        "channel_override",
        "declarant",
        str(declarants[d_over]),
        None,
        "30% of this broker's red/yellow declarations relaxed to green",
    )

    # Collusive pairing: a busy broker's files at one office steered to one officer.
    o = picks["pair"]
    off = o // per_office
    d_pair = int(by_volume[0])
    sel = (decl == d_pair) & (office == off) & (rng.random(n) < 0.5)
    officer[sel] = o
    add(
        "officer_declarant_pairing",
        "officer_declarant_pair",
        f"{officers[o]}|{declarants[d_pair]}",
        str(offices[off]),
        "half of the broker's files at the office steered to this officer",
    )

    # Rubber stamp: an officer who gets a large share of the office's red files (steered from the
    # honest officers) and records "no discrepancy" on most of them (outcome planted in generate()).
    o = picks["rubber_stamp"]
    off = o // per_office
    planted = [v for k, v in picks.items() if k != "rubber_stamp"]
    sel = (office == off) & (final == 3) & ~np.isin(officer, planted) & (risk_rng.random(n) < 0.5)
    officer[sel] = o
    add(
        "detection_shortfall",
        "officer",
        str(officers[o]),
        str(offices[off]),
        "inspects half of the office's red declarations and records no discrepancy on 90% of those with one",
    )

    picks["uv_importer"] = int(imp_by_volume[3])
    add(
        "unit_value_gap",
        "importer",
        str(importers[picks["uv_importer"]]),
        None,
        "unit values at 35% of the HS6×origin reference",
    )
    picks["benford_declarant"] = int(by_volume[5])
    add(
        "benford",
        "declarant",
        str(declarants[picks["benford_declarant"]]),
        None,
        "70% of declared values start with a 9",
    )
    for key, kind, text in (
        ("after_hours", "after_hours_release", "40% of releases between 19:30 and 23:30"),
        ("before_payment", "release_before_payment", "30% of releases before duties are paid"),
        ("red_no_insp", "red_without_inspection", "half of red-channel releases without inspection record"),
        ("penalty", "low_penalty", "fines at a quarter of the usual amount for the offence"),
    ):
        o = picks[key]
        add(kind, "officer", str(officers[o]), str(offices[o // per_office]), text)
    return picks


def _events(
    ids: npt.NDArray[np.str_],
    reg: F,
    assessed: F,
    paid: F,
    released: F,
    changed: B,
    officer: npt.NDArray[np.str_],
    final: I,
    result: npt.NDArray[Any],
    rng: np.random.Generator,
) -> pa.Table:
    parts: list[tuple[I, str, F, npt.NDArray[Any]]] = []
    idx = np.arange(ids.size)
    system = np.full(ids.size, "SYSTEM", dtype=object)

    def add(mask: B, event: str, at: F, actor: npt.NDArray[Any]) -> None:
        parts.append((idx[mask], event, at[mask], actor[mask]))

    ok = ~np.isnan(reg)
    add(ok, "registered", reg, system)
    add(ok, "assigned", reg + 60.0, system)
    add(changed, "channel_changed", reg + rng.uniform(0.2, 1.0, ids.size) * HOUR, officer)
    inspected = result != "none"
    start = reg + rng.uniform(0.5, 4.0, ids.size) * HOUR
    has_assess = ~np.isnan(assessed)
    add(inspected & has_assess, "inspection_started", np.minimum(start, assessed - 120.0), officer)
    add(inspected & has_assess, "inspection_done", assessed - 60.0, officer)
    add(has_assess, "assessed", assessed, officer)
    add(~np.isnan(paid), "paid", paid, np.full(ids.size, "BANK", dtype=object))
    add(~np.isnan(released), "released", released, officer)
    return pa.table(
        {
            "declaration_id": np.concatenate([ids[p[0]] for p in parts]),
            "event": np.concatenate([np.full(p[0].size, p[1]) for p in parts]),
            "at": pa.concat_arrays([_ts(p[2]) for p in parts]),
            "actor_id": pa.array(np.concatenate([p[3] for p in parts]), pa.string()),
        }
    )


def write_dataset(
    out: str | Path,
    n: int,
    seed: int = 0,
    anomalies: bool = True,
    progress: Progress | None = None,
) -> Truth:
    """Generate data and write ``declarations.parquet``, ``items.parquet``, ``events.parquet``, ``truth.json``.

    Args:
        out: Output directory (created).
        n: Number of declarations.
        seed: Random seed.
        anomalies: Plant anomalies (see :func:`generate`).
        progress: Called with (percent, message).

    Returns:
        The truth written to ``truth.json``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables, truth = generate(n, seed=seed, anomalies=anomalies, progress=progress)
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")
    payload = {
        "seed": truth.seed,
        "declarations": truth.declarations,
        "anomalies": [a.as_dict() for a in truth.anomalies],
        "risk_pattern": truth.risk_pattern,
    }
    (out / "truth.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return truth
