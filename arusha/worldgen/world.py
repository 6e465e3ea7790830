"""The administration and its traders: offices, officers, brokers, importers, and who files what, where, when.

Why a world rather than flat draws: integrity detection compares an officer with the peers who could
have handled the same files, so the data needs the structure of a real administration: offices of
very different sizes, officers who join, leave and take leave, importers who mostly use one office
and one broker, and officers assigned at random among those on duty. Everything here is honest;
``confounders.py`` gives some entities honest reasons to look unusual and ``schemes.py`` plants the
dishonest behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
B = npt.NDArray[np.bool_]
S = npt.NDArray[np.str_]

HOUR: Final = 3600.0
DAY: Final = 24 * HOUR
ID_STYLES: Final = ("plain", "numeric")

OFFICE_CODES: Final = (
    "PORT1", "AIRPT", "NBORD", "DRYPT", "PORT2", "SBORD", "EBORD", "WBORD", "RAIL1", "POST1",
    "LAKE1", "ICD01", "AIRP2", "FTZ01", "PORT3", "CBORD", "RAIL2", "POST2", "ICD02", "PORT4",
)  # fmt: skip
TRANSPORT_BY_PREFIX: Final = {"PORT": "sea", "LAKE": "sea", "AIRP": "air", "RAIL": "rail", "POST": "post"}


class Stream(IntEnum):
    """One random stream per concern: ``np.random.default_rng([seed, stream, ...])``.

    Why: adding a scheme, or switching confounders off, must not reshuffle the honest draws of
    everything else, so that worlds with and without schemes differ only where a scheme acts.
    """

    WORLD = 1
    CONFOUNDERS = 2
    FILES = 3
    GOODS = 4
    CHANNELS = 5
    OUTCOMES = 6
    TIMES = 7
    SCHEME_CHOICE = 8
    SCHEME_EFFECTS = 9
    IDS = 10
    TABLES = 11
    REASSIGNMENT = 12


def stream(seed: int, which: Stream, *more: int) -> np.random.Generator:
    """Return the random generator of one concern (and sub-key) for ``seed``."""
    return np.random.default_rng([seed, int(which), *more])


class Profile(IntEnum):
    """An importer's honest reason to look unusual (``confounders.py`` assigns them)."""

    ORDINARY = 0
    DEFERRED_PAYMENT = 1  # authorised to pay after release (guarantee / deferment account)
    HABITUAL_UNDERVALUER = 2  # declares low values but holds a good record: selectivity passes it green
    CHEAP_SUPPLIER = 3  # buys genuinely cheap goods: low unit values that are true
    COMPLEX_GOODS = 4  # machinery, chemicals: slow checks by every officer
    PERISHABLE = 5  # fish, fruit, vegetables: cleared at night by every officer
    ROUND_PRICES = 6  # fixed-price contracts: invoice values in whole thousands


@dataclass(frozen=True)
class OfficeHours:
    """When an office's officers work: ``open``–``close`` (hours of the day), the first ``days`` weekdays."""

    open: float
    close: float
    days: int  # 5: Monday–Friday, 6: Monday–Saturday, 7: every day


WEEKDAY_HOURS: Final = OfficeHours(7.5, 17.5, 5)
EXTENDED_HOURS: Final = OfficeHours(6.0, 22.0, 6)
ROUND_THE_CLOCK: Final = OfficeHours(0.0, 24.0, 7)
BANK_HOURS: Final = OfficeHours(8.0, 16.0, 5)


@dataclass(frozen=True)
class Parameters:
    """Every argument of ``generate_world``, with the defaults resolved to the values used."""

    n: int
    seed: int
    months: int
    start: str
    offices: int
    officers_per_office: int
    importers: int
    declarants: int
    schemes_per_kind: int
    schemes: bool
    confounders: bool
    id_style: str

    @classmethod
    def resolve(
        cls,
        n: int,
        seed: int,
        months: int,
        start: str,
        offices: int,
        officers_per_office: int | None,
        importers: int | None,
        declarants: int | None,
        schemes_per_kind: int,
        schemes: bool,
        confounders: bool,
        id_style: str,
    ) -> Parameters:
        """Return the parameters with defaults filled in; raise ValueError on impossible values."""
        if n < 500:
            raise ValueError("n must be at least 500 declarations")
        if seed < 0:
            raise ValueError("seed must be >= 0")
        if not 1 <= months <= 36:
            raise ValueError("months must be between 1 and 36")
        if offices < 1:
            raise ValueError("offices must be >= 1")
        if schemes_per_kind < 0:
            raise ValueError("schemes_per_kind must be >= 0")
        if id_style not in ID_STYLES:
            raise ValueError(f"id_style must be one of {', '.join(ID_STYLES)}")
        np.datetime64(start, "D")  # raises on a date that cannot be read
        per_office = officers_per_office or int(np.clip(round(n / (offices * 800)), 8, 40))
        return cls(
            n=n,
            seed=seed,
            months=months,
            start=start,
            offices=offices,
            officers_per_office=max(per_office, 4),
            importers=importers or max(50, round(n / 15)),
            declarants=declarants or int(np.clip(round(n / 1500), 40, 3000)),
            schemes_per_kind=schemes_per_kind,
            schemes=schemes,
            confounders=confounders,
            id_style=id_style,
        )


