"""Reads of the Measure module, narrowed to what the viewer may see.

Analysts and the integrity unit see everything; office managers see their own office; staff
see their own scorecard and contract. Views call these and never filter by role themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.org.models import StaffRecord

from . import lead_records, lead_text
from .explanations import localise
from .kinds import about_label
from .lead_records import LeadRecord, Mask
from .models import (
    UPGRADE_NOTE,
    AnalysisRun,
    Contract,
    Dataset,
    IndicatorValue,
    Lead,
    LeadStatus,
    Publication,
    RunStatus,
)


def manager_office(viewer: User) -> str | None:
    """The office code an office manager is limited to; None for roles that see every office."""
    if viewer.role == Role.OFFICE_MANAGER:
        office = getattr(viewer, "office", None)
        return office.code if office is not None else ""
    return None


def own_officer_id(viewer: User) -> str:
    """The officer identifier of the viewer's own scorecard: that of the staff record linked to the
    account (the identifier clearance data carries); "" for an account without one."""
    found = StaffRecord.objects.filter(user_id=viewer.pk).values_list("officer_id", flat=True).first()
    return found or ""


def datasets() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("created_by").order_by("-created_at")


def may_see_trials(viewer: User) -> bool:
    """Those who load data and run analyses see every analysis, trials included; everyone else
    sees the official analysis, those that were official before, and any he started himself."""
    return viewer.can("measure.data")


def may_publish(viewer: User) -> bool:
    return viewer.can("measure.publish")


def official_run(at: dt.datetime | None = None) -> AnalysisRun | None:
    """The analysis the institution relies on: the one published last (at ``at``, for a replay)."""
    publications = Publication.objects.filter(run__status=RunStatus.DONE).select_related("run__dataset")
    if at is not None:
        publications = publications.filter(published_at__lte=at)
    found = publications.order_by("-published_at", "-pk").first()
    return found.run if found is not None else None


def visible_runs(viewer: User) -> QuerySet[AnalysisRun]:
    """The finished analyses ``viewer`` may open (``?run=`` included): see ``may_see_trials``."""
    done = AnalysisRun.objects.filter(status=RunStatus.DONE).select_related("dataset")
    if may_see_trials(viewer):
        return done
    published = Publication.objects.values("run_id")
    return done.filter(Q(pk__in=published) | Q(started_by_id=viewer.pk))


def shown_run(viewer: User, pk: int | None = None) -> AnalysisRun | None:
    """The analysis a page shows ``viewer``: the one asked for (if he may see it, else 404), else
    the official one; with none published yet, the newest for those who see trials (so the first
    analysis of an installation can be looked at before it is published), else None.

    Raises:
        Http404: ``pk`` names an analysis that does not exist, is not finished or is a trial
            the viewer may not see (the same answer for all three, so trials cannot be probed).
    """
    if pk is not None:
        return get_object_or_404(visible_runs(viewer), pk=pk)
    official = official_run()
    if official is not None or not may_see_trials(viewer):
        return official
    return visible_runs(viewer).order_by("-created_at", "-pk").first()


def run_for(viewer: User, pk: int | None = None) -> AnalysisRun:
    """``shown_run`` for pages that have nothing to show without an analysis."""
    run = shown_run(viewer, pk)
    if run is None:
        raise Http404("no analysis yet")
    return run


@dataclass(frozen=True)
class RunBar:
    """What a page says about the analysis it shows, and the others the viewer may switch to."""

    run: AnalysisRun
    official: bool  # the official one now
    was_official: bool  # official once (or now)
    period: str  # "January 2024 – December 2024"
    choices: list[tuple[int, str]]  # (pk, label) of the analyses the viewer may switch to
    may_publish: bool
    # The official analysis was chosen by the upgrade, not by a person: those who may publish are
    # asked to check it (it may be someone's trial from before analyses were published).
    chosen_at_upgrade: bool = False


def run_label(run: AnalysisRun, *, official_pk: int | None, published: set[int]) -> str:
    """ "#2 · Demo data · January – July 2024 · official": what a user picks an analysis by."""
    if run.pk == official_pk:
        state = _("official")
    elif run.pk in published:
        state = _("official before")
    else:
        state = _("trial")
    when = run_period(run) or formats.date_format(run.finished_at or run.created_at, "SHORT_DATE_FORMAT")
    return f"#{run.pk} · {run.dataset.name} · {when} · {state}"


def run_period(run: AnalysisRun) -> str:
    """The months an analysis covers, from its own figures (``date_from``/``date_to`` are only
    the filter the analyst asked for, often empty)."""
    from django.db.models import Max, Min

    from . import dashboards

    def compute() -> tuple[str, str]:
        found = (
            IndicatorValue.objects.filter(run=run, entity_type="administration")
            .exclude(period="all")
            .aggregate(first=Min("period"), last=Max("period"))
        )
        return found["first"] or "", found["last"] or ""

    first, last = dashboards.run_memo(run, "period", (), compute)
    if run.date_from and not first:
        first = f"{run.date_from:%Y-%m}"
    if run.date_to and not last:
        last = f"{run.date_to:%Y-%m}"
    return lead_text.months(first, last) if first else ""


def run_bar(viewer: User, run: AnalysisRun) -> RunBar:
    official = official_run()
    official_pk = official.pk if official is not None else None
    runs = list(visible_runs(viewer).order_by("-created_at", "-pk")[:50])
    published = set(Publication.objects.values_list("run_id", flat=True))
    publisher = may_publish(viewer)
    by_people = (
        Publication.objects.filter(run_id=official_pk).values_list("published_by_id", "note")
        if publisher and run.pk == official_pk
        else []
    )
    return RunBar(
        run=run,
        official=run.pk == official_pk,
        was_official=run.pk in published,
        period=run_period(run),
        choices=[(r.pk, run_label(r, official_pk=official_pk, published=published)) for r in runs]
        if len(runs) > 1
        else [],
        may_publish=publisher and run.pk != official_pk,
        chosen_at_upgrade=bool(by_people)
        and all(who is None for who, _note in by_people)
        and any(note == UPGRADE_NOTE for _who, note in by_people),
    )


def leads_for_viewer(*, viewer: User, run: AnalysisRun) -> QuerySet[Lead]:
    if not visible_runs(viewer).filter(pk=run.pk).exists():
        return Lead.objects.none()
    qs = Lead.objects.filter(run=run).select_related("assignee", "referral").order_by("rank")
    office = manager_office(viewer)
    if office is not None:
        qs = qs.filter(office_code=office) if office else qs.none()
    elif not viewer.can("measure.leads"):
        qs = qs.none()
    return qs


def lead_for_viewer(*, viewer: User, pk: int) -> Lead:
    lead = get_object_or_404(
        Lead.objects.select_related("run", "assignee").filter(run__in=visible_runs(viewer)), pk=pk
    )
    office = manager_office(viewer)
    if office is not None and lead.office_code != office:
        raise Http404("not in your office")
    return lead


def pseudonymised(viewer: User) -> bool:
    """Analysts see pseudonyms for officers when the installation asks for it."""
    return bool(getattr(settings, "ARUSHA_PSEUDONYMISE_OFFICERS", False)) and viewer.role == Role.ANALYST


def pseudonym(officer_id: str) -> str:
    """A stable pseudonym (same officer → same pseudonym) that cannot be reversed without the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), officer_id.encode(), hashlib.sha256).hexdigest()
    return f"Officer-{digest[:6].upper()}"


