"""Honest control decisions: selectivity channels, channel changes, inspection outcomes and fines.

The risk pattern follows ``arusha/synth.py``: a latent propensity per declaration from a few risky
importers, HS6 lines and origins plus noise. Selectivity sees that propensity and the declared value
against the HS6 reference; an inspection finds a discrepancy with probability
``sigmoid(intercept[channel] + propensity + 2 × gap between declared and true value)``, the
intercepts set so that red (physical) inspections find one about 25 % of the time and yellow
(documentary) ones about 10 %. The constants that standardise selectivity and set the intercepts
are fixed on the honest world, before any scheme changes a value, so that a scheme moves only the
files it touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from arusha.worldgen.goods import N_HS, ORIGINS, Goods
from arusha.worldgen.world import B, F, Files, I, Profile, Stream, World, stream

GREEN, BLUE, YELLOW, RED = 0, 1, 2, 3
CHANNELS: Final = np.array(["green", "blue", "yellow", "red"])
CHANNEL_P: Final = np.array([0.55, 0.05, 0.28, 0.12])
HIT_RATE: Final = {YELLOW: 0.10, RED: 0.25}
RELAX_RATE: Final = 0.02  # relaxations after a document check, by the assessing officer
STRICT_RELAX_RATE: Final = 0.04
UPGRADE_RATE: Final = 0.01  # green/blue raised to yellow/red by the officer
STRICT_UPGRADE_RATE: Final = 0.15
OFFENCES: Final = np.array(["VAL-UNDER", "TAR-MISCL", "ORI-FALSE", "QTY-SHORT"])
VALUATION: Final = 0
# A fine is a multiple of the duties evaded, by offence (false origin is punished hardest), with a
# floor: so a fine far below the offence's median is common and honest when little was evaded.
FINE_MULTIPLIER: Final = np.array([1.0, 0.5, 1.5, 1.0])
MIN_FINE: Final = 20_000.0
FINE_WAIVER_RATE: Final = 0.01  # first offence disclosed voluntarily: fine waived, honestly


@dataclass
class Risk:
    """The honest world's risk pattern and the constants fixed on it."""

    base: F  # propensity from risky importers, HS6 lines, origins and noise
    centre: float  # selectivity score standardisation
    scale: float
    intercept_yellow: float
    intercept_red: float
    u_channel: F  # selectivity's uniforms, reused when values change
    u_profile: F
    honest_channels: I  # what selectivity assigns before any scheme changes a value
    risky_importers: I
    risky_hs: I
    risky_origins: I


@dataclass
class Control:
    """Per declaration: channels, who changed them, what the inspection found, and the fine."""

    assigned: I
    final: I
    changed_by: I  # officer who changed the channel, -1 when it did not change
    hit: B  # a discrepancy was found and recorded
    logged: B  # the inspection has events (false for waived red files)
    uplift: F  # assessed / declared value
    offence: I  # index into OFFENCES, -1 when none
    evaded: F  # duties assessed − duties declared
    penalty: F  # NaN when no fine

    @property
    def inspected(self) -> B:
        """Return which files went through a documentary (yellow) or physical (red) control."""
        return np.asarray(self.final >= YELLOW, dtype=np.bool_)


def _sigmoid(x: F) -> F:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _intercept(score: F, target: float) -> float:
    """Return ``a`` such that the mean of ``sigmoid(a + score)`` is ``target`` (bisection)."""
    if score.size == 0:
        return float(np.log(target / (1.0 - target)))
    lo, hi = -20.0, 20.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if float(_sigmoid(mid + score).mean()) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _risk_channels(z: F, uniform: F) -> I:
    """Draw channels (0 green … 3 red), mildly tilted toward yellow/red for risky (high ``z``) files.

    Real selectivity is risk-based but far from perfect; the exponents are centred so the mix stays
    close to ``CHANNEL_P``. Inverting one uniform per file means only files near a boundary move
    when their score changes.
    """
    weights = np.column_stack(
        [
            np.full(z.size, CHANNEL_P[0]),
            np.full(z.size, CHANNEL_P[1]),
            CHANNEL_P[2] * np.exp(0.3 * z - 0.045),
            CHANNEL_P[3] * np.exp(0.6 * z - 0.18),
        ]
    )
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return np.asarray((uniform[:, None] >= cum).sum(axis=1).clip(0, 3), dtype=np.int64)


