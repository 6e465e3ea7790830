"""Browse, filter, export and verify the audit trail (auditors and administrators)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arusha_web.accounts.access import require_capability

from . import selectors, services
from .forms import AuditFilterForm
from .models import Action, AuditEntry
from .registry import audited_models

PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 2000
CSV_HEADER = [
    "seq", "at_utc", "user", "action", "object_type", "object_id", "object", "before", "after", "prev_hash", "hash",
]  # fmt: skip


def _wants_fragment(request: HttpRequest) -> bool:
    # htmx asks for the whole page when restoring history it no longer has in its cache.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _render_list(
    request: HttpRequest, *, fragment: str = "", verify: services.VerifyResult | None = None
) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_entry_list(**form.filters())
    ctx = {
        "form": form,
        "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
        "object_types": sorted(audited_models().items()),
        "verify": verify,
    }
    template = "audit/list.html" + (f"#{fragment}" if fragment else "")
    response = render(request, template, ctx)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_capability("audit.view")
def entry_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, fragment="results" if _wants_fragment(request) else "")


@require_capability("audit.view")
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    entry = get_object_or_404(AuditEntry, seq=seq)
    neighbours = set(AuditEntry.objects.filter(seq__in=[seq - 1, seq + 1]).values_list("seq", flat=True))
    ctx = {
        "entry": entry,
        "changes": entry.field_changes(),
        "raw_before": None if isinstance(entry.before, dict | None) else json.dumps(entry.before, indent=2),
        "raw_after": None if isinstance(entry.after, dict | None) else json.dumps(entry.after, indent=2),
        "prev_seq": seq - 1 if seq - 1 in neighbours else None,
        "next_seq": seq + 1 if seq + 1 in neighbours else None,
    }
    return render(request, "audit/detail.html", ctx)


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


def _cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; names typed by users end up here.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _json_cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so that Excel reads accented names (French, Portuguese) as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for e in entries:
        yield writer.writerow(
            [
                e.seq,
                e.at.astimezone(dt.UTC).isoformat(),
                _cell(e.actor_username),
                e.action,
                _cell(e.object_type),
                _cell(e.object_id),
                _cell(e.object_repr),
                _json_cell(e.before),
                _json_cell(e.after),
                e.prev_hash,
                e.hash,
            ]
        )


# The ignore: require_capability() is typed for HttpResponse, which a streaming response is not.
@require_capability("audit.view")
def entry_export(request: HttpRequest) -> StreamingHttpResponse:
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    export = services.audit_record(
        action=Action.EXPORT,
        actor=request.user,
        object_type=AuditEntry._meta.label_lower,
        object_repr=_("Audit trail (CSV)"),
        after={"filters": filters},
    )
    # Oldest first, as the trail as it stood when the export was asked for (without this
    # export's own entry), so that the file reads, and can be re-chained, in order.
    entries = selectors.audit_entry_list(**filters).filter(seq__lt=export.seq).order_by("seq")
    response = StreamingHttpResponse(
        _csv_lines(entries.iterator(chunk_size=EXPORT_CHUNK_SIZE)), content_type="text/csv; charset=utf-8"
    )
    stamp = export.at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
