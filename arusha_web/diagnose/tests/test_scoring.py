"""Scoring and divergence on literal data."""

from __future__ import annotations

import pytest

from arusha_web.diagnose.scoring import (
    Proportion,
    change_is_clear,
    factor_statistics,
    is_favourable,
    sample_size,
    suppress_complements,
    wilson_interval,
)

ROWS = [
    # factor, group, rating
    ("F8", "manager", "4"),
    ("F8", "manager", "3"),
    ("F8", "officer", "1"),
    ("F8", "officer", "2"),
    ("F8", "officer", "na"),
    ("F1", "manager", "3"),
    ("F1", "officer", "3"),
    ("F1", "hq", "2"),
]


def test_it_counts_the_distribution_including_na():
    stats = factor_statistics(ROWS)
    assert stats["F8"].counts == {"0": 0, "1": 1, "2": 1, "3": 1, "4": 1, "na": 1}
    assert stats["F8"].answered == 5


def test_group_means_ignore_na_and_divergence_is_highest_minus_lowest():
    f8 = factor_statistics(ROWS)["F8"]
    assert f8.groups["manager"].mean == 3.5
    assert (
        f8.groups["officer"].mean == 1.5 and f8.groups["officer"].n == 2 and f8.groups["officer"].total == 3
    )
    assert f8.mean == 2.5
    assert (f8.high_group, f8.low_group, f8.divergence) == ("manager", "officer", 2.0)
    assert f8.divergent


def test_a_gap_under_one_point_is_not_divergent():
    f1 = factor_statistics(ROWS)["F1"]
    assert f1.divergence == 1.0 and f1.divergent  # 3 (managers, officers) vs 2 (hq)
    only_small = factor_statistics([("F2", "manager", "3"), ("F2", "officer", "2"), ("F2", "officer", "3")])
    assert only_small["F2"].divergence == 0.5 and not only_small["F2"].divergent


def test_one_group_only_has_no_divergence():
    stats = factor_statistics([("F3", "officer", "1"), ("F3", "officer", "4")])
    assert stats["F3"].divergence is None and not stats["F3"].divergent


def test_a_rating_off_the_scale_is_refused():
    with pytest.raises(ValueError, match="'5' is not one of"):
        factor_statistics([("F1", "officer", "5")])


def test_sample_size_matches_the_formula():
    # n = N z² p(1-p) / (e² (N-1) + z² p(1-p)) with z = 1.96, p = .5
    assert sample_size(None, 0.05) == 385
    assert sample_size(1000, 0.05) == 278
    assert sample_size(500, 0.03) == 341
    with pytest.raises(ValueError):
        sample_size(100, 0)


def test_wilson_interval_is_inside_0_1_and_around_p():
    low, high = wilson_interval(0, 20)
    assert low == 0 and 0.15 < high < 0.17
    low, high = wilson_interval(50, 100)
    assert round(low, 3) == 0.404 and round(high, 3) == 0.596


def test_cells_under_ten_are_suppressed():
    assert Proportion(n=9, favourable=9).suppressed
    assert Proportion(n=9, favourable=9).percent is None and Proportion(n=9, favourable=9).interval is None
    assert not Proportion(n=10, favourable=5).suppressed and Proportion(n=10, favourable=5).percent == 50.0
    # Pooled answers of 9 people stay suppressed even if they make 18 answers.
    assert Proportion(n=18, favourable=9, respondents=9).suppressed


def test_a_single_hidden_cell_hides_the_next_smallest_too():
    small, mid, big = (
        Proportion(n=5, favourable=5),
        Proportion(n=12, favourable=6),
        Proportion(n=40, favourable=9),
    )
    suppress_complements([big, small, mid])
    assert small.suppressed and mid.withheld and mid.suppressed and not big.suppressed
    # Two hidden cells already protect each other; an empty cell reveals nothing.
    a, b, c = Proportion(n=5, favourable=1), Proportion(n=3, favourable=1), Proportion(n=40, favourable=9)
    suppress_complements([a, b, c])
    assert not c.suppressed
    empty, d, e = (
        Proportion(n=0, favourable=0),
        Proportion(n=12, favourable=1),
        Proportion(n=40, favourable=9),
    )
    suppress_complements([empty, d, e])
    assert not d.suppressed and not e.suppressed


def test_favourable_answers_follow_the_item_direction():
    assert is_favourable("likert5", 4, reverse=False) and not is_favourable("likert5", 3, reverse=False)
    assert is_favourable("frequency", 1, reverse=True)
    assert is_favourable("experience_12m", 0, reverse=True) and not is_favourable(
        "experience_12m", 1, reverse=True
    )


def test_a_change_is_clear_only_when_intervals_do_not_overlap():
    assert change_is_clear(Proportion(n=100, favourable=30), Proportion(n=100, favourable=60))
    assert not change_is_clear(Proportion(n=100, favourable=45), Proportion(n=100, favourable=52))
