"""Writes of the data side: datasets, uploads, loads and analyses (run as background jobs), and
the import of an analysis's outputs into the web database.

The job bodies live here (``import_execute``, ``analysis_execute``) so a management command or a
test can run them without the worker; ``job_kinds.py`` only adapts them to the job runner.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record

from . import progress_text, risk_scoring, traders
from .lead_records import LeadRecord, record_from_row
from .models import AnalysisRun, Dataset, ImportRun, IndicatorValue, Lead, RunStatus, SourceFile

Progress = Callable[[int, str], None]
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")
MAPPING_SUFFIXES = (".yaml", ".yml", ".toml")
BATCH = 2000
CHUNK = 1024 * 1024


def mappings_dir() -> Path:
    """Where the mappings shipped with Arusha are (``mappings/`` at the repository root)."""
    return Path(getattr(settings, "ARUSHA_MAPPINGS_DIR", Path(settings.BASE_DIR) / "mappings"))


def shipped_mappings() -> list[str]:
    folder = mappings_dir()
    return sorted(p.name for p in folder.glob("*.y*ml")) if folder.is_dir() else []


def upload_limit_bytes() -> int:
    return int(getattr(settings, "ARUSHA_UPLOAD_MAX_MB", 500)) * 1024 * 1024


def datasets_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "datasets"


def _save_upload(upload: UploadedFile, folder: Path, allowed: tuple[str, ...]) -> Path:
    """Stream an upload to disk chunk by chunk (never the whole file in memory); refuse bad ones."""
    name = Path(upload.name or "upload").name
    if not name.lower().endswith(allowed):
        raise ValidationError(
            _("%(name)s: only %(kinds)s files can be uploaded here.")
            % {"name": name, "kinds": ", ".join(allowed)}
        )
    limit = upload_limit_bytes()
    if upload.size and upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than the %(mb)s MB limit.") % {"name": name, "mb": limit // (1024 * 1024)}
        )
    # A folder per upload keeps the original name, which tells the loader the table (declarations*…).
    target = folder / uuid.uuid4().hex[:12] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for chunk in upload.chunks(CHUNK):
            handle.write(chunk)
    return target


def _check_mapping(path: Path) -> None:
    from arusha.api import load_mapping

    try:
        load_mapping(path)
    except Exception as exc:  # MappingError, YAML/TOML syntax errors, unreadable file
        raise ValidationError(_("The mapping file is not valid: %(error)s") % {"error": exc}) from exc


@transaction.atomic
def dataset_create(*, name: str, mapping: str, mapping_upload: UploadedFile | None, user: User) -> Dataset:
    """Create a dataset with its own store; the mapping is a shipped one or an uploaded file, checked now.

    Raises:
        ValidationError: unknown shipped mapping, or an uploaded mapping that does not parse.
    """
    dataset = Dataset.objects.create(name=name.strip(), store_path="", created_by=user)
    folder = datasets_root() / str(dataset.pk)
    mapping_path = ""
    try:
        if mapping_upload is not None:
            path = _save_upload(mapping_upload, folder / "mapping", MAPPING_SUFFIXES)
            _check_mapping(path)
            mapping_path = str(path)
        elif mapping:
            if mapping not in shipped_mappings():
                raise ValidationError(_("Unknown mapping %(name)s.") % {"name": mapping})
            mapping_path = str(mappings_dir() / mapping)
    except ValidationError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    dataset.store_path = str(folder / "clearance.duckdb")
    dataset.mapping_path = mapping_path
    dataset.save(update_fields=["store_path", "mapping_path"])
    return dataset


def files_add(*, dataset: Dataset, uploads: Iterable[UploadedFile], user: User) -> list[SourceFile]:
    """Keep uploaded exports on disk; a refused file leaves the others (and the store) untouched."""
    from arusha.contract import table_for_file

    folder = datasets_root() / str(dataset.pk) / "files"
    saved: list[Path] = []
    try:
        for upload in uploads:
            saved.append(_save_upload(upload, folder, ALLOWED_SUFFIXES))
    except ValidationError:
        for path in saved:
            shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return [
        SourceFile.objects.create(
            dataset=dataset,
            original_name=path.name,
            path=str(path),
            size=path.stat().st_size,
            uploaded_by=user,
            table=table_for_file(path.name) or "",
        )
        for path in saved
    ]


# ---- Loads


@transaction.atomic
def import_start(*, dataset: Dataset, files: list[SourceFile], quarantine: bool, user: User) -> ImportRun:
    """Queue a load of ``files`` into the dataset's store as a background job."""
    from arusha_web.jobs.services import job_start

    if not files:
        raise ValidationError(_("Choose at least one file to load."))
    run = ImportRun.objects.create(dataset=dataset, quarantine=quarantine, started_by=user)
    run.files.set(files)
    run.job = job_start(kind="measure.import", params={"import_run_id": run.pk}, user=user)
    run.save(update_fields=["job"])
    return run


