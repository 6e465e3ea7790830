"""Publishing an analysis as the official one (see ``publishing.py`` for why it is an explicit act)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from arusha_web.accounts.access import require_capability
from arusha_web.accounts.models import User
from arusha_web.core.params import local_next

from . import publishing, selectors
from .forms import PublishForm
from .models import Lead, Publication


@require_capability("measure.publish")
def analysis_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what publishing would change; POST: publish."""
    user: User = request.user  # type: ignore[assignment]
    run = selectors.run_for(user, pk)
    fallback = reverse("measure:analysis", args=[run.pk])
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publication = publishing.publish(run=run, actor=user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Analysis #%(pk)s is now the official analysis; the triage of %(n)s leads carried over.")
                % {"pk": run.pk, "n": publication.carried},
            )
        return HttpResponseRedirect(local_next(request, fallback))
    official = selectors.official_run()
    carried = len(publishing.matches(official, run)) if official is not None and official.pk != run.pk else 0
    ctx = {
        "run": run,
        "period": selectors.run_period(run),
        "official": official,
        "official_period": selectors.run_period(official) if official is not None else "",
        "carried": carried,
        "triaged_elsewhere": (
            Lead.objects.filter(run=official).exclude(status="new").count() if official is not None else 0
        ),
        "history": Publication.objects.select_related("run__dataset", "published_by")[:20],
        "next": local_next(request, fallback),
        "form": form,
    }
    return render(request, "measure/publish.html", ctx, status=400 if form.errors else 200)
