"""Comparing two analyses: what changed in leads and indicators, seen as each role may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from arusha_web.conftest import client_for
from arusha_web.measure.dashboards import indicator_name
from arusha_web.measure.models import AnalysisRun, Dataset, IndicatorValue, Lead, Publication, RunStatus
from arusha_web.measure.selectors import pseudonym

NIGHT = "Released goods outside working hours far more often than peers"
OVERRIDE = "Relaxed the inspection channel far more often than peers"
BENFORD = "Declared amounts with an unusual pattern of leading digits"


def _run(dataset: Dataset, days_ago: int, version: str, **kw: Any) -> AnalysisRun:
    """A run of ``days_ago``; a finished one was the official analysis then (every role sees it)."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    run = AnalysisRun.objects.create(
        dataset=dataset,
        out_dir="/nonexistent",
        status=kw.pop("status", RunStatus.DONE),
        data_version=version,
        software_version="0.1.0",
        created_at=when,
        finished_at=when,
        **kw,
    )
    if run.status == RunStatus.DONE:
        Publication.objects.create(run=run, published_at=when)
    return run


def _value(
    run: AnalysisRun, entity_type: str, entity_id: str, office: str, indicator: str, value: float
) -> None:
    IndicatorValue.objects.create(
        run=run,
        entity_type=entity_type,
        entity_id=entity_id,
        office_code=office,
        period="all",
        indicator=indicator,
        value=value,
        n=100,
    )


def _lead(
    run: AnalysisRun, rank: int, entity_type: str, entity_id: str, office: str, kind: str, score: float
) -> Lead:
    return Lead.objects.create(
        run=run,
        rank=rank,
        entity_type=entity_type,
        entity_id=entity_id,
        office_code=office,
        score=score,
        kind=kind,
        explanation=f"{entity_id} {kind}",
    )


@pytest.fixture
def pair(personas: dict[str, Any]) -> dict[str, Any]:
    """Two finished analyses of one dataset: one lead kept, one gone, one new; a few values moved."""
    dataset = Dataset.objects.create(name="Compared data", store_path="/nonexistent/store.duckdb")
    jan = {"name": "declarations-jan.csv", "sha256": "a" * 64, "table": "declarations", "rows": 100}
    feb = {"name": "declarations-feb.csv", "sha256": "b" * 64, "table": "declarations", "rows": 50}
    before = _run(dataset, 30, "1 loads, 100 rows, last 2024-06-01 08:00", data_files=[jan])
    after = _run(
        dataset, 1, "2 loads, 150 rows, last 2024-07-01 08:00", risk_model="gbm-2024", data_files=[jan, feb]
    )
    for run, decl, tf1, port_tf1, air_tf1 in ((before, 100, 0.5, 0.4, 0.3), (after, 150, 0.2, 0.35, 0.9)):
        _value(run, "administration", "ALL", "", "VOL_DECL", decl)
        _value(run, "officer", "O-PORT1-01", "PORT1", "TF1", tf1)
        _value(run, "officer", "O-PORT1-01", "PORT1", "BP1", 0.1)  # unchanged: not a mover
        _value(run, "office", "PORT1", "PORT1", "TF1", port_tf1)
        _value(run, "officer", "O-AIRP1-02", "AIRP1", "TF1", air_tf1)
        # A monthly value is not compared (only the whole window is).
        IndicatorValue.objects.create(
            run=run, entity_type="officer", entity_id="O-PORT1-01", office_code="PORT1",
            period="2024-01", indicator="TF5", value=decl,
        )  # fmt: skip
    _lead(before, 1, "officer", "O-PORT1-01", "PORT1", "channel_override", 3.0)
    _lead(before, 2, "office", "AIRP1", "AIRP1", "benford", 2.0)
    _lead(after, 1, "officer", "O-PORT1-01", "PORT1", "channel_override", 5.0)
    _lead(after, 2, "officer", "O-AIRP1-02", "AIRP1", "after_hours_release", 4.0)
    for run in (before, after):
        run.indicator_count = run.values.count()
        run.lead_count = run.leads.count()
        run.save()
    return {"dataset": dataset, "before": before, "after": after}


def _compare(client: Any, **params: Any) -> Any:
    return client.get(reverse("measure:compare"), params)


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    return page[start : page.index("</table>", start)] if "</table>" in page[start:] else page[start:]


