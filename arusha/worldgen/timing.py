"""When things happen: assignment, channel change, inspection, assessment, payment, release and exit.

Officers act within their office's hours (weekdays 07:30–17:30 at most offices, 06:00–22:00 Monday
to Saturday at extended-hours offices, any time at a round-the-clock office); the bank either takes
electronic payments at any hour or counter payments in banking hours; automatic (SYSTEM) releases of
green and blue files follow payment within minutes, at any hour. Clearance times depend on the
channel, with a slow tail (3 % of controls take 5–25 extra days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arusha.worldgen.clearance import RED, YELLOW, Control
from arusha.worldgen.world import BANK_HOURS, DAY, HOUR, F, Files, I, Profile, Stream, World, stream

MINUTE = 60.0


@dataclass
class Timeline:
    """Per declaration, the time (epoch seconds, NaN when it did not happen) of each step."""

    lodged: F
    assigned: F
    reassigned: F
    changed: F
    inspection_started: F
    inspection_done: F
    assessed: F
    paid: F
    ready: F  # when the officer could release (assessed, and paid unless payment is deferred)
    released: F
    exit_hours: F  # gate exit this many hours after release
    exited: F


def into_hours(ts: F, open_h: F, close_h: F, days: I, u: F) -> F:
    """Return ``ts`` moved to the next opening when the office is closed then (plus a queue of up to 2 h).

    ``days`` is the number of open weekdays from Monday (5, 6 or 7); NaN stays NaN.
    """
    missing = np.isnan(ts)
    t = np.where(missing, 0.0, ts)
    day = np.floor(t / DAY)
    sec = t - day * DAY
    late = sec >= close_h * HOUR
    early = sec < open_h * HOUR
    day = day + late
    weekday = (day.astype(np.int64) + 3) % 7  # 0 = Monday: 1970-01-01 was a Thursday
    closed = weekday >= days
    day = day + np.where(closed, 7 - weekday, 0)
    opening = day * DAY + open_h * HOUR + u * np.minimum(2.0, close_h - open_h) * HOUR
    moved = late | early | closed
    return np.asarray(np.where(missing, np.nan, np.where(moved, opening, ts)), dtype=np.float64)


def after_hours(ts: F, u_kind: F, u_time: F) -> F:
    """Return a time at or after ``ts`` at night (20:00–04:00) or, from a Friday on, on the weekend."""
    missing = np.isnan(ts)
    t = np.where(missing, 0.0, ts)
    day = np.floor(t / DAY)
    weekday = (day.astype(np.int64) + 3) % 7
    night = day * DAY + (20.0 + 8.0 * u_time) * HOUR
    night = np.where(night < t, night + DAY, night)
    weekend = (day + np.where(weekday >= 5, 0, 5 - weekday)) * DAY + (9.0 + 7.0 * u_time) * HOUR
    use_weekend = (u_kind < 0.35) & (weekday >= 4) & (weekend >= t)
    return np.asarray(np.where(missing, np.nan, np.where(use_weekend, weekend, night)), dtype=np.float64)


def is_after_hours(ts: F) -> F:
    """Return 1.0 where ``ts`` falls outside Monday–Friday 07:30–17:30, else 0.0 (NaN stays NaN)."""
    day = np.floor(ts / DAY)
    sec = ts - day * DAY
    weekday = (np.nan_to_num(day).astype(np.int64) + 3) % 7
    outside = (sec < 7.5 * HOUR) | (sec >= 17.5 * HOUR) | (weekday >= 5)
    return np.asarray(np.where(np.isnan(ts), np.nan, outside.astype(np.float64)), dtype=np.float64)


def _lognormal_hours(rng: np.random.Generator, median: F, sigma: float) -> F:
    return np.asarray(np.exp(rng.normal(np.log(median), sigma)) * HOUR, dtype=np.float64)


def schedule(world: World, files: Files, control: Control, seed: int) -> Timeline:
    """Return the honest timeline of every declaration (schemes then move some steps)."""
    rng = stream(seed, Stream.TIMES)
    n = files.n
    opens, closes, days = world.hours_of(files.office)

    def office_hours(ts: F) -> F:
        return into_hours(ts, opens, closes, days, rng.random(n))

    profile = world.importer_profile[files.importer]
    slow = np.where(profile == Profile.COMPLEX_GOODS, rng.uniform(3.0, 6.0, n), 1.0)
    red = control.final == RED
    controlled = control.final >= YELLOW

    lodged = np.maximum(files.reg - rng.uniform(1.0, 90.0, n) * MINUTE, world.month_starts[0])
    # Assignment follows registration within minutes, also on the export date's last evening.
    last_second = np.maximum(files.reg, world.period_end - 1.0)
    assigned = np.minimum(files.reg + rng.uniform(0.5, 5.0, n) * MINUTE, last_second)
    moved = files.reassigned
    reassigned = np.where(
        moved, np.minimum(assigned + rng.uniform(10.0, 180.0, n) * MINUTE, last_second), np.nan
    )
    last = np.where(moved, reassigned, assigned)
    changed_mask = control.changed_by >= 0
    changed = office_hours(last + rng.uniform(0.2, 3.0, n) * HOUR)
    changed = np.where(changed_mask, np.minimum(changed, np.maximum(last, last_second)), np.nan)
    start = np.where(changed_mask, changed, last)

    started = office_hours(start + _lognormal_hours(rng, np.where(red, 8.0, 3.0), 0.7) * slow)
    done = office_hours(started + _lognormal_hours(rng, np.where(red, 3.0, 1.0), 0.5) * slow)
    assessed_controlled = office_hours(done + _lognormal_hours(rng, np.full(n, 2.0), 0.6) * slow)
    tail = rng.random(n) < 0.03
    assessed_controlled = np.where(
        tail, office_hours(assessed_controlled + rng.uniform(5.0, 25.0, n) * DAY), assessed_controlled
    )
    automatic = start + rng.uniform(1.0, 20.0, n) * MINUTE
    assessed = np.where(controlled, assessed_controlled, automatic)
    pending = rng.random(n) < 0.005  # never assessed within the period (documents awaited)
    assessed = np.where(pending, np.nan, assessed)

    # Payment: electronic at any hour, or at a bank counter in banking hours.
    paid = assessed + _lognormal_hours(rng, np.full(n, 4.0), 0.8)
    counter = rng.random(n) < 0.5
    bank = into_hours(
        paid, np.full(n, BANK_HOURS.open), np.full(n, BANK_HOURS.close), np.full(n, 5), rng.random(n)
    )
    paid = np.where(counter, bank, paid)
    ready = np.fmax(assessed, paid)

    release_wait = _lognormal_hours(rng, np.where(red, 6.0, 3.0), 0.6) * slow
    signed = office_hours(ready + release_wait)
    urgent = rng.random(n) < 0.02  # urgent consignments released when ready, hours or not
    signed = np.where(urgent, ready + release_wait, signed)
    # Perishables: every officer releases them on arrival, at night half of the time.
    perishable = (profile == Profile.PERISHABLE) & (rng.random(n) < 0.5)
    night = after_hours(ready, np.ones(n), rng.random(n))
    signed = np.where(perishable, night, signed)
    system = paid + rng.uniform(1.0, 40.0, n) * MINUTE
    if not world.system_releases_any_time:
        system = office_hours(system)
    released = np.where(controlled, signed, system)

    # Release before payment: deferment accounts pay 1–20 days after release; 0.5 % of files
    # otherwise (a guarantee lodged, payment confirmed late).
    deferred = profile == Profile.DEFERRED_PAYMENT
    later = rng.random(n) < 0.005
    deferred_paid = into_hours(
        released + rng.uniform(1.0, 20.0, n) * DAY,
        np.full(n, 8.0),
        np.full(n, 16.0),
        np.full(n, 5),
        rng.random(n),
    )
    paid = np.where(
        deferred, deferred_paid, np.where(later, released + rng.uniform(2.0, 72.0, n) * HOUR, paid)
    )
    exit_hours = np.exp(rng.normal(np.log(8.0), 1.0, n))
    return Timeline(
        lodged=lodged,
        assigned=assigned,
        reassigned=reassigned,
        changed=changed,
        inspection_started=np.where(controlled & control.logged, started, np.nan),
        inspection_done=np.where(controlled & control.logged, done, np.nan),
        assessed=assessed,
        paid=paid,
        ready=ready,
        released=released,
        exit_hours=exit_hours,
        exited=np.full(n, np.nan),
    )


def close_period(world: World, timeline: Timeline) -> None:
    """Cut the timeline at the export date: what happens later is not in the data yet, in place."""
    end = world.period_end
    t = timeline

    def by_end(ts: F) -> F:
        return np.asarray(np.where(ts > end, np.nan, ts), dtype=np.float64)

    t.exited = t.released + t.exit_hours * HOUR
    t.assessed = by_end(t.assessed)
    unassessed = np.isnan(t.assessed)
    t.paid = np.where(unassessed, np.nan, by_end(t.paid))
    t.released = np.where(unassessed, np.nan, by_end(t.released))
    t.exited = np.where(np.isnan(t.released), np.nan, by_end(t.exited))
    # An inspection is logged once its file is assessed: the result comes with the assessment.
    t.inspection_started = np.where(unassessed, np.nan, t.inspection_started)
    t.inspection_done = np.where(unassessed, np.nan, t.inspection_done)