# The loader speaks to the command line ("or pass --table items"); a page offers the choice itself.
_CLI_TABLE_HINT = re.compile(r" or pass --table(?: \w+)?")


def page_message(message: str) -> str:
    """A loader's message as a page says it, without command-line options."""
    return _CLI_TABLE_HINT.sub(" " + _("or choose its table beside the file on the dataset page"), message)


def import_execute(*, run: ImportRun, progress: Progress) -> dict[str, Any]:
    """Load the run's files; a rejected load records its errors and changes nothing in the store."""
    from arusha.api import LoadRejected, load_mapping, load_sources

    from .folders import FolderFileChanged, verify_and_hash

    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    dataset = run.dataset
    mapping = load_mapping(dataset.mapping_path) if dataset.mapping_path else None
    files = list(run.files.order_by("pk"))
    # Files of a registered folder are read in place: refuse (FolderFileChanged, nothing loaded)
    # one that vanished or changed since the scan, and record what is read (size, time, SHA-256).
    try:
        run.sources = verify_and_hash(files, progress)
    except FolderFileChanged as exc:
        # The job fails (job_kinds marks the run failed with this message); the error row lets the
        # load page say it plainly instead of showing a traceback.
        error = {
            "file": exc.name,
            "row": None,
            "column": "",
            "rule": "file_changed",
            "value": "",
            "message": str(exc),
        }
        ImportRun.objects.filter(pk=run.pk).update(errors=[error], error_count=1)
        raise
    ImportRun.objects.filter(pk=run.pk).update(sources=run.sources)
    paths = [Path(f.path) for f in files]
    errors_csv = Path(dataset.store_path).parent / f"import-{run.pk}-errors.csv"
    names = {str(p): f.original_name for p, f in zip(paths, files, strict=True)}
    shown = {Path(p).name: name for p, name in names.items()}  # progress messages name files by file name
    try:
        result = load_sources(
            paths,
            dataset.store_path,
            mapping=mapping,
            quarantine=run.quarantine,
            errors_csv=errors_csv,
            progress=lambda pct, msg: progress(10 + int(pct * 0.9), progress_text.localise(msg, shown)),
            # Every row into DuckDB's own storage: the dashboards' drill-downs query the store on one
            # thread per request, 2-5 times faster there than over kept Parquet files.
            keep_parquet=False,
            known_hashes={r["path"]: r["sha256"] for r in run.sources if r.get("sha256")},
            # The table each file fills, as its name says or as the analyst chose for a file whose name does not.
            tables={str(p): f.table for p, f in zip(paths, files, strict=True) if f.table},
        )
    except LoadRejected as exc:
        res = exc.result
        run.status = RunStatus.REJECTED
        run.error_count = res.error_count
        run.errors = [
            {
                "file": names.get(e.file, Path(e.file).name),
                "row": e.row,
                "column": e.column,
                "rule": e.rule,
                "value": e.value,
                "message": page_message(e.message),
            }
            for e in res.errors
        ]
        run.errors_csv = str(res.errors_csv or "")
        run.message = _("Nothing was loaded: %(n)s problem(s) found.") % {"n": res.error_count}
    else:
        run.status = RunStatus.DONE
        run.loaded = result.loaded
        run.quarantined = result.quarantined
        run.skipped = [names.get(s, Path(s).name) for s in result.skipped]
        rows = sum(result.loaded.values())
        run.message = _("%(rows)s rows loaded.") % {
            "rows": number_format(rows, 0, use_l10n=True, force_grouping=True)
        }
    run.finished_at = timezone.now()
    run.save()
    return {
        "status": run.status,
        "errors": run.error_count,
        "loaded": run.loaded,
        "quarantined": run.quarantined,
    }


