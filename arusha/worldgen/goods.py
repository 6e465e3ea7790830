"""What is declared: item lines, HS6 tariff lines with reference unit values, true and declared values.

Two values per line, because a customs control is about their difference: ``true_value`` is what
the goods are worth (what an inspection can establish) and ``declared`` is what the declarant
wrote. Selectivity only sees the declared value against the HS6 reference; an inspection finds
the gap between declared and true. That is what makes a cheap supplier (low but true values)
honest and a habitual undervaluer (low declared values) not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from arusha.worldgen.world import B, F, Files, I, Profile, S, Stream, World, stream, zipf_weights

N_HS: Final = 120
PERISHABLE_CHAPTERS: Final = (3, 7, 8)  # fish, vegetables, fruit
ORIGINS: Final = np.array(["CN", "FR", "IN", "TR", "US", "DE", "NG", "BR", "JP", "AE", "IT", "ZA"])
ORIGIN_P: Final = np.array([0.3, 0.12, 0.1, 0.08, 0.07, 0.07, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03])
TRANSIT_HUBS: Final = np.array(["AE", "NL", "SG", "BE"])
BACKGROUND_UNDERVALUATION: Final = 0.04  # share of files declared at 35–60 % of their value


@dataclass
class Goods:
    """Item lines and the tariff catalogue (``line_*`` arrays: one entry per item line)."""

    hs_codes: S
    hs_ref: F  # reference unit value per kg
    hs_rate: F  # ad valorem duty rate
    hs_perishable: B
    line_decl: I
    line_no: I
    line_hs: I
    line_origin: I
    mass: F
    true_value: F
    declared: F
    first_line: I  # per declaration: its first line

    def per_declaration(self, values: F, n: int) -> F:
        """Return the sum of a line quantity per declaration."""
        return np.asarray(np.bincount(self.line_decl, weights=values, minlength=n), dtype=np.float64)

    def gap(self, base: F, n: int) -> F:
        """Return per declaration the mean over lines of −log(declared / ``base``), floored at 0.

        Against ``mass × reference`` it is the undervaluation selectivity sees; against
        ``true_value`` it is the undervaluation an inspection can find.
        """
        lines = np.bincount(self.line_decl, minlength=n)
        logs = np.log(np.maximum(self.declared, 0.01) / np.maximum(base, 0.01))
        mean = -np.bincount(self.line_decl, weights=logs, minlength=n) / np.maximum(lines, 1)
        return np.asarray(np.maximum(mean, 0.0), dtype=np.float64)

    def reference(self) -> F:
        """Return each line's value at the HS6 reference unit value."""
        return np.asarray(self.mass * self.hs_ref[self.line_hs], dtype=np.float64)


