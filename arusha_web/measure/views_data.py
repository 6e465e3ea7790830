"""Start page, datasets, uploads, loads (with their errors and quarantine) and analyses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability
from arusha_web.core.params import number_list_param, number_param
from arusha_web.jobs.services import RetryRefused, job_retry, jobs_fail_abandoned

from . import folders as folder_service
from . import selectors, services
from .forms import AnalyseForm, DatasetForm, FolderForm, LoadForm, UploadForm
from .models import (
    AnalysisRun,
    DataFolder,
    Dataset,
    ImportRun,
    IndicatorValue,
    LeadStatus,
    RunStatus,
    SourceFile,
)


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@require_capability("section.measure")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    run = selectors.shown_run(user, number_param(request.GET, "run"))  # type: ignore[arg-type]
    officer_id = selectors.own_officer_id(user)  # type: ignore[arg-type]
    ctx: dict[str, object] = {
        "run": run,
        "officer_id": officer_id,
        # An account linked to a staff record whose identifier the analysis never met (an analyst,
        # the integrity unit) gets no scorecard link that would end on "Page not found".
        "has_scorecard": bool(officer_id)
        and run is not None
        and IndicatorValue.objects.filter(run=run, entity_type="officer", entity_id=officer_id).exists(),
        "own_office": selectors.manager_office(user),  # type: ignore[arg-type]
    }
    if run is not None and user.can("measure.leads"):  # type: ignore[union-attr]
        leads = selectors.leads_for_viewer(viewer=user, run=run)  # type: ignore[arg-type]
        ctx["new_leads"] = leads.filter(status=LeadStatus.NEW).count()
    return render(request, "measure/index.html", ctx)


@require_capability("measure.data")
def dataset_list(request: HttpRequest) -> HttpResponse:
    form = DatasetForm()
    if request.method == "POST":
        form = DatasetForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dataset = services.dataset_create(
                    name=form.cleaned_data["name"],
                    mapping=form.cleaned_data["mapping"],
                    # False when a "clear" box was posted: a new dataset has no file to clear.
                    mapping_upload=form.cleaned_data["mapping_file"] or None,
                    user=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                form.add_error("mapping_file" if request.FILES.get("mapping_file") else "mapping", exc)
            else:
                messages.success(request, _("Dataset created: now upload its files."))
                return redirect("measure:dataset", pk=dataset.pk)
    return render(request, "measure/datasets.html", {"datasets": selectors.datasets(), "form": form})


@require_capability("measure.data")
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    upload = UploadForm()
    if request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                added = services.files_add(
                    dataset=dataset,
                    uploads=upload.cleaned_data["files"],
                    user=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                upload.add_error("files", exc)
            else:
                messages.success(
                    request, _("%(n)s file(s) uploaded. Nothing is loaded yet.") % {"n": len(added)}
                )
                return redirect("measure:dataset", pk=dataset.pk)
    return render(request, "measure/dataset.html", _dataset_context(dataset, upload=upload))


def _dataset_context(dataset: Dataset, **forms: object) -> dict[str, object]:
    """What the dataset page shows; ``forms`` replaces a blank form by one holding a refusal."""
    from arusha.contract import TABLES

    files = list(dataset.files.filter(folder__isnull=True))
    # A file whose name does not say its table (and no mapping that lists tables): the analyst picks.
    choose = not _mapping_tables(dataset)
    for f in files:
        f.choose = choose and not _named_table(f)  # type: ignore[attr-defined]
    ctx: dict[str, object] = {
        "dataset": dataset,
        "files": files,
        "tables": TABLES,
        "folders": _folders(dataset),
        "roots": folder_service.allowed_roots(),
        "pathsep": os.pathsep,
        "finished_runs": dataset.analyses.filter(status=RunStatus.DONE).count(),
        "imports": dataset.imports.select_related("job", "started_by")[:20],
        "analyses": dataset.analyses.select_related("started_by")[:20],
        "upload": UploadForm(),
        "folder_form": FolderForm(),
        "load": LoadForm(),
        "analyse": AnalyseForm(),
        "limit_mb": services.upload_limit_bytes() // (1024 * 1024),
        # Nothing to analyse in a store without declarations (None: a load is writing it).
        "store_exists": services.declaration_count(dataset.store_path) != 0,
        "span": services.data_span(dataset.store_path),
    }
    ctx.update(forms)
    return ctx


@require_POST
@require_capability("measure.data")
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    form = LoadForm(request.POST)
    form.is_valid()
    files = list(dataset.files.filter(pk__in=number_list_param(request.POST, "file")))
    try:
        _chosen_tables(request, dataset, files)
        run = services.import_start(
            dataset=dataset,
            files=files,
            quarantine=bool(form.cleaned_data.get("quarantine")),
            user=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("measure:dataset", pk=dataset.pk)
    return redirect("measure:import", pk=run.pk)


@require_capability("measure.data")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jobs_fail_abandoned()  # a load whose worker was killed shows as failed, with Retry
    run = get_object_or_404(ImportRun.objects.select_related("dataset", "job", "started_by"), pk=pk)
    template = "measure/import.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    # A list, not the dict: in a template `loaded.items` would look up the "items" table's count.
    loaded = sorted(run.loaded.items())
    ctx = {
        "run": run,
        "files": run.files.all(),
        "finished": _finished(run),
        "loaded": loaded,
        "retry_url": reverse("measure:import_retry", args=[run.pk]),
    }
    return render(request, template, ctx)


def _finished(run: ImportRun | AnalysisRun) -> bool:
    return run.is_over


@require_capability("measure.data")
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = get_object_or_404(ImportRun, pk=pk)
    path = Path(run.errors_csv) if run.errors_csv else None
    if path is None or not path.exists():
        raise Http404("no error file")
    names = {f.path: f.original_name for f in run.files.all()}
    response = StreamingHttpResponse(_errors_for_people(path, names), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


def _errors_for_people(path: Path, names: dict[str, str]) -> Iterator[str]:
    """The loader's errors file as the page says it, row by row (it can hold millions): files by
    the name they were uploaded under (not the server's path), no command-line hints, and a
    byte-order mark so that Excel reads accents right."""
    import csv

    class Echo:
        """A file whose ``write`` hands the line back (Django's pattern for streamed CSV)."""

        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield "\ufeff"
    with path.open(newline="", encoding="utf-8") as handle:
        for k, row in enumerate(csv.reader(handle)):
            if k and row:
                row[0] = names.get(row[0], Path(row[0]).name)
                row[-1] = services.page_message(row[-1])
            yield writer.writerow(row)


@require_capability("measure.data")
def quarantine(request: HttpRequest, pk: int) -> HttpResponse:
    from arusha.importing.load import quarantine_rows

    dataset = get_object_or_404(Dataset, pk=pk)
    rows = quarantine_rows(dataset.store_path) if Path(dataset.store_path).exists() else []
    for row in rows:
        row["source_file"] = Path(str(row["source_file"])).name
    return render(
        request, "measure/quarantine.html", {"dataset": dataset, "rows": rows[:1000], "total": len(rows)}
    )


@require_POST
@require_capability("measure.data")
def analysis_start(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    form = AnalyseForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(str(e) for e in errs)}")
        return redirect("measure:dataset", pk=dataset.pk)
    try:
        run = services.analysis_start(dataset=dataset, user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("measure:dataset", pk=dataset.pk)
    return redirect("measure:analysis", pk=run.pk)


@require_capability("measure.data")
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jobs_fail_abandoned()
    run = get_object_or_404(AnalysisRun.objects.select_related("dataset", "job", "started_by"), pk=pk)
    template = "measure/analysis.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    official = selectors.official_run()
    ctx = {
        "run": run,
        "finished": _finished(run),
        "retry_url": reverse("measure:analysis_retry", args=[pk]),
        "is_official": official is not None and official.pk == run.pk,
        "was_official": run.publications.exists(),
    }
    return render(request, template, ctx)


def _retry(request: HttpRequest, run: ImportRun | AnalysisRun) -> None:
    """Queue the run's failed job again (the run's hooks in job_kinds.py put it back to "queued")."""
    if run.job is None:
        messages.error(request, _("This run has no job to retry."))
        return
    try:
        job_retry(job=run.job, user=request.user)  # type: ignore[arg-type]
    except RetryRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Started again."))


@require_POST
@require_capability("measure.data")
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("job"), pk=pk)
    _retry(request, run)
    return redirect("measure:import", pk=run.pk)


@require_POST
@require_capability("measure.data")
def analysis_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AnalysisRun.objects.select_related("job"), pk=pk)
    _retry(request, run)
    return redirect("measure:analysis", pk=run.pk)


# ---- Server folders


def _folders(dataset: Dataset) -> list[DataFolder]:
    from django.db.models import Count, Q

    return list(
        dataset.folders.annotate(file_count=Count("files", filter=Q(files__present=True))).select_related(
            "registered_by"
        )
    )


@require_POST
@require_capability("measure.data")
def folder_register(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = folder_service.folder_register(
                dataset=dataset,
                raw_path=form.cleaned_data["path"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_error("path", exc)
        else:
            messages.success(
                request,
                _("Folder registered: %(n)s file(s) found. Nothing is loaded yet.")
                % {"n": folder.files.count()},
            )
            return redirect("measure:folder", pk=folder.pk)
    # The dataset page again, with the refusal next to the field and what was typed kept.
    return render(request, "measure/dataset.html", _dataset_context(dataset, folder_form=form))


def _store_hashes(store: str) -> set[str] | None:
    """Content hashes already in the store; None when it cannot be read now (a load is writing)."""
    import duckdb

    if not Path(store).exists():
        return set()
    try:
        con = duckdb.connect(store, read_only=True)
    except duckdb.Error:
        return None
    try:
        return {str(h) for (h,) in con.execute("SELECT DISTINCT file_hash FROM _arusha_loads").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


@require_capability("measure.data")
def folder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from arusha.contract import TABLES

    folder = get_object_or_404(DataFolder.objects.select_related("dataset", "registered_by"), pk=pk)
    files = list(folder.files.order_by("original_name"))
    hashes = _store_hashes(folder.dataset.store_path)
    mapping_tables = _mapping_tables(folder.dataset)
    rows = [
        {
            "file": f,
            "table": f.table or (", ".join(mapping_tables) if mapping_tables else ""),
            # A file whose name does not say its table (and no mapping that lists tables): the analyst picks.
            "choose": f.present and not f.table and not mapping_tables,
            "loadable": f.present,
            "in_store": None if hashes is None or not f.sha256 else f.sha256 in hashes,
        }
        for f in files
    ]
    roots = folder_service.allowed_roots()
    inside = any(Path(folder.path) == r or Path(folder.path).is_relative_to(r) for r in roots)
    ctx = {
        "folder": folder,
        "dataset": folder.dataset,
        "rows": rows,
        "loadable": sum(1 for r in rows if r["loadable"]),
        "load": LoadForm(),
        "allowed": inside,
        "tables": TABLES,
        "imports": folder.dataset.imports.filter(files__folder=folder)
        .distinct()
        .select_related("job", "started_by")[:10],
    }
    return render(request, "measure/dataset_folder.html", ctx)


def _named_table(f: SourceFile) -> str:
    """The table a file fills as its name says (files uploaded before the name was recorded too)."""
    from arusha.contract import table_for_file

    return f.table or table_for_file(f.original_name) or ""


def _chosen_tables(request: HttpRequest, dataset: Dataset, files: list[SourceFile]) -> None:
    """Give each file whose name does not say its table the table the analyst chose beside it.

    Raises:
        ValidationError: a file without a chosen table (nothing is loaded).
    """
    from arusha.contract import TABLES

    # The dataset's mapping is read once, not once per file.
    unnamed = [] if _mapping_tables(dataset) else [f for f in files if not _named_table(f)]
    unchosen = [f.original_name for f in unnamed if request.POST.get(f"table_{f.pk}") not in TABLES]
    if unchosen:
        raise ValidationError(
            _("Choose the table that %(names)s fills (declarations, items or events). Nothing was loaded.")
            % {"names": ", ".join(unchosen)}
        )
    for f in unnamed:
        f.table = request.POST[f"table_{f.pk}"]
        f.save(update_fields=["table"])


def _mapping_tables(dataset: Dataset) -> list[str]:
    """The tables a file whose name does not say would fill, through the dataset's mapping."""
    if not dataset.mapping_path:
        return []
    from arusha.api import load_mapping
    from arusha.contract import TABLES

    try:
        mapping = load_mapping(dataset.mapping_path)
    except Exception:  # the mapping was checked when the dataset was created; a broken file says nothing
        return []
    return [t for t in TABLES if t in mapping.tables]


@require_POST
@require_capability("measure.data")
def folder_scan(request: HttpRequest, pk: int) -> HttpResponse:
    folder = get_object_or_404(DataFolder, pk=pk)
    try:
        counts = folder_service.folder_scan(folder=folder, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("Scanned: %(files)s file(s), %(new)s new, %(changed)s changed, %(gone)s no longer there.")
            % counts,
        )
    return redirect("measure:folder", pk=folder.pk)


@require_POST
@require_capability("measure.data")
def folder_load(request: HttpRequest, pk: int) -> HttpResponse:

    folder = get_object_or_404(DataFolder.objects.select_related("dataset"), pk=pk)
    form = LoadForm(request.POST)
    form.is_valid()
    ids = number_list_param(request.POST, "file")
    files = list(folder.files.filter(pk__in=ids, present=True).order_by("pk"))
    try:
        folder_service.checked_folder(folder.path)
        # A file whose name does not say its table loads into the table the analyst chose for it.
        # The dataset's mapping is read once, not once per file.
        _chosen_tables(request, folder.dataset, files)
        run = services.import_start(
            dataset=folder.dataset,
            files=files,
            quarantine=bool(form.cleaned_data.get("quarantine")),
            user=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("measure:folder", pk=folder.pk)
    return redirect("measure:import", pk=run.pk)
