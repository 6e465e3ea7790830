"""Campaign reminders: every one kept (to whom, when, by whom), and sent on a schedule."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Assessment, Reminder

from .factories import answers_for, make_assessment, open_assessment, participant

START = timezone.make_aware(dt.datetime(2026, 2, 2, 9, 0))


@pytest.fixture
def campaign(personas: dict[str, Any]) -> Assessment:
    campaign = open_assessment(make_assessment())
    for name in ("Ann", "Bob"):
        participant(campaign, "officer", name)
    participant(campaign, "manager", "Cy")
    services.participants_invite(assessment=campaign, base_url="http://testserver/")
    campaign.participants.update(invited_at=START)
    mail.outbox.clear()
    return campaign


def test_every_manual_reminder_is_kept_with_who_and_when(campaign, personas):
    ann = campaign.participants.get(name="Ann")
    services.sheet_submit(participant=ann, data=answers_for(campaign), anonymous=False)
    client = client_for(personas["ingrid"])
    url = reverse("diagnose:participants_invite", args=[campaign.pk])
    client.post(url, {"reminder": "1"})
    client.post(url, {"reminder": "1"})
    reminders = Reminder.objects.filter(participant__assessment=campaign)
    # Bob and Cy twice each; Ann answered and gets none.
    assert sorted(r.participant.name for r in reminders) == ["Bob", "Bob", "Cy", "Cy"]
    assert {r.sent_by for r in reminders} == {personas["ingrid"]} and not any(r.scheduled for r in reminders)
    assert len(mail.outbox) == 4 and all("Reminder" in m.subject for m in mail.outbox)
    page = client.get(reverse("diagnose:assessment_detail", args=[campaign.pk])).content.decode()
    assert "4 reminders sent" in page and "ingrid" in page


def test_the_schedule_reminds_non_respondents_every_n_days_until_answers_stop(campaign, personas):
    client = client_for(personas["ingrid"])
    client.post(reverse("diagnose:assessment_reminders", args=[campaign.pk]), {"remind_every_days": "3"})
    campaign.refresh_from_db()
    assert campaign.remind_every_days == 3
    bob = campaign.participants.get(name="Bob")
    services.sheet_submit(participant=bob, data=answers_for(campaign), anonymous=True)

    def run(days: float) -> int:
        return services.campaign_reminders_send(now=START + dt.timedelta(days=days), base_url="http://x/")

    assert run(1) == 0  # invited yesterday
    assert run(3) == 2  # Ann and Cy; Bob answered (anonymously) and is left alone
    assert run(3.2) == 0  # a second run the same day sends nothing more
    assert run(5) == 0
    assert run(6) == 2
    scheduled = Reminder.objects.filter(participant__assessment=campaign, scheduled=True)
    assert sorted(r.participant.name for r in scheduled) == ["Ann", "Ann", "Cy", "Cy"]
    assert {r.sent_by for r in scheduled} == {None}
    services.assessment_advance(assessment=campaign, user=None)  # answers stop: the workshop starts
    assert run(12) == 0


def test_a_campaign_without_a_schedule_sends_nothing(campaign):
    assert services.campaign_reminders_send(now=START + dt.timedelta(days=30)) == 0


@pytest.mark.parametrize("value", ["0", "91", "often", "-2"])
def test_a_bad_schedule_is_refused_and_the_old_one_kept(campaign, personas, value):
    campaign.remind_every_days = 7
    campaign.save()
    client = client_for(personas["ingrid"])
    response = client.post(
        reverse("diagnose:assessment_reminders", args=[campaign.pk]),
        {"remind_every_days": value},
        follow=True,
    )
    assert "The schedule was not saved — reminder interval:" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.remind_every_days == 7


def test_the_schedule_can_be_cleared(campaign, personas):
    campaign.remind_every_days = 7
    campaign.save()
    client_for(personas["ingrid"]).post(reverse("diagnose:assessment_reminders", args=[campaign.pk]), {})
    campaign.refresh_from_db()
    assert campaign.remind_every_days is None


def test_reminders_cannot_be_sent_before_answers_are_collected(personas):
    draft = make_assessment()
    participant(draft, "officer", "Dee")
    with pytest.raises(services.DiagnoseError, match="only be sent while answers are being collected"):
        services.participants_invite(assessment=draft, base_url="http://x/", reminder=True)


def test_the_daily_command_sends_both_kinds(campaign):
    campaign.remind_every_days = 1
    campaign.save()
    out = StringIO()
    call_command("diagnose_reminders", "--base-url", "https://arusha.example.org", stdout=out)
    assert "0 action reminder(s) sent" in out.getvalue()
    assert "3 self-assessment reminder(s) sent" in out.getvalue()
    assert "https://arusha.example.org/diagnose/r/" in mail.outbox[0].body


def test_the_daily_job_sends_both_kinds(campaign, personas):
    from arusha_web.jobs.models import Job
    from arusha_web.jobs.registry import JobContext, get_kind

    campaign.remind_every_days = 1
    campaign.save()
    job = Job.objects.create(kind="diagnose.action_reminders", params={}, created_by=personas["ingrid"])
    result = get_kind("diagnose.action_reminders").func(JobContext(job))
    assert result == {"sent": 3, "actions": 0, "participants": 3}
    assert Reminder.objects.filter(participant__assessment=campaign, scheduled=True).count() == 3