def revealed_officers() -> set[str]:
    """Officers a referred lead is about: from then on their identifier is no longer masked.

    The officers a referred lead only names (``related``: e.g. those left out of an office's rate)
    stay masked until a lead about them is referred in turn.
    """
    found = Lead.objects.filter(status=LeadStatus.REFERRED).values_list(
        "entity_type", "entity_id", "officer_id"
    )
    officers = {
        LeadRecord(entity_type=entity_type, entity_id=entity_id, kind="", officer_id=officer_id).officer
        for entity_type, entity_id, officer_id in found
    }
    return officers - {""}


def officer_mask(viewer: User) -> Mask | None:
    """What a pseudonymised viewer sees of an officer identifier (its pseudonym until a lead about
    the officer is referred); None for a viewer who sees identifiers. One query, whatever the list."""
    if not pseudonymised(viewer):
        return None
    revealed = revealed_officers()
    return lambda officer_id: officer_id if officer_id in revealed else pseudonym(officer_id)


# Officer ids of the synthetic data (O-PORT1-03): how officers named in the sentence of a lead
# imported before leads were records (no ``related`` field) are found. Any other format is not.
OFFICER_ID = re.compile(r"\bO-[A-Z0-9]+-[0-9]+\b")


@dataclass(frozen=True)
class LeadShown:
    """A lead as one viewer may see it, in the viewer's language."""

    identifier: str  # entity_id, its officer masked
    about: str  # "Officer Officer-1A2B3C with declarant D-0152"
    sentence: str
    window: str  # "March 2024 – May 2024"; "" for a lead of an older analysis
    record: LeadRecord  # its officers masked
    masked: bool  # whether the lead's own officer is shown by pseudonym
    computed: list[tuple[str, str]] = field(default_factory=list)  # empty for an older lead


