"""Rating arithmetic: score = likelihood × impact, band from the matrix overrides or the score.

Kept free of views so the register, the heat maps, the replay and the XLSX import all band a
rating the same way. ``Matrix.load()`` reads the configuration once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Axis, Band, MatrixCell, ScaleLevel

NO_BAND_COLOR = "#eef1f4"


@dataclass
class Matrix:
    """Scales, bands and cell overrides, as configured."""

    likelihood_levels: list[ScaleLevel]
    impact_levels: list[ScaleLevel]
    bands: list[Band]
    overrides: dict[tuple[int, int], Band] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Matrix:
        levels = list(ScaleLevel.objects.all())
        bands = list(Band.objects.all())
        by_pk = {b.pk: b for b in bands}
        overrides = {(c.likelihood, c.impact): by_pk[c.band_id] for c in MatrixCell.objects.all()}
        return cls(
            likelihood_levels=[lv for lv in levels if lv.axis == Axis.LIKELIHOOD],
            impact_levels=[lv for lv in levels if lv.axis == Axis.IMPACT],
            bands=bands,
            overrides=overrides,
        )

    @property
    def max_likelihood(self) -> int:
        return max((lv.value for lv in self.likelihood_levels), default=5)

    @property
    def max_impact(self) -> int:
        return max((lv.value for lv in self.impact_levels), default=5)

    def band(self, likelihood: int | None, impact: int | None) -> Band | None:
        """The band of a rating; None when the rating is incomplete or no band covers its score."""
        if not likelihood or not impact:
            return None
        if (likelihood, impact) in self.overrides:
            return self.overrides[(likelihood, impact)]
        score = likelihood * impact
        for band in self.bands:
            if band.min_score <= score <= band.max_score:
                return band
        return None

    def color(self, likelihood: int | None, impact: int | None) -> str:
        band = self.band(likelihood, impact)
        return band.color if band else NO_BAND_COLOR

    def rank(self, band: Band | None) -> int:
        """Position of a band from the lowest (0); -1 for no band."""
        return self.bands.index(band) if band in self.bands else -1

    def valid(self, axis: str, value: int | None) -> bool:
        if value is None:
            return True
        levels = self.likelihood_levels if axis == Axis.LIKELIHOOD else self.impact_levels
        return value in {lv.value for lv in levels}


def score(likelihood: int | None, impact: int | None) -> int | None:
    return likelihood * impact if likelihood and impact else None


def band_overlaps(bands: list[tuple[str, int, int]]) -> list[str]:
    """Messages for bands whose score ranges overlap, leave a gap or are inverted (code, min, max)."""
    problems = []
    for code, low, high in bands:
        if low > high:
            problems.append(f"{code}: {low} > {high}")
    ordered = sorted(bands, key=lambda b: b[1])
    for (code_a, _la, high_a), (code_b, low_b, _hb) in zip(ordered, ordered[1:], strict=False):
        if low_b <= high_a:
            problems.append(f"{code_a} / {code_b}")
        elif low_b > high_a + 1:
            # A gap would leave rated risks without a band: they would look unrated.
            problems.append(f"{code_a} / {code_b}: {high_a + 1}–{low_b - 1} ∅")
    return problems
