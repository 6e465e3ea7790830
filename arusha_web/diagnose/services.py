"""Writes of the Diagnose module: reference content, question bank, campaigns, workshop, plan.

Services take keyword-only arguments and raise `DiagnoseError` with a message naming what is
wrong; each runs in a transaction, so a refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User
from arusha_web.audit.services import audit_record
from arusha_web.core.params import whole_number
from arusha_web.core.text_limits import NOTE, TEXT

from . import reference_data
from .models import (
    Action,
    ActionPlan,
    Answer,
    Assessment,
    BankVersion,
    Element,
    Factor,
    FactorResult,
    Participant,
    Question,
    Reminder,
    ResponseSheet,
    WordingVersion,
)
from .models.assessment import Group, Rating


class DiagnoseError(ValueError):
    """A refused write; the message is shown to the user as is."""


# ---------------------------------------------------------------- reference content and bank


@transaction.atomic
def reference_load() -> BankVersion:
    """Install the shipped factors, elements and default bank once; return the current bank.

    Existing rows are left alone, so texts edited by the integrity unit survive a re-run.
    """
    factors = {}
    for code, number, title_en, title_fr, verified in reference_data.FACTORS:
        factors[code], _created = Factor.objects.get_or_create(
            code=code,
            defaults={"number": number, "title_en": title_en, "title_fr": title_fr, "verified": verified},
        )
    elements = {}
    for code, text_en, text_fr, verified in reference_data.ELEMENTS:
        factor_code = code.split(".")[0]
        elements[code], _created = Element.objects.get_or_create(
            code=code,
            defaults={
                "factor": factors[factor_code],
                "text_en": text_en,
                "text_fr": text_fr,
                "verified": verified,
            },
        )
    bank = BankVersion.objects.order_by("-number").first()
    if bank is None:
        bank = BankVersion.objects.create(number=1, note="Default question bank shipped with Arusha")
        Question.objects.bulk_create(
            Question(
                bank=bank,
                code=code,
                element=elements[element],
                text_en=text_en,
                text_fr=text_fr,
                evidence_en=evidence_en,
                evidence_fr=evidence_fr,
                source=Question.Source.LOCAL,
                order=i,
            )
            for i, (code, element, text_en, text_fr, evidence_en, evidence_fr) in enumerate(
                reference_data.QUESTIONS
            )
        )
    return bank


@transaction.atomic
def reference_edit(*, factor: Factor, values: Mapping[str, str], user: User | None = None) -> Factor:
    """Change the wording of a factor and its elements; every change is kept in the audit trail.

    Assessments already run keep the wording version they used (see `wording_current`).

    `values` holds `title_en`, `title_fr` and `<element code>:text_en` / `:text_fr`. The
    English wording cannot be emptied, since questions and reports rely on it.
    """
    errors = []
    title_en = values.get("title_en", factor.title_en).strip()
    if not title_en:
        errors.append(_("The English title of %(code)s cannot be empty.") % {"code": factor.code})
    limit = Factor._meta.get_field("title_en").max_length or 200
    too_long = {
        "title_en": _("The English title of %(code)s is longer than %(max)s characters."),
        "title_fr": _("The French title of %(code)s is longer than %(max)s characters."),
    }
    for name, message in too_long.items():
        # The page limits the length too, but a hand-made request must not reach the database.
        if len(values.get(name, "").strip()) > limit:
            errors.append(message % {"code": factor.code, "max": limit})
    elements = list(factor.elements.all())
    too_long_text = {
        "text_en": _("The English text of %(code)s is longer than %(max)s characters."),
        "text_fr": _("The French text of %(code)s is longer than %(max)s characters."),
    }
    for element in elements:
        if not values.get(f"{element.code}:text_en", element.text_en).strip():
            errors.append(_("The English text of %(code)s cannot be empty.") % {"code": element.code})
        for name, message in too_long_text.items():
            if len(values.get(f"{element.code}:{name}", "").strip()) > NOTE:
                errors.append(message % {"code": element.code, "max": NOTE})
    if errors:
        raise DiagnoseError(" ".join(errors))
    factor.title_en = title_en
    factor.title_fr = values.get("title_fr", factor.title_fr).strip()
    factor.save()
    for element in elements:
        text_en = values.get(f"{element.code}:text_en", element.text_en).strip()
        text_fr = values.get(f"{element.code}:text_fr", element.text_fr).strip()
        if (text_en, text_fr) != (element.text_en, element.text_fr):
            element.text_en, element.text_fr = text_en, text_fr
            element.save()
    wording_current(user=user)
    return factor


def wording_snapshot() -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """The live wording of every factor and element, as stored in a `WordingVersion`."""
    factors = {
        f.code: {"title_en": f.title_en, "title_fr": f.title_fr, "verified": f.verified}
        for f in Factor.objects.all()
    }
    elements = {
        e.code: {"text_en": e.text_en, "text_fr": e.text_fr, "verified": e.verified}
        for e in Element.objects.all()
    }
    return factors, elements


@transaction.atomic
def wording_current(*, user: User | None = None) -> WordingVersion:
    """The wording version matching the live wording, recorded if needed.

    The newest version is brought up to date in place while no assessment uses it; once one
    does, it is frozen and a change of wording records version n+1.
    """
    factors, elements = wording_snapshot()
    latest = WordingVersion.objects.select_for_update().order_by("-number").first()
    if latest is not None and (latest.factors, latest.elements) == (factors, elements):
        return latest
    if latest is not None and not latest.is_frozen:
        latest.factors, latest.elements = factors, elements
        latest.save(update_fields=["factors", "elements"])
        return latest
    number = latest.number + 1 if latest is not None else 1
    return WordingVersion.objects.create(number=number, created_by=user, factors=factors, elements=elements)


def wording_current_number() -> int | None:
    """The number of the newest wording version (None before any was recorded)."""
    return WordingVersion.objects.order_by("-number").values_list("number", flat=True).first()


def bank_current() -> BankVersion:
    bank = BankVersion.objects.order_by("-number").first()
    return bank if bank is not None else reference_load()


def _bank_for_edit(*, user: User | None, note: str) -> BankVersion:
    """The current version if no assessment uses it yet, else a fresh copy of it."""
    current = bank_current()
    if not current.is_frozen:
        return current
    number = (BankVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    fork = BankVersion.objects.create(number=number, created_by=user, note=note)
    Question.objects.bulk_create(
        Question(
            bank=fork,
            code=q.code,
            element_id=q.element_id,
            text_en=q.text_en,
            text_fr=q.text_fr,
            evidence_en=q.evidence_en,
            evidence_fr=q.evidence_fr,
            source=q.source,
            retired=q.retired,
            order=q.order,
        )
        for q in current.questions.all()
    )
    audit_record(action="create", actor=user, obj=fork, after={"forked_from": current.number, "note": note})
    return fork


QUESTION_FIELDS = ("element", "text_en", "text_fr", "evidence_en", "evidence_fr", "source", "retired")


@transaction.atomic
def question_save(*, user: User | None, code: str, values: Mapping[str, Any], new: bool) -> Question:
    """Add or edit a question of the current bank (forking the bank if an assessment uses it)."""
    code = code.strip()
    if not code:
        raise DiagnoseError(_("The question code is required."))
    bank = _bank_for_edit(user=user, note=_("Edit of question %(code)s") % {"code": code})
    existing = bank.questions.filter(code=code).first()
    if new and existing is not None:
        raise DiagnoseError(_("A question with code %(code)s already exists in the bank.") % {"code": code})
    if not new and existing is None:
        raise DiagnoseError(_("There is no question %(code)s in the current bank.") % {"code": code})
    question = existing or Question(bank=bank, code=code, order=bank.questions.count())
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, values[name])
    if not question.text_en.strip():
        raise DiagnoseError(_("The English text of question %(code)s is required.") % {"code": code})
    before = None if existing is None else {"text_en": existing.text_en, "retired": existing.retired}
    question.save()
    audit_record(
        action="create" if existing is None else "update",
        actor=user,
        obj=question,
        before=before,
        after={"bank": bank.number, "text_en": question.text_en, "retired": question.retired},
    )
    return question


@transaction.atomic
def bank_replace(*, user: User | None, rows: list[dict[str, Any]], note: str) -> BankVersion:
    """Make `rows` (already validated) the content of the bank; questions absent are retired."""
    bank = _bank_for_edit(user=user, note=note)
    by_code = {q.code: q for q in bank.questions.all()}
    seen = set()
    for order, row in enumerate(rows):
        seen.add(row["code"])
        question = by_code.get(row["code"]) or Question(bank=bank, code=row["code"])
        for name in QUESTION_FIELDS:
            setattr(question, name, row[name])
        question.order = order
        question.save()
    retired = [q for code, q in by_code.items() if code not in seen and not q.retired]
    for question in retired:
        question.retired = True
        question.save(update_fields=["retired"])
    audit_record(
        action="update",
        actor=user,
        obj=bank,
        after={"imported_questions": len(rows), "retired": [q.code for q in retired], "note": note},
    )
    return bank


# ---------------------------------------------------------------- assessments


@transaction.atomic
def assessment_create(
    *,
    user: User | None,
    title: str,
    scope: str,
    period_start: dt.date,
    period_end: dt.date,
    office: Any = None,
    facilitator: User | None = None,
    previous: Assessment | None = None,
    remind_every_days: int | None = None,
) -> Assessment:
    """Open a campaign in draft on the current question bank and wording, which it keeps for good."""
    if remind_every_days is not None and not 1 <= remind_every_days <= 90:
        raise DiagnoseError(_("Reminders can be sent every 1 to 90 days."))
    if period_end < period_start:
        raise DiagnoseError(_("The period ends before it starts."))
    if scope == Assessment.Scope.OFFICE and office is None:
        raise DiagnoseError(_("An office assessment needs an office."))
    assessment = Assessment.objects.create(
        title=title,
        scope=scope,
        office=office if scope == Assessment.Scope.OFFICE else None,
        period_start=period_start,
        period_end=period_end,
        facilitator=facilitator,
        previous=previous,
        bank=bank_current(),
        wording=wording_current(user=user),
        remind_every_days=remind_every_days,
    )
    for factor in Factor.objects.all():
        FactorResult.objects.create(assessment=assessment, factor=factor)
    return assessment


STATUS_FLOW = {
    Assessment.Status.DRAFT: Assessment.Status.OPEN,
    Assessment.Status.OPEN: Assessment.Status.WORKSHOP,
    Assessment.Status.WORKSHOP: Assessment.Status.CLOSED,
}


@transaction.atomic
def assessment_advance(*, assessment: Assessment, user: User | None) -> Assessment:
    """Move the campaign one step: draft → collecting → workshop → closed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    following = STATUS_FLOW.get(Assessment.Status(assessment.status))
    if following is None:
        raise DiagnoseError(_("This assessment is closed; it can no longer change."))
    assessment.status = following
    if following == Assessment.Status.CLOSED:
        assessment.closed_at = timezone.now()
    assessment.save()
    return assessment


