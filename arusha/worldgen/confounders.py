"""Honest reasons to look unusual: the entities a good integrity detector must not flag.

A detector that flags "releases before payment" will meet importers authorised to pay later; one
that flags "releases at night" will meet an airport open round the clock and importers of fish.
Each confounder here is a pattern that real administrations show for a legitimate reason, carried
by *every* officer who handles the entity (that is what separates it from a scheme, where one
officer deviates from his peers on the same kind of files). Each planted one is recorded in the truth.
"""

from __future__ import annotations

import numpy as np

from arusha.worldgen.truth import ConfounderTruth
from arusha.worldgen.world import (
    EXTENDED_HOURS,
    ROUND_THE_CLOCK,
    Profile,
    Stream,
    World,
    stream,
)

# Share of importers per profile, and how many of them come from the 50 busiest (so that some
# confounded importers are big enough to dominate an officer's statistics).
IMPORTER_PROFILES: dict[Profile, tuple[float, int, str]] = {
    Profile.DEFERRED_PAYMENT: (0.012, 3, "authorised to pay after release (deferment account): released before payment by every officer"),
    Profile.HABITUAL_UNDERVALUER: (0.003, 1, "declares about 40–60 % of the reference unit values but holds a good record: its files mostly go green"),
    Profile.CHEAP_SUPPLIER: (0.003, 1, "buys genuinely cheap goods (unit values 40–50 % of the reference): inspections find nothing, every officer accepts the values"),
    Profile.COMPLEX_GOODS: (0.004, 1, "complex goods (machinery, chemicals): every officer takes 3–6 times longer to inspect and release"),
    Profile.PERISHABLE: (0.004, 1, "perishable goods: every officer releases them at night or on arrival, often after hours"),
    Profile.ROUND_PRICES: (0.002, 0, "fixed-price contracts: invoice values in whole thousands, all year, whichever broker lodges them"),
}  # fmt: skip
PROFILE_KINDS: dict[Profile, str] = {
    Profile.DEFERRED_PAYMENT: "deferred_payment",
    Profile.HABITUAL_UNDERVALUER: "habitual_undervaluer_green",
    Profile.CHEAP_SUPPLIER: "cheap_supplier",
    Profile.COMPLEX_GOODS: "slow_importer",
    Profile.PERISHABLE: "perishable_importer",
    Profile.ROUND_PRICES: "round_prices",
}
SEASON_UPLIFT = 1.35  # October–December: year-end stocking makes the fourth quarter the busiest
STRICT_RELAX_RATE = 0.04  # legitimate relaxations by strict seniors (juniors: 0.02, clearance.py)
WAIVER_RATE = 0.01  # red files released on a scanner image or a waiver: no inspection events


def plant_confounders(world: World, seed: int, *, enabled: bool) -> list[ConfounderTruth]:
    """Give some entities honest reasons to look unusual; return what was planted.

    With ``enabled`` False the world stays flat: weekday hours everywhere, no season, every officer
    on duty all year, ordinary importers, and automatic releases kept within office hours.
    """
    if not enabled:
        return []
    rng = stream(seed, Stream.CONFOUNDERS)
    found: list[ConfounderTruth] = []
    found += _office_confounders(world)
    found += _officer_confounders(world, rng)
    found += _importer_confounders(world, rng)
    world.inspection_waiver_rate = WAIVER_RATE
    world.system_releases_any_time = True
    found.append(
        ConfounderTruth(
            "system_release",
            "actor",
            "SYSTEM",
            None,
            "green and blue files are released automatically on payment, at any hour and on weekends",
        )
    )
    found.append(
        ConfounderTruth(
            "inspection_waived",
            "all",
            "*",
            None,
            f"about {WAIVER_RATE:.0%} of red files, spread over all officers, released on a scanner image "
            "or waiver: inspection_result filled by the system, no inspection events",
        )
    )
    return found