@dataclass
class World:
    """The entities of the administration and their honest attributes (indexes are positions)."""

    month_starts: F  # epoch seconds; months + 1 entries, the last one the end of the period
    month_labels: list[str]  # "YYYY-MM"
    office_codes: S
    office_size: F  # share of the filing volume
    office_hours: list[OfficeHours]
    volume: F  # (offices, months): relative filing volume, season and growth included
    officer_ids: S
    officer_office: I
    seniority: F  # years of service
    chief: B  # the most senior officer of each office
    strict: B  # strict senior officers (a confounder)
    active: B  # (officers, months): on duty that month
    declarant_ids: S
    importer_ids: S
    importer_weight: F
    importer_home: I  # office where the importer files most of its declarations
    importer_broker: I  # its usual declarant
    importer_profile: I  # Profile
    inspection_waiver_rate: float = 0.0  # red files released without inspection events, honestly
    system_releases_any_time: bool = False  # automatic releases outside office hours

    @property
    def months(self) -> int:
        """Return the number of calendar months covered."""
        return int(self.month_starts.size - 1)

    @property
    def period_end(self) -> float:
        """Return the end of the period (epoch seconds): the export date."""
        return float(self.month_starts[-1])

    def hours_of(self, office: I) -> tuple[F, F, I]:
        """Return the opening hour, closing hour and open weekdays of each file's office."""
        opens = np.array([h.open for h in self.office_hours])
        closes = np.array([h.close for h in self.office_hours])
        days = np.array([h.days for h in self.office_hours], dtype=np.int64)
        return opens[office], closes[office], days[office]


@dataclass
class Files:
    """Who files what, where and when: one entry per declaration, in registration order."""

    month: I
    office: I
    reg: F  # registration, epoch seconds
    importer: I
    declarant: I
    officer_first: I  # the officer the file was first assigned to
    officer: I  # the officer who handled it (differs when it was reassigned)

    @property
    def n(self) -> int:
        """Return the number of declarations."""
        return int(self.month.size)

    @property
    def reassigned(self) -> B:
        """Return which files moved to another officer after their first assignment."""
        return np.asarray(self.officer != self.officer_first, dtype=np.bool_)


def zipf_weights(n: int, s: float, offset: float = 0.0) -> F:
    """Return normalised Zipf(-Mandelbrot) weights ``1 / (k + offset) ** s`` for ranks 1..n."""
    w = 1.0 / (np.arange(1, n + 1) + offset) ** s
    return np.asarray(w / w.sum(), dtype=np.float64)


def build_world(p: Parameters) -> World:
    """Return the administration with honest attributes only (no confounder yet)."""
    rng = stream(p.seed, Stream.WORLD)
    first = np.datetime64(p.start, "D")
    bounds = [first] + [
        (np.datetime64(str(first)[:7], "M") + k).astype("datetime64[D]") for k in range(1, p.months + 1)
    ]
    month_starts = np.array([b.astype("datetime64[s]").astype(np.int64) for b in bounds], dtype=np.float64)
    labels = [str(np.datetime64(str(first)[:7], "M") + k) for k in range(p.months)]

    size = zipf_weights(p.offices, 0.7)
    # Staff follows volume, but less than proportionally: small offices keep a minimum team.
    staff = np.maximum(6, np.round(p.officers_per_office * np.clip(np.sqrt(size * p.offices), 0.5, 2.0)))
    officer_office = np.repeat(np.arange(p.offices), staff.astype(np.int64))
    n_officers = officer_office.size
    seniority = np.round(rng.uniform(0.5, 32.0, n_officers), 1)
    chief = np.zeros(n_officers, dtype=np.bool_)
    for o in range(p.offices):
        members = np.flatnonzero(officer_office == o)
        chief[members[np.argmax(seniority[members])]] = True

    # Importer and broker volumes are Zipf-like; the offset keeps the largest importer near 1.4 %
    # of the volume (1 / 9 / ln(20000 / 9)) and the ten largest near 12 %, as in a real register,
    # where a pure power law would give the largest importer 10 %.
    importer_weight = rng.permutation(zipf_weights(p.importers, 1.0, 8.0))
    importer_home = rng.choice(p.offices, p.importers, p=size)
    broker_weight = rng.permutation(zipf_weights(p.declarants, 0.9))
    importer_broker = rng.choice(p.declarants, p.importers, p=broker_weight)

    office_codes, officer_ids, declarant_ids, importer_ids = _entity_ids(p, officer_office)
    return World(
        month_starts=month_starts,
        month_labels=labels,
        office_codes=office_codes,
        office_size=size,
        office_hours=[WEEKDAY_HOURS] * p.offices,
        volume=np.repeat(size[:, None], p.months, axis=1),
        officer_ids=officer_ids,
        officer_office=officer_office.astype(np.int64),
        seniority=seniority,
        chief=chief,
        strict=np.zeros(n_officers, dtype=np.bool_),
        active=np.ones((n_officers, p.months), dtype=np.bool_),
        declarant_ids=declarant_ids,
        importer_ids=importer_ids,
        importer_weight=importer_weight,
        importer_home=importer_home.astype(np.int64),
        importer_broker=importer_broker.astype(np.int64),
        importer_profile=np.zeros(p.importers, dtype=np.int64),
    )