def honest_risk(world: World, files: Files, goods: Goods, seed: int) -> Risk:
    """Return the risk pattern with selectivity and hit-rate constants fixed on the honest values."""
    rng = stream(seed, Stream.CHANNELS)
    n = files.n
    u_channel, u_profile = rng.random(n), rng.random(n)
    ordinary = world.importer_profile == Profile.ORDINARY
    by_volume = np.argsort(-np.where(ordinary, world.importer_weight, -1.0), kind="stable")
    risky_importers = rng.choice(by_volume[:300], 15, replace=False)
    risky_hs = rng.choice(N_HS, 10, replace=False)
    risky_origins = rng.choice(ORIGINS.size, 2, replace=False)
    risky_line = np.isin(goods.line_hs, risky_hs)
    base = (
        1.6 * np.isin(files.importer, risky_importers)
        + 1.0 * (np.bincount(goods.line_decl, weights=risky_line, minlength=n) > 0)
        + 0.6 * np.isin(goods.line_origin[goods.first_line], risky_origins)
        + rng.normal(0.0, 0.5, n)
    )
    score = base + 2.0 * goods.gap(goods.reference(), n)
    centre, scale = float(score.mean()), max(float(score.std()), 1e-9)
    risk = Risk(
        base=base,
        centre=centre,
        scale=scale,
        intercept_yellow=0.0,
        intercept_red=0.0,
        u_channel=u_channel,
        u_profile=u_profile,
        honest_channels=np.zeros(n, dtype=np.int64),
        risky_importers=risky_importers.astype(np.int64),
        risky_hs=risky_hs.astype(np.int64),
        risky_origins=risky_origins.astype(np.int64),
    )
    assigned = select_channels(world, files, goods, risk)
    risk.honest_channels = assigned
    hit_score = base + 2.0 * goods.gap(goods.true_value, n)
    risk.intercept_yellow = _intercept(hit_score[assigned == YELLOW], HIT_RATE[YELLOW])
    risk.intercept_red = _intercept(hit_score[assigned == RED], HIT_RATE[RED])
    return risk


def select_channels(world: World, files: Files, goods: Goods, risk: Risk) -> I:
    """Return the channels the selectivity engine assigns, from the values as declared now.

    A habitual undervaluer's good record sends 85 % of its files green whatever its values; complex
    goods go to documentary control more often (40 % of would-be green files).
    """
    seen = goods.gap(goods.reference(), files.n)
    z = (risk.base + 2.0 * seen - risk.centre) / risk.scale
    assigned = _risk_channels(z, risk.u_channel)
    profile = world.importer_profile[files.importer]
    trusted = (profile == Profile.HABITUAL_UNDERVALUER) & (risk.u_profile < 0.85)
    complex_goods = (profile == Profile.COMPLEX_GOODS) & (assigned == GREEN) & (risk.u_profile < 0.4)
    assigned = np.where(trusted, GREEN, np.where(complex_goods, YELLOW, assigned))
    return np.asarray(assigned, dtype=np.int64)


def new_control(assigned: I) -> Control:
    """Return the control record of files that nobody has touched yet."""
    n = assigned.size
    return Control(
        assigned=assigned,
        final=assigned.copy(),
        changed_by=np.full(n, -1, dtype=np.int64),
        hit=np.zeros(n, dtype=np.bool_),
        logged=np.zeros(n, dtype=np.bool_),
        uplift=np.ones(n),
        offence=np.full(n, -1, dtype=np.int64),
        evaded=np.zeros(n),
        penalty=np.full(n, np.nan),
    )


