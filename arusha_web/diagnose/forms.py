"""Forms of the Diagnose module; validation messages name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arusha_web.accounts.models import User
from arusha_web.core.text_limits import NOTE, TEXT, limited
from arusha_web.org.models import Office

from .models import Action, Assessment, Element, Factor, FactorResult, Question, Survey, SurveyItem
from .models.assessment import Group


class DateInput(forms.DateInput):
    input_type = "date"


def _remind_every_days_field() -> forms.IntegerField:
    """The campaign's reminder schedule, on the creation form and on the campaign page."""
    return forms.IntegerField(
        label=_("Remind those who have not answered every (days)"),
        min_value=1,
        max_value=90,
        required=False,
        help_text=_(
            "Leave empty for no automatic reminders. Reminders stop when answers stop being collected."
        ),
    )


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.ChoiceField(label=_("Scope"), choices=Assessment.Scope.choices)
    office = forms.ModelChoiceField(
        label=_("Office (for an office assessment)"), queryset=Office.objects.all(), required=False
    )
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none(), required=False)
    previous = forms.ModelChoiceField(
        label=_("Previous assessment to compare with"), queryset=Assessment.objects.none(), required=False
    )
    remind_every_days = _remind_every_days_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]
        self.fields["previous"].queryset = Assessment.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        if data.get("scope") == Assessment.Scope.OFFICE and not data.get("office"):
            self.add_error("office", _("Choose the office for an office assessment."))
        return data


class ReminderScheduleForm(forms.Form):
    remind_every_days = _remind_every_days_field()


class ParticipantForm(forms.Form):
    group = forms.ChoiceField(label=_("Group"), choices=Group.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    user = forms.ModelChoiceField(label=_("Account (optional)"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]


class FactorResultForm(forms.ModelForm[FactorResult]):
    class Meta:
        model = FactorResult
        fields = ["consensus", "priority", "strengths", "weaknesses", "opportunities", "threats"]
        formfield_callback = limited(strengths=TEXT, weaknesses=TEXT, opportunities=TEXT, threats=TEXT)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("strengths", "weaknesses", "opportunities", "threats")
        }


class QuestionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    element = forms.ModelChoiceField(label=_("Checklist element"), queryset=Element.objects.all())
    text_en = forms.CharField(
        label=_("Question (English)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=NOTE
    )
    text_fr = forms.CharField(
        label=_("Question (French)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE,
        required=False,
    )
    evidence_en = forms.CharField(
        label=_("Evidence expected (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE,
        required=False,
    )
    evidence_fr = forms.CharField(
        label=_("Evidence expected (French)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE,
        required=False,
    )
    source = forms.ChoiceField(label=_("Source"), choices=Question.Source.choices)
    retired = forms.BooleanField(label=_("Retired (no longer asked)"), required=False)


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX file exported from this page"))


class ActionForm(forms.ModelForm[Action]):
    class Meta:
        model = Action
        fields = [
            "factor",
            "office",
            "source_label",
            "objective",
            "activity",
            "horizon",
            "owner_unit",
            "owner",
            "start_date",
            "due_date",
            "budget",
            "output",
            "indicator",
            "baseline",
            "target",
            "status",
            "percent_complete",
            "evidence_of_completion",
        ]
        formfield_callback = limited(activity=TEXT, evidence_of_completion=TEXT)
        widgets = {
            "start_date": DateInput,
            "due_date": DateInput,
            # Motivations from leads and risks are whole sentences: show them whole.
            "source_label": forms.TextInput(attrs={"size": 80}),
            "objective": forms.TextInput(attrs={"size": 80}),
            "activity": forms.Textarea(attrs={"rows": 3}),
            "evidence_of_completion": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, office_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = Factor.objects.all()  # type: ignore[attr-defined]
        if office_fixed:
            # An office manager's actions belong to his office: the field is not his to change.
            del self.fields["office"]
        self.fields["percent_complete"].max_value = 100  # type: ignore[attr-defined]
        self.fields["percent_complete"].widget.attrs.update({"min": 0, "max": 100})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date is before the start date."))
        pct = data.get("percent_complete")
        if pct is not None and not 0 <= pct <= 100:
            self.add_error("percent_complete", _("Percent complete must be between 0 and 100."))
        return data


class SurveyForm(forms.ModelForm[Survey]):
    class Meta:
        model = Survey
        fields = [
            "title",
            "instrument",
            "iteration",
            "previous",
            "population",
            "opens_on",
            "closes_on",
            "regions",
            "offices",
            "roles",
        ]
        formfield_callback = limited(regions=NOTE, offices=NOTE, roles=NOTE)
        widgets = {
            "opens_on": DateInput,
            "closes_on": DateInput,
            "regions": forms.Textarea(attrs={"rows": 3}),
            "offices": forms.Textarea(attrs={"rows": 3}),
            "roles": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The survey closes before it opens."))
        return data


class SampleSizeForm(forms.Form):
    population = forms.IntegerField(
        label=_("Population size (leave empty if very large)"), min_value=1, required=False
    )
    margin = forms.DecimalField(
        label=_("Margin of error (percentage points)"), min_value=1, max_value=20, initial=5, decimal_places=1
    )


class SurveyItemForm(forms.ModelForm[SurveyItem]):
    class Meta:
        model = SurveyItem
        fields = ["factor", "code", "kind", "reverse", "text_en", "text_fr"]
        formfield_callback = limited(text_en=NOTE, text_fr=NOTE)
        widgets = {"text_en": forms.Textarea(attrs={"rows": 2}), "text_fr": forms.Textarea(attrs={"rows": 2})}