def draw_goods(world: World, files: Files, seed: int) -> Goods:
    """Return the item lines of every declaration, with true and (honestly or not) declared values.

    1–4 lines per declaration; 120 HS6 lines whose reference unit values span three orders of
    magnitude, 15 % of them perishable (chapters 03, 07, 08). Perishable importers buy mostly
    perishables; cheap suppliers' goods are truly worth 40–50 % of the reference. Background
    undervaluation (4 % of files at 35–60 %) and habitual undervaluers (85 % of their files at
    40–60 %) lower the declared value only; round-price importers' invoices are whole thousands.
    """
    rng = stream(seed, Stream.GOODS)
    n = files.n
    chapters = rng.integers(1, 98, N_HS)
    perishable = rng.random(N_HS) < 0.15
    chapters = np.where(perishable, rng.choice(PERISHABLE_CHAPTERS, N_HS), chapters)
    codes = chapters * 10_000 + rng.choice(10_000, N_HS, replace=False)
    hs_codes = np.array([f"{c:06d}" for c in codes])
    hs_ref = np.exp(rng.uniform(np.log(2.0), np.log(400.0), N_HS)) * 650.0
    hs_rate = rng.choice([0.0, 0.05, 0.1, 0.2, 0.3], N_HS)

    n_items = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.25, 0.12, 0.08])
    line_decl = np.repeat(np.arange(n), n_items)
    first_line = np.cumsum(n_items) - n_items
    line_no = np.arange(line_decl.size) - np.repeat(first_line, n_items) + 1
    m = line_decl.size
    profile = world.importer_profile[files.importer]
    line_profile = profile[line_decl]
    any_hs = rng.choice(N_HS, m, p=rng.permutation(zipf_weights(N_HS, 0.6)))
    fresh = np.flatnonzero(perishable)
    pick = rng.integers(0, 1 << 30, m)
    fresh_hs = fresh[pick % fresh.size] if fresh.size else any_hs
    buys_fresh = (line_profile == Profile.PERISHABLE) & (rng.random(m) < 0.9)
    line_hs = np.where(buys_fresh, fresh_hs, any_hs)
    line_origin = rng.choice(ORIGINS.size, m, p=ORIGIN_P)
    mass = np.asarray(np.round(np.exp(rng.normal(np.log(300), 1.4, m)), 1) + 0.1, dtype=np.float64)

    noise = np.exp(rng.normal(0.0, 0.3, m))
    cheap_factor = rng.uniform(0.40, 0.50, world.importer_ids.size)[files.importer][line_decl]
    noise = np.where(line_profile == Profile.CHEAP_SUPPLIER, noise * cheap_factor, noise)
    true_value = np.round(mass * hs_ref[line_hs] * noise, 2)

    under = (rng.random(n) < BACKGROUND_UNDERVALUATION)[line_decl]
    under_factor = rng.uniform(0.35, 0.60, n)[line_decl]
    habitual = ((profile == Profile.HABITUAL_UNDERVALUER) & (rng.random(n) < 0.85))[line_decl]
    habitual_factor = rng.uniform(0.40, 0.60, n)[line_decl]
    factor = np.where(habitual, habitual_factor, np.where(under, under_factor, 1.0))
    declared = np.round(true_value * factor, 2)
    # A fixed-price contract's invoice is the true price: both values are the round amount.
    round_price = line_profile == Profile.ROUND_PRICES
    rounded = np.maximum(1000.0, np.round(true_value / 1000.0) * 1000.0)
    true_value = np.where(round_price, rounded, true_value)
    declared = np.where(round_price, np.maximum(1000.0, np.round(rounded * factor, -3)), declared)
    return Goods(
        hs_codes=hs_codes,
        hs_ref=hs_ref,
        hs_rate=hs_rate,
        hs_perishable=perishable,
        line_decl=line_decl.astype(np.int64),
        line_no=line_no.astype(np.int64),
        line_hs=line_hs.astype(np.int64),
        line_origin=line_origin.astype(np.int64),
        mass=mass,
        true_value=true_value,
        declared=declared,
        first_line=first_line.astype(np.int64),
    )


def fabricate(goods: Goods, lines: I, rng: np.random.Generator) -> None:
    """Replace the declared values of ``lines`` by fabricated ones, in place.

    Half are the value rounded to whole thousands; half are invented: two significant digits whose
    first digit is uniform on 1–9 (people inventing figures do not follow Benford's law, where a 1
    leads 30 % of the time), at or a little below the true order of magnitude.
    """
    value = goods.declared[lines]
    rounded = np.maximum(1000.0, np.round(value / 1000.0) * 1000.0)
    target = value * rng.uniform(0.6, 1.0, lines.size)
    magnitude = 10.0 ** np.floor(np.log10(np.maximum(target, 1.0)))
    invented = (rng.integers(1, 10, lines.size) + rng.integers(0, 10, lines.size) / 10.0) * magnitude
    invented = np.where(invented > 1.5 * target, invented / 10.0, invented)
    goods.declared[lines] = np.round(np.where(rng.random(lines.size) < 0.5, rounded, invented), 2)


def export_countries(goods: Goods, seed: int) -> tuple[S, S]:
    """Return per declaration the country of origin (first line) and of export (a hub for 15 %)."""
    rng = stream(seed, Stream.TABLES, 1)
    origin = ORIGINS[goods.line_origin[goods.first_line]]
    n = origin.size
    hub = TRANSIT_HUBS[rng.integers(0, TRANSIT_HUBS.size, n)]
    return origin, np.where(rng.random(n) < 0.15, hub, origin)
