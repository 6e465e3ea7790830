"""Measure: clearance datasets, their loads and analyses, the leads they raise, and performance contracts.

The analytics library keeps the declarations in a DuckDB store; this database keeps what people
act on (runs, indicator values imported from an analysis, leads and their triage, contracts), so
pages never re-run an analysis to show a figure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from arusha_web.measure import run_text
from arusha_web.measure.lead_records import LeadRecord

USER = settings.AUTH_USER_MODEL


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


_RUN_BADGES = {
    RunStatus.QUEUED: "",
    RunStatus.RUNNING: "badge-warn",
    RunStatus.DONE: "badge-ok",
    RunStatus.REJECTED: "badge-bad",
    RunStatus.FAILED: "badge-bad",
}


class RunState:
    """What a load's or an analysis's page says of its state (the run's, never its job's)."""

    status: str
    job: Any

    @property
    def status_badge(self) -> str:
        return _RUN_BADGES.get(RunStatus(self.status), "") if self.status in RunStatus.values else ""

    @property
    def is_over(self) -> bool:
        """Done, rejected or failed, or its job ended (a job that died leaves the run "running")."""
        return self.status in (RunStatus.DONE, RunStatus.REJECTED, RunStatus.FAILED) or (
            self.job is not None and self.job.is_finished
        )


class Dataset(models.Model):
    """A DuckDB store of clearance data, filled by loads of uploaded files through one mapping."""

    name = models.CharField(_("name"), max_length=200)
    store_path = models.CharField(_("store file"), max_length=500)
    # A shipped mapping's file name (mappings/<name>) or the path of an uploaded one; "" = canonical.
    mapping_path = models.CharField(_("mapping"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.name


class DataFolder(models.Model):
    """A server-side folder (under a root the administrator allowed) whose exports are read in place.

    Why: exports of several gigabytes sit on a server share; sending them through a browser is
    slow and doubles the disk they take. The folder's files become ``SourceFile`` rows (with
    ``folder`` set) when it is scanned, and are loaded through the same path as uploads.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="folders")
    path = models.CharField(_("folder"), max_length=1000)
    registered_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    scanned_at = models.DateTimeField(_("last scanned"), null=True, blank=True)

    class Meta:
        ordering = ["registered_at"]
        constraints = [models.UniqueConstraint(fields=["dataset", "path"], name="measure_folder_once")]
        verbose_name = _("data folder")
        verbose_name_plural = _("data folders")

    def __str__(self) -> str:
        return self.path


