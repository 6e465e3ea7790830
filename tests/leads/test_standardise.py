"""Expected rates from other staff's comparable files, by hand."""

from __future__ import annotations

import numpy as np

from arusha.leads.standardise import combine, expected_rates


def test_each_file_expects_what_the_other_officers_did_in_its_stratum() -> None:
    # Stratum 0: officer A relaxes 2 of 2, B 1 of 4, C 0 of 2. Stratum 1: A 0 of 1, B 1 of 1.
    actor = np.array([0, 0, 1, 1, 1, 1, 2, 2, 0, 1])
    stratum = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    event = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 1], dtype=float)
    rate, ok = expected_rates(actor, [stratum], event, shrink=0, min_comparators=1)
    # A in stratum 0: others 1 of 6; B: others 2 of 4; C: others 3 of 6. A in stratum 1: B's 1 of 1.
    assert rate.round(4).tolist() == [0.1667, 0.1667, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0, 0.0]
    assert ok.all()
    # A's expected count: 2 × 1/6 + 1 × 1 = 1.33, against 2 observed.
    assert round(float(rate[actor == 0].sum()), 2) == 1.33


def test_a_stratum_with_few_comparable_files_borrows_from_its_parent() -> None:
    # Parent (office): the others relax 10 of 100. Child (importer): the others handled 2 files, both relaxed.
    actor = np.array([0] + [1] * 100 + [0])
    office = np.zeros(102, dtype=np.int64)
    importer = np.array([0] + [1] * 98 + [0, 0] + [0])
    event = np.zeros(102)
    event[1:11] = 1  # officer 1's relaxations in importer 1
    event[99:101] = 1  # his two files of importer 0, both relaxed
    rate, _ok = expected_rates(actor, [office, importer], event, shrink=10, min_comparators=1)
    parent = (12 + 10 * (12.5 / 103)) / (
        100 + 10
    )  # others' 12 of 100, shrunk toward the overall (12 + ½)/(102 + 1)
    child = (2 + 10 * parent) / (2 + 10)
    assert np.isclose(rate[0], child) and np.isclose(rate[-1], child)


def test_files_without_enough_comparable_files_are_left_out_and_counted() -> None:
    # Office 1 has a single officer: nobody to compare him with.
    actor = np.array([0] * 30 + [1] * 30 + [2] * 5)
    office = np.array([0] * 60 + [1] * 5)
    _rate, ok = expected_rates(actor, [office], np.zeros(65), min_comparators=20)
    assert ok[:60].all() and not ok[60:].any()


def test_combine_gives_one_code_per_combination_and_keeps_missing_apart() -> None:
    # (0, 1) twice, (−1, 1) and (−1, 2): three combinations numbered as they first appear, a
    # missing code (−1) being one of its own.
    assert combine(np.array([0, -1, 0, -1]), np.array([1, 1, 1, 2])).tolist() == [0, 1, 0, 2]
