"""JSON endpoints of the cases module, with the same need-to-know rules as the pages.

The lead mounts them on the platform API: ``api.add_router("/cases", "arusha_web.cases.api.router")``.
Only case metadata is exposed (no report contents, no names): the encrypted texts are read
on the audited pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from arusha_web.audit.services import audit_view

from . import selectors


class CaseOut(Schema):
    id: int
    reference: str
    title: str
    category: str
    office_code: str | None
    status: str
    opened_at: datetime
    closed_at: datetime | None
    outcome: str


def _out(case: Any) -> CaseOut:
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        title=case.title,
        category=case.category,
        office_code=case.office.code if case.office_id else None,
        status=case.status,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
    )


def _require(request: HttpRequest) -> None:
    if not request.user.can("cases.investigate"):  # type: ignore[union-attr]
        raise PermissionDenied("cases.investigate")


def build_router() -> Router:
    """Return a new router (a router can be attached to one API only; tests build their own)."""
    router = Router(tags=["cases"])

    @router.get(
        "", response=list[CaseOut], summary="Cases the user may open (assigned ones for investigators)"
    )
    def case_list(request: HttpRequest) -> list[CaseOut]:
        _require(request)
        return [_out(c) for c in selectors.case_list_for_viewer(viewer=request.user)]

    @router.get("/{case_id}", response=CaseOut, summary="One case; 404 unless the user may open it")
    def case_detail(request: HttpRequest, case_id: int) -> CaseOut:
        _require(request)
        case = selectors.case_for_viewer(viewer=request.user, pk=case_id)
        audit_view(request, case)
        return _out(case)

    return router


router = build_router()