def import_mark_failed(*, run_id: int, error: str) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, message=error[:2000], finished_at=timezone.now()
    )


def run_requeue(*, model: str, run_id: int) -> None:
    """Put a failed import or analysis back to "queued" when its job is retried (same row, same files)."""
    fields: dict[str, Any] = {"status": RunStatus.QUEUED, "message": "", "finished_at": None}
    if model == "import":
        ImportRun.objects.filter(pk=run_id).update(**fields, error_count=0, errors=[], errors_csv="")
    else:
        AnalysisRun.objects.filter(pk=run_id).update(**fields)


# ---- Analyses


def data_version(store: str | Path) -> str:
    """A short fingerprint of what the store held: loads, rows and the last load time."""
    import duckdb

    if not Path(store).exists():
        return ""
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute(
            "SELECT count(*), coalesce(sum(rows), 0), max(loaded_at) FROM _arusha_loads"
        ).fetchone()
    except duckdb.Error:
        return ""
    finally:
        con.close()
    if not row:
        return ""
    last = row[2].strftime("%Y-%m-%d %H:%M") if row[2] else "-"
    return f"{row[0]} loads, {row[1]} rows, last {last}"


def data_files(store: str | Path) -> list[dict[str, Any]]:
    """Each load the store holds (file, table, rows, SHA-256, when), so a run names what it read."""
    import duckdb

    if not Path(store).exists():
        return []
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(
            "SELECT file_name, table_name, rows, file_hash, loaded_at FROM _arusha_loads ORDER BY loaded_at"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [
        {
            "name": Path(str(name)).name,
            "path": str(name),
            "table": str(table),
            "rows": int(n or 0),
            "sha256": str(digest),
            "loaded_at": loaded.isoformat(timespec="seconds") if loaded else "",
        }
        for name, table, n, digest, loaded in rows
    ]


def data_span(store_path: str) -> tuple[dt.date, dt.date] | None:
    """Return the first and last registration dates in a dataset's store, or ``None`` when unknown.

    Why: an analysis of a period the data does not cover would queue a job only to fail; the
    dataset page also shows the span beside the dates to choose. ``None`` (no store yet, no rows,
    or the store busy with a load) leaves the check to the analysis itself.
    """
    import duckdb

    if not Path(store_path).exists():
        return None
    try:
        con = duckdb.connect(store_path, read_only=True)
        try:
            row = con.execute("SELECT min(registered_at), max(registered_at) FROM declarations").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0].date(), row[1].date()


def declaration_count(store_path: str) -> int | None:
    """How many declarations a dataset's store holds: 0 with no store or no declarations table,
    None when it cannot be read now (a load is writing it)."""
    import duckdb

    if not Path(store_path).exists():
        return 0
    try:
        con = duckdb.connect(store_path, read_only=True)
        try:
            tables = {
                r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
            }
            if "declarations" not in tables:
                return 0
            row = con.execute("SELECT count(*) FROM declarations").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return int(row[0]) if row else 0