def test_compare_shows_parameters_figures_leads_and_movers(
    personas: dict[str, Any], pair: dict[str, Any]
) -> None:
    before, after = pair["before"], pair["after"]
    # Given in either order, the older run is "before".
    response = _compare(client_for(personas["ana"]), a=after.pk, b=before.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Before (#{before.pk})" in page and f"After (#{after.pk})" in page
    assert "1 load, 100 rows, last on " in page and "2 loads, 150 rows" in page and "gbm-2024" in page
    read = _section(page, "Files only this analysis read")
    assert "declarations-feb.csv" in read and "declarations-jan.csv" not in read
    figures = _section(page, "Headline figures")
    assert ">100<" in figures and ">150<" in figures
    assert _section(page, "New leads (1)").count("<tr>") == 2  # header + one row
    assert NIGHT in _section(page, "New leads (1)") and "O-AIRP1-02" in _section(page, "New leads (1)")
    gone = _section(page, "Gone (1)")
    assert BENFORD in gone and "AIRP1" in gone
    still = _section(page, "Still present (1)")
    assert OVERRIDE in still and "3.00" in still and "5.00" in still
    movers = _section(page, "Indicators that moved most")
    assert indicator_name("TF1") in movers
    assert "50.0 %" in movers and "20.0 %" in movers and "−30.0 %" in movers
    assert indicator_name("BP1") not in movers and indicator_name("TF5") not in movers
    # Largest relative change first: the airport officer's TF1 (0.3 → 0.9) before the port office.
    assert movers.index("O-AIRP1-02") < movers.index("PORT1</td>")


def test_csv_export_has_every_part(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    before, after = pair["before"], pair["after"]
    response = _compare(client_for(personas["ana"]), a=before.pk, b=after.pk, format="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert f"measure-compare-{before.pk}-{after.pk}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    assert [r["code"] for r in by_section["lead_new"]] == ["after_hours_release"]
    assert [r["code"] for r in by_section["lead_gone"]] == ["benford"]
    (still,) = by_section["lead_still"]
    assert (still["before"], still["after"], still["change"]) == ("3", "5", "2")
    decl = next(r for r in by_section["headline"] if r["label"] == "Declarations")
    assert (decl["before"], decl["after"], decl["change"]) == ("100", "150", "50")
    tf1 = next(r for r in by_section["indicator"] if r["entity_id"] == "O-PORT1-01")
    assert (tf1["code"], tf1["before"], tf1["after"]) == ("TF1", "0.5", "0.2")
    assert any(
        r["label"] == "Data version" and r["after"].startswith("2 loads") for r in by_section["parameter"]
    )


def test_default_pair_is_the_newest_two_of_the_dataset(
    personas: dict[str, Any], pair: dict[str, Any]
) -> None:
    client = client_for(personas["ana"])
    older = _run(pair["dataset"], 60, "0 loads")
    other = Dataset.objects.create(name="Other", store_path="/nonexistent/other.duckdb")
    _run(other, 0, "newest elsewhere")
    page = _compare(client, dataset=pair["dataset"].pk).content.decode()
    assert f"Before (#{pair['before'].pk})" in page and f"After (#{pair['after'].pk})" in page
    # From a run's page: that run and the one of its dataset just before it.
    page = _compare(client, b=pair["before"].pk).content.decode()
    assert f"Before (#{older.pk})" in page and f"After (#{pair['before'].pk})" in page
    page = _compare(client, b=older.pk).content.decode()
    assert "has no earlier finished analysis" in page


def test_links_to_the_comparison(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    client = client_for(personas["ana"])
    page = client.get(reverse("measure:analysis", args=[pair["after"].pk])).content.decode()
    assert f"{reverse('measure:compare')}?b={pair['after'].pk}" in page and "Compare with…" in page
    page = client.get(reverse("measure:dataset", args=[pair["dataset"].pk])).content.decode()
    assert f"{reverse('measure:compare')}?dataset={pair['dataset'].pk}" in page


def test_refusals(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    client = client_for(personas["ana"])
    same = _compare(client, a=pair["after"].pk, b=pair["after"].pk)
    assert same.status_code == 400 and "Pick two different analyses" in same.content.decode()
    failed = _run(pair["dataset"], 0, "", status=RunStatus.FAILED)
    response = _compare(client, a=pair["after"].pk, b=failed.pk)
    assert response.status_code == 400
    assert f"Analysis #{failed.pk} is not finished (Failed)" in response.content.decode()
    assert "Headline figures" not in response.content.decode()
    assert _compare(client, a=pair["after"].pk, b=99999).status_code == 404
    assert _compare(client_for(personas["sam"]), a=pair["before"].pk, b=pair["after"].pk).status_code == 403
    csv_refused = _compare(client, a=pair["after"].pk, b=failed.pk, format="csv")
    assert csv_refused.status_code == 400 and not csv_refused["Content-Type"].startswith("text/csv")


def test_office_manager_sees_only_his_office(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    client = client_for(personas["marc"])  # manager of PORT1
    page = _compare(client, a=pair["before"].pk, b=pair["after"].pk).content.decode()
    assert "Office PORT1 only." in page
    assert "O-PORT1-01" in page and "O-AIRP1-02" not in page and "AIRP1" not in page
    assert "New leads (0)" in page and "Gone (0)" in page and "Still present (1)" in page
    rows = _compare(client, a=pair["before"].pk, b=pair["after"].pk, format="csv").content.decode("utf-8-sig")
    assert "AIRP1" not in rows and "O-PORT1-01" in rows


def test_a_run_number_too_large_is_no_server_error(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    client = client_for(personas["ana"])
    huge = "9" * 20
    for params in ({"a": pair["before"].pk, "b": huge, "format": "csv"}, {"a": huge, "b": pair["after"].pk}):
        assert _compare(client, **params).status_code in (200, 400, 404)


def test_analyses_are_linked_only_for_those_who_may_open_them(
    personas: dict[str, Any], pair: dict[str, Any]
) -> None:
    # The manager and the auditor may compare but not open an analysis ("Not allowed").
    before = reverse("measure:analysis", args=[pair["before"].pk])
    for who in ("marc", "aude"):
        page = _compare(client_for(personas[who]), a=pair["before"].pk, b=pair["after"].pk).content.decode()
        assert f"Before (#{pair['before'].pk})" in page and f'href="{before}"' not in page
    page = _compare(client_for(personas["ana"]), a=pair["before"].pk, b=pair["after"].pk).content.decode()
    assert f'href="{before}"' in page


def test_roles_without_leads_see_no_leads(personas: dict[str, Any], pair: dict[str, Any]) -> None:
    page = _compare(client_for(personas["aude"]), a=pair["before"].pk, b=pair["after"].pk).content.decode()
    assert "Headline figures" in page and "New leads" not in page and NIGHT not in page


def test_analysts_see_pseudonyms_when_the_setting_is_on(
    personas: dict[str, Any], pair: dict[str, Any], settings: Any
) -> None:
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    params = {"a": pair["before"].pk, "b": pair["after"].pk}
    page = _compare(client_for(personas["ana"]), **params).content.decode()
    rows = _compare(client_for(personas["ana"]), **params, format="csv").content.decode("utf-8-sig")
    for shown in (page, rows):
        assert "O-PORT1-01" not in shown and "O-AIRP1-02" not in shown
        assert pseudonym("O-PORT1-01") in shown and pseudonym("O-AIRP1-02") in shown
    # The integrity unit sees the identifiers.
    page = _compare(client_for(personas["ingrid"]), **params).content.decode()
    assert "O-PORT1-01" in page and pseudonym("O-PORT1-01") not in page


def test_fewer_than_two_finished_runs(personas: dict[str, Any]) -> None:
    page = _compare(client_for(personas["ana"])).content.decode()
    assert "Comparing needs two finished analyses" in page


def test_a_run_names_the_files_it_read(personas: dict[str, Any], run: AnalysisRun) -> None:
    names = {f["name"] for f in run.data_files}
    assert {"declarations.parquet", "items.parquet", "events.parquet"} <= names
    assert all(len(f["sha256"]) == 64 and f["rows"] > 0 for f in run.data_files)
    page = client_for(personas["ana"]).get(reverse("measure:analysis", args=[run.pk])).content.decode()
    assert "Data read: 3 loaded files" in page and "declarations.parquet" in page


def test_movers_are_ranked_against_the_spread_among_peers(personas: dict[str, Any]) -> None:
    """A rare share dropping to nothing (-100 %) ranks below a release time far outside its usual spread."""
    dataset = Dataset.objects.create(name="Spread", store_path="/nonexistent/s.duckdb")
    before, after = _run(dataset, 2, "v1"), _run(dataset, 1, "v2")
    officers = ("O-PORT1-01", "O-PORT1-02", "O-PORT1-03", "O-PORT1-04")
    for i, officer in enumerate(officers):
        # BP1: 1 %, 2 %, 3 %, 4 % of declarations; TF5: 10, 11, 12, 13 hours.
        _value(before, "officer", officer, "PORT1", "BP1", 0.01 * (i + 1))
        _value(before, "officer", officer, "PORT1", "TF5", 10.0 + i)
        _value(after, "officer", officer, "PORT1", "BP1", 0.0 if i == 0 else 0.01 * (i + 1))
        _value(after, "officer", officer, "PORT1", "TF5", 20.0 if i == 3 else 10.0 + i)
    rows = list(
        csv.DictReader(
            io.StringIO(
                _compare(client_for(personas["ana"]), a=before.pk, b=after.pk, format="csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    movers = [(r["entity_id"], r["code"]) for r in rows if r["section"] == "indicator"]
    assert movers == [("O-PORT1-04", "TF5"), ("O-PORT1-01", "BP1")]
