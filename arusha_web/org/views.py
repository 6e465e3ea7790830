"""Offices and staff records, as each role may see them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from arusha_web.accounts.access import require_capability

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
        staff = staff.filter(Q(officer_id__icontains=query) | Q(full_name__icontains=query) | Q(post__icontains=query))
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
