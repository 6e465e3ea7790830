"""Server folders as dataset sources: registering, refusals, loading in place, re-scanning."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.urls import reverse

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import BROWSER, browser_login, client_for
from arusha_web.jobs.services import job_run
from arusha_web.measure.models import DataFolder, Dataset, ImportRun, RunStatus, SourceFile

HEADER = (
    "declaration_id,office_code,declarant_id,importer_id,officer_id,channel_assigned,channel_final,"
    "registered_at,released_at,declared_value,duties_declared\n"
)
JAN = HEADER + (
    "D1,PORT1,DEC1,IMP1,O-1,green,green,2024-01-02 08:00:00,2024-01-02 12:00:00,100,10\n"
    "D2,PORT1,DEC1,IMP2,O-1,red,red,2024-01-03 08:00:00,2024-01-04 12:00:00,200,20\n"
)
FEB = HEADER + "D3,PORT1,DEC1,IMP1,O-1,green,green,2024-02-02 08:00:00,2024-02-02 12:00:00,300,30\n"


def _rows(store: str) -> int:
    if not Path(store).exists():
        return 0
    con = duckdb.connect(store, read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM declarations").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


@pytest.fixture
def share(tmp_path: Path, settings: Any) -> Path:
    """An allowed root with one folder of exports (and a file that is not an export)."""
    root = tmp_path / "share"
    exports = root / "exports"
    exports.mkdir(parents=True)
    (exports / "declarations-jan.csv").write_text(JAN)
    (exports / "export.csv").write_text(JAN)  # its name does not say which table
    (exports / "README.md").write_text("not an export")
    settings.ARUSHA_DATA_FOLDERS = f"{tmp_path / 'elsewhere'}{os.pathsep}{root}"
    return root


@pytest.fixture
def dataset(personas: dict[str, Any], media: Path) -> Dataset:
    client = client_for(personas["ana"])
    client.post(reverse("measure:datasets"), {"name": "Share export", "mapping": ""})
    return Dataset.objects.get(name="Share export")


def _register(client: Any, dataset: Dataset, path: str | Path) -> Any:
    return client.post(reverse("measure:folder_register", args=[dataset.pk]), {"path": str(path)})


def _load(client: Any, folder: DataFolder, files: list[SourceFile]) -> ImportRun:
    response = client.post(reverse("measure:folder_load", args=[folder.pk]), {"file": [f.pk for f in files]})
    run = ImportRun.objects.latest("created_at")
    assert response["Location"] == reverse("measure:import", args=[run.pk])
    job_run(job_id=run.job.pk)  # type: ignore[union-attr]
    run.refresh_from_db()
    return run


def test_register_a_folder_then_load_its_files_in_place(
    personas: dict[str, Any], share: Path, dataset: Dataset, media: Path
) -> None:
    client = client_for(personas["ana"])
    page = client.get(reverse("measure:dataset", args=[dataset.pk])).content.decode()
    assert "Register the folder" in page and str(share) in page  # the allowed roots are named

    response = _register(client, dataset, share / "exports")
    folder = DataFolder.objects.get()
    assert response["Location"] == reverse("measure:folder", args=[folder.pk])
    assert folder.path == str(share / "exports") and folder.registered_by == personas["ana"]
    entry = AuditEntry.objects.get(object_type="measure.datafolder", object_id=str(folder.pk))
    assert entry.action == "create" and isinstance(entry.after, dict)
    assert entry.after["path"] == str(share / "exports") and entry.actor == personas["ana"]

    page = client.get(reverse("measure:folder", args=[folder.pk])).content.decode()
    assert "declarations-jan.csv" in page and "export.csv" in page and "README.md" not in page
    # export.csv does not say its table: the analyst is asked to choose one.
    jan = folder.files.get(original_name="declarations-jan.csv")
    other = folder.files.get(original_name="export.csv")
    assert f'value="{jan.pk}"' in page and f'name="table_{other.pk}"' in page
    assert f'name="table_{jan.pk}"' not in page

    run = _load(client, folder, [jan])
    assert run.status == RunStatus.DONE, run.message
    assert _rows(dataset.store_path) == 2
    # Read in place: nothing was copied under the media folder, and what was read is recorded.
    assert not list((media / "datasets").rglob("declarations-jan.csv"))
    (source,) = run.sources
    assert source["path"] == str(share / "exports" / "declarations-jan.csv")
    assert source["size"] == len(JAN) and source["modified_at"] and len(source["sha256"]) == 64
    jan.refresh_from_db()
    assert jan.sha256 == source["sha256"]
    page = client.get(reverse("measure:import", args=[run.pk])).content.decode()
    assert source["sha256"] in page and "2 rows loaded" in page

    # A new export written later appears on the next scan; loading everything adds only it.
    (share / "exports" / "declarations-feb.csv").write_text(FEB)
    response = client.post(reverse("measure:folder_scan", args=[folder.pk]), follow=True)
    assert "1 new" in response.content.decode(
        "utf-8-sig"
    ) and "declarations-feb.csv" in response.content.decode("utf-8-sig")
    again = _load(client, folder, list(folder.files.exclude(pk=other.pk)))
    assert again.status == RunStatus.DONE and again.skipped == ["declarations-jan.csv"]
    assert _rows(dataset.store_path) == 3


def _escape(share: Path) -> Path:
    outside = share.parent / "outside"
    outside.mkdir()
    (outside / "declarations.csv").write_text(JAN)
    return outside


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda share: _escape(share), "is outside the folders Arusha may read"),
        (lambda share: (_escape(share), share / "exports" / ".." / ".." / "outside")[1], "is outside"),
        (
            lambda share: (
                (share / "link").symlink_to(_escape(share), target_is_directory=True),
                share / "link",
            )[1],
            "is outside the folders Arusha may read",
        ),
        (lambda share: share / "missing", "does not exist"),
        (lambda share: share / "exports" / "declarations-jan.csv", "is a file, not a folder"),
        (lambda share: Path("exports"), "Give the full path of the folder"),
        (
            lambda share: (
                (share / "empty").mkdir(),
                (share / "empty" / "notes.md").write_text("x"),
                share / "empty",
            )[2],
            "holds no CSV, Excel (.xlsx) or Parquet file to load",
        ),
    ],
    ids=["outside", "dotdot", "symlink", "missing", "file", "relative", "no-exports"],
)
def test_bad_folders_are_refused_and_nothing_is_registered(
    personas: dict[str, Any], share: Path, dataset: Dataset, make: Any, message: str
) -> None:
    client = client_for(personas["ana"])
    path = make(share)
    response = _register(client, dataset, path)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert str(path) in response.content.decode()  # what was typed is kept in the field
    assert not DataFolder.objects.exists() and not SourceFile.objects.exists()


def test_an_unreadable_folder_is_refused(
    personas: dict[str, Any], share: Path, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arusha_web.measure import folders

    real = os.scandir

    def scandir(path: Any) -> Any:
        if Path(path) == share / "exports":
            raise PermissionError(13, "Permission denied")
        return real(path)

    # Tests run as root in CI containers, where chmod cannot make a folder unreadable.
    monkeypatch.setattr(folders.os, "scandir", scandir)
    response = _register(client_for(personas["ana"]), dataset, share / "exports")
    assert "Arusha cannot read" in response.content.decode()
    assert "Permission denied" in response.content.decode()
    assert not DataFolder.objects.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_refused_for_real(
    personas: dict[str, Any], share: Path, dataset: Dataset
) -> None:
    locked = share / "locked"
    locked.mkdir()
    (locked / "declarations.csv").write_text(JAN)
    locked.chmod(0)
    try:
        response = _register(client_for(personas["ana"]), dataset, locked)
    finally:
        locked.chmod(0o755)
    assert "Arusha cannot read" in response.content.decode()


def test_a_file_linking_outside_the_roots_is_left_out(
    personas: dict[str, Any], share: Path, dataset: Dataset
) -> None:
    outside = _escape(share)
    (share / "exports" / "declarations-x.csv").symlink_to(outside / "declarations.csv")
    client = client_for(personas["ana"])
    _register(client, dataset, share / "exports")
    assert not SourceFile.objects.filter(original_name="declarations-x.csv").exists()
    assert SourceFile.objects.filter(original_name="declarations-jan.csv").exists()


def test_without_roots_the_page_says_an_administrator_must_set_them(
    personas: dict[str, Any], dataset: Dataset, settings: Any, tmp_path: Path
) -> None:
    settings.ARUSHA_DATA_FOLDERS = ""
    client = client_for(personas["ana"])
    page = client.get(reverse("measure:dataset", args=[dataset.pk])).content.decode()
    assert "an administrator must list the allowed folders in the ARUSHA_DATA_FOLDERS setting" in page
    assert "Register the folder" not in page
    response = _register(client, dataset, tmp_path)
    assert "an administrator must set ARUSHA_DATA_FOLDERS" in response.content.decode()
    assert not DataFolder.objects.exists()


def test_roots_can_come_from_the_environment(
    settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from arusha_web.measure.folders import allowed_roots

    del settings.ARUSHA_DATA_FOLDERS
    monkeypatch.setenv("ARUSHA_DATA_FOLDERS", f"{tmp_path}{os.pathsep}relative/ignored{os.pathsep}")
    assert allowed_roots() == [tmp_path.resolve()]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.unlink(), "is no longer in the folder"),
        (
            lambda p: p.write_text(JAN + "D4,PORT1,DEC1,IMP1,O-1,green,green,2024-01-05,,1,1\n"),
            "changed since",
        ),
    ],
    ids=["vanished", "changed"],
)
def test_a_file_that_vanished_or_changed_since_the_scan_stops_the_load(
    personas: dict[str, Any], share: Path, dataset: Dataset, change: Any, message: str
) -> None:
    client = client_for(personas["ana"])
    _register(client, dataset, share / "exports")
    folder = DataFolder.objects.get()
    jan = folder.files.get(original_name="declarations-jan.csv")
    change(share / "exports" / "declarations-jan.csv")
    run = _load(client, folder, [jan])
    assert run.status == RunStatus.FAILED and message in run.message and "Nothing was loaded" in run.message
    assert _rows(dataset.store_path) == 0
    assert run.job is not None and run.job.status == "failed"
    page = client.get(reverse("measure:import", args=[run.pk])).content.decode()
    assert message in page and "Open the folder to scan it again" in page
    assert "FolderFileChanged" not in page and "Traceback" not in page  # said plainly


def test_a_folder_removed_from_the_roots_can_no_longer_be_loaded(
    personas: dict[str, Any], share: Path, dataset: Dataset, settings: Any, tmp_path: Path
) -> None:
    client = client_for(personas["ana"])
    _register(client, dataset, share / "exports")
    folder = DataFolder.objects.get()
    settings.ARUSHA_DATA_FOLDERS = str(tmp_path / "elsewhere")
    page = client.get(reverse("measure:folder", args=[folder.pk])).content.decode()
    assert "no longer among the folders Arusha may read" in page
    response = client.post(
        reverse("measure:folder_load", args=[folder.pk]),
        {"file": [f.pk for f in folder.files.all()]},
        follow=True,
    )
    assert "is outside the folders Arusha may read" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_roles_that_may_not_upload_may_not_register_a_folder(
    personas: dict[str, Any], share: Path, dataset: Dataset
) -> None:
    for name in ("marc", "sam", "aude"):
        response = _register(client_for(personas[name]), dataset, share / "exports")
        assert response.status_code == 403
    assert not DataFolder.objects.exists()


def _browser(test: Any) -> Any:
    for mark in BROWSER:
        test = mark(test)
    return test


@_browser
def test_browser_register_a_folder_and_load_it(
    page: Any, personas: Any, share: Path, dataset: Dataset
) -> None:
    browser_login(page, "ana")
    page.goto(page.base_url + reverse("measure:dataset", args=[dataset.pk]))
    page.get_by_label("Folder on the server").fill(str(share / "exports" / ".." / ".." / "outside"))
    page.get_by_role("button", name="Register the folder").click()
    page.get_by_text("is outside the folders Arusha may read").wait_for()
    page.get_by_label("Folder on the server").fill(str(share / "exports"))
    page.get_by_role("button", name="Register the folder").click()
    page.get_by_text("Folder registered: 2 file(s) found.").wait_for()
    page.get_by_role("checkbox", name="Load declarations-jan.csv").wait_for()
    page.get_by_role("button", name="Start the load").click()
    page.get_by_role("heading", name="Load of clearance data").wait_for()
    job_run(job_id=ImportRun.objects.get().job.pk)  # type: ignore[union-attr]  # no worker in tests
    page.get_by_text("2 rows loaded").wait_for()
    page.get_by_role("link", name="Share export").click()
    page.get_by_role("link", name=str(share / "exports")).click()
    # Already in the store: shown so, and not ticked for the next load.
    assert not page.get_by_role("checkbox", name="Load declarations-jan.csv").is_checked()
    assert _rows(dataset.store_path) == 2


def test_a_file_whose_name_does_not_say_its_table_loads_into_the_table_chosen(
    personas: dict[str, Any], share: Path, dataset: Dataset
) -> None:
    client = client_for(personas["ana"])
    _register(client, dataset, share / "exports")
    folder = DataFolder.objects.get()
    other = folder.files.get(original_name="export.csv")
    url = reverse("measure:folder_load", args=[folder.pk])

    refused = client.post(url, {"file": [other.pk]}, follow=True).content.decode()
    assert "Choose the table that export.csv fills" in refused and "Nothing was loaded" in refused
    assert not ImportRun.objects.exists() and _rows(dataset.store_path) == 0
    wrong = client.post(url, {"file": [other.pk], f"table_{other.pk}": "customs"}, follow=True)
    assert "Choose the table" in wrong.content.decode() and not ImportRun.objects.exists()

    response = client.post(url, {"file": [other.pk], f"table_{other.pk}": "declarations"})
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("measure:import", args=[run.pk])
    job_run(job_id=run.job.pk)  # type: ignore[union-attr]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert _rows(dataset.store_path) == 2
    other.refresh_from_db()
    assert other.table == "declarations"
