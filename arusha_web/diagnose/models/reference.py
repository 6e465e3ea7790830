"""Reference content (RAD factors and their checklist elements) and the versioned question bank."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(obj: object, field: str) -> str:
    """Return `field_fr` when the user reads French and it is filled, else `field_en`."""
    if (get_language() or "en").startswith("fr"):
        value = getattr(obj, f"{field}_fr", "")
        if value:
            return str(value)
    return str(getattr(obj, f"{field}_en", ""))


class Factor(models.Model):
    """A factor of the Revised Arusha Declaration (F1..F10) or an added theme (PM)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    number = models.PositiveSmallIntegerField(_("order"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    # Unverified paraphrases are shipped as editable defaults, never as official WCO text.
    verified = models.BooleanField(_("wording verified against the WCO text"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("factor")
        verbose_name_plural = _("factors")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return in_language(self, "title")


class Element(models.Model):
    """A checklist element of a factor, e.g. F8.4 rotation of staff in vulnerable posts."""

    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="elements")
    code = models.CharField(_("code"), max_length=12, unique=True)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"))
    verified = models.BooleanField(_("wording verified against the WCO text"), default=False)

    class Meta:
        ordering = ["factor__number", "id"]
        verbose_name = _("checklist element")
        verbose_name_plural = _("checklist elements")

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return in_language(self, "text")


class WordingVersion(models.Model):
    """The wording of every factor and checklist element at one point in time.

    The live `Factor` and `Element` rows hold the current wording the integrity unit edits; a
    version copies it. A version becomes frozen as soon as an assessment uses it, and the next
    edit of the wording records a new version, so an assessment always shows the wording it
    was run with.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"F1": {"title_en", "title_fr", "verified"}, ...} and {"F1.1": {"text_en", "text_fr", "verified"}}
    factors = models.JSONField(default=dict)
    elements = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("wording version")
        verbose_name_plural = _("wording versions")

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.assessments.exists()

    def factor_title(self, code: str) -> str:
        """The factor's title in the reader's language, as worded in this version."""
        return in_language(_Texts(self.factors.get(code, {})), "title")

    def element_text(self, code: str) -> str:
        return in_language(_Texts(self.elements.get(code, {})), "text")

    def is_verified(self, code: str) -> bool:
        """Whether the factor's or element's wording was verified against the WCO text."""
        entry = self.factors.get(code) or self.elements.get(code) or {}
        return bool(entry.get("verified", False))


class _Texts:
    """Attribute access over a stored wording entry, for `in_language`."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


class BankVersion(models.Model):
    """One version of the question bank.

    A version becomes frozen as soon as an assessment uses it; the next edit forks a new
    version, so results of past assessments never change when the bank does.
    """

    number = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("question bank version")
        verbose_name_plural = _("question bank versions")

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.assessments.exists()


class Question(models.Model):
    """A question of one bank version, tied to a checklist element."""

    class Source(models.TextChoices):
        IDG = "idg", _("WCO Integrity Development Guide")
        G20 = "g20", _("G20/OECD self-assessment questionnaire")
        LOCAL = "local", _("Local")

    bank = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=20)
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="questions")
    text_en = models.TextField(_("question (English)"))
    text_fr = models.TextField(_("question (French)"), blank=True)
    evidence_en = models.TextField(_("evidence expected (English)"), blank=True)
    evidence_fr = models.TextField(_("evidence expected (French)"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.LOCAL)
    retired = models.BooleanField(_("retired"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["element__factor__number", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "code"], name="diagnose_question_code_per_bank")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return in_language(self, "text")

    @property
    def evidence(self) -> str:
        return in_language(self, "evidence")