def _require_editable(assessment: Assessment) -> None:
    if assessment.is_closed:
        raise DiagnoseError(_("This assessment is closed; it can no longer change."))


@transaction.atomic
def participant_add(
    *, assessment: Assessment, group: str, name: str, email: str = "", user: User | None = None
) -> Participant:
    _require_editable(assessment)
    if group not in Group.values:
        raise DiagnoseError(_("Unknown group %(group)s.") % {"group": group})
    email = email.strip().lower()
    if email and assessment.participants.filter(email=email).exists():
        raise DiagnoseError(_("%(email)s is already a participant.") % {"email": email})
    return Participant.objects.create(
        assessment=assessment, group=group, name=name.strip(), email=email, user=user
    )


def _personal_link(participant: Participant, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("diagnose:respond", args=[participant.token])


def _send_campaign_mail(participant: Participant, *, base_url: str, reminder: bool) -> None:
    assessment = participant.assessment
    subject = (
        _("Reminder: integrity self-assessment %(title)s")
        if reminder
        else _("Invitation: integrity self-assessment %(title)s")
    ) % {"title": assessment.title}
    body = _(
        "Dear %(name)s,\n\nYou are invited to take part in the integrity self-assessment "
        "“%(title)s” (%(start)s – %(end)s).\nYour personal link: %(link)s\n\n"
        "You may answer anonymously: then nothing links your answers to you.\n"
    ) % {
        "name": participant.name,
        "title": assessment.title,
        "start": assessment.period_start,
        "end": assessment.period_end,
        "link": _personal_link(participant, base_url),
    }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [participant.email])


