"""Writes of lead triage: status with its reason, assignee, comments, referral to the integrity unit.

``Lead``, ``LeadComment`` and ``Referral`` are audited by model, so every change below leaves an
entry with the state before and after.
"""

from __future__ import annotations

import importlib
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from arusha_web.accounts.models import User

from .kinds import referral_category
from .models import Lead, LeadComment, LeadStatus, Referral

logger = logging.getLogger(__name__)

NEEDS_REASON = {LeadStatus.EXPLAINED, LeadStatus.DISMISSED}


@transaction.atomic
def lead_update(*, lead: Lead, status: str, reason: str, assignee: User | None, actor: User) -> Lead:
    """Change a lead's status and assignee.

    Raises:
        ValidationError: explained/dismissed without a reason, "referred" (use ``lead_refer``),
            or a change to a lead already referred.
    """
    if lead.status == LeadStatus.REFERRED:
        raise ValidationError(
            _("This lead was referred to the integrity unit; it can no longer be changed here.")
        )
    if status not in LeadStatus.values or status == LeadStatus.REFERRED:
        raise ValidationError({"status": _("Choose a status.")})
    if status in NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Say why the lead is explained or dismissed.")})
    lead.status = status
    lead.reason = reason.strip() if status in NEEDS_REASON else ""
    lead.assignee = assignee
    lead.save()
    return lead


def lead_comment(*, lead: Lead, text: str, actor: User) -> LeadComment:
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    return LeadComment.objects.create(lead=lead, author=actor, text=text.strip())


def _intake() -> object | None:
    """The cases module's intake, when it is installed (it is built separately)."""
    try:
        module = importlib.import_module("arusha_web.cases.services")
    except ImportError:
        return None
    return getattr(module, "intake_from_lead", None)


@transaction.atomic
def lead_refer(*, lead: Lead, note: str, actor: User) -> Referral:
    """Refer a lead: a referral record here, and an intake item in Cases when that module is there."""
    if lead.status == LeadStatus.REFERRED:
        raise ValidationError(_("This lead was already referred."))
    if not note.strip():
        raise ValidationError({"note": _("Say why you refer this lead.")})
    referral = Referral.objects.create(lead=lead, referred_by=actor, note=note.strip())
    intake = _intake()
    if callable(intake):
        explanation = f"{lead.explanation}\n\n{_('Referred because')}: {note.strip()}"
        report = intake(
            entity_type=lead.entity_type,
            entity_id=lead.entity_id,
            explanation=explanation,
            referred_by=actor,
            office_code=lead.office_code,
            category=referral_category(lead.kind),
        )
        referral.intake_ref = str(getattr(report, "reference", "") or getattr(report, "pk", ""))
        referral.save(update_fields=["intake_ref"])
    lead.status = LeadStatus.REFERRED
    lead.save()
    return referral
