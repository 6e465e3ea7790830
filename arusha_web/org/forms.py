from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from .models import Administration, Office, StaffRecord


class OfficeForm(forms.ModelForm[Office]):
    class Meta:
        model = Office
        fields = ["code", "name", "region", "is_active"]

    def clean_name(self) -> str:
        """Two offices of one administration may not share a name (case aside): a manager picking
        "International Airport" from a list must know which one he picked."""
        name = " ".join(str(self.cleaned_data.get("name", "")).split())
        administration = (
            self.instance.administration_id
            or Administration.objects.order_by("pk").values_list("pk", flat=True).first()
        )
        clash = Office.objects.filter(administration_id=administration or 0, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        other = clash.first()
        if other is not None:
            raise forms.ValidationError(
                _("Office %(code)s is already called “%(name)s”: give this office another name.")
                % {"code": other.code, "name": other.name}
            )
        return name


class StaffRecordForm(forms.ModelForm[StaffRecord]):
    class Meta:
        model = StaffRecord
        fields = ["officer_id", "full_name", "post", "office", "unit", "start_date", "user"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
