from __future__ import annotations

from django import forms

from .models import Office, StaffRecord


class OfficeForm(forms.ModelForm[Office]):
    class Meta:
        model = Office
        fields = ["code", "name", "region", "is_active"]


class StaffRecordForm(forms.ModelForm[StaffRecord]):
    class Meta:
        model = StaffRecord
        fields = ["officer_id", "full_name", "post", "office", "unit", "start_date", "user"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
