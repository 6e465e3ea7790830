"""Pure arithmetic for results: no database, so tests can feed literal rows.

Numbers here serve managerial dialogue and tracking change over time. Nothing computes a
single national "integrity score": the WCO publishes none and the issue forbids one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RATINGS = ("0", "1", "2", "3", "4", "na")
# Two groups whose mean maturity for a factor differs by at least this much are "divergent"
# (e.g. managers at 3.4 and officers at 1.8). One full step of the scale is a visible gap.
DIVERGENCE_THRESHOLD = 1.0
# Survey cells with fewer responses than this are suppressed (domain doc §9.3).
MIN_CELL = 10
Z95 = 1.96


@dataclass
class GroupStats:
    n: int = 0  # numeric answers (N/A excluded)
    total: int = 0
    mean: float | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))


@dataclass
class FactorStats:
    """Distribution of answers for one factor, overall and by respondent group."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    groups: dict[str, GroupStats] = field(default_factory=dict)
    mean: float | None = None
    divergence: float | None = None
    high_group: str = ""
    low_group: str = ""

    @property
    def divergent(self) -> bool:
        return self.divergence is not None and self.divergence >= DIVERGENCE_THRESHOLD

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


def _mean(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def factor_statistics(rows: Iterable[tuple[str, str | None, str]]) -> dict[str, FactorStats]:
    """Aggregate (factor code, group, rating) rows into per-factor statistics.

    A row whose group is None counts in the factor's totals only (a group too small to show).

    Example:
        >>> s = factor_statistics([("F1", "manager", "4"), ("F1", "officer", "1"), ("F1", "officer", "na")])
        >>> s["F1"].divergence, s["F1"].high_group, s["F1"].counts["na"]
        (3.0, 'manager', 1)
    """
    values: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    all_values: dict[str, list[int]] = defaultdict(list)
    result: dict[str, FactorStats] = defaultdict(FactorStats)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    group_counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(RATINGS, 0))
    for factor, group, rating in rows:
        if rating not in RATINGS:
            raise ValueError(f"rating {rating!r} is not one of {', '.join(RATINGS)}")
        stats = result[factor]
        stats.counts[rating] += 1
        if rating != "na":
            all_values[factor].append(int(rating))
        if group is None:
            continue
        totals[factor][group] += 1
        group_counts[(factor, group)][rating] += 1
        if rating != "na":
            values[factor][group].append(int(rating))
    for factor, stats in result.items():
        for group, total in totals[factor].items():
            group_values = values[factor][group]
            stats.groups[group] = GroupStats(
                n=len(group_values),
                total=total,
                mean=_mean(group_values),
                counts=group_counts[(factor, group)],
            )
        stats.mean = _mean(all_values[factor])
        means = {g: s.mean for g, s in stats.groups.items() if s.mean is not None}
        if len(means) >= 2:
            stats.high_group = max(means, key=lambda g: means[g])
            stats.low_group = min(means, key=lambda g: means[g])
            stats.divergence = round(means[stats.high_group] - means[stats.low_group], 2)
    return dict(result)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for a proportion, as fractions (robust for small n and 0%/100%)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def sample_size(population: int | None, margin: float, *, z: float = Z95, p: float = 0.5) -> int:
    """Respondents needed: n = N·z²p(1−p) / (e²(N−1) + z²p(1−p)); infinite N when None.

    Example:
        >>> sample_size(None, 0.05), sample_size(1000, 0.05)
        (385, 278)
    """
    if not 0 < margin < 1:
        raise ValueError("the margin of error must be between 0 and 1 (e.g. 0.05 for ±5 points)")
    base = z * z * p * (1 - p)
    if population is None:
        return math.ceil(base / (margin * margin))
    if population < 1:
        raise ValueError("the population must be at least 1")
    return math.ceil(population * base / (margin * margin * (population - 1) + base))


