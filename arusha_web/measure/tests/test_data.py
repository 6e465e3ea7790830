"""Datasets, uploads, loads (accepted, rejected, quarantined) and analyses, through the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.jobs.services import job_run
from arusha_web.measure.models import (
    AnalysisRun,
    Dataset,
    ImportRun,
    IndicatorValue,
    Lead,
    RunStatus,
    SourceFile,
)

GOOD = (
    "declaration_id,office_code,declarant_id,importer_id,officer_id,channel_assigned,channel_final,"
    "registered_at,released_at,declared_value,duties_declared\n"
    "D1,PORT1,DEC1,IMP1,O-1,green,green,2024-01-02 08:00:00,2024-01-02 12:00:00,100,10\n"
    "D2,PORT1,DEC1,IMP2,O-1,red,red,2024-01-03 08:00:00,2024-01-04 12:00:00,200,20\n"
)
BAD = GOOD + "D3,PORT1,DEC1,IMP2,O-1,purple,red,2024-01-03 08:00:00,2024-01-04 12:00:00,-5,20\n"


def _rows(store: str) -> int:
    con = duckdb.connect(store, read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM declarations").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def _dataset(client: Any) -> Dataset:
    response = client.post(reverse("measure:datasets"), {"name": "Export 2024", "mapping": ""})
    assert response.status_code == 302
    return Dataset.objects.get(name="Export 2024")


def _upload(client: Any, dataset: Dataset, name: str, content: str) -> Any:
    return client.post(
        reverse("measure:dataset", args=[dataset.pk]), {"files": SimpleUploadedFile(name, content.encode())}
    )


def _load(client: Any, dataset: Dataset, files: list[SourceFile], quarantine: bool = False) -> ImportRun:
    data: dict[str, Any] = {"file": [f.pk for f in files]}
    if quarantine:
        data["quarantine"] = "on"
    response = client.post(reverse("measure:import_start", args=[dataset.pk]), data)
    run = ImportRun.objects.latest("created_at")
    assert response["Location"] == reverse("measure:import", args=[run.pk])
    job_run(job_id=run.job.pk)  # type: ignore[union-attr]
    run.refresh_from_db()
    return run


def test_upload_load_and_page(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    assert _upload(client, dataset, "declarations.csv", GOOD).status_code == 302
    run = _load(client, dataset, list(dataset.files.all()))
    assert run.status == RunStatus.DONE and run.loaded["declarations"] == 2
    assert _rows(dataset.store_path) == 2
    assert Path(dataset.files.get().path).is_relative_to(media / "datasets")
    page = client.get(reverse("measure:import", args=[run.pk]))
    assert b"2 rows loaded" in page.content
    # Loading the same file again adds nothing.
    again = _load(client, dataset, list(dataset.files.all()))
    assert again.skipped == ["declarations.csv"] and _rows(dataset.store_path) == 2


def test_rejected_load_lists_errors_and_changes_nothing(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", GOOD)
    _load(client, dataset, list(dataset.files.all()))
    _upload(client, dataset, "declarations-feb.csv", BAD.replace("D1,", "D9,").replace("D2,", "D8,"))
    bad = dataset.files.get(original_name="declarations-feb.csv")
    run = _load(client, dataset, [bad])
    assert run.status == RunStatus.REJECTED and run.error_count >= 2
    columns = {e["column"] for e in run.errors}
    assert {"channel_assigned", "declared_value"} <= columns
    assert all(e["row"] == 3 and e["file"] == "declarations-feb.csv" for e in run.errors)
    assert _rows(dataset.store_path) == 2  # the good rows of the rejected file were not loaded either
    page = client.get(reverse("measure:import", args=[run.pk]))
    assert b"Nothing was loaded" in page.content and b"purple" in page.content
    csv = client.get(reverse("measure:import_errors", args=[run.pk]))
    raw = b"".join(csv.streaming_content)  # type: ignore[attr-defined]
    body = raw.decode("utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert body.startswith("file,row,column,rule,value,message") and "purple" in body
    # The file as the user uploaded it, never the server's path of the stored copy.
    assert "declarations-feb.csv" in body and "/files/" not in body and str(media) not in body


def test_quarantine_loads_good_rows_and_shows_bad_ones(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", BAD)
    run = _load(client, dataset, list(dataset.files.all()), quarantine=True)
    assert run.status == RunStatus.DONE and run.quarantined == 1
    assert _rows(dataset.store_path) == 2
    page = client.get(reverse("measure:quarantine", args=[dataset.pk]))
    assert b"purple" in page.content and b"declarations.csv" in page.content


def test_bad_uploads_are_refused_with_a_clear_message(
    personas: dict[str, Any], media: Path, settings: Any
) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    response = _upload(client, dataset, "declarations.exe", "x")
    assert response.status_code == 200 and b"declarations.exe: only" in response.content
    settings.ARUSHA_UPLOAD_MAX_MB = 0
    response = _upload(client, dataset, "declarations.csv", GOOD)
    assert b"larger than the 0 MB limit" in response.content
    assert not dataset.files.exists()


def test_bad_mapping_is_refused_and_nothing_created(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    bad = SimpleUploadedFile("mine.yaml", b"tables:\n  declarations:\n    columns: [not, a, mapping\n")
    response = client.post(reverse("measure:datasets"), {"name": "X", "mapping": "", "mapping_file": bad})
    assert response.status_code == 200 and b"The mapping file is not valid" in response.content
    assert not Dataset.objects.exists()
    response = client.post(reverse("measure:datasets"), {"name": "X", "mapping": "../../etc/passwd"})
    assert not Dataset.objects.exists()


def test_shipped_mapping_is_offered_and_kept(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    assert b"asycuda-world.yaml" in client.get(reverse("measure:datasets")).content
    client.post(reverse("measure:datasets"), {"name": "A", "mapping": "asycuda-world.yaml"})
    assert Dataset.objects.get().mapping_path.endswith("mappings/asycuda-world.yaml")


def test_analysis_job_imports_indicators_and_leads(
    personas: dict[str, Any], media: Path, analysed: dict[str, Path]
) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    for name in ("declarations", "items", "events"):
        data = (analysed["data"] / f"{name}.parquet").read_bytes()
        client.post(
            reverse("measure:dataset", args=[dataset.pk]),
            {"files": SimpleUploadedFile(f"{name}.parquet", data)},
        )
    load_run = _load(client, dataset, list(dataset.files.all()))
    page = client.get(reverse("measure:import", args=[load_run.pk]))
    import pyarrow.parquet as pq

    items = pq.read_metadata(analysed["data"] / "items.parquet").num_rows
    assert page.status_code == 200 and f"<dt>items</dt><dd>{items:,}</dd>".encode() in page.content
    bad_dates = client.post(
        reverse("measure:analysis_start", args=[dataset.pk]),
        {"period": "month", "date_from": "2024-05-01", "date_to": "2024-01-01"},
    )
    assert bad_dates.status_code == 302 and not AnalysisRun.objects.exists()
    page = client.get(reverse("measure:dataset", args=[dataset.pk]))
    assert b"The data holds declarations registered from 2024-01-01 to" in page.content
    outside = client.post(
        reverse("measure:analysis_start", args=[dataset.pk]),
        {"period": "month", "date_from": "2030-01-01", "date_to": "2030-12-31"},
        follow=True,
    )
    assert not AnalysisRun.objects.exists(), "nothing queued for a period the data does not cover"
    assert b"No declaration in this dataset was registered in the chosen period" in outside.content
    client.post(reverse("measure:analysis_start", args=[dataset.pk]), {"period": "month"})
    run = AnalysisRun.objects.get()
    job_run(job_id=run.job.pk)  # type: ignore[union-attr]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert run.software_version and "loads" in run.data_version
    assert IndicatorValue.objects.filter(run=run).count() == run.indicator_count > 1000
    leads = list(Lead.objects.filter(run=run).order_by("rank"))
    assert len(leads) == run.lead_count > 0 and leads[0].score >= leads[-1].score
    assert Lead.objects.filter(run=run, entity_type="officer").exclude(office_code="").exists()
    entries = AuditEntry.objects.filter(object_type="measure.analysisrun", object_id=str(run.pk))
    imported = [e.after["imported"] for e in entries if isinstance(e.after, dict) and "imported" in e.after]
    assert imported == [{"indicator_values": run.indicator_count, "leads": run.lead_count}]


def test_analysis_without_data_is_refused(personas: dict[str, Any], media: Path) -> None:
    client = client_for(personas["ana"])
    dataset = _dataset(client)
    response = client.post(
        reverse("measure:analysis_start", args=[dataset.pk]), {"period": "month"}, follow=True
    )
    assert b"holds no declarations yet" in response.content
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("name", ["measure:datasets"])
def test_list_pages_query_count(
    personas: dict[str, Any], media: Path, django_assert_max_num_queries: Any, name: str
) -> None:
    client = client_for(personas["ana"])
    for i in range(5):
        Dataset.objects.create(name=f"D{i}", store_path=f"/tmp/none-{i}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse(name)).status_code == 200


def test_a_load_whose_worker_was_killed_shows_failed_and_can_be_retried(
    personas: dict[str, Any], media: Path
) -> None:
    import signal
    import socket
    import subprocess

    from arusha_web.jobs.models import Job, JobStatus

    client = client_for(personas["ana"])
    dataset = _dataset(client)
    _upload(client, dataset, "declarations.csv", GOOD)
    client.post(reverse("measure:import_start", args=[dataset.pk]), {"file": [dataset.files.get().pk]})
    run = ImportRun.objects.get()
    assert run.job_id is not None
    # The worker claimed the job, then was killed with -9 before the load finished.
    worker = subprocess.Popen(["sleep", "60"])
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    Job.objects.filter(pk=run.job_id).update(
        status=JobStatus.RUNNING, runner=f"{socket.gethostname()}:{worker.pid}"
    )
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)

    page = client.get(reverse("measure:import", args=[run.pk])).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "stopped before it finished" in run.message
    assert "stopped before it finished" in page and reverse("measure:import_retry", args=[run.pk]) in page
    assert not Path(dataset.store_path).exists() or _rows(dataset.store_path) == 0

    response = client.post(reverse("measure:import_retry", args=[run.pk]))
    assert response["Location"] == reverse("measure:import", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.message == ""
    job_run(job_id=run.job_id)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and _rows(dataset.store_path) == 2
    # A second retry of a job that succeeded is refused, and says so.
    again = client.post(reverse("measure:import_retry", args=[run.pk]), follow=True)
    assert "Only a failed job can be run again." in again.content.decode()


def test_analysis_page_offers_leads_only_to_those_who_may_open_them(
    personas: dict[str, Any], run: Any
) -> None:
    # The administrator may see an analysis but not the leads: no button that ends on "Not allowed".
    url = reverse("measure:analysis", args=[run.pk])
    leads = reverse("measure:leads")
    admin = client_for(personas["alice"]).get(url)
    assert admin.status_code == 200 and f'href="{leads}?run={run.pk}"' not in admin.content.decode()
    analyst = client_for(personas["ana"]).get(url)
    assert analyst.status_code == 200 and f'href="{leads}?run={run.pk}"' in analyst.content.decode()


def test_my_scorecard_links_only_when_the_analysis_has_figures_for_me(
    personas: dict[str, Any], run: Any
) -> None:
    from arusha_web.measure.models import IndicatorValue
    from arusha_web.org.models import StaffRecord

    # Sam's identifier (OFF-SAM) is not in the clearance data analysed: no link to a missing page.
    sam = client_for(personas["sam"]).get(reverse("measure:index")).content.decode()
    assert reverse("measure:officer", args=["OFF-SAM"]) not in sam
    assert "No figures for your officer identifier OFF-SAM in the official analysis" in sam
    known = IndicatorValue.objects.filter(run=run, entity_type="officer").values_list("entity_id", flat=True)[
        0
    ]
    StaffRecord.objects.filter(user=personas["sam"]).update(officer_id=known)
    sam = client_for(personas["sam"]).get(reverse("measure:index")).content.decode()
    assert reverse("measure:officer", args=[known]) in sam
