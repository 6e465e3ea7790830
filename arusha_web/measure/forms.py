"""Forms of the Measure module (rendered with ``as_field_group``: labelled and accessible)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arusha.metrics.catalogue import CATALOGUE
from arusha_web.core.text_limits import NOTE, TEXT

from .models import AntiGamingThresholds, LeadStatus, SubjectType
from .services import shipped_mappings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class DatasetForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("E.g. “ASYCUDA export 2024, all offices”.")
    )
    mapping = forms.ChoiceField(
        label=_("Layout of the export"),
        required=False,
        help_text=_(
            "A mapping shipped with Arusha, or leave “canonical” when the columns already have the contract names."
        ),
    )
    mapping_file = forms.FileField(label=_("…or upload your own mapping (YAML or TOML)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Canonical column names (no mapping)"))]
        self.fields["mapping"].choices = choices + [(m, m) for m in shipped_mappings()]  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Export files (CSV, XLSX or Parquet)"),
        help_text=_("Name them declarations…, items… or events… so Arusha knows which table each fills."),
    )


class LoadForm(forms.Form):
    quarantine = forms.BooleanField(
        label=_("Load the good rows and set bad rows aside for review (quarantine)"),
        required=False,
        help_text=_("Unticked: one bad row rejects the whole load and nothing changes."),
    )


class AnalyseForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
        initial="month",
    )


class LeadForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.REFERRED]
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the lead is explained or dismissed."),
    )
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = users  # type: ignore[attr-defined]
        # People by name and role ("Amina Diallo — Analyst"), not by username.
        field.label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.get_full_name() or u.username} — {u.role_label}"
        )
        field.error_messages["invalid_choice"] = _(
            "This person cannot open this lead: choose someone from the list."
        )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT)


class ReferForm(forms.Form):
    note = forms.CharField(
        label=_("Why refer it to the integrity unit?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE,
    )


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("Why this analysis (optional, kept with the publication)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE,
        required=False,
    )


def indicator_choices() -> list[tuple[str, str]]:
    """Indicators a contract can target, named in the reader's language: measured for officers or
    offices, and with a direction (a context figure such as the number of declarations has no
    better or worse, so no target can be achieved on it). Those measured for offices only say so."""
    french = (get_language() or "en").startswith("fr")
    only_offices = _(" (offices only)")
    return [
        (
            i.code,
            f"{i.code} — {i.name_fr if french else i.name_en}"
            + ("" if "officer" in i.levels else str(only_offices)),
        )
        for i in CATALOGUE
        if ("officer" in i.levels or "office" in i.levels) and i.direction != "context"
    ]


class ContractForm(forms.Form):
    subject_type = forms.ChoiceField(label=_("Contract with"), choices=SubjectType.choices)
    subject_id = forms.CharField(
        label=_("Officer identifier or office code"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "contract-subjects", "autocomplete": "off"}),
        help_text=_("Start typing: the officers and offices of the analysed data are offered."),
    )
    # ISO format: a date field shows nothing when given a localised date (01/04/2024 in French).
    period_start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    months = forms.IntegerField(label=_("Length (months)"), min_value=1, max_value=24, initial=6)
    indicators = forms.MultipleChoiceField(
        label=_("Indicators"), widget=forms.CheckboxSelectMultiple, choices=indicator_choices
    )
    improvement = forms.IntegerField(
        label=_("Improvement over the baseline (%)"),
        min_value=0,
        max_value=100,
        initial=15,
        help_text=_(
            "Default 15 %, as in the Cameroon contracts; each target can be edited afterwards with a reason."
        ),
    )
    signatories = forms.CharField(
        label=_("Signatories"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE,
        help_text=_("One name and function per line."),
    )


class NoteForm(forms.Form):
    month = forms.RegexField(
        label=_("Month (YYYY-MM)"),
        regex=r"^\d{4}-\d{2}$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),  # a month picker; it sends YYYY-MM
    )
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT)


class AntiGamingThresholdsForm(forms.ModelForm):
    """The thresholds in the units a manager thinks in: percentage points and hours."""

    class Meta:
        model = AntiGamingThresholds
        fields = [
            "assessment_gain_points",
            "release_gain_hours",
            "hit_rate_drop_points",
            "override_rise_points",
            "red_release_rise_points",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.min_value = 0  # type: ignore[attr-defined]
            field.max_value = 720 if name == "release_gain_hours" else 100  # type: ignore[attr-defined]
            field.validators += [MinValueValidator(0), MaxValueValidator(field.max_value)]  # type: ignore[attr-defined]
            field.widget.attrs.update({"min": 0, "max": field.max_value, "step": "any"})  # type: ignore[attr-defined]


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=NOTE)
    period_start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to keep the period; a new start recomputes the baselines."),
    )
    months = forms.IntegerField(label=_("Length (months)"), min_value=1, max_value=24, required=False)


class FolderForm(forms.Form):
    """A server folder to read exports from (under a root the administrator allowed)."""

    path = forms.CharField(
        label=_("Folder on the server"),
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 70, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("The full path, e.g. a folder of the share where the exports are written."),
    )


class CompareForm(forms.Form):
    """Two finished analyses to compare (choices: the finished runs, newest first)."""

    a = forms.TypedChoiceField(label=_("Before"), coerce=int)
    b = forms.TypedChoiceField(label=_("After"), coerce=int)

    def __init__(self, *args: Any, runs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["a"].choices = runs  # type: ignore[attr-defined]
        self.fields["b"].choices = runs  # type: ignore[attr-defined]