@dataclass
class Proportion:
    """A share of favourable answers with its 95% interval, or suppressed when n < `minimum`."""

    n: int
    favourable: int
    # People behind the cell when n counts answers pooled over several items; suppression
    # is about people, so it uses this when given.
    respondents: int | None = None
    # Hidden although large enough, so that a small cell cannot be worked out by subtraction.
    withheld: bool = False
    # Fewest respondents shown: MIN_CELL, or the campaigns' minimum group size when larger.
    minimum: int = MIN_CELL

    @property
    def people(self) -> int:
        return self.respondents if self.respondents is not None else self.n

    @property
    def suppressed(self) -> bool:
        return self.withheld or self.people < self.minimum

    @property
    def percent(self) -> float | None:
        return None if self.suppressed else round(100 * self.favourable / self.n, 1)

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.suppressed:
            return None
        low, high = wilson_interval(self.favourable, self.n)
        return round(100 * low, 1), round(100 * high, 1)


def is_favourable(kind: str, value: int, *, reverse: bool) -> bool:
    """Return whether an answer is favourable to integrity.

    Likert and frequency use 1..5 (4–5 favourable; 1–2 when reversed); yes/no and
    experience use 1 = yes (favourable unless reversed).
    """
    if kind in ("likert5", "frequency"):
        return value <= 2 if reverse else value >= 4
    return value == 0 if reverse else value == 1


def change_is_clear(before: Proportion, after: Proportion) -> bool:
    """Conservative test: the two 95% intervals do not overlap."""
    if before.interval is None or after.interval is None:
        return False
    return before.interval[1] < after.interval[0] or after.interval[1] < before.interval[0]


def suppress_complements(cells: list[Proportion]) -> None:
    """Withhold a second cell when a breakdown hides exactly one non-empty cell.

    The total is published, so a single hidden cell could be rebuilt as the total minus the
    cells shown; hiding the next-smallest cell as well prevents that (complementary suppression).
    """
    hidden = [c for c in cells if c.suppressed and c.people > 0]
    shown = [c for c in cells if not c.suppressed]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda c: c.people).withheld = True


@dataclass(frozen=True)
class GroupPooling:
    """Which respondent groups a breakdown may not show on their own.

    `pooled` groups are shown together as one "other groups" row when `pool_shown`, else only
    in the totals. A group outside `pooled` is shown on its own.
    """

    pooled: frozenset[str] = frozenset()
    pool_shown: bool = False

    def label_of(self, group: str) -> str | None:
        """The key `group` is shown under: itself, the pool's (`OTHER_GROUPS`), or None (totals only)."""
        if group not in self.pooled:
            return group
        return OTHER_GROUPS if self.pool_shown else None


OTHER_GROUPS = "other"


def group_pooling(sizes: Mapping[str, int], *, minimum: int) -> GroupPooling:
    """Decide which groups a breakdown pools so that none smaller than `minimum` stands alone.

    `sizes` gives, for every group in the breakdown, the number of people it must hide (the
    anonymous answers of a group, or the people invited from it); a group of 0 has nothing to
    hide and is shown. A group of 1 to `minimum` - 1 is pooled. Because the totals are shown, a
    pool of one group could be rebuilt as the total minus the groups shown, so more groups join
    the pool, smallest first, until it holds at least `minimum` people from two groups or more.
    When no such pool can be made, no group is shown on its own (complementary suppression, as
    `suppress_complements` does for surveys).

    Example:
        >>> group_pooling({"hq": 5, "manager": 4, "officer": 1}, minimum=3)
        GroupPooling(pooled=frozenset({'manager', 'officer'}), pool_shown=True)
        >>> group_pooling({"manager": 0, "officer": 1}, minimum=3).pooled == {"manager", "officer"}
        True
    """
    hiding = {group: n for group, n in sizes.items() if n > 0}
    pooled = {group for group, n in hiding.items() if n < minimum}
    if not pooled:
        return GroupPooling()
    candidates = sorted((g for g in hiding if g not in pooled), key=lambda g: (hiding[g], g))

    def safe() -> bool:
        return len(pooled) >= 2 and sum(hiding[g] for g in pooled) >= minimum

    while not safe() and candidates:
        pooled.add(candidates.pop(0))
    if not safe():
        return GroupPooling(pooled=frozenset(sizes), pool_shown=False)
    # A pool of every group would only repeat the totals.
    return GroupPooling(pooled=frozenset(pooled), pool_shown=len(pooled) < len(sizes))