def plain_office_codes(k: int) -> list[str]:
    return [OFFICE_CODES[i] if i < len(OFFICE_CODES) else f"OFF{i + 1:02d}" for i in range(k)]


def transport_of(office_code: str) -> str:
    """Return the usual transport mode at an office, from its plain code (road when unknown)."""
    return TRANSPORT_BY_PREFIX.get(office_code[:4], "road")


def _distinct_numbers(rng: np.random.Generator, low: int, high: int, k: int) -> list[str]:
    """Return ``k`` distinct random integers in [low, high) as strings, in draw order."""
    draws = rng.integers(low, high, 2 * k + 16)
    _, first = np.unique(draws, return_index=True)
    return [str(v) for v in draws[np.sort(first)][:k]]


def _entity_ids(p: Parameters, officer_office: I) -> tuple[S, S, S, S]:
    """Return office, officer, declarant and importer ids in the requested style.

    Why two styles: downstream code must not rely on an id's shape (an officer id that starts with
    ``O-`` and carries its office), so "numeric" ids look like staff and taxpayer numbers instead.
    The lengths differ by entity type, so an officer id never equals a declarant's.
    """
    rng = stream(p.seed, Stream.IDS)
    plain = plain_office_codes(p.offices)
    rank = np.arange(officer_office.size) - np.searchsorted(officer_office, officer_office)
    if p.id_style == "numeric":
        offices = _distinct_numbers(rng, 1000, 10_000, p.offices)
        officers = _distinct_numbers(rng, 10_000, 100_000, officer_office.size)
        declarants = _distinct_numbers(rng, 100_000, 1_000_000, p.declarants)
        importers = _distinct_numbers(rng, 100_000_000, 1_000_000_000, p.importers)
    else:
        offices = plain
        officers = [f"O-{plain[o]}-{k + 1:02d}" for o, k in zip(officer_office, rank, strict=True)]
        declarants = [f"D-{k:04d}" for k in range(1, p.declarants + 1)]
        importers = [f"I-{k:05d}" for k in range(1, p.importers + 1)]
    return np.array(offices), np.array(officers), np.array(declarants), np.array(importers)


def declaration_ids(p: Parameters, n: int) -> list[str]:
    """Return declaration ids that increase with registration time, in the requested style."""
    if p.id_style == "numeric":
        year = int(p.start[:4])
        return [str(year * 10**9 + k) for k in range(1, n + 1)]
    return [f"DEC-{k:08d}" for k in range(1, n + 1)]


class Roster:
    """The officers on duty at each office in each month, for random assignment.

    A file registered in the last week of a month goes to an officer also on duty the next month:
    files are not handed to someone about to leave or go on leave, who could not finish them.
    """

    HANDOVER_DAYS = 7

    def __init__(self, world: World) -> None:
        offices, months = world.volume.shape
        width = int(np.bincount(world.officer_office).max())
        self.months = months
        self.month_ends = world.month_starts[1:]
        self.count = np.zeros(offices * months * 2, dtype=np.int64)
        self.members = np.full((offices * months * 2, width), -1, dtype=np.int64)
        staying = np.concatenate(
            [world.active[:, 1:], np.ones((world.active.shape[0], 1), dtype=bool)], axis=1
        )
        for o in range(offices):
            staff = np.flatnonzero(world.officer_office == o)
            for m in range(months):
                for late, on_duty in enumerate(
                    (staff[world.active[staff, m]], staff[world.active[staff, m] & staying[staff, m]])
                ):
                    cell = (o * months + m) * 2 + late
                    self.count[cell] = on_duty.size
                    self.members[cell, : on_duty.size] = on_duty
        if (self.count == 0).any():
            raise ValueError("an office has no officer on duty in some month")

    def _cell(self, office: I, month: I, reg: F) -> I:
        late = reg >= self.month_ends[month] - self.HANDOVER_DAYS * DAY
        return np.asarray((office * self.months + month) * 2 + late, dtype=np.int64)

    def draw(self, office: I, month: I, reg: F, u: F) -> I:
        """Return an officer drawn at random (``u`` uniform) among those on duty at the office that month."""
        cell = self._cell(office, month, reg)
        pos = np.minimum((u * self.count[cell]).astype(np.int64), self.count[cell] - 1)
        return np.asarray(self.members[cell, pos], dtype=np.int64)

    def other(self, office: I, month: I, reg: F, officer: I, u: F) -> I:
        """Return an officer on duty other than ``officer`` (the same one when alone on duty)."""
        drawn = self.draw(office, month, reg, u)
        cell = self._cell(office, month, reg)
        same = drawn == officer
        pos = np.argmax(self.members[cell] == officer[:, None], axis=1)
        following = self.members[cell, (pos + 1) % self.count[cell]]
        return np.asarray(np.where(same, following, drawn), dtype=np.int64)