def _office_confounders(world: World) -> list[ConfounderTruth]:
    """Set the round-the-clock and extended-hours offices, the busy quarter and the growing office."""
    found: list[ConfounderTruth] = []
    offices, months = world.volume.shape
    codes = world.office_codes
    # The second office is the airport in the plain codes: airports clear cargo round the clock.
    round_clock = 1 if offices >= 2 else 0
    world.office_hours[round_clock] = ROUND_THE_CLOCK
    found.append(
        ConfounderTruth(
            "office_24h",
            "office",
            str(codes[round_clock]),
            str(codes[round_clock]),
            "open round the clock: every officer releases at any hour, weekends included",
        )
    )
    extended = [o for o in (2, 3) if o < offices and o != round_clock][: 2 if offices >= 6 else 1]
    for o in extended:
        world.office_hours[o] = EXTENDED_HOURS
        found.append(
            ConfounderTruth(
                "office_extended_hours",
                "office",
                str(codes[o]),
                str(codes[o]),
                "open 06:00–22:00 Monday to Saturday: every officer releases in the evening and on Saturdays",
            )
        )

    month_of_year = np.array([int(label[5:7]) for label in world.month_labels])
    busy = month_of_year >= 10
    world.volume[:, busy] *= SEASON_UPLIFT
    for year in sorted({label[:4] for label, b in zip(world.month_labels, busy, strict=True) if b}):
        found.append(
            ConfounderTruth(
                "seasonal_volume",
                "period",
                f"{year}-Q4",
                None,
                f"filing volume {SEASON_UPLIFT - 1:.0%} above the rest of the year in every office",
                tuple(m for m, b in zip(world.month_labels, busy, strict=True) if b and m.startswith(year)),
            )
        )
    growing = next((o for o in range(offices // 2, offices) if o != round_clock and o not in extended), None)
    if growing is not None and months >= 4:
        mid = months // 2
        world.volume[growing, mid:] *= 2.0
        found.append(
            ConfounderTruth(
                "office_growth",
                "office",
                str(codes[growing]),
                str(codes[growing]),
                f"filing volume doubles from {world.month_labels[mid]} (a new terminal), with the same staff",
                tuple(world.month_labels[mid:]),
            )
        )
    return found


def _officer_confounders(world: World, rng: np.random.Generator) -> list[ConfounderTruth]:
    """Set strict seniors, joiners, leavers and officers on leave, office by office."""
    found: list[ConfounderTruth] = []
    months = world.months
    ids, codes = world.officer_ids, world.office_codes
    for o in range(codes.size):
        staff = np.flatnonzero(world.officer_office == o)
        free = staff[~world.chief[staff]]
        senior = rng.permutation(free[world.seniority[free] >= 12.0])
        strict = senior[: 3 if staff.size >= 30 else 2]
        world.strict[strict] = True
        for k in strict:
            found.append(
                ConfounderTruth(
                    "strict_senior",
                    "officer",
                    str(ids[k]),
                    str(codes[o]),
                    "strict senior officer: raises green/blue files to yellow/red often, and relaxes "
                    f"{STRICT_RELAX_RATE:.0%} of red/yellow files after document checks, all year",
                )
            )
        movable = rng.permutation(free[~world.strict[free]])
        if months >= 4 and movable.size >= 6:
            joiner, leaver = int(movable[0]), int(movable[1])
            join = int(rng.integers(1, months - 1))
            leave = int(rng.integers(2, months))
            world.active[joiner, :join] = False
            world.seniority[joiner] = round(float(rng.uniform(0.0, 1.0)), 1)
            world.active[leaver, leave:] = False
            found.append(
                ConfounderTruth(
                    "officer_joined",
                    "officer",
                    str(ids[joiner]),
                    str(codes[o]),
                    f"joined in {world.month_labels[join]}: handles files only from then",
                    tuple(world.month_labels[:join]),
                )
            )
            found.append(
                ConfounderTruth(
                    "officer_left",
                    "officer",
                    str(ids[leaver]),
                    str(codes[o]),
                    f"left after {world.month_labels[leave - 1]}: handles no file after that",
                    tuple(world.month_labels[leave:]),
                )
            )
            movable = movable[2:]
        if months >= 2:
            # Annual leave: about one officer in eight takes a whole month off (never the only one
            # on duty: each office keeps at least four officers, leave or not).
            on_leave = movable[rng.random(movable.size) < 0.125]
            for k in on_leave:
                m = int(rng.integers(0, months))
                if world.active[staff, m].sum() <= 4:
                    continue
                world.active[k, m] = False
                found.append(
                    ConfounderTruth(
                        "officer_on_leave",
                        "officer",
                        str(ids[k]),
                        str(codes[o]),
                        f"on leave in {world.month_labels[m]}: handles no file that month",
                        (world.month_labels[m],),
                    )
                )
    return found


def _importer_confounders(world: World, rng: np.random.Generator) -> list[ConfounderTruth]:
    """Give importer profiles: a few among the 50 busiest, the rest among the busiest quarter."""
    found: list[ConfounderTruth] = []
    by_volume = np.argsort(-world.importer_weight, kind="stable")
    busiest, busy = by_volume[:50], by_volume[: max(60, by_volume.size // 4)]
    taken = np.zeros(by_volume.size, dtype=np.bool_)
    for profile, (share, from_top, description) in IMPORTER_PROFILES.items():
        count = max(2, round(share * by_volume.size))
        top = rng.permutation(busiest[~taken[busiest]])[:from_top]
        taken[top] = True
        rest = rng.permutation(busy[~taken[busy]])[: count - top.size]
        chosen = np.concatenate([top, rest])
        taken[chosen] = True
        world.importer_profile[chosen] = int(profile)
        for k in np.sort(chosen):
            found.append(
                ConfounderTruth(
                    PROFILE_KINDS[profile],
                    "importer",
                    str(world.importer_ids[k]),
                    str(world.office_codes[world.importer_home[k]]),
                    description,
                )
            )
    return found