class SourceFile(models.Model):
    """An export a load reads: an upload kept on disk, or a file of a registered folder read in place."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    # Set for a file found in a registered folder (read where it is, never copied).
    folder = models.ForeignKey(
        DataFolder, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    # What the last scan saw (a load refuses a file that changed since) and, once a job hashed it,
    # its content: together they name exactly what a load read.
    modified_at = models.DateTimeField(_("modified"), null=True, blank=True)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    present = models.BooleanField(_("still in the folder"), default=True)
    original_name = models.CharField(_("file name"), max_length=255)
    path = models.CharField(_("stored at"), max_length=500)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    table = models.CharField(_("table"), max_length=20, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("source file")
        verbose_name_plural = _("source files")

    def __str__(self) -> str:
        return self.original_name


class ImportRun(RunState, models.Model):
    """One load of a dataset's files into its store (a background job)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="imports")
    files = models.ManyToManyField(SourceFile, related_name="imports", blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    quarantine = models.BooleanField(_("quarantine bad rows"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    loaded = models.JSONField(_("rows loaded"), default=dict, blank=True)
    quarantined = models.IntegerField(_("rows quarantined"), default=0)
    skipped = models.JSONField(_("files already loaded"), default=list, blank=True)
    error_count = models.IntegerField(_("errors"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    errors_csv = models.CharField(max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    # What was read, file by file: name, path, size, modification time, SHA-256 (filled by the job).
    sources = models.JSONField(_("files read"), default=list, blank=True)
    started_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.dataset} import {self.pk}"

    @property
    def outcome(self) -> str:
        """The result in the reader's language (the job stored it in its starter's)."""
        return run_text.load_outcome(self)


class AnalysisRun(RunState, models.Model):
    """One analysis of a dataset's store, with what it was run on and by which software version."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="analyses")
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    out_dir = models.CharField(_("output folder"), max_length=500)
    period = models.CharField(_("period"), max_length=10, default="month")
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    data_version = models.CharField(_("data version"), max_length=200, blank=True)
    # The loads the store held when the run read it (file, table, rows, SHA-256, loaded at).
    data_files = models.JSONField(_("files in the data"), default=list, blank=True)
    software_version = models.CharField(_("software version"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    indicator_count = models.IntegerField(_("indicator values"), default=0)
    lead_count = models.IntegerField(_("leads"), default=0)
    not_computable = models.JSONField(_("not computable"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The risk model whose scores the analysis compared inspections with (empty: none), and what
    # happened when the run tried to re-score the declarations with the saved model.
    risk_model = models.CharField(_("risk model"), max_length=120, blank=True)
    risk_model_note = models.TextField(_("risk model note"), blank=True)
    started_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")

    def __str__(self) -> str:
        return f"{self.dataset} analysis {self.pk}"

    @property
    def has_expected_found(self) -> bool:
        """Whether the analysis compared inspections with the risk model (its output file is there)."""
        from pathlib import Path

        return bool(self.out_dir) and (Path(self.out_dir) / "detection.parquet").is_file()

    # Said in the reader's language when the page is drawn (measure/run_text.py says why).
    @property
    def outcome(self) -> str:
        return run_text.analysis_outcome(self)

    @property
    def period_label(self) -> str:
        return run_text.period_label(self.period)

    @property
    def data_version_text(self) -> str:
        return run_text.data_version_text(self.data_version)

    @property
    def data_files_shown(self) -> list[dict[str, object]]:
        return run_text.data_files_shown(self.data_files or [])

    @property
    def risk_model_text(self) -> str:
        return run_text.model_text(self.risk_model)

    @property
    def not_computable_rows(self) -> list[tuple[str, str]]:
        return run_text.not_computable_rows(self.not_computable or {})


# The note of the publication the upgrade to official analyses made (migration 0008 writes it
# verbatim): kept in English, said in the reader's language where shown.
UPGRADE_NOTE = gettext_noop("Official at the upgrade: the newest finished analysis at that time.")


class Publication(models.Model):
    """One analysis made the official one: what every dashboard, the leads inbox, the scorecards
    and the risks' evidence show from then on, until the next publication.

    Kept as a history (never updated) because a risk map replayed at a past date must show the
    evidence of the analysis that was official then, and an auditor asks who published what when.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="publications")
    published_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    note = models.TextField(_("why this analysis"), blank=True)
    # Leads of the new analysis that took over the triage of the analysis it replaced.
    carried = models.IntegerField(_("leads whose triage carried over"), default=0)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("publication of an analysis")
        verbose_name_plural = _("publications of analyses")

    def __str__(self) -> str:
        return f"analysis {self.run_id} published {self.published_at:%Y-%m-%d %H:%M}"


class IndicatorValue(models.Model):
    """One row of an analysis's ``indicators.parquet`` (not audited row by row: imported in bulk)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="values")
    entity_type = models.CharField(max_length=32)
    entity_id = models.CharField(max_length=128)
    office_code = models.CharField(max_length=32, blank=True)
    period = models.CharField(max_length=16)
    indicator = models.CharField(max_length=32)
    value = models.FloatField(null=True)
    n = models.IntegerField(null=True)
    peer_median = models.FloatField(null=True)
    z = models.FloatField(null=True)

    class Meta:
        # The first serves tables of every entity for a period (offices side by side), the second
        # one entity's values (a scorecard, a trader page): with only the first, a page about one
        # importer scanned every importer's values for the indicator (~300 ms at 1 M declarations).
        indexes = [
            models.Index(fields=["run", "entity_type", "period", "indicator"]),
            models.Index(
                fields=["run", "entity_type", "entity_id", "period", "indicator"], name="measure_iv_entity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.entity_type} {self.entity_id} {self.period}"


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    REVIEW = "review", _("Under review")
    EXPLAINED = "explained", _("Explained")
    DISMISSED = "dismissed", _("Dismissed")
    REFERRED = "referred", _("Referred")


class Lead(models.Model):
    """A ranked signal from an analysis, triaged by people (a lead, never a conclusion)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="leads")
    rank = models.IntegerField(_("rank"))
    entity_type = models.CharField(_("about"), max_length=32)
    entity_id = models.CharField(_("identifier"), max_length=128)
    office_code = models.CharField(_("office"), max_length=32, blank=True, db_index=True)
    score = models.FloatField(_("score"))
    kind = models.CharField(_("kind"), max_length=64)
    explanation = models.TextField(_("explanation"))
    # The lead's record (signals.csv after its first five columns; arusha/leads/record.py says what
    # each holds). Pages make the sentence from these and mask officers by them. Leads imported
    # before the engine wrote records keep nulls and are shown by their stored sentence.
    officer_id = models.CharField(_("officer"), max_length=128, blank=True)
    other_id = models.CharField(_("declarant or importer of the pair"), max_length=128, blank=True)
    window_start = models.CharField(_("first month"), max_length=7, blank=True)
    window_end = models.CharField(_("last month"), max_length=7, blank=True)
    observed = models.IntegerField(_("observed"), null=True, blank=True)
    expected = models.FloatField(_("expected"), null=True, blank=True)
    n = models.IntegerField(_("files"), null=True, blank=True)
    ratio_low = models.FloatField(_("ratio, lower bound"), null=True, blank=True)
    excess_low = models.FloatField(_("excess, lower bound"), null=True, blank=True)
    p = models.FloatField("p", null=True, blank=True)
    q = models.FloatField("q", null=True, blank=True)
    related = models.JSONField(_("other officers named"), default=list, blank=True)
    counterparts = models.IntegerField(_("other counterparts with leads"), null=True, blank=True)
    unstandardised_n = models.IntegerField(_("files without comparable files"), null=True, blank=True)
    basis = models.CharField(_("expected from"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    reason = models.TextField(_("reason"), blank=True)
    assignee = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assignee")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The lead of the previous official analysis whose triage this one took over (same culprit and
    # kind, overlapping months): its comments and history stay readable from here.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )

    class Meta:
        ordering = ["run", "rank"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"#{self.rank} {self.kind}"

    @property
    def kind_label(self) -> str:
        """The kind in plain language (the raw code when the kind is unknown)."""
        from .kinds import kind_label

        return kind_label(self.kind)

    @property
    def record(self) -> LeadRecord:
        """The lead's fields as one record (``record.complete`` is False for an old lead)."""
        return LeadRecord(
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            kind=self.kind,
            officer_id=self.officer_id,
            other_id=self.other_id,
            office_code=self.office_code,
            window_start=self.window_start,
            window_end=self.window_end,
            observed=self.observed,
            expected=self.expected,
            n=self.n,
            ratio_low=self.ratio_low,
            excess_low=self.excess_low,
            p=self.p,
            q=self.q,
            related=tuple(self.related or ()),
            counterparts=self.counterparts,
            unstandardised_n=self.unstandardised_n,
            basis=self.basis,
        )


class LeadComment(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("lead comment")
        verbose_name_plural = _("lead comments")

    def __str__(self) -> str:
        return f"comment on lead {self.lead_id}"


class Referral(models.Model):
    """A lead handed over to the integrity unit's intake (and, when the cases module is there, its report)."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="referral")
    referred_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("why it is referred"))
    intake_ref = models.CharField(_("intake reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"referral of lead {self.lead_id}"


class SubjectType(models.TextChoices):
    OFFICER = "officer", _("Officer")
    OFFICE = "office", _("Office")


class Contract(models.Model):
    """A performance contract with an officer or an office; its terms live in signed versions."""

    subject_type = models.CharField(_("with"), max_length=10, choices=SubjectType.choices)
    subject_id = models.CharField(_("officer or office"), max_length=64, db_index=True)
    office_code = models.CharField(_("office"), max_length=32, db_index=True)
    run = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="contracts")
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("performance contract")
        verbose_name_plural = _("performance contracts")

    def __str__(self) -> str:
        return f"{self.get_subject_type_display()} {self.subject_id}"

    @property
    def latest_version(self) -> ContractVersion | None:
        """The newest version (uses the prefetched versions when the list page prefetched them)."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None


class ContractVersion(models.Model):
    """The terms of a contract; once signed they never change (an amendment is a new version)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    signatories = models.TextField(_("signatories"), help_text=_("One name and function per line."))
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="measure_contract_version")
        ]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}"


class ContractTarget(models.Model):
    """One indicator of a contract version: baseline (median of past months) and target."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicator"), max_length=32)
    baseline = models.FloatField(_("baseline"), null=True)
    target = models.FloatField(_("target"), null=True)
    direction = models.CharField(max_length=16)
    reason = models.TextField(_("reason for a changed target"), blank=True)

    class Meta:
        ordering = ["version", "indicator"]
        verbose_name = _("contract target")
        verbose_name_plural = _("contract targets")

    def __str__(self) -> str:
        return f"{self.indicator} → {self.target}"


class ReviewNote(models.Model):
    """The monthly conversation between the manager and the officer, written down."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="notes")
    month = models.CharField(_("month"), max_length=7)
    text = models.TextField(_("note"))
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "-created_at"]
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")

    def __str__(self) -> str:
        return f"note {self.month}"


class AntiGamingThresholds(models.Model):
    """When the anti-gaming view flags an officer: faster by more than the facilitation thresholds
    *and* weaker control by more than one of the control thresholds (changes between the first and
    the last three complete months).

    One row (pk 1), edited by the integrity unit and audited. The defaults are editable starting
    points chosen for this tool, not WCO values; shares are in percentage points.
    """

    assessment_gain_points = models.FloatField(
        _("share assessed on the day rises by more than (points)"), default=10.0
    )
    release_gain_hours = models.FloatField(_("median release time falls by more than (hours)"), default=4.0)
    hit_rate_drop_points = models.FloatField(_("hit rate falls by more than (points)"), default=10.0)
    override_rise_points = models.FloatField(
        _("channel-override rate rises by more than (points)"), default=3.0
    )
    red_release_rise_points = models.FloatField(
        _("red released without inspection rises by more than (points)"), default=3.0
    )
    updated_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("anti-gaming thresholds")
        verbose_name_plural = _("anti-gaming thresholds")

    def __str__(self) -> str:
        return str(_("anti-gaming thresholds"))

    @classmethod
    def current(cls) -> AntiGamingThresholds:
        """The stored thresholds, or the defaults (unsaved: reading a page writes nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
