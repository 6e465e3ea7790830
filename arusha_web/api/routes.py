"""API endpoints of the platform foundation; later modules add routers of their own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Schema

from arusha_web.accounts.models import User
from arusha_web.org.selectors import office_list_for_viewer, staff_list_for_viewer

from . import api


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    office_code: str | None
    capabilities: list[str]


class OfficeOut(Schema):
    code: str
    name: str
    region: str
    is_active: bool


class StaffOut(Schema):
    officer_id: str
    full_name: str
    post: str
    office_code: str | None
    start_date: date | None


def _viewer(request: HttpRequest) -> User:
    # Every endpoint is authenticated (see api/__init__.py), so the user is never anonymous.
    return cast(User, request.user)


def require(request: HttpRequest, capability: str) -> None:
    if not _viewer(request).can(capability):
        raise PermissionDenied(capability)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Your role does not allow this."}, status=403)


@api.get("/me", response=MeOut, tags=["accounts"], summary="The authenticated user and what the role allows")
def me(request: HttpRequest) -> MeOut:
    from arusha_web.accounts.roles import CAPABILITIES

    user = _viewer(request)
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        role=user.role,
        office_code=user.office.code if user.office else None,
        capabilities=sorted(c for c in CAPABILITIES if user.can(c)),
    )


@api.get("/offices", response=list[OfficeOut], tags=["organisation"], summary="Offices the user may see")
def offices(request: HttpRequest) -> list[OfficeOut]:
    require(request, "org.view")
    return [OfficeOut.from_orm(o) for o in office_list_for_viewer(viewer=request.user)]


@api.get("/staff", response=list[StaffOut], tags=["organisation"], summary="Staff records the user may see")
def staff(request: HttpRequest) -> list[StaffOut]:
    # Staff without org.view get their own record only; the selector narrows it.
    return [
        StaffOut(
            officer_id=s.officer_id,
            full_name=s.full_name,
            post=s.post,
            office_code=s.office.code if s.office else None,
            start_date=s.start_date,
        )
        for s in staff_list_for_viewer(viewer=request.user)
    ]


class JobOut(Schema):
    id: UUID
    kind: str
    status: str
    progress: int
    message: str
    error: str
    result: Any = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@api.get("/jobs/{job_id}", response=JobOut, tags=["jobs"], summary="A background job's status and progress")
def job(request: HttpRequest, job_id: UUID) -> JobOut:
    """Poll this while a job runs: `progress` goes from 0 to 100, `status` ends succeeded or failed."""
    from arusha_web.jobs.selectors import job_for_viewer

    require(request, "jobs.view")
    found = job_for_viewer(viewer=_viewer(request), pk=job_id)
    return JobOut.from_orm(found)
