"""The shell: home dashboard, module section pages, admin overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from arusha_web.accounts.access import require_capability

from .params import BadParameter
from .sections import SECTIONS, SECTIONS_BY_SLUG, section_url
from .selectors import home_summary_for_viewer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        {"section": section, "url": section_url(section)}
        for section in SECTIONS
        if request.user.can(section.capability)  # type: ignore[union-attr]
    ]
    ctx = {"sections": sections, "summary": home_summary_for_viewer(viewer=request.user)}
    return render(request, "core/home.html", ctx)


@login_required
def section(request: HttpRequest, slug: str) -> HttpResponse:
    found = SECTIONS_BY_SLUG.get(slug)
    if found is None:
        raise Http404(slug)
    if not request.user.can(found.capability):  # type: ignore[union-attr]
        raise PermissionDenied(found.capability)
    if found.url_name and section_url(found) != request.path:
        return redirect(section_url(found))  # the module is built: go to its own start page
    return render(request, "core/section.html", {"section": found})


@require_capability("section.admin")
def admin(request: HttpRequest) -> HttpResponse:
    return render(request, "core/admin.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page; for a malformed number it says which parameter and what it held."""
    reason = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