def _awaiting_answer(assessment: Assessment) -> QuerySet[Participant]:
    """Invited participants with an e-mail address who have not answered yet."""
    return assessment.participants.exclude(email="").filter(
        invited_at__isnull=False, responded_at__isnull=True
    )


def participants_invite(
    *, assessment: Assessment, base_url: str, reminder: bool = False, user: User | None = None
) -> int:
    """E-mail each participant his personal link; reminders go only to those who have not answered.

    Every reminder is kept (`Reminder`: to whom, when, sent by whom). Returns the number of
    messages sent.
    """
    _require_editable(assessment)
    now = timezone.now()
    if reminder:
        if assessment.status != Assessment.Status.OPEN:
            raise DiagnoseError(_("Reminders can only be sent while answers are being collected."))
        sent = 0
        for participant in _awaiting_answer(assessment).select_related("assessment"):
            _send_campaign_mail(participant, base_url=base_url, reminder=True)
            Reminder.objects.create(participant=participant, sent_at=now, sent_by=user)
            sent += 1
        return sent
    sent = 0
    for participant in assessment.participants.exclude(email="").filter(invited_at__isnull=True):
        _send_campaign_mail(participant, base_url=base_url, reminder=False)
        participant.invited_at = now
        participant.save(update_fields=["invited_at"])
        sent += 1
    return sent