def record_shown(
    record: LeadRecord, *, explanation: str, mask: Mask | None, referred: bool = False
) -> LeadShown:
    """A lead record as a viewer sees it: officers masked by field (``mask`` from ``officer_mask``)
    and the sentence made from the fields; a lead of an older analysis (no fields) by its stored
    sentence, localised as before (and shown as stored once referred, as before)."""
    if record.complete:
        shown = lead_records.masked(record, mask)
        return LeadShown(
            identifier=shown.entity_id,
            about=about_label(shown.entity_type, shown.entity_id),
            sentence=lead_text.sentence(shown),
            window=lead_text.window(shown),
            record=shown,
            masked=shown.officer != record.officer,
            computed=lead_text.computed(shown),
        )
    text = explanation
    if mask is not None and not referred:
        text = lead_records.mask_text(text, record.officers, mask)
        text = OFFICER_ID.sub(lambda m: mask(m.group(0)), text)
        shown = lead_records.masked(record, mask)
    else:
        shown = record
    return LeadShown(
        identifier=shown.entity_id,
        about=about_label(shown.entity_type, shown.entity_id),
        sentence=localise(text),
        window=lead_text.window(shown),
        record=shown,
        masked=shown.officer != record.officer,
    )


def lead_shown(lead: Lead, *, mask: Mask | None) -> LeadShown:
    """A stored lead as the viewer of ``mask`` sees it (see ``record_shown``)."""
    return record_shown(
        lead.record, explanation=lead.explanation, mask=mask, referred=lead.status == LeadStatus.REFERRED
    )


def assignable_users(lead: Lead) -> QuerySet[User]:
    """Who may be given ``lead``: only people who can open it (an office manager of another
    office, or of any office for a trial analysis, would get "Page not found"), by name."""
    everyone = Q(role__in=[Role.INTEGRITY, Role.ANALYST])
    published = Publication.objects.filter(run_id=lead.run_id).exists()
    if published and lead.office_code:
        everyone |= Q(role=Role.OFFICE_MANAGER, office__code=lead.office_code)
    return User.objects.filter(everyone, is_active=True).order_by("first_name", "last_name", "username")


def contracts_for_viewer(*, viewer: User) -> QuerySet[Contract]:
    qs = Contract.objects.prefetch_related("versions__targets").order_by("-created_at")
    office = manager_office(viewer)
    if office is not None:
        return qs.filter(office_code=office) if office else qs.none()
    if viewer.can("measure.view"):
        return qs
    officer = own_officer_id(viewer)
    return qs.filter(subject_type="officer", subject_id=officer) if officer else qs.none()


def contract_for_viewer(*, viewer: User, pk: int) -> Contract:
    return get_object_or_404(contracts_for_viewer(viewer=viewer), pk=pk)


def can_see_officer(*, viewer: User, officer_id: str, office_code: str) -> bool:
    """Whether the viewer may open this officer's scorecard: his own; his office's for a manager;
    any for those who see every office, except that a pseudonymised analyst, who knows officers by
    pseudonym only, may not open one by its identifier until a lead about the officer is referred."""
    if viewer.can("measure.view"):
        office = manager_office(viewer)
        if pseudonymised(viewer) and officer_id not in revealed_officers():
            return False
        return office is None or office == office_code
    return bool(officer_id) and own_officer_id(viewer) == officer_id
