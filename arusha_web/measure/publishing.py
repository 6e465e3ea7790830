"""Making an analysis the official one, and carrying the leads' triage over to it.

Why publishing is an explicit act: dashboards, the leads inbox, scorecards, contracts and the risks'
evidence used to show "the newest finished analysis", so an analyst's 5,000-declaration trial
replaced everyone's figures and hid the leads already triaged. Now one analysis is official until
another is published, by someone holding ``measure.publish``; every publication is kept (the risk
map replayed at a past date shows the evidence of the analysis official then) and audited.

Why triage is carried over: a new quarter's analysis finds the same officer doing the same thing
again; the notes, assignee and dismissal of last quarter's lead must follow, or work is lost. A
lead of the new analysis takes over the triage of the replaced analysis's lead on the same culprit
(the officer of a person's lead, else the office or declarant) and kind whose months overlap. The
old lead is never changed: it stays readable from the new one (``carried_from``).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record

from . import selectors
from .models import AnalysisRun, Lead, LeadComment, LeadStatus, Publication, Referral, RunStatus

# Notes written by the demo, kept in English and said in the reader's language where shown
# ({% translate %}), as the upgrade's (``models.UPGRADE_NOTE``).
DEMO_NOTES = (
    gettext_noop("The first three months, while the rest loaded."),
    gettext_noop("The whole year of the demo data."),
)


def culprit_key(lead: Lead) -> tuple[str, str]:
    """(kind, culprit): the officer of a person's lead (whichever counterpart a pair names this
    time), else the office or the declarant."""
    officer = lead.record.officer
    return lead.kind, f"officer:{officer}" if officer else f"{lead.entity_type}:{lead.entity_id}"


def _next_month(month: str) -> str:
    """'2024-03' → '2024-04' (anything else is returned as it is)."""
    try:
        year, number = int(month[:4]), int(month[5:7])
    except ValueError:
        return month
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def windows_overlap(a: Lead, b: Lead) -> bool:
    """Whether two leads' months overlap or follow each other (an analysis of the next quarter
    finds a scheme that went on: its months start where the last one's ended). A lead without
    months (an older analysis) spans all.

    Example (months as the leads store them): March–May and June–August follow each other;
    March–May and July–August do not.
    """
    if not (a.window_start and b.window_start):
        return True
    a_end, b_end = a.window_end or a.window_start, b.window_end or b.window_start
    return a.window_start <= _next_month(b_end) and b.window_start <= _next_month(a_end)


def _triaged(lead: Lead, commented: set[int]) -> bool:
    return (
        lead.status != LeadStatus.NEW
        or lead.assignee_id is not None
        or bool(lead.reason)
        or lead.pk in commented
    )


def matches(previous: AnalysisRun, run: AnalysisRun) -> list[tuple[Lead, Lead]]:
    """(new lead, old lead) pairs: ``run``'s untouched leads and the triaged lead of ``previous``
    on the same culprit and kind with overlapping months (one old lead feeds one new lead)."""
    old = Lead.objects.filter(run=previous).select_related("referral").order_by("rank")
    commented = set(LeadComment.objects.filter(lead__run=previous).values_list("lead_id", flat=True))
    by_key: dict[tuple[str, str], list[Lead]] = defaultdict(list)
    for lead in old:
        if _triaged(lead, commented):
            by_key[culprit_key(lead)].append(lead)
    if not by_key:
        return []
    new_commented = set(LeadComment.objects.filter(lead__run=run).values_list("lead_id", flat=True))
    untouched = Lead.objects.filter(
        run=run, carried_from__isnull=True, status=LeadStatus.NEW, assignee__isnull=True, reason=""
    ).exclude(pk__in=new_commented)
    pairs = []
    for lead in untouched.order_by("rank"):
        candidates = by_key.get(culprit_key(lead), [])
        match = next((o for o in candidates if windows_overlap(o, lead)), None)
        if match is not None:
            candidates.remove(match)
            pairs.append((lead, match))
    return pairs


def carry_triage(previous: AnalysisRun, run: AnalysisRun) -> int:
    """Give ``run``'s untouched leads the triage of ``previous``'s matching leads; return how many."""
    pairs = matches(previous, run)
    for lead, match in pairs:
        lead.status, lead.reason, lead.assignee_id = match.status, match.reason, match.assignee_id
        if match.assignee_id and not selectors.assignable_users(lead).filter(pk=match.assignee_id).exists():
            lead.assignee_id = None  # he could not open it (another office's manager): unassigned
        lead.carried_from = match
        lead.save(update_fields=["status", "reason", "assignee", "carried_from", "updated_at"])
        LeadComment.objects.bulk_create(
            LeadComment(lead=lead, author_id=c.author_id, text=c.text, created_at=c.created_at)
            for c in match.comments.all()
        )
        referral = getattr(match, "referral", None)
        if referral is not None:
            Referral.objects.create(
                lead=lead,
                referred_by_id=referral.referred_by_id,
                referred_at=referral.referred_at,
                note=referral.note,
                intake_ref=referral.intake_ref,
            )
    return len(pairs)


@transaction.atomic
def publish(*, run: AnalysisRun, actor: User, note: str = "") -> Publication:
    """Make ``run`` the official analysis.

    Raises:
        ValidationError: the analysis is not finished, or is already the official one.
    """
    if run.status != RunStatus.DONE:
        raise ValidationError(_("Only a finished analysis can be published."))
    # Lock the publication history so that two people publishing at once cannot both carry the
    # same triage over (the second waits, then sees the first's publication as the official one).
    list(Publication.objects.select_for_update().all()[:1])
    previous = selectors.official_run()
    if previous is not None and previous.pk == run.pk:
        raise ValidationError(_("This analysis is already the official one."))
    carried = carry_triage(previous, run) if previous is not None else 0
    publication = Publication.objects.create(run=run, published_by=actor, note=note.strip(), carried=carried)
    audit_record(
        action="update",
        actor=actor,
        obj=run,
        before={"official_analysis": previous.pk if previous is not None else None},
        after={"official_analysis": run.pk, "triage_carried_over": carried},
    )
    return publication
