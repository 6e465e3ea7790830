"""Offices and staff records, as each role may see them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability

from . import services
from .forms import OfficeForm, StaffRecordForm
from .models import Office, StaffRecord
from .selectors import office_list_for_viewer, staff_list_for_viewer


@require_capability("org.view")
def office_list(request: HttpRequest) -> HttpResponse:
    offices = office_list_for_viewer(viewer=request.user)
    return render(request, "org/office_list.html", {"offices": offices})


@require_capability("org.view")
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = staff_list_for_viewer(viewer=request.user)
    query = request.GET.get("q", "").strip()
    office = request.GET.get("office", "").strip()
    if query:
        staff = staff.filter(
            Q(officer_id__icontains=query) | Q(full_name__icontains=query) | Q(post__icontains=query)
        )
    if office:
        staff = staff.filter(office__code=office)
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "query": query,
        "office": office,
        "offices": office_list_for_viewer(viewer=request.user),
    }
    template = "org/staff_list.html#results" if request.htmx else "org/staff_list.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


@require_capability("org.view")
def staff_detail(request: HttpRequest, officer_id: str) -> HttpResponse:
    record = get_object_or_404(staff_list_for_viewer(viewer=request.user), officer_id=officer_id)
    return render(request, "org/staff_detail.html", {"record": record})


@require_capability("org.manage")
def office_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    instance = get_object_or_404(Office, code=code) if code is not None else None
    form = OfficeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        office = services.office_save(form=form)
        messages.success(request, _("Office %(code)s saved.") % {"code": office.code})
        return redirect("org:office_list")
    ctx = {"form": form, "instance": instance, "title": _("Office"), "back": reverse("org:office_list")}
    return render(request, "org/form.html", ctx)


@require_capability("org.manage")
def staff_edit(request: HttpRequest, officer_id: str | None = None) -> HttpResponse:
    instance = get_object_or_404(StaffRecord, officer_id=officer_id) if officer_id is not None else None
    form = StaffRecordForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        record = services.staff_record_save(form=form)
        messages.success(request, _("Staff record %(id)s saved.") % {"id": record.officer_id})
        return redirect("org:staff_detail", officer_id=record.officer_id)
    ctx = {"form": form, "instance": instance, "title": _("Staff record"), "back": reverse("org:staff_list")}
    return render(request, "org/form.html", ctx)
