"""Rating arithmetic and banding, with the default and with a custom matrix."""

from __future__ import annotations

import pytest

from arusha_web.risks.models import Band, MatrixCell, ScaleLevel
from arusha_web.risks.rating import Matrix, band_overlaps, score

pytestmark = pytest.mark.django_db


def test_default_matrix_bands_the_product_of_likelihood_and_impact():
    matrix = Matrix.load()
    assert score(4, 3) == 12
    assert matrix.band(1, 4).code == "low"
    assert matrix.band(1, 5).code == "medium"
    assert matrix.band(3, 3).code == "medium"
    assert matrix.band(2, 5).code == "high"
    assert matrix.band(4, 4).code == "high"
    assert matrix.band(5, 4).code == "critical"
    assert matrix.band(None, 4) is None and score(None, 4) is None


def test_a_custom_three_level_matrix_with_a_cell_override():
    # A 3 × 3 administration: drop levels 4 and 5, two bands, impact 3 always "red".
    ScaleLevel.objects.filter(value__gt=3).delete()
    Band.objects.all().delete()
    green = Band.objects.create(code="green", label_en="Green", min_score=1, max_score=3, color="#00ff00")
    red = Band.objects.create(code="red", label_en="Red", min_score=4, max_score=9, color="#ff0000")
    MatrixCell.objects.create(likelihood=1, impact=3, band=red)
    matrix = Matrix.load()
    assert (matrix.max_likelihood, matrix.max_impact) == (3, 3)
    assert matrix.band(1, 2) == green  # score 2
    assert matrix.band(1, 3) == red  # score 3 would be green; the cell says red
    assert matrix.band(2, 2) == red  # score 4
    assert matrix.color(3, 1) == "#00ff00"
    assert matrix.rank(red) > matrix.rank(green)
    assert not matrix.valid("likelihood", 4) and matrix.valid("impact", 3)


def test_a_score_outside_every_band_has_no_band():
    Band.objects.filter(code="critical").delete()
    assert Matrix.load().band(5, 5) is None


def test_band_overlaps_are_named():
    assert band_overlaps([("low", 1, 4), ("mid", 5, 9)]) == []
    assert band_overlaps([("low", 1, 5), ("mid", 5, 9)]) == ["low / mid"]
    assert band_overlaps([("odd", 9, 2)]) == ["odd: 9 > 2"]
    assert band_overlaps([("low", 1, 4), ("mid", 7, 9)]) == ["low / mid: 5–6 ∅"]
