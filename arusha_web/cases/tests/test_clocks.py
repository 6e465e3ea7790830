"""The 7-day acknowledgement and 3-month feedback clocks, and their reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from arusha_web.cases import selectors, services
from arusha_web.cases.models import Report
from arusha_web.conftest import client_for


def _report(days_ago: int) -> Report:
    report, _code = services.report_submit(source="public", category="bribery", description="cash")
    Report.objects.filter(pk=report.pk).update(received_at=timezone.now() - dt.timedelta(days=days_ago))
    report.refresh_from_db()
    return report


@pytest.mark.django_db
def test_acknowledgement_is_due_after_7_days_and_feedback_after_3_months(org: dict[str, Any]):
    report = _report(0)
    assert report.acknowledge_due - report.received_at == dt.timedelta(days=7)
    assert report.feedback_due - report.received_at == dt.timedelta(days=90)
    now = report.received_at
    assert not report.acknowledge_overdue(now + dt.timedelta(days=6, hours=23))
    assert report.acknowledge_overdue(now + dt.timedelta(days=7, seconds=1))
    assert not report.feedback_overdue(now + dt.timedelta(days=89))
    assert report.feedback_overdue(now + dt.timedelta(days=91))


@pytest.mark.django_db
def test_acknowledging_stops_the_first_clock_and_feedback_the_second(personas: dict[str, Any]):
    report = _report(100)
    overdue = selectors.clocks_overdue()
    assert report in overdue["acknowledge"] and report in overdue["feedback"]
    services.report_acknowledge(report=report, by=personas["ingrid"])
    overdue = selectors.clocks_overdue()
    assert report not in overdue["acknowledge"] and report in overdue["feedback"]
    services.report_feedback(report=report, by=personas["ingrid"], body="We opened an investigation.")
    assert report not in selectors.clocks_overdue()["feedback"]
    assert report.messages.count() == 2  # the reporter was told both times


@pytest.mark.django_db
def test_the_intake_shows_overdue_deadlines(personas: dict[str, Any]):
    _report(10)
    _report(1)
    page = client_for(personas["ingrid"]).get(reverse("cases:intake")).content.decode()
    assert page.count("badge-bad") == 1 and "overdue" in page
    home = client_for(personas["ingrid"]).get(reverse("cases:index")).content.decode()
    assert "Legal deadlines are overdue" in home


@pytest.mark.django_db
def test_referred_leads_have_no_reporter_clocks(personas: dict[str, Any]):
    lead = services.intake_from_lead(
        entity_type="officer", entity_id="OFF-PORT", explanation="Many overrides", referred_by=personas["ana"]
    )
    Report.objects.filter(pk=lead.pk).update(received_at=timezone.now() - dt.timedelta(days=200))
    assert selectors.clocks_overdue() == {"acknowledge": [], "feedback": []}
    lead.refresh_from_db()
    assert (
        lead.source == "lead" and lead.description == "Many overrides" and lead.referred_by == personas["ana"]
    )
    assert lead in selectors.intake_queue()


@pytest.mark.django_db
def test_reminders_are_emailed_to_the_integrity_unit_without_contents(personas: dict[str, Any]):
    personas["ingrid"].email = "ingrid@example.org"
    personas["ingrid"].save()
    report = _report(10)
    call_command("cases_reminders")
    [message] = mail.outbox
    assert message.to == ["ingrid@example.org"]
    assert report.reference in message.body and "cash" not in message.body


@pytest.mark.django_db
def test_a_closed_report_no_longer_raises_reminders(personas: dict[str, Any]):
    report = _report(100)
    services.report_close(report=report, by=personas["ingrid"])
    assert selectors.clocks_overdue() == {"acknowledge": [], "feedback": []}
    home = client_for(personas["ingrid"]).get(reverse("cases:index")).content.decode()
    assert "Legal deadlines are overdue" not in home


@pytest.mark.django_db
def test_merging_an_unacknowledged_report_acknowledges_it_to_its_reporter(personas: dict[str, Any]):
    first = _report(2)
    duplicate = _report(1)
    services.report_merge(report=duplicate, into=first, by=personas["ingrid"])
    duplicate.refresh_from_db()
    assert duplicate.acknowledged_at is not None
    [message] = duplicate.messages.all()
    assert not message.from_reporter and "has been received" in message.body