def change_channels(world: World, files: Files, control: Control, seed: int) -> None:
    """Apply the officers' honest channel changes, in place.

    Each officer relaxes 2 % of red/yellow files after a document check (strict seniors 4 %) and
    raises 1 % of green/blue ones (strict seniors 15 %).
    """
    rng = stream(seed, Stream.CHANNELS, 2)
    u_relax, u_raise, u_to = rng.random(files.n), rng.random(files.n), rng.random(files.n)
    strict = world.strict[files.officer]
    relax = (control.assigned >= YELLOW) & (u_relax < np.where(strict, STRICT_RELAX_RATE, RELAX_RATE))
    raise_ = (control.assigned <= BLUE) & (u_raise < np.where(strict, STRICT_UPGRADE_RATE, UPGRADE_RATE))
    control.final = np.where(
        relax,
        np.where(u_to < 0.9, GREEN, BLUE),
        np.where(raise_, np.where(u_to < 0.6, YELLOW, RED), control.final),
    ).astype(np.int64)
    control.changed_by = np.where(relax | raise_, files.officer, control.changed_by).astype(np.int64)


def inspect(world: World, files: Files, goods: Goods, control: Control, risk: Risk, seed: int) -> None:
    """Decide honestly what each yellow/red control finds, in place.

    Cheap suppliers' files hold nothing to find. About 1 % of red files (``world.inspection_waiver_rate``)
    are released on a scanner image or a waiver: no inspection events, result "no discrepancy".
    """
    rng = stream(seed, Stream.OUTCOMES, 2)
    u_hit, u_waive = rng.random(files.n), rng.random(files.n)
    score = risk.base + 2.0 * goods.gap(goods.true_value, files.n)
    intercept = np.where(control.final == RED, risk.intercept_red, risk.intercept_yellow)
    clean = world.importer_profile[files.importer] == Profile.CHEAP_SUPPLIER
    waived = (control.final == RED) & (u_waive < world.inspection_waiver_rate)
    control.hit = control.inspected & (u_hit < _sigmoid(intercept + score)) & ~clean & ~waived
    control.logged = control.inspected & ~waived


def settle(files: Files, goods: Goods, control: Control, seed: int) -> None:
    """Set what a discrepancy costs: value uplift, offence and a fine that scales with the duties evaded.

    An undervaluation found restores the true value (offence VAL-UNDER); other findings raise the
    value by 10–60 % under a tariff, origin or quantity offence. The fine is the offence's multiple
    of the duties evaded, times lognormal noise (σ 0.35), at least ``MIN_FINE``; 1 % are waived.
    """
    rng = stream(seed, Stream.OUTCOMES, 3)
    n = files.n
    u_other, u_offence, noise, u_waive = rng.random(n), rng.random(n), rng.normal(0.0, 0.35, n), rng.random(n)
    declared = goods.per_declaration(goods.declared, n)
    true = goods.per_declaration(goods.true_value, n)
    duties = goods.per_declaration(goods.declared * goods.hs_rate[goods.line_hs], n)
    valuation = goods.gap(goods.true_value, n) > 0.2
    restore = np.clip(true / np.maximum(declared, 0.01), 1.05, 5.0)
    uplift = np.where(valuation, restore, 1.1 + 0.5 * u_other)
    other = 1 + (u_offence * 3).astype(np.int64)
    offence = np.where(valuation, VALUATION, other)
    control.uplift = np.where(control.hit, uplift, 1.0)
    control.offence = np.where(control.hit, offence, -1).astype(np.int64)
    control.evaded = duties * (control.uplift - 1.0)
    fine = np.maximum(
        MIN_FINE, FINE_MULTIPLIER[np.maximum(control.offence, 0)] * control.evaded * np.exp(noise)
    )
    fine = np.where(u_waive < FINE_WAIVER_RATE, 0.0, np.round(fine, 0))
    control.penalty = np.where(control.hit, fine, np.nan)