def campaign_reminders_send(*, now: dt.datetime | None = None, base_url: str = "") -> int:
    """The schedule: remind non-respondents of open campaigns every `remind_every_days` days.

    A participant is reminded when his invitation or last reminder is at least that many days
    old; the schedule stops when the campaign stops collecting answers. Run daily
    (`manage.py diagnose_reminders` or the job kind "diagnose.action_reminders"); running it twice the
    same day sends nothing more. Returns the number of reminders sent.
    """
    now = now or timezone.now()
    sent = 0
    campaigns = Assessment.objects.filter(status=Assessment.Status.OPEN, remind_every_days__isnull=False)
    for assessment in campaigns:
        due_before = now - dt.timedelta(days=assessment.remind_every_days or 0)
        waiting = (
            _awaiting_answer(assessment)
            .select_related("assessment")
            .annotate(last_reminder=Max("reminders__sent_at"))
        )
        for participant in waiting:
            last = max(d for d in (participant.invited_at, participant.last_reminder) if d is not None)
            # Compare dates, not times: a daily run at a slightly different hour still sends.
            if timezone.localdate(last) > timezone.localdate(due_before):
                continue
            with transaction.atomic():
                _send_campaign_mail(participant, base_url=base_url, reminder=True)
                Reminder.objects.create(participant=participant, sent_at=now, scheduled=True)
            sent += 1
    return sent


@transaction.atomic
def assessment_reminder_schedule(
    *, assessment: Assessment, days: int | None, user: User | None
) -> Assessment:
    """Remind non-respondents every `days` days while answers are collected (None: never)."""
    _require_editable(assessment)
    if days is not None and not 1 <= days <= 90:
        raise DiagnoseError(_("Reminders can be sent every 1 to 90 days."))
    assessment.remind_every_days = days
    assessment.save(update_fields=["remind_every_days"])
    return assessment


def _clean_answers(assessment: Assessment, data: Mapping[str, Any]) -> list[tuple[Question, str, str, str]]:
    """Validate a submitted form (q-<id>, evidence-<id>, comment-<id>); every question is required."""
    cleaned = []
    errors = []
    for question in assessment.questions():
        rating = str(data.get(f"q-{question.pk}", "")).strip()
        if rating == "":
            errors.append(_("%(code)s: choose a maturity level or N/A.") % {"code": question.code})
            continue
        if rating not in Rating.values:
            errors.append(
                _("%(code)s: “%(value)s” is not on the scale (0, 1, 2, 3, 4 or N/A).")
                % {"code": question.code, "value": rating}
            )
            continue
        evidence = str(data.get(f"evidence-{question.pk}", "")).strip()
        comment = str(data.get(f"comment-{question.pk}", "")).strip()
        for text, message in (
            (evidence, _("%(code)s: the evidence has %(n)s characters; at most %(max)s.")),
            (comment, _("%(code)s: the comment has %(n)s characters; at most %(max)s.")),
        ):
            if len(text) > TEXT:
                errors.append(message % {"code": question.code, "n": len(text), "max": TEXT})
        cleaned.append((question, rating, evidence, comment))
    if errors:
        raise DiagnoseError(" ".join(errors))
    return cleaned


