"""Browse, filter, export and verify the audit trail.

Two scopes over the same trail: the whole of it (`audit.view`: administrators and auditors),
where need-to-know entries are masked for readers without `audit.need_to_know`; and only the
need-to-know entries, in full (`audit.need_to_know`: the integrity unit and auditors), so that
the handling of cases and leads stays auditable by those allowed to know what it is about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha import formula_safe
from arusha_web.accounts.access import require_capability

from . import selectors, services
from .forms import AuditFilterForm
from .models import Action, AuditEntry
from .need_to_know import (
    EXPORT_FLAG,
    NEED_TO_KNOW,
    RESTRICTED,
    entry_for_reader,
    field_changes_for_reader,
    is_need_to_know,
    need_to_know_q,
    reads_need_to_know,
)
from .registry import audited_models

PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 2000
# `masked`: "yes" on an entry whose need-to-know values are hidden; its fingerprint can then
# not be recomputed from the row, but it still links the rows before and after it.
CSV_HEADER = [
    "seq", "at_utc", "user", "action", "object_type", "object_id", "object", "before", "after", "prev_hash", "hash",
    "masked",
]  # fmt: skip


@dataclass(frozen=True)
class _Scope:
    """Which entries a page lists, and the URL names of its pages."""

    need_to_know_only: bool
    list_url: str
    detail_url: str
    export_url: str
    export_name: str


TRAIL = _Scope(False, "audit:list", "audit:detail", "audit:export", "audit-trail")
NEED_TO_KNOW_TRAIL = _Scope(
    True,
    "audit:need_to_know",
    "audit:need_to_know_detail",
    "audit:need_to_know_export",
    "audit-trail-need-to-know",
)


def _wants_fragment(request: HttpRequest) -> bool:
    # htmx asks for the whole page when restoring history it no longer has in its cache.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _render_list(
    request: HttpRequest,
    *,
    scope: _Scope = TRAIL,
    fragment: str = "",
    verify: services.VerifyResult | None = None,
) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    reveal = reads_need_to_know(request.user)
    entries = selectors.audit_entry_list(
        reveal=reveal, need_to_know_only=scope.need_to_know_only, **form.filters()
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [entry_for_reader(entry, reveal=reveal) for entry in page.object_list]
    ctx = {
        "form": form,
        "page": page,
        "object_types": sorted(audited_models().items()),
        "verify": verify,
        "scope": scope,
        "reveal": reveal,
        "can_verify": request.user.can("audit.view"),  # type: ignore[union-attr]
        # Why each kind of entry is need-to-know, once (several record types share a reason).
        "restricted": list(dict.fromkeys(records.why for records in RESTRICTED)),
    }
    template = "audit/list.html" + (f"#{fragment}" if fragment else "")
    response = render(request, template, ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_capability("audit.view")
def entry_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, fragment="results" if _wants_fragment(request) else "")


@require_capability(NEED_TO_KNOW)
def need_to_know_list(request: HttpRequest) -> HttpResponse:
    fragment = "results" if _wants_fragment(request) else ""
    return _render_list(request, scope=NEED_TO_KNOW_TRAIL, fragment=fragment)


def _render_detail(request: HttpRequest, seq: int, *, scope: _Scope) -> HttpResponse:
    entry = get_object_or_404(AuditEntry, seq=seq)
    if scope.need_to_know_only and not is_need_to_know(entry):
        raise Http404("not a need-to-know entry")
    reveal = reads_need_to_know(request.user)
    shown = entry_for_reader(entry, reveal=reveal)
    around = AuditEntry.objects.filter(need_to_know_q()) if scope.need_to_know_only else AuditEntry.objects
    hidden = _("hidden (need-to-know)")

    def raw(value: Any) -> str | None:
        if isinstance(value, dict | None):
            return None
        return hidden if shown.masked else json.dumps(value, indent=2)

    ctx = {
        "entry": shown,
        "scope": scope,
        "changes": field_changes_for_reader(entry, reveal=reveal, hidden_label=hidden),
        "raw_before": raw(shown.before),
        "raw_after": raw(shown.after),
        "prev_seq": around.filter(seq__lt=seq).order_by("-seq").values_list("seq", flat=True).first(),
        "next_seq": around.filter(seq__gt=seq).order_by("seq").values_list("seq", flat=True).first(),
    }
    return render(request, "audit/detail.html", ctx)


@require_capability("audit.view")
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    return _render_detail(request, seq, scope=TRAIL)


@require_capability(NEED_TO_KNOW)
def need_to_know_detail(request: HttpRequest, seq: int) -> HttpResponse:
    return _render_detail(request, seq, scope=NEED_TO_KNOW_TRAIL)


@require_capability("audit.view")
@require_POST
def chain_verify(request: HttpRequest) -> HttpResponse:
    result = services.audit_chain_verify()
    if _wants_fragment(request):
        return render(request, "audit/list.html#verify_result", {"verify": result})
    return _render_list(request, verify=result)


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _json_cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    # Names typed by users end up here: no cell may run as a formula in a spreadsheet.
    writer = formula_safe.csv_writer(_Echo())
    # A byte-order mark, so that Excel reads accented names (French, Portuguese) as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for e in entries:
        yield writer.writerow(
            [
                e.seq,
                e.at.astimezone(dt.UTC).isoformat(),
                e.actor_username,
                e.action,
                e.object_type,
                e.object_id,
                e.object_repr,
                _json_cell(e.before),
                _json_cell(e.after),
                e.prev_hash,
                e.hash,
                "yes" if e.masked else "no",
            ]
        )


def _export(request: HttpRequest, *, scope: _Scope) -> StreamingHttpResponse:
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    reveal = reads_need_to_know(request.user)
    export = services.audit_record(
        action=Action.EXPORT,
        actor=request.user,
        object_type=AuditEntry._meta.label_lower,
        object_repr=_("Audit trail (CSV)"),
        # The filters of a reader who sees need-to-know entries may name whom he looks into.
        after={"filters": filters, **({EXPORT_FLAG: True} if reveal else {})},
    )
    # Oldest first, as the trail as it stood when the export was asked for (without this
    # export's own entry), so that the file reads, and can be re-chained, in order.
    entries = (
        selectors.audit_entry_list(reveal=reveal, need_to_know_only=scope.need_to_know_only, **filters)
        .filter(seq__lt=export.seq)
        .order_by("seq")
    )
    shown = (entry_for_reader(e, reveal=reveal) for e in entries.iterator(chunk_size=EXPORT_CHUNK_SIZE))
    response = StreamingHttpResponse(_csv_lines(shown), content_type="text/csv; charset=utf-8")
    stamp = export.at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{scope.export_name}-{stamp}.csv"'
    return response


# The ignore: require_capability() is typed for HttpResponse, which a streaming response is not.
@require_capability("audit.view")
def entry_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, scope=TRAIL)


@require_capability(NEED_TO_KNOW)
def need_to_know_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, scope=NEED_TO_KNOW_TRAIL)
