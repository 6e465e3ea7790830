"""Corruption risk register after the WCO Guide to Corruption Risk Mapping.

Processes are chains of steps; a risk sits on a step. Ratings live on the risk (current state)
and every change is also appended to ``RatingChange`` so the map can be replayed at a past date.
Scales, bands and the matrix are rows, not constants: the WCO scale is unverified, so the
defaults shipped in ``seed.py`` are editable starting points.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localised(obj: models.Model, field: str) -> str:
    """The French text when the user reads French and it exists, else the English one."""
    lang = (get_language() or "en")[:2]
    french = getattr(obj, f"{field}_fr", "")
    return str(french if lang == "fr" and french else getattr(obj, f"{field}_en", ""))


class Status(models.TextChoices):
    """The six steps of the risk-mapping method, in order."""

    IDENTIFY = "identify", _("1. Identify")
    UNDERSTAND = "understand", _("2. Understand")
    EVALUATE = "evaluate", _("3. Evaluate")
    PRIORITISE = "prioritise", _("4. Prioritise")
    MANAGE = "manage", _("5. Manage")
    REVISIT = "revisit", _("6. Revisit")


class Treatment(models.TextChoices):
    REDUCE = "reduce", _("Reduce")
    AVOID = "avoid", _("Avoid")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept (with approval)")


class Harm(models.TextChoices):
    """Adverse effects of corruption listed in the Revised Arusha Declaration's preamble."""

    SECURITY = "security", _("National security and community protection")
    REVENUE = "revenue", _("Revenue leakage and fraud")
    INVESTMENT = "investment", _("Foreign investment")
    COSTS = "costs", _("Costs borne by the community")
    TRADE = "trade", _("Barriers to trade and growth")
    TRUST = "trust", _("Public trust")
    AGENCIES = "agencies", _("Co-operation with other agencies")
    COMPLIANCE = "compliance", _("Voluntary compliance")
    MORALE = "morale", _("Staff morale and esprit de corps")


class EvidenceSource(models.TextChoices):
    INTERVIEWS = "interviews", _("Interviews and workshops")
    SURVEY = "survey", _("Survey results")
    COMPLAINTS = "complaints", _("Complaints")
    AUDIT = "audit", _("Audit findings")
    CASES = "cases", _("Cases")
    DATA = "data", _("Data leads")


class ControlKind(models.TextChoices):
    PREVENTIVE = "preventive", _("Preventive")
    DETECTIVE = "detective", _("Detective")
    CORRECTIVE = "corrective", _("Corrective")


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY = "partly", _("Partly effective")
    INEFFECTIVE = "ineffective", _("Ineffective")
    UNKNOWN = "unknown", _("Not assessed")


class Axis(models.TextChoices):
    LIKELIHOOD = "likelihood", _("Likelihood")
    IMPACT = "impact", _("Impact")


class ScaleLevel(models.Model):
    """One level of the likelihood or impact scale, with its written definition."""

    axis = models.CharField(_("axis"), max_length=12, choices=Axis.choices)
    value = models.PositiveSmallIntegerField(_("value"))
    label_en = models.CharField(_("label (English)"), max_length=60)
    label_fr = models.CharField(_("label (French)"), max_length=60, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)

    class Meta:
        ordering = ["axis", "value"]
        constraints = [models.UniqueConstraint(fields=["axis", "value"], name="risks_scale_unique_level")]

    def __str__(self) -> str:
        return f"{self.value} — {self.label}"

    @property
    def label(self) -> str:
        return _localised(self, "label")

    @property
    def definition(self) -> str:
        return _localised(self, "definition")


class Band(models.Model):
    """A band of scores (low, medium...) with its colour; bands must not overlap."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=40)
    label_fr = models.CharField(_("label (French)"), max_length=40, blank=True)
    min_score = models.PositiveSmallIntegerField(_("lowest score"))
    max_score = models.PositiveSmallIntegerField(_("highest score"))
    color = models.CharField(_("colour"), max_length=7, default="#cccccc", help_text=_("e.g. #d9534f"))

    class Meta:
        ordering = ["min_score"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _localised(self, "label")


class MatrixCell(models.Model):
    """An override of the matrix: this likelihood × impact cell falls in `band` whatever its score."""

    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    band = models.ForeignKey(Band, on_delete=models.CASCADE, related_name="cells", verbose_name=_("band"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="risks_matrix_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.likelihood}×{self.impact}"


class Process(models.Model):
    """A customs process (import clearance, transit, procurement...) as a chain of steps."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")