@transaction.atomic
def analysis_start(
    *, dataset: Dataset, user: User, date_from: dt.date | None, date_to: dt.date | None, period: str = "month"
) -> AnalysisRun:
    from arusha_web.jobs.services import job_start

    if declaration_count(dataset.store_path) == 0:
        raise ValidationError(_("This dataset holds no declarations yet: load a file of declarations first."))
    if date_from and date_to and date_from > date_to:
        raise ValidationError(_("The start date is after the end date."))
    span = data_span(dataset.store_path)
    if span and ((date_from and date_from > span[1]) or (date_to and date_to < span[0])):
        raise ValidationError(
            _(
                "No declaration in this dataset was registered in the chosen period: "
                "its declarations were registered from %(first)s to %(last)s."
            )
            % {
                "first": date_format(span[0], "SHORT_DATE_FORMAT"),
                "last": date_format(span[1], "SHORT_DATE_FORMAT"),
            }
        )
    run = AnalysisRun.objects.create(
        dataset=dataset, period=period, date_from=date_from, date_to=date_to, started_by=user, out_dir=""
    )
    run.out_dir = str(Path(dataset.store_path).parent / "analysis" / str(run.pk))
    run.job = job_start(kind="measure.analyse", params={"analysis_run_id": run.pk}, user=user)
    run.save(update_fields=["out_dir", "job"])
    return run


def analysis_execute(*, run: AnalysisRun, progress: Progress) -> dict[str, Any]:
    """Re-score with the saved risk model (0–5 %), analyse the store (5–80 %), then import
    indicators and leads (80–100 %)."""
    import arusha
    from arusha.api import analyze_store

    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    store = run.dataset.store_path
    run.data_version = data_version(store)
    run.data_files = data_files(store)
    run.software_version = arusha.__version__
    # First bring the risk model's scores up to date (newly loaded declarations included).
    scoring = risk_scoring.rescore(
        store=store, date_from=run.date_from, date_to=run.date_to, progress=progress
    )
    result = analyze_store(
        store,
        run.out_dir,
        date_from=run.date_from,
        date_to=run.date_to,
        period=run.period,
        progress=lambda pct, msg: progress(5 + int(pct * 0.75), progress_text.localise(msg)),
        trader_periods=True,  # traders.parquet shows declarants' and importers' monthly series
    )
    run.not_computable = dict(result.not_computable)
    run.risk_model_note = scoring.note
    run.risk_model = ", ".join(risk_scoring.models_in_store(store))[:120] if run.has_expected_found else ""
    run.save(
        update_fields=[
            "data_version",
            "data_files",
            "software_version",
            "not_computable",
            "risk_model",
            "risk_model_note",
        ]
    )
    progress(85, _("Importing indicator values and leads"))
    outputs_import(run=run, actor=run.started_by)
    return {"indicators": run.indicator_count, "leads": run.lead_count}


def analysis_mark_failed(*, run_id: int, error: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, message=error[:2000], finished_at=timezone.now()
    )


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


# What the pages read from the web database: monthly series for officers, offices and the
# administration; whole-window values for declarants and importers. The traders' monthly values and
# their officer pairs go to traders.parquet instead (why: see traders.py); HS-chapter rows stay in
# indicators.parquet.
MONTHLY_LEVELS = ("officer", "office", "administration")
WINDOW_LEVELS = ("declarant", "importer")


