"""API endpoints of the platform foundation; later modules add routers of their own."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Schema

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


def require(request: HttpRequest, capability: str) -> None:
    if not request.user.can(capability):  # type: ignore[union-attr]
        raise PermissionDenied(capability)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": "Your role does not allow this."}, status=403)


@api.get("/me", response=MeOut, tags=["accounts"], summary="The authenticated user and what the role allows")
def me(request: HttpRequest) -> MeOut:
    from arusha_web.accounts.roles import CAPABILITIES

    user = request.user
    return MeOut(
        username=user.username,  # type: ignore[union-attr]
        full_name=user.get_full_name(),  # type: ignore[union-attr]
        role=user.role,  # type: ignore[union-attr]
        office_code=user.office.code if user.office else None,  # type: ignore[union-attr]
        capabilities=sorted(c for c in CAPABILITIES if user.can(c)),  # type: ignore[union-attr]
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