class ProcessStep(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    actors = models.CharField(_("actors"), max_length=250, blank=True)

    class Meta:
        ordering = ["process__order", "order"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="risks_step_unique_code")]

    def __str__(self) -> str:
        return f"{self.process.name} › {self.name}"

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def key(self) -> str:
        """`process/step`, the step's identifier in spreadsheets."""
        return f"{self.process.code}/{self.code}"


class Risk(models.Model):
    """A corruption risk on one step of a process, for one office or the whole administration."""

    ref = models.CharField(_("reference"), max_length=20, unique=True)
    step = models.ForeignKey(
        ProcessStep, on_delete=models.PROTECT, related_name="risks", verbose_name=_("process step")
    )
    office = models.ForeignKey(
        "org.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        verbose_name=_("office"),
        help_text=_("Leave empty for a risk of the whole administration."),
    )
    title = models.CharField(_("title"), max_length=200)
    position = models.CharField(_("position exposed"), max_length=200, blank=True)
    scheme = models.TextField(_("scheme"), blank=True, help_text=_("How the corrupt act works."))
    drivers = models.TextField(_("drivers"), blank=True, help_text=_("Causes, opportunities, incentives."))
    harms = models.JSONField(_("harm categories"), default=list, blank=True)
    evidence_sources = models.JSONField(_("evidence sources"), default=list, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    indicator_codes = models.JSONField(
        _("engine indicators"),
        default=list,
        blank=True,
        help_text=_("Codes of quantification-engine indicators that measure this risk, e.g. BP1."),
    )
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"), null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"), null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices, blank=True)
    acceptance_approved_by = models.CharField(
        _("acceptance approved by"), max_length=120, blank=True, help_text=_("Required to accept a risk.")
    )
    owner = models.CharField(_("risk owner"), max_length=120, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def inherent_score(self) -> int | None:
        if self.inherent_likelihood and self.inherent_impact:
            return self.inherent_likelihood * self.inherent_impact
        return None

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood and self.residual_impact:
            return self.residual_likelihood * self.residual_impact
        return None

    def harm_labels(self) -> list[str]:
        return [str(Harm(h).label) for h in self.harms if h in Harm.values]

    def evidence_labels(self) -> list[str]:
        return [str(EvidenceSource(e).label) for e in self.evidence_sources if e in EvidenceSource.values]


class Control(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    kind = models.CharField(_("type"), max_length=12, choices=ControlKind.choices)
    description = models.TextField(_("description"))
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    design = models.CharField(
        _("design effectiveness"), max_length=12, choices=Effectiveness.choices, default=Effectiveness.UNKNOWN
    )
    operating = models.CharField(
        _("operating effectiveness"),
        max_length=12,
        choices=Effectiveness.choices,
        default=Effectiveness.UNKNOWN,
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("control")

    def __str__(self) -> str:
        return self.description[:60]


class RiskAction(models.Model):
    """A treatment action of a risk.

    Until the integrity action plan exists (``diagnose.Action``), the action is described here;
    ``action_id`` is the hook to point at the plan's action once it does.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    action_id = models.PositiveIntegerField(_("action plan item"), null=True, blank=True)
    title = models.CharField(_("action"), max_length=250)
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["done", "due_date", "pk"]
        verbose_name = _("treatment action")

    def __str__(self) -> str:
        return self.title


class RatingChange(models.Model):
    """The risk's ratings and status after one change, with who, when and why."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("who")
    )
    reason = models.TextField(_("why"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    RATING_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")

    def __str__(self) -> str:
        return f"{self.risk_id} @ {self.at:%Y-%m-%d %H:%M}"