def draw_files(world: World, n: int, seed: int, roster: Roster) -> Files:
    """Return who files what, where and when, with the first (random) assignment to an officer.

    Volume per office and month follows ``world.volume`` (office size, season, growth). Brokers
    lodge electronically: mostly in office hours on working days, some in the evening or at weekends.
    Importers file 85 % of their declarations at their home office and use their usual broker 90 %
    of the time. Officers are assigned at random among those on duty at the office that month (the
    benchmark of random assignment that pairing indicators test against).
    """
    rng = stream(seed, Stream.FILES)
    offices, months = world.volume.shape
    days_in = np.diff(world.month_starts) / DAY
    weights = (world.volume * days_in[None, :]).ravel()
    cell = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(n), side="right")
    cell = np.minimum(cell, weights.size - 1)
    office, month = cell // months, cell % months

    day = np.floor(rng.random(n) * days_in[month])
    first_day = world.month_starts[month] / DAY
    _, _, open_days = world.hours_of(office)
    weekday = (first_day + day).astype(np.int64) + 3
    weekday %= 7  # 0 = Monday: 1970-01-01 was a Thursday
    # Most weekend lodgings at offices closed that day move to the Friday before (or the Monday after).
    closed = (weekday >= open_days) & (rng.random(n) < 0.85)
    back = day - (weekday - open_days + 1)
    forward = day + (7 - weekday)
    day = np.where(closed, np.where(back >= 0, back, np.minimum(forward, days_in[month] - 1)), day)
    round_clock = open_days == 7
    in_hours = rng.uniform(7.5, 17.5, n)
    any_hour = rng.uniform(0.0, 24.0, n)
    evening = rng.random(n) < np.where(round_clock, 0.6, 0.15)
    hour = np.where(evening, any_hour, in_hours)
    reg = world.month_starts[month] + day * DAY + hour * HOUR
    order = np.argsort(reg, kind="stable")  # declaration ids increase with registration time
    office, month, reg = office[order], month[order], reg[order]

    importer = np.empty(n, dtype=np.int64)
    u_pool, u_pick = rng.random(n), rng.random(n)
    everyone = np.cumsum(world.importer_weight) / world.importer_weight.sum()
    for o in range(offices):
        rows = np.flatnonzero(office == o)
        home = np.flatnonzero(world.importer_home == o)
        if home.size == 0:
            home = np.arange(world.importer_weight.size)
        cum = np.cumsum(world.importer_weight[home]) / world.importer_weight[home].sum()
        local = home[np.minimum(np.searchsorted(cum, u_pick[rows], side="right"), home.size - 1)]
        anywhere = np.minimum(np.searchsorted(everyone, u_pick[rows], side="right"), everyone.size - 1)
        importer[rows] = np.where(u_pool[rows] < 0.85, local, anywhere)
    n_decl = world.declarant_ids.size
    other_broker = rng.choice(n_decl, n, p=zipf_weights(n_decl, 0.9))
    declarant = np.where(rng.random(n) < 0.9, world.importer_broker[importer], other_broker)
    officer = roster.draw(office, month, reg, rng.random(n))
    return Files(
        month=month.astype(np.int64),
        office=office.astype(np.int64),
        reg=reg,
        importer=importer,
        declarant=declarant.astype(np.int64),
        officer_first=officer,
        officer=officer.copy(),
    )


def reassign_background(files: Files, roster: Roster, seed: int) -> None:
    """Move 1.5 % of files to another officer on duty (workload balancing, absences): honest reassignments."""
    rng = stream(seed, Stream.REASSIGNMENT)
    move = rng.random(files.n) < 0.015
    u = rng.random(files.n)
    rows = np.flatnonzero(move)
    files.officer[rows] = roster.other(
        files.office[rows], files.month[rows], files.reg[rows], files.officer[rows], u[rows]
    )
