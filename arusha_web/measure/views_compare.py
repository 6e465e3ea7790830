"""Compare two finished analyses: parameters, headline figures, leads new/gone/still, movers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record
from arusha_web.core.params import number_param

from . import compare as c
from . import selectors
from .forms import CompareForm
from .models import Dataset


@require_capability("measure.view")
def compare(request: HttpRequest) -> HttpResponse:
    """The runs come from the query string (``a``, ``b``); without them, a pair of one dataset
    (``compare.default_pair``); two datasets compared are said to be two."""
    user: User = request.user  # type: ignore[assignment]
    a, b = number_param(request.GET, "a"), number_param(request.GET, "b")
    if a is None:
        dataset_id = number_param(request.GET, "dataset")
        dataset = get_object_or_404(Dataset, pk=dataset_id) if dataset_id else None
        after = get_object_or_404(selectors.visible_runs(user), pk=b) if b is not None else None
        pair = c.default_pair(user, dataset=dataset, after=after)
        a, b = pair if pair else (None, b)
    choices = c.run_choices(user)
    ctx: dict[str, object] = {"enough": len(choices) >= 2}
    status = 200
    cmp = None
    if a is not None and b is not None:
        try:
            before, after = c.pick(user, a, b)
        except c.CompareRefused as exc:
            ctx["refusal"] = str(exc)
            status = 400
        else:
            cmp = c.comparison(viewer=user, before=before, after=after)
            a, b = before.pk, after.pk
            if before.dataset_id != after.dataset_id:
                ctx["hint"] = _(
                    "These analyses read different data (%(a)s and %(b)s): the differences below come "
                    "from the data as much as from the analysis."
                ) % {"a": before.dataset.name, "b": after.dataset.name}
            if request.GET.get("format") == "csv":
                audit_record(action="export", actor=user, obj=after, after={"compared_with": before.pk})
                return c.csv_response(cmp)
    elif b is not None:
        ctx["hint"] = _(
            "Analysis #%(n)s has no earlier finished analysis in its dataset: pick the one to compare it with."
        ) % {"n": b}
    ctx["form"] = CompareForm(initial={"a": a, "b": b}, runs=choices)
    ctx["cmp"] = cmp
    if cmp is not None:
        ctx["lead_groups"] = [
            (_("New leads"), cmp.new),
            (_("Gone"), cmp.gone),
            (_("Still present"), cmp.still),
        ]
        ctx["movers"] = cmp.movers[: c.SHOWN_MOVERS]
        ctx["more_movers"] = len(cmp.movers) > c.SHOWN_MOVERS
        ctx["per_entity"] = c.PER_ENTITY
    return render(request, "measure/compare.html", ctx, status=status)