@transaction.atomic
def sheet_submit(*, participant: Participant, data: Mapping[str, Any], anonymous: bool) -> ResponseSheet:
    """Record a participant's answers.

    Anonymous: the sheet gets the group only; no participant, no account, no time, and no
    audit entry (an audit entry would name the actor and so link him to the answers). The
    participant is marked as having responded, for progress by group and reminders, and cannot
    answer again; that mark is not audited either.
    Named: the sheet is linked to the participant, who may change it until the workshop.
    """
    participant = Participant.objects.select_for_update().select_related("assessment").get(pk=participant.pk)
    assessment = participant.assessment
    if assessment.status != Assessment.Status.OPEN:
        raise DiagnoseError(_("This assessment is not collecting answers at the moment."))
    existing = ResponseSheet.objects.filter(participant=participant).first()
    if participant.responded_at is not None and existing is None:
        raise DiagnoseError(_("You have already answered anonymously; anonymous answers cannot be changed."))
    if existing is not None and anonymous:
        raise DiagnoseError(_("You have already answered with your name; your answers stay named."))
    cleaned = _clean_answers(assessment, data)
    if existing is not None:
        existing.answers.all().delete()
        sheet = existing
    else:
        sheet = ResponseSheet.objects.create(
            assessment=assessment, group=participant.group, participant=None if anonymous else participant
        )
    Answer.objects.bulk_create(
        Answer(sheet=sheet, question=q, rating=r, evidence=e, comment=c) for q, r, e, c in cleaned
    )
    sheet.submitted = True
    sheet.save(update_fields=["submitted"])
    # Written without the model's save, so the audit trail gets no "Participant X: responded"
    # entry: next to results by group it would tell who answered, and so whose anonymous
    # answers are whose. A named sheet is audited below, with its author.
    Participant.objects.filter(pk=participant.pk).update(responded_at=timezone.now())
    if anonymous:
        from .anonymity import reshuffle_anonymous_sheets

        # One re-deal at a time per campaign (two participants may answer at the same moment).
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        reshuffle_anonymous_sheets(assessment)
    if not anonymous:
        audit_record(
            action="update" if existing else "create",
            actor=participant.user,
            obj=sheet,
            object_repr=f"{assessment} — {participant.name}",
            after={"answers": len(cleaned)},
        )
    return sheet


@transaction.atomic
def factor_result_save(*, result: FactorResult, values: Mapping[str, Any], user: User | None) -> FactorResult:
    """Record what the workshop agreed for one factor (consensus is set, never averaged)."""
    _require_editable(result.assessment)
    consensus = values.get("consensus")
    if consensus not in (None, "") and whole_number(consensus, max_digits=1) not in range(5):
        raise DiagnoseError(_("The consensus maturity must be between 0 and 4."))
    priority = values.get("priority")
    if priority not in (None, "") and str(priority) not in ("1", "2", "3"):
        raise DiagnoseError(_("The priority must be 1, 2 or 3."))
    for name in ("strengths", "weaknesses", "opportunities", "threats"):
        if name in values:
            setattr(result, name, values[name] or "")
    for name in ("consensus", "priority"):
        if name in values:
            setattr(result, name, whole_number(values[name], max_digits=1))
    result.save()
    return result


# ---------------------------------------------------------------- action plan


ACTION_FIELDS = (
    "factor",
    "office",
    "objective",
    "activity",
    "horizon",
    "owner_unit",
    "owner",
    "start_date",
    "due_date",
    "budget",
    "output",
    "indicator",
    "baseline",
    "target",
    "status",
    "percent_complete",
    "evidence_of_completion",
)


def _validate_action(action: Action) -> None:
    if not action.objective.strip():
        raise DiagnoseError(_("The objective is required."))
    if action.start_date and action.due_date and action.due_date < action.start_date:
        raise DiagnoseError(_("The due date is before the start date."))
    if not 0 <= int(action.percent_complete) <= 100:
        raise DiagnoseError(_("Percent complete must be between 0 and 100."))
    if action.status not in Action.Status.values:
        raise DiagnoseError(_("Unknown status %(status)s.") % {"status": action.status})
    if action.horizon not in Action.Horizon.values:
        raise DiagnoseError(_("Unknown horizon %(horizon)s.") % {"horizon": action.horizon})
    if action.status == Action.Status.DONE:
        action.percent_complete = 100


