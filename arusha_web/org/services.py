"""Writes on organisation records."""

from __future__ import annotations

from .forms import OfficeForm, StaffRecordForm
from .models import Administration, Office, StaffRecord


def _default_administration() -> Administration:
    # A single-administration installation is the norm; the first one is created on demand.
    administration = Administration.objects.order_by("pk").first()
    if administration is None:
        administration = Administration.objects.create(name="Customs Administration")
    return administration


def office_save(*, form: OfficeForm) -> Office:
    office = form.save(commit=False)
    if not office.administration_id:
        office.administration = _default_administration()
    office.save()
    return office


def staff_record_save(*, form: StaffRecordForm) -> StaffRecord:
    record = form.save(commit=False)
    if not record.administration_id:
        record.administration = _default_administration()
    record.save()
    return record
