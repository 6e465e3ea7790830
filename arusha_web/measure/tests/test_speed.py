"""What keeps the pages quick at scale gives the same answers: pages drawn ahead by the analysis
job, and drill-down pages found from remembered marks."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.measure import charts
from arusha_web.measure import dashboards as d
from arusha_web.measure.warm import warm_pages


def test_warmed_scorecards_and_offices_draw_nothing_on_first_view(
    run: Any, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[tuple[int, str]] = []
    drawn = warm_pages(run, progress=lambda pct, msg: steps.append((pct, msg)))
    assert drawn > 0 and steps and all(90 <= pct <= 100 for pct, _msg in steps)

    for name in ("line_svg", "bar_svg"):
        monkeypatch.setattr(charts, name, _refusing(name))
    client = client_for(personas["ingrid"])
    scorecard = client.get(reverse("measure:officer", args=["O-PORT1-01"]))
    assert scorecard.status_code == 200 and b"<svg" in scorecard.content
    office = client.get(reverse("measure:office", args=["PORT1"]))
    assert office.status_code == 200 and b"<svg" in office.content
    french = client.get(reverse("measure:officer", args=["O-PORT1-01"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200


def _refusing(name: str) -> Any:
    """Stands in for a drawing function (same name: the chart cache keys on it) and fails."""

    def refuse(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("a chart was drawn although the analysis job drew it ahead")

    refuse.__name__ = name
    return refuse


@pytest.mark.parametrize(
    ("column", "value", "office"),
    [("office_code", "PORT1", None), ("officer_id", "O-PORT1-01", None), ("declarant_id", "", "PORT1")],
)
def test_drill_down_pages_are_those_of_a_plain_sort(
    run: Any, monkeypatch: pytest.MonkeyPatch, column: str, value: str, office: str | None
) -> None:
    store = run.dataset.store_path
    con = duckdb.connect(store, read_only=True, config={"threads": 1})
    try:
        if not value:  # the declarant with most declarations, seen by a manager of one office
            found = con.execute(
                "SELECT declarant_id FROM declarations GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()
            assert found is not None
            value = str(found[0])
        where, params = f"{column} = ?", [value]
        if office is not None:
            where, params = where + " AND office_code = ?", [*params, office]
        expected = con.execute(
            f"SELECT {', '.join(d.DRILL_COLUMNS)} FROM declarations WHERE {where} "
            "ORDER BY registered_at DESC, declaration_id DESC",
            params,
        ).fetchall()
    finally:
        con.close()
    monkeypatch.setattr(d, "PAGE_MARK", 7)  # marks every 7 rows: pages start between marks
    size = 5
    pages = (len(expected) + size - 1) // size
    assert pages > 3
    for page in range(1, pages + 2):
        rows, total = d.declarations(store, column=column, value=value, page=page, office=office, size=size)
        assert total == len(expected)
        assert rows == expected[(page - 1) * size : page * size], f"page {page}"


@pytest.fixture
def run_with_trader_months(analysed: dict[str, Any], personas: dict[str, Any], tmp_path: Any) -> Any:
    """The session's store analysed with the traders' monthly series (as the analysis job does)."""
    import shutil

    from arusha import api
    from arusha_web.measure.services import register_existing

    store = tmp_path / "store.duckdb"
    shutil.copy(analysed["store"], store)
    api.analyze_store(store, tmp_path / "out", trader_periods=True)
    from arusha_web.measure.models import Publication

    run = register_existing(name="Months", store=store, out_dir=tmp_path / "out", user=personas["ana"])
    Publication.objects.create(run=run)
    return run


def test_trader_monthly_charts_come_with_their_own_request(
    run_with_trader_months: Any, personas: dict[str, Any]
) -> None:
    run = run_with_trader_months
    lead = run.leads.filter(entity_type="officer_declarant_pair").order_by("rank").first()
    assert lead is not None
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:trader", args=["declarant", lead.other_id])).content.decode()
    chart_url = reverse("measure:trader_chart", args=["declarant", lead.other_id, "VOL_DECL"])
    assert f'hx-get="{chart_url}"' in page  # not drawn with the page
    chart = client.get(chart_url)
    assert chart.status_code == 200 and chart.content.startswith(b"<svg")
    assert client.get(chart_url.replace("VOL_DECL", "TF1")).status_code == 404  # not a trader trend
    shares = client.get(chart_url.replace("VOL_DECL", "shares"))
    assert shares.status_code == 200 and b"<svg" in shares.content
    assert chart_url.replace("VOL_DECL", "shares") in page
    nobody = reverse("measure:trader_chart", args=["declarant", "D-NOBODY", "VOL_DECL"])
    assert client.get(nobody).status_code == 404
    assert client_for(personas["marc"]).get(chart_url).status_code == 403
