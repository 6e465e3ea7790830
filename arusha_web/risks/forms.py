"""Forms of the register; each validation error names the field and what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arusha_web.accounts.roles import Role
from arusha_web.core.text_limits import NOTE, TEXT, limited
from arusha_web.org.models import Office

from .evidence import indicator_choices
from .models import (
    Axis,
    Band,
    Control,
    EvidenceSource,
    Harm,
    Process,
    ProcessStep,
    RatingChange,
    Risk,
    RiskAction,
    ScaleLevel,
)
from .rating import Matrix, band_overlaps

RATING_FIELDS = RatingChange.RATING_FIELDS
# Also checked by the register's spreadsheet import, which writes the same fields without a form.
RISK_TEXT_LIMITS = {"scheme": TEXT, "drivers": TEXT, "evidence": TEXT}


class RiskForm(forms.ModelForm):
    harms = forms.MultipleChoiceField(
        label=_("Harm categories"), choices=Harm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence_sources = forms.MultipleChoiceField(
        label=_("Evidence sources"),
        choices=EvidenceSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicator_codes = forms.MultipleChoiceField(
        label=_("Indicators that measure this risk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The risk's page shows their trend and the current leads about them."),
        error_messages={"invalid_choice": _("Not an indicator of the engine's catalogue: %(value)s.")},
    )
    reason = forms.CharField(
        label=_("Why (for the history)"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a rating or the status changes."),
    )

    class Meta:
        model = Risk
        fields = [
            "step",
            "office",
            "title",
            "position",
            "scheme",
            "drivers",
            "harms",
            "evidence_sources",
            "evidence",
            "indicator_codes",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "treatment",
            "acceptance_approved_by",
            "owner",
            "next_review",
            "status",
        ]
        formfield_callback = limited(**RISK_TEXT_LIMITS)
        widgets = {
            "scheme": forms.Textarea(attrs={"rows": 3}),
            "drivers": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "next_review": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matrix = Matrix.load()
        self.fields["step"].queryset = ProcessStep.objects.select_related("process")  # type: ignore[attr-defined]
        if viewer.role == Role.OFFICE_MANAGER:
            self.fields["office"].queryset = Office.objects.filter(pk=viewer.office_id)  # type: ignore[attr-defined]
            self.fields["office"].required = True
            self.fields["office"].help_text = _("Office managers record risks of their own office.")
        for name in RATING_FIELDS:
            levels = self.matrix.likelihood_levels if "likelihood" in name else self.matrix.impact_levels
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=[("", "—"), *[(lv.value, str(lv)) for lv in levels]],
                coerce=int,
                empty_value=None,
                required=False,
            )
        # Picked by name in the reader's language, the code beside it ("Channel-override rate (BP1)").
        self.fields["indicator_codes"].choices = indicator_choices()  # type: ignore[attr-defined]
        self.initial["indicator_codes"] = list(self.instance.indicator_codes or [])

    def clean_indicator_codes(self) -> list[str]:
        return [str(code) for code in self.cleaned_data.get("indicator_codes") or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in ("inherent", "residual"):
            lik, imp = data.get(f"{prefix}_likelihood"), data.get(f"{prefix}_impact")
            if (lik is None) != (imp is None):
                self.add_error(
                    f"{prefix}_impact" if imp is None else f"{prefix}_likelihood",
                    _("Give both likelihood and impact, or neither."),
                )
        if data.get("treatment") == "accept" and not data.get("acceptance_approved_by"):
            self.add_error("acceptance_approved_by", _("Say who approved accepting this risk."))
        if self.instance.pk:
            changed = [f for f in (*RATING_FIELDS, "status") if f in self.changed_data]
            if changed and not (data.get("reason") or "").strip():
                self.add_error(
                    "reason", _("Say why the rating or status changes: it is kept in the history.")
                )
        return data


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Review notes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE
    )
    next_review = forms.DateField(label=_("Next review"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_next_review(self) -> dt.date:
        when: dt.date = self.cleaned_data["next_review"]
        if when <= timezone.localdate():
            raise forms.ValidationError(_("The next review must be a date after today."))
        return when


class ControlForm(forms.ModelForm):
    class Meta:
        model = Control
        fields = ["kind", "description", "owner", "design", "operating"]
        formfield_callback = limited(description=NOTE)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class RiskActionForm(forms.ModelForm):
    to_plan = forms.BooleanField(
        label=_("Also put this action in the integrity action plan"),
        required=False,
        help_text=_("The plan's action will show this risk as its motivation."),
    )

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only those who may write plan actions add to it (office managers for their own office's
        # risks, the only ones they edit; the plan action gets the risk's office), and only once.
        if not viewer.can("diagnose.actions") or self.instance.action_id:
            del self.fields["to_plan"]

    class Meta:
        model = RiskAction
        fields = ["title", "owner", "due_date", "done"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = ["code", "name_en", "name_fr", "description_en", "description_fr", "order"]
        formfield_callback = limited(description_en=NOTE, description_fr=NOTE)
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 2}),
            "description_fr": forms.Textarea(attrs={"rows": 2}),
        }


def _label_cells(form: forms.BaseForm, index: int | None) -> None:
    """A formset drawn as a table has no <label> per cell: each input carries its column's name
    and row number, so a screen reader says what it is."""
    row = "" if index is None else f" {index + 1}"
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", f"{field.label}{row}")


class BaseStepFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        _label_cells(form, index)

    def clean(self) -> None:
        """Refuse to delete a step that risks sit on: the register would lose where they are."""
        super().clean()
        problems = []
        for form in self.deleted_forms:
            step = form.instance
            if step.pk is None:
                continue
            refs = list(step.risks.order_by("ref").values_list("ref", flat=True))
            if refs:
                problems.append(
                    _(
                        "Step “%(step)s” cannot be deleted: risks %(refs)s are recorded on it; move them to another step first."
                    )
                    % {"step": step.name, "refs": ", ".join(refs)}
                )
        if problems:
            raise forms.ValidationError(problems)


StepFormSet = forms.inlineformset_factory(
    Process,
    ProcessStep,
    formset=BaseStepFormSet,
    fields=["order", "code", "name_en", "name_fr", "actors"],
    extra=2,
    can_delete=True,
)


class BaseBandFormSet(forms.BaseModelFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        _label_cells(form, index)

    def clean(self) -> None:
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data and not data.get("DELETE") and data.get("code"):
                rows.append((data["code"], data["min_score"], data["max_score"]))
        problems = band_overlaps(rows)
        if problems:
            raise forms.ValidationError(
                _(
                    "Bands must not overlap, must leave no score between them (∅) and must run from low to high: %(bands)s."
                )
                % {"bands": "; ".join(problems)}
            )


class BaseLevelFormSet(forms.BaseModelFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        """Levels start at 1: a score of 0 would fall outside the heat maps."""
        super().add_fields(form, index)
        form.fields["value"].validators.append(MinValueValidator(1))
        form.fields["value"].widget.attrs["min"] = 1
        _label_cells(form, index)

    def clean(self) -> None:
        """Refuse to delete or renumber a level that risks are rated at: their rating would lose its meaning."""
        super().clean()
        problems = []
        for form in self.forms:
            level = form.instance
            if level.pk is None:
                continue
            stored = ScaleLevel.objects.get(pk=level.pk)
            data = getattr(form, "cleaned_data", {}) or {}
            deleted = form in self.deleted_forms
            moved = not deleted and (data.get("value"), data.get("axis")) != (stored.value, stored.axis)
            if not (deleted or moved):
                continue
            fields = [f"{kind}_{stored.axis}" for kind in ("inherent", "residual")]
            query = models.Q(**{fields[0]: stored.value}) | models.Q(**{fields[1]: stored.value})
            refs = list(Risk.objects.filter(query).order_by("ref").values_list("ref", flat=True))
            if refs:
                problems.append(
                    _(
                        "%(axis)s level %(value)s cannot be deleted or renumbered: risks %(refs)s are rated at it; re-rate them first."
                    )
                    % {"axis": Axis(stored.axis).label, "value": stored.value, "refs": ", ".join(refs)}
                )
        if problems:
            raise forms.ValidationError(problems)


LevelFormSet = forms.modelformset_factory(
    ScaleLevel,
    formset=BaseLevelFormSet,
    fields=["axis", "value", "label_en", "label_fr", "definition_en", "definition_fr"],
    formfield_callback=limited(definition_en=NOTE, definition_fr=NOTE),
    widgets={
        "definition_en": forms.Textarea(attrs={"rows": 2}),
        "definition_fr": forms.Textarea(attrs={"rows": 2}),
        "axis": forms.Select(choices=Axis.choices),
    },
    extra=1,
    can_delete=True,
)
BandFormSet = forms.modelformset_factory(
    Band,
    formset=BaseBandFormSet,
    fields=["code", "label_en", "label_fr", "min_score", "max_score", "color"],
    widgets={"color": forms.TextInput(attrs={"type": "color"})},
    extra=1,
    can_delete=True,
)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Register spreadsheet (.xlsx)"))
