"""Anonymous answers in small groups: no breakdown singles out a group of fewer than the minimum.

Olu is the only frontline officer of the campaign and answers anonymously; three managers answer
with their names; three headquarters staff answer anonymously. Before the minimum group size,
Olu's answers were listed as "anonymous · Frontline officers" and the campaign page said that he
had answered: his anonymous answers were his.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose import selectors, services
from arusha_web.diagnose.models import Assessment
from arusha_web.diagnose.scoring import GroupPooling, group_pooling
from arusha_web.diagnose.views import assessments

from .factories import answers_for, make_assessment, open_assessment, participant

OLU_COMMENT = "OLU-ONLY-COMMENT"


@pytest.fixture
def campaign(personas: dict[str, Any]) -> Assessment:
    campaign = open_assessment(make_assessment())
    olu = participant(campaign, "officer", "Olu")
    f8 = {"F8": "0"}
    data = answers_for(campaign, f8) | {f"comment-{campaign.questions().first().pk}": OLU_COMMENT}  # type: ignore[union-attr]
    services.sheet_submit(participant=olu, data=data, anonymous=True)
    for name in ("Mia", "Max", "Moe"):
        services.sheet_submit(
            participant=participant(campaign, "manager", name),
            data=answers_for(campaign, default="4"),
            anonymous=False,
        )
    for name in ("Hal", "Hug", "Hye"):
        services.sheet_submit(
            participant=participant(campaign, "hq", name), data=answers_for(campaign), anonymous=True
        )
    services.participants_invite(assessment=campaign, base_url="http://testserver/")
    return campaign


def test_a_lone_anonymous_answer_is_not_listed_under_its_group(campaign, personas):
    page = client_for(personas["ingrid"]).get(
        reverse("diagnose:factor_result_edit", args=[campaign.pk, "F1"])
    )
    html = page.content.decode().replace("\n", "")
    assert OLU_COMMENT in html  # the answer itself is there for the workshop...
    assert "Frontline officers" not in html  # ...but nothing says whose group it is
    assert "Headquarters" not in html  # pooled with Olu's, so neither group is named
    assert "Mia · Managers" in html  # named answers keep their author and group
    assert "Other groups (pooled)" in html


def test_results_and_the_pdf_pool_the_small_group(campaign, personas, monkeypatch):
    rows = {r.factor.code: r for r in selectors.assessment_results(campaign)}
    f8 = rows["F8"]
    means = {g["value"]: g for g in f8.group_means}
    assert means["officer"]["mean"] is None and means["officer"]["pooled"]
    assert means["hq"]["mean"] is None and means["hq"]["pooled"]
    assert means["manager"]["mean"] == 4.0
    assert means["other"]["mean"] == 1.5  # Olu's 0 among the three 2s of headquarters
    assert f8.stats is not None and f8.stats.mean == 2.57  # every answer still counts in the totals
    page = client_for(personas["aude"]).get(reverse("diagnose:results", args=[campaign.pk])).content.decode()
    assert "Other groups (pooled)" in page and "pooled" in page

    def html_instead_of_pdf(template: str, context: dict[str, Any], **_kwargs: Any) -> HttpResponse:
        return HttpResponse(render_to_string(template, context))

    monkeypatch.setattr(assessments, "pdf_response", html_instead_of_pdf)
    pdf = (
        client_for(personas["aude"]).get(reverse("diagnose:report_pdf", args=[campaign.pk])).content.decode()
    )
    assert "Other groups (pooled)" in pdf
    assert [g["mean"] for g in f8.group_means] == [None, 4.0, None, None, 1.5]


def test_the_campaign_page_does_not_say_who_answered(campaign, personas):
    client = client_for(personas["ingrid"])
    client.post(reverse("diagnose:participants_invite", args=[campaign.pk]), {"reminder": "1"})
    html = client.get(reverse("diagnose:assessment_detail", args=[campaign.pk])).content.decode()
    assert "Olu" in html  # listed as a participant...
    assert "not yet" not in html and ">yes<" not in html  # ...with nothing about having answered
    # Progress: the lone officer is counted with headquarters, not on a line of his own.
    progress = {p.group: (p.invited, p.responded) for p in selectors.assessment_progress(campaign)}
    assert progress == {"manager": (3, 3), "other": (4, 4)}


def test_reminders_reach_non_respondents_without_naming_them(personas):
    campaign = open_assessment(make_assessment())
    for name in ("Ann", "Bob", "Cy"):
        participant(campaign, "officer", name)
    services.participants_invite(assessment=campaign, base_url="http://testserver/")
    services.sheet_submit(
        participant=campaign.participants.get(name="Ann"), data=answers_for(campaign), anonymous=True
    )
    client = client_for(personas["ingrid"])
    client.post(reverse("diagnose:participants_invite", args=[campaign.pk]), {"reminder": "1"})
    html = client.get(reverse("diagnose:assessment_detail", args=[campaign.pk])).content.decode()
    assert "2 reminders sent" in html
    reminders_table = html[html.index("2 reminders sent") :]
    assert "Bob" not in reminders_table and "Cy" not in reminders_table
    # The audit trail keeps who sent them and when, not to whom.
    from arusha_web.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(object_type="diagnose.reminder")
    assert entries.count() == 2
    assert not any("Bob" in e.object_repr or "Cy" in e.object_repr for e in entries)
    assert not any("participant" in (e.after or {}) for e in entries)


def test_the_audit_trail_does_not_say_who_answered(campaign):
    # Neither a participant's creation nor his deletion carries his "responded" mark any more
    # (entries written before that are masked for every reader: audit/need_to_know.py).
    from arusha_web.audit.models import AuditEntry
    from arusha_web.audit.need_to_know import is_need_to_know

    olu = campaign.participants.get(name="Olu")
    assert olu.responded_at is not None
    pk = olu.pk
    olu.delete()
    entries = AuditEntry.objects.filter(object_type="diagnose.participant", object_id=str(pk))
    created, deleted = entries.get(action="create"), entries.get(action="delete")
    assert "responded_at" not in (created.after or {}) and "responded_at" not in (deleted.before or {})
    assert (deleted.before or {})["name"] == "Olu"  # the rest of the record is still audited
    assert not is_need_to_know(created) and not is_need_to_know(deleted)


def test_the_minimum_is_a_setting(campaign, personas, settings):
    settings.ARUSHA_DIAGNOSE_MIN_GROUP = 4
    # Headquarters (3 anonymous) are now too few as well; with Olu they make 4.
    rows = {r.factor.code: r for r in selectors.assessment_results(campaign)}
    means = {g["value"]: g["mean"] for g in rows["F8"].group_means}
    assert means["hq"] is None and means["other"] is not None


@pytest.mark.parametrize(
    ("sizes", "pooled", "shown"),
    [
        # Nobody to hide, or everyone hidden among enough others: nothing pooled.
        ({"hq": 5, "manager": 0, "officer": 3}, set(), False),
        # A lone officer goes with the smallest group that has anonymous answers, not with the
        # managers, who answered with their names and hide nobody.
        ({"hq": 4, "manager": 0, "officer": 1, "private": 3}, {"officer", "private"}, True),
        # Two small groups that make the minimum together are enough.
        ({"hq": 9, "manager": 1, "officer": 2}, {"manager", "officer"}, True),
        # A lone anonymous answer and nobody else anonymous: no group is shown at all, since the
        # named groups shown would leave it as the total minus them.
        ({"manager": 0, "officer": 1}, {"manager", "officer"}, False),
        # Two groups of one: together two, still under the minimum.
        ({"hq": 1, "officer": 1}, {"hq", "officer"}, False),
    ],
)
def test_group_pooling(sizes: dict[str, int], pooled: set[str], shown: bool):
    assert group_pooling(sizes, minimum=3) == GroupPooling(pooled=frozenset(pooled), pool_shown=shown)


def test_a_minimum_above_ten_raises_the_surveys_threshold_too(db, settings):
    from arusha_web.diagnose.survey_services import survey_create, survey_results, survey_submit

    services.bank_current()
    survey = survey_create(
        values={"title": "Traders", "instrument": "private", "status": "open", "regions": "North\nSouth"}
    )
    for region in ["North"] * 11 + ["South"] * 12:
        data = {"region": region} | {f"i-{item.pk}": "1" for item in survey.items.all()}
        survey_submit(survey=survey, data=data)

    def north() -> Any:
        rows, _values = survey_results(survey, stratum="region")
        return next(r for r in rows if r.factor.code == "F1").strata["North"]

    assert not north().suppressed  # 11 respondents: shown under the surveys' usual 10
    settings.ARUSHA_DIAGNOSE_MIN_GROUP = 12
    assert north().suppressed
