"""Forms of the reporting channel and of case management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arusha_web.core.params import ModelIdsField
from arusha_web.core.text_limits import LONG_TEXT
from arusha_web.org.models import Office, StaffRecord

from . import files, links
from .models import Category, EntryKind, Outcome, Report, Sanction

DATE = forms.DateInput(attrs={"type": "date"})
ATTACHMENT_HELP = _(
    "JPEG or PNG images, PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx) and .txt files; "
    "hidden details (camera, location, author, company) are removed. Text visible in a "
    "document is kept: read it before sending."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        # files.clean_report_file refuses empty files itself, naming the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    office = forms.ModelChoiceField(
        label=_("Customs office"),
        queryset=Office.objects.filter(is_active=True),
        required=False,
        empty_label=_("Not known / not relevant"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    occurred_on = forms.DateField(label=_("Date of the facts"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_(
            "Who, what, when, where, how you know. Avoid details that identify you unless you wish to."
        ),
        error_messages={"required": _("Describe what happened.")},
    )
    contact = forms.CharField(
        label=_("Contact details (optional)"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to stay anonymous. You can always follow up with your receipt code."),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=ATTACHMENT_HELP,
    )

    def clean_occurred_on(self) -> Any:
        day = self.cleaned_data.get("occurred_on")
        if day is not None and day > timezone.localdate():
            raise ValidationError(
                _(
                    "The date of the facts (%(day)s) is in the future: give the day it happened, or leave it empty."
                )
                % {"day": day.isoformat()}
            )
        return day

    def clean_description(self) -> str:
        text = str(self.cleaned_data["description"]).strip()
        if not text:
            raise ValidationError(_("Describe what happened."))
        return text

    def clean_attachments(self) -> list[files.CleanFile]:
        return _clean_reporter_files(self.cleaned_data.get("attachments"))


def _clean_reporter_files(uploads: Any) -> list[files.CleanFile]:
    """Check and clean every file; name every refused one (not just the first)."""
    uploads = list(uploads or [])
    if len(uploads) > files.max_report_files():
        # Refused before any is cleaned: each file may take the whole time limit.
        raise ValidationError(
            _(
                "Send at most %(limit)s files at once (you chose %(count)s); you can send the others "
                "afterwards by following up on your report with your receipt code."
            )
            % {"limit": files.max_report_files(), "count": len(uploads)}
        )
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(files.clean_report_file(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


class StaffReportForm(ReportForm):
    show_identity = forms.BooleanField(
        label=_("Let investigators see that I sent this report"),
        required=False,
        help_text=_(
            "If unticked, the report is not linked to your account at all, not even in the audit trail."
        ),
    )


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": _("Write the message before sending it.")},
    )


class ReporterAnswerForm(forms.Form):
    """The reporter's answer in his mailbox: text, files, or both."""

    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=ATTACHMENT_HELP,
    )

    def clean_attachments(self) -> list[files.CleanFile]:
        return _clean_reporter_files(self.cleaned_data.get("attachments"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "attachments" in data and not str(data.get("body") or "").strip() and not data["attachments"]:
            self.add_error("body", _("Write your answer or attach a file before sending it."))
        return data


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Duplicate of"), queryset=Report.objects.none())

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Report.objects.exclude(pk=report.pk).filter(merged_into__isnull=True)  # type: ignore[attr-defined]


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=_("Short title"), max_length=120, help_text=_("No names."))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    office = forms.ModelChoiceField(
        label=_("Office concerned"), queryset=Office.objects.all(), required=False
    )
    concerned_staff = ModelIdsField(
        label=_("Staff concerned"), queryset=StaffRecord.objects.order_by("officer_id"), required=False
    )


class AssignForm(forms.Form):
    investigator = forms.IntegerField(widget=forms.HiddenInput)


class ConcernedForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Staff concerned"), queryset=StaffRecord.objects.order_by("officer_id")
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices)
    occurred_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Due (tasks)"), required=False, widget=DATE)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        error_messages={"required": _("Write the text of the entry.")},
    )
    file = forms.FileField(label=_("File (evidence items)"), required=False)
    link = forms.CharField(
        label=_("Address of the lead, risk or action (links)"),
        max_length=500,
        required=False,
        help_text=_("Open the lead, risk or action in Arusha and copy the address from the browser."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("link"):
            if data.get("kind") != EntryKind.LINK:
                self.add_error("link", _("Only links take an address."))
            else:
                try:
                    data["link_path"] = links.clean_link(data["link"])
                except ValidationError as exc:
                    self.add_error("link", exc)
        upload = data.get("file")
        if upload is not None:
            if data.get("kind") != EntryKind.EVIDENCE:
                self.add_error("file", _("Only evidence items take a file."))
            else:
                try:
                    data["evidence"] = files.read_evidence_file(upload)
                except ValidationError as exc:
                    self.add_error("file", exc)
        return data


class CloseCaseForm(forms.Form):
    # No default: closing as "unfounded" by accident must not be possible.
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "---------"), *Outcome.choices])
    sanction = forms.ChoiceField(label=_("Sanction"), choices=Sanction.choices)
    referred_to_prosecution = forms.BooleanField(label=_("Referred to prosecution"), required=False)
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LONG_TEXT,
        error_messages={"required": _("Summarise the conclusion of the investigation.")},
    )
