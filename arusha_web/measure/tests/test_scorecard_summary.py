"""The top of a scorecard says whether the officer is fine (issue 18, item 3)."""

from __future__ import annotations

from dataclasses import dataclass

from arusha_web.measure.scorecard_summary import summarise


@dataclass
class Point:
    value: float | None
    peer_median: float | None


def test_targets_peers_and_changes_in_the_last_whole_month() -> None:
    periods = ["2024-04", "2024-05", "2024-06", "2024-07"]  # July is the data's last, partial month
    by = {
        # Channel-override rate (higher is worse): target missed, far above the peers, up from May.
        "BP1": {"2024-05": Point(0.04, 0.04), "2024-06": Point(0.09, 0.04), "2024-07": Point(0.5, 0.04)},
        # Hit rate (higher is better): target met, close to the peers, unchanged.
        "BP2": {"2024-05": Point(0.30, 0.31), "2024-06": Point(0.31, 0.30)},
    }
    summary = summarise(periods, by, {"BP1": 0.05, "BP2": 0.25}, {"2024-06", "2024-07"})
    assert summary.month == "June 2024" and summary.previous == "May 2024"
    assert [(x.code, x.value, x.other) for x in summary.targets_missed] == [("BP1", "9.0 %", "5.0 %")]
    assert [x.code for x in summary.targets_met] == ["BP2"]
    assert [(x.code, x.other) for x in summary.worse] == [("BP1", "4.0 %")] and not summary.better
    assert [(x.code, x.other, x.value) for x in summary.moved] == [("BP1", "4.0 %", "9.0 %")]


def test_small_differences_and_context_figures_say_nothing() -> None:
    periods = ["2024-05", "2024-06", "2024-07"]
    by = {
        "BP1": {"2024-05": Point(0.040, 0.04), "2024-06": Point(0.045, 0.04)},  # 0.5 point: noise
        "VOL_DECL": {"2024-05": Point(100, 200), "2024-06": Point(400, 200)},  # volume: neither good nor bad
    }
    summary = summarise(periods, by, {}, set())
    assert not (summary.worse or summary.better or summary.moved or summary.targets_missed)


def test_an_officer_with_one_month_only_gets_no_comparison_with_a_month_before() -> None:
    summary = summarise(["2024-06"], {"BP1": {"2024-06": Point(0.1, 0.05)}}, {}, set())
    assert (
        summary.month == "June 2024" and summary.previous == "" and [x.code for x in summary.worse] == ["BP1"]
    )


def test_the_office_page_names_officers_apart_on_several_indicators() -> None:
    from arusha_web.measure.scorecard_summary import officers_apart

    used = ["BP1", "BP2", "VOL_DECL"]
    rows = [
        ["O-1", 0.20, 0.05, 0.10, 0.30, 900, 200],  # overrides 4x, hit rate a third: apart on two
        ["O-2", 0.20, 0.05, 0.30, 0.30, 900, 200],  # one indicator only
        ["O-3", 0.05, 0.05, 0.31, 0.30, 200, 200],  # ordinary
    ]
    count, listed = officers_apart(rows, used, lambda o: f"P-{o}", linked=False, at_least=2)
    assert count == 1 and [(a.officer, a.link, len(a.names)) for a in listed] == [("P-O-1", "", 2)]
