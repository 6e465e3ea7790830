"""Reads of organisation records, narrowed by role: office managers see their office only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from arusha_web.accounts.roles import Role

from .models import Office, StaffRecord


def office_list_for_viewer(*, viewer: Any) -> QuerySet[Office]:
    offices = Office.objects.select_related("administration").annotate(staff_count=Count("staff"))
    if not viewer.can("org.view"):
        return offices.none()
    if viewer.role == Role.OFFICE_MANAGER:
        return offices.filter(pk=viewer.office_id)
    return offices


def staff_list_for_viewer(*, viewer: Any) -> QuerySet[StaffRecord]:
    staff = StaffRecord.objects.select_related("office", "unit", "user")
    if viewer.can("org.view"):
        if viewer.role == Role.OFFICE_MANAGER:
            return staff.filter(office_id=viewer.office_id)
        return staff
    # Everyone else (staff) sees only their own record.
    return staff.filter(user=viewer)
