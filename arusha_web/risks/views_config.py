"""Configuration pages: the process catalogue and the rating scales, bands and matrix."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability

from . import selectors
from .forms import BandFormSet, LevelFormSet, ProcessForm, StepFormSet
from .models import Band, MatrixCell, Process, ScaleLevel
from .rating import Matrix


@require_capability("risks.view")
def process_list(request: HttpRequest) -> HttpResponse:
    return render(request, "risks/process_list.html", {"processes": selectors.processes_with_steps()})


@require_capability("risks.configure")
def process_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    process = get_object_or_404(Process, pk=pk) if pk is not None else Process()
    form = ProcessForm(request.POST or None, instance=process)
    steps = StepFormSet(request.POST or None, instance=process, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        with transaction.atomic():
            saved = form.save()
            steps.instance = saved
            steps.save()
        messages.success(request, _("Process saved."))
        return redirect("risks:process_list")
    if request.method == "POST" and steps.is_valid() is False:
        messages.error(request, _("A step could not be saved: see the messages next to it."))
    return render(request, "risks/process_form.html", {"form": form, "steps": steps, "process": process})


def _cell_choices(
    request: HttpRequest, matrix: Matrix
) -> tuple[dict[tuple[int, int], Band | None], list[str]]:
    bands = {b.code: b for b in matrix.bands}
    chosen: dict[tuple[int, int], Band | None] = {}
    errors = []
    for lik in range(1, matrix.max_likelihood + 1):
        for imp in range(1, matrix.max_impact + 1):
            value = request.POST.get(f"cell_{lik}_{imp}", "")
            if value and value not in bands:
                errors.append(_("Cell %(l)s×%(i)s: unknown band “%(b)s”.") % {"l": lik, "i": imp, "b": value})
            chosen[(lik, imp)] = bands.get(value)
    return chosen, errors


@require_capability("risks.configure")
def scales(request: HttpRequest) -> HttpResponse:
    """Levels with definitions, bands and per-cell overrides of the matrix, saved together."""
    levels = LevelFormSet(
        request.POST or None, prefix="levels", queryset=ScaleLevel.objects.order_by("-axis", "value")
    )
    bands = BandFormSet(request.POST or None, prefix="bands")
    matrix = Matrix.load()
    if request.method == "POST":
        cells, cell_errors = _cell_choices(request, matrix)
        for error in cell_errors:
            messages.error(request, error)
        if levels.is_valid() and bands.is_valid() and not cell_errors:
            with transaction.atomic():
                levels.save()
                bands.save()
                for (lik, imp), band in cells.items():
                    if band is None:
                        MatrixCell.objects.filter(likelihood=lik, impact=imp).delete()
                    else:
                        MatrixCell.objects.update_or_create(
                            likelihood=lik, impact=imp, defaults={"band": band}
                        )
            messages.success(request, _("Scales, bands and matrix saved."))
            return redirect("risks:scales")
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    grid = [
        (lik, [(imp, matrix.overrides.get((lik, imp)), matrix.color(lik, imp), lik * imp)
               for imp in range(1, matrix.max_impact + 1)])
        for lik in range(matrix.max_likelihood, 0, -1)
    ]  # fmt: skip
    ctx = {"levels": levels, "bands": bands, "grid": grid, "matrix": matrix}
    return render(request, "risks/scales.html", ctx)