def _kept(table: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    monthly = pc.is_in(table["entity_type"], value_set=pa.array(MONTHLY_LEVELS))
    window = pc.and_(
        pc.is_in(table["entity_type"], value_set=pa.array(WINDOW_LEVELS)), pc.equal(table["period"], "all")
    )
    return table.filter(pc.or_(monthly, window))


# Read as text, whatever they look like: ids such as "00741" or "74021" must not become numbers.
SIGNAL_TEXT_COLUMNS = ("entity_type", "entity_id", "kind", "explanation", "officer_id", "other_id",
                       "office_code", "window_start", "window_end", "related", "basis")  # fmt: skip


def read_signals(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``signals.csv`` (five columns in older analyses, the record after them since);
    none when the file is absent."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not path.exists():
        return []
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(SIGNAL_TEXT_COLUMNS, pa.string()))
    rows: list[dict[str, Any]] = pacsv.read_csv(path, convert_options=options).to_pylist()
    return rows


def _lead_from_record(
    run: AnalysisRun, rank: int, record: LeadRecord, row: dict[str, Any], offices: dict[tuple[str, str], str]
) -> Lead:
    """A lead to store; the office is the record's, else (an older analysis) the officer's office."""
    office = record.office_code
    if not office:
        office = (
            record.entity_id
            if record.entity_type == "office"
            else offices.get(("officer", record.officer), "")
        )
    return Lead(
        run=run,
        rank=rank,
        entity_type=record.entity_type,
        entity_id=record.entity_id,
        office_code=office,
        score=_num(row.get("score")) or 0.0,
        kind=record.kind,
        explanation=_text(row.get("explanation")),
        officer_id=record.officer_id,
        other_id=record.other_id,
        window_start=record.window_start,
        window_end=record.window_end,
        observed=record.observed,
        expected=record.expected,
        n=record.n,
        ratio_low=record.ratio_low,
        excess_low=record.excess_low,
        p=record.p,
        q=record.q,
        related=list(record.related),
        counterparts=record.counterparts,
        unstandardised_n=record.unstandardised_n,
        basis=record.basis,
    )


@transaction.atomic
def outputs_import(*, run: AnalysisRun, actor: User | None) -> AnalysisRun:
    """Replace the run's indicator values and leads with those of its output folder, in bulk.

    Bulk inserts fire no signals, so the import itself is one audit entry with the counts.
    """
    import pyarrow.parquet as pq

    out = Path(run.out_dir)
    IndicatorValue.objects.filter(run=run).delete()
    Lead.objects.filter(run=run).delete()
    table = _kept(pq.read_table(out / "indicators.parquet"))
    offices: dict[tuple[str, str], str] = {}
    count = 0
    for batch in table.to_batches(BATCH):
        rows = batch.to_pylist()
        objs = []
        for r in rows:
            office = _text(r.get("office_code"))
            if office and r["entity_type"] in ("officer", "office"):
                offices[(r["entity_type"], r["entity_id"])] = office
            objs.append(
                IndicatorValue(
                    run=run,
                    entity_type=r["entity_type"],
                    entity_id=_text(r["entity_id"]),
                    office_code=office,
                    period=_text(r["period"]),
                    indicator=r["indicator"],
                    value=_num(r.get("value")),
                    n=None if _num(r.get("n")) is None else int(r["n"]),
                    peer_median=_num(r.get("peer_median")),
                    z=_num(r.get("z")),
                )
            )
        IndicatorValue.objects.bulk_create(objs, batch_size=BATCH)
        count += len(objs)
    leads = [
        _lead_from_record(run, rank, record_from_row(row), row, offices)
        for rank, row in enumerate(read_signals(out / "signals.csv"), start=1)
    ]
    Lead.objects.bulk_create(leads, batch_size=BATCH)
    traders.write(out)
    run.indicator_count = count
    run.lead_count = len(leads)
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.message = _("%(values)s indicator values and %(leads)s leads.") % {
        "values": count,
        "leads": len(leads),
    }
    run.save()
    audit_record(
        action="update",
        actor=actor,
        obj=run,
        after={"imported": {"indicator_values": count, "leads": len(leads)}, "out_dir": run.out_dir},
    )
    return run


def register_existing(
    *, name: str, store: Path, out_dir: Path, mapping_path: str = "", user: User | None = None
) -> AnalysisRun:
    """Register a store and an analysis made outside the web app (the demo, the CLI); idempotent."""
    import arusha

    dataset, _created = Dataset.objects.get_or_create(
        store_path=str(store), defaults={"name": name, "mapping_path": mapping_path, "created_by": user}
    )
    run = AnalysisRun.objects.filter(dataset=dataset, out_dir=str(out_dir)).first()
    if run is None:
        run = AnalysisRun.objects.create(
            dataset=dataset,
            out_dir=str(out_dir),
            data_version=data_version(store),
            data_files=data_files(store),
            software_version=arusha.__version__,
            started_by=user,
        )
        if run.has_expected_found:  # the demo scores the store before analysing it
            run.risk_model = ", ".join(risk_scoring.models_in_store(str(store)))[:120]
            run.save(update_fields=["risk_model"])
    if run.status != RunStatus.DONE:
        outputs_import(run=run, actor=user)
    elif not (Path(out_dir) / traders.FILE_NAME).exists():
        traders.write(Path(out_dir))  # registered before traders.parquet existed
    return run