@transaction.atomic
def action_create(
    *,
    objective: str,
    source_type: str = "",
    source_id: str | int = "",
    source_label: str = "",
    plan: ActionPlan | None = None,
    factor: Factor | None = None,
    office: Any = None,
    activity: str = "",
    horizon: str = Action.Horizon.SHORT,
    owner_unit: str = "",
    owner: User | None = None,
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    budget: Decimal | None = None,
    output: str = "",
    indicator: str = "",
    baseline: str = "",
    target: str = "",
) -> Action:
    """Create an action of the integrity action plan; other modules call this.

    `source_type` is one of `Action.SourceType` ("factor_result", "survey_item", "risk",
    "lead", "other"); `source_id` and `source_label` identify and describe what motivated the
    action without a foreign key (e.g. source_type="risk", source_id=risk.pk,
    source_label="R-12 Channel downgrading at PORT1"). `office` is the office carrying the action
    out (None: a national action). Raises `DiagnoseError` on bad input.
    """
    if source_type and source_type not in Action.SourceType.values:
        raise DiagnoseError(_("Unknown motivation type %(type)s.") % {"type": source_type})
    action = Action(
        plan=plan,
        factor=factor,
        office=office,
        source_type=source_type,
        source_id=str(source_id),
        source_label=source_label,
        objective=objective,
        activity=activity,
        horizon=horizon,
        owner_unit=owner_unit,
        owner=owner,
        start_date=start_date,
        due_date=due_date,
        budget=budget,
        output=output,
        indicator=indicator,
        baseline=baseline,
        target=target,
    )
    _validate_action(action)
    action.save()
    return action


@transaction.atomic
def action_update(*, action: Action, values: Mapping[str, Any]) -> Action:
    for name in ACTION_FIELDS:
        if name in values:
            setattr(action, name, values[name])
    _validate_action(action)
    action.save()
    return action


@transaction.atomic
def plan_for_assessment(*, assessment: Assessment) -> ActionPlan:
    plan, _created = ActionPlan.objects.get_or_create(
        assessment=assessment,
        defaults={"title": _("Integrity action plan — %(a)s") % {"a": assessment.title}},
    )
    return plan


@transaction.atomic
def plan_approve(*, plan: ActionPlan, user: User, note: str = "") -> ActionPlan:
    """Record the approval of the plan (who, when, note) and of each of its actions."""
    if plan.approved_at is not None:
        raise DiagnoseError(_("This plan is already approved."))
    if not plan.actions.exists():
        raise DiagnoseError(_("An empty plan cannot be approved; add actions first."))
    limit = ActionPlan._meta.get_field("approval_note").max_length or 300
    if len(note) > limit:
        raise DiagnoseError(
            _("The approval note has %(n)s characters; at most %(max)s.") % {"n": len(note), "max": limit}
        )
    now = timezone.now()
    plan.approved_by, plan.approved_at, plan.approval_note = user, now, note
    plan.save()
    for action in plan.actions.filter(approved_at__isnull=True):
        action.approved_by, action.approved_at = user, now
        action.save(update_fields=["approved_by", "approved_at"])
    return plan


def action_reminders_send(*, today: dt.date | None = None, days_before: int = 7, base_url: str = "") -> int:
    """E-mail owners of open actions due within `days_before` days or overdue; once a day at most."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=days_before)
    sent = 0
    actions: Iterable[Action] = (
        Action.objects.select_related("owner")
        .exclude(status__in=[Action.Status.DONE, Action.Status.DROPPED])
        .filter(due_date__lte=horizon, owner__isnull=False)
        .exclude(owner__email="")
        .exclude(last_reminder_on=today)
    )
    for action in actions:
        assert action.owner is not None and action.due_date is not None
        overdue = action.due_date < today
        subject = (
            _("Overdue integrity action: %(objective)s")
            if overdue
            else _("Integrity action due soon: %(objective)s")
        ) % {"objective": action.objective}
        link = base_url.rstrip("/") + reverse("diagnose:action_edit", args=[action.pk])
        body = _("Due date: %(due)s. Progress: %(pct)s%%. Update it here: %(link)s") % {
            "due": action.due_date,
            "pct": action.percent_complete,
            "link": link,
        }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [action.owner.email])
        action.last_reminder_on = today
        action.save(update_fields=["last_reminder_on"])
        sent += 1
    return sent
