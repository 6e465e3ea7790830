"""Statistics carry no personal data: small cells are hidden, and so are the cells that would
let a reader work them out from the totals; charts and the PDF show only what the table shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from arusha_web.cases import selectors, services
from arusha_web.cases.selectors import SUPPRESS_BELOW, suppressed_keys
from arusha_web.conftest import client_for


def _submit(n: int, category: str, office: Any, text: str = "x") -> list[int]:
    """Submit `n` reports and return their ids (random: not a way to find the newest)."""
    return [
        services.report_submit(source="public", category=category, office=office, description=text)[0].pk
        for _ in range(n)
    ]


@pytest.mark.django_db
def test_a_lone_small_cell_takes_the_smallest_other_cell_with_it(org: dict[str, Any]):
    _submit(7, "bribery", org["port"])
    _submit(6, "misconduct", org["port"])
    _submit(2, "extortion", org["air"], text="Zyx-Name")
    stats = selectors.statistics()
    by_cat = {row["key"]: row["count"] for row in stats["reports_by_category"]}
    # extortion (2) alone would be 15 - 7 - 6: misconduct (6, the smallest shown) is hidden too.
    assert by_cat == {"bribery": 7, "extortion": None, "misconduct": None}
    by_office = {row["key"]: row["count"] for row in stats["reports_by_office"]}
    assert stats["reports_total"] == 15
    # Two offices: hiding AIRP1 (2) means hiding PORT1 too, or 15 - 13 gives it away.
    assert by_office == {"PORT1": None, "AIRP1": None}
    page = Client().get(reverse("report:statistics")).content.decode()
    assert "hidden" in page and "Zyx-Name" not in page
    shown_cells = re.findall(r'<td class="num">\s*(\d+)\s*</td>', page)
    assert sorted(shown_cells) == ["7"]  # bribery only, in the table of reports by category


@pytest.mark.django_db
def test_a_table_too_small_to_break_down_is_withheld(org: dict[str, Any]):
    for category in ("bribery", "extortion", "favouritism", "procurement", "misconduct"):
        _submit(1, category, org["port"])
    stats = selectors.statistics()
    assert stats["reports_total"] == 5
    # Five categories of 1 each: even all hidden, "total 5 over 5 rows" would say each is 1.
    [row] = stats["reports_by_category"]
    assert row["count"] is None and row.get("withheld")


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 20, "b": 9}, set()),
        ({"a": 20, "b": 9, "c": 3}, {"b", "c"}),
        ({"a": 20, "b": 9, "c": 1, "d": 1}, {"b", "c", "d"}),  # 1 + 1: their sum would say so
        ({"a": 20, "b": 4, "c": 2}, {"b", "c"}),  # 4 + 2 = 6: either could be 5
        ({"a": 3}, None),
    ],
)
def test_suppression_rule_on_examples(counts: dict[str, int], hidden: set[str] | None):
    assert suppressed_keys(counts) == hidden


def _feasible_values(counts: dict[str, int], hidden: set[str]) -> dict[str, set[int]]:
    """What an attacker who sees the shown cells and the total can say about each hidden cell.

    Brute force, independent of the rule: every assignment of at least 1 per hidden cell (a
    listed row is never 0) that adds up to the total.
    """
    keys = sorted(hidden)
    feasible: dict[str, set[int]] = {k: set() for k in keys}

    def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
        if parts == 1:
            yield (total,)
            return
        for first in range(1, total - parts + 2):
            for rest in compositions(total - first, parts - 1):
                yield (first, *rest)

    for values in compositions(sum(counts[k] for k in keys), len(keys)):
        for key, value in zip(keys, values, strict=True):
            feasible[key].add(value)
    return feasible


@settings(deadline=None, max_examples=150)
@given(st.dictionaries(st.sampled_from("abcde"), st.integers(min_value=1, max_value=12), min_size=1))
def test_no_small_count_can_be_worked_out_from_the_total(counts: dict[str, int]):
    hidden = suppressed_keys(counts)
    if hidden is None:
        return  # the table is withheld
    assert {k for k, v in counts.items() if v < SUPPRESS_BELOW} <= hidden
    for key, values in (_feasible_values(counts, hidden) if hidden else {}).items():
        # The reader cannot tell the cell's value, nor even that it is small.
        assert len(values) > 1 and max(values) >= SUPPRESS_BELOW, (counts, hidden, key)


@pytest.mark.django_db
def test_the_management_page_draws_a_chart_per_table_without_hidden_numbers(personas: dict[str, Any]):
    from arusha_web.org.models import Office

    port = Office.objects.get(code="PORT1")
    _submit(8, "bribery", port)
    _submit(6, "smuggling", port)
    _submit(1, "extortion", None)
    page = client_for(personas["aude"]).get(reverse("cases:statistics")).content.decode()
    sections = dict(re.findall(r'data-testid="(\w+)"><h2>.*?</h2>(.*?)</section>', page, re.S))
    # By category: bribery 8 drawn; extortion (1) and smuggling (6, its cover) labelled hidden.
    chart = sections["reports_by_category"]
    assert chart.count('<svg role="img" class="chart"') == 1
    svg = chart.split("</svg>")[0]
    assert "Extortion (hidden)" in svg and svg.count("(hidden)") == 2
    # By office: "no office" (1) hides PORT1 (14) too; with nothing to draw there is no chart.
    assert "<svg" not in sections["reports_by_office"] and "hidden" in sections["reports_by_office"]


@pytest.mark.django_db
def test_a_bad_year_is_named_and_all_years_are_shown(personas: dict[str, Any]):
    page = client_for(personas["aude"]).get(reverse("cases:statistics"), {"year": "20x6"})
    assert page.status_code == 200
    assert "“20x6” is not a year" in page.content.decode() and "All years" in page.content.decode()


@pytest.mark.django_db
def test_the_statistics_pdf_is_a_pdf_with_the_same_suppressed_figures(personas: dict[str, Any]):
    _submit(6, "bribery", None)
    response = client_for(personas["aude"]).get(reverse("cases:statistics_pdf"), {"year": "2026"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-" and len(response.content) > 5000
    assert "reports-statistics-2026.pdf" in response["Content-Disposition"]


@pytest.mark.django_db
def test_cases_are_counted_by_office_with_the_same_protection(org: dict[str, Any]):
    from arusha_web.cases.models import Case

    for i, office in enumerate([org["port"]] * 6 + [org["air"]] * 5 + [None]):
        Case.objects.create(reference=f"C-T-{i}", title="t", category="bribery", office=office)
    rows = {row["key"]: row["count"] for row in selectors.statistics()["cases_by_office"]}
    # The single case without an office is hidden, and AIRP1 (5, the smallest) covers it.
    assert rows == {"AIRP1": None, "PORT1": 6, "—": None}


@pytest.mark.django_db
def test_a_year_and_all_years_cannot_be_subtracted_to_reveal_a_small_count(org: dict[str, Any]):
    import datetime as dt

    from django.utils import timezone

    from arusha_web.cases.models import Report

    _submit(9, "bribery", org["port"])
    _submit(8, "extortion", org["port"])
    # Two bribery reports from last year: all years say 11, this year 9 -> 2 would show.
    last_year_ids = _submit(2, "bribery", org["port"])
    last_year = timezone.now() - dt.timedelta(days=400)
    Report.objects.filter(pk__in=last_year_ids).update(received_at=last_year)
    this_year = timezone.now().year
    everything = {row["key"]: row["count"] for row in selectors.statistics()["reports_by_category"]}
    assert everything == {"bribery": 11, "extortion": 8}
    stats = selectors.statistics(year=this_year)
    year = {row["key"]: row["count"] for row in stats["reports_by_category"]}
    assert year["bribery"] is None  # 11 - 9 would say "2 last year"
    assert year["extortion"] is None  # its cover, or 17 - 8 would give bribery back
    assert stats["reports_total"] is None  # 19 - 17 = 2 reports in the other years
    # With five reports last year, nothing small is left to reveal: this year's figures show.
    Report.objects.filter(pk__in=_submit(3, "bribery", org["port"])).update(received_at=last_year)
    stats = selectors.statistics(year=this_year)
    assert stats["reports_total"] == 17
    assert {row["key"]: row["count"] for row in stats["reports_by_category"]} == {
        "bribery": 9,
        "extortion": 8,
    }


@pytest.mark.django_db
def test_the_published_statistics_can_be_found_from_the_reporting_page(personas: dict[str, Any]):
    statistics_url = reverse("report:statistics")
    assert f'href="{statistics_url}"' in Client().get(reverse("report:index")).content.decode()
    page = client_for(personas["ingrid"]).get(reverse("cases:statistics")).content.decode()
    assert f'href="{statistics_url}"' in page
