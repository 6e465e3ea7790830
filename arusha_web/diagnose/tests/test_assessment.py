"""Campaigns: answers, anonymity at the database level, bank versioning, workshop, results, access."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.diagnose import selectors, services
from arusha_web.diagnose.models import Answer, Assessment, Question, ResponseSheet

from .factories import answers_for, first_question, make_assessment, open_assessment, participant


@pytest.fixture
def campaign(personas: dict[str, Any]) -> Assessment:
    return open_assessment(make_assessment())


def test_a_named_answer_is_stored_with_evidence_and_comment(campaign, personas):
    sam = participant(campaign, "officer", "Sam", user=personas["sam"])
    data = answers_for(campaign, {"F1": "3"})
    q = first_question(campaign)
    data[f"comment-{q.pk}"] = "Seen in the minutes"
    response = client_for(personas["sam"]).post(reverse("diagnose:respond", args=[sam.token]), data)
    assert response.status_code == 302
    answer = Answer.objects.get(sheet__participant=sam, question=q)
    assert (answer.rating, answer.evidence, answer.comment) == (
        "3",
        f"evidence {q.code}",
        "Seen in the minutes",
    )
    sam.refresh_from_db()
    assert sam.responded_at is not None


def test_anonymous_answers_are_not_linked_to_the_account_in_the_database(campaign, personas):
    sam = participant(campaign, "officer", "Sam", user=personas["sam"])
    data = answers_for(campaign, {"F8": "1"}) | {"anonymous": "1"}
    entries_before = AuditEntry.objects.count()
    response = client_for(personas["sam"]).post(reverse("diagnose:respond", args=[sam.token]), data)
    assert response.status_code == 200
    sheet = ResponseSheet.objects.get(assessment=campaign)
    assert sheet.participant_id is None and sheet.group == "officer"
    # Read the raw rows: no column of the sheet or its answers holds the participant, the
    # account, the token or the username.
    # (Numeric ids are not compared: the assessment id may equal the account id by chance.)
    identifiers = {sam.token, "sam", "Sam", sam.email}
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "diagnose_responsesheet")
        ]
        cursor.execute("SELECT * FROM diagnose_responsesheet")
        sheet_rows = cursor.fetchall()
        cursor.execute("SELECT * FROM diagnose_answer")
        answer_rows = cursor.fetchall()
    assert len(sheet_rows) == 1 and len(answer_rows) == campaign.questions().count()
    assert sheet_rows[0][columns.index("participant_id")] is None
    assert not any(name in columns for name in ("user_id", "created_at", "submitted_at", "ip", "user_agent"))
    assert {str(v) for v in sheet_rows[0]}.isdisjoint(identifiers)
    for row in answer_rows:
        assert {str(v) for v in row}.isdisjoint(identifiers)
    # No audit entry about the sheet or its answers (it would name the actor).
    assert not AuditEntry.objects.filter(
        object_type__in=["diagnose.responsesheet", "diagnose.answer"]
    ).exists()
    new_entries = AuditEntry.objects.order_by("seq")[entries_before:]
    # Only the log-in: nothing about the answers, nor that this participant has now answered
    # (next to the results by group, that would say whose anonymous answers they are).
    assert sorted((e.object_type, e.action) for e in new_entries) == [("accounts.user", "login")]
    # The participant counts as having answered, and cannot answer again.
    sam.refresh_from_db()
    assert sam.responded_at is not None
    again = client_for(personas["sam"]).post(reverse("diagnose:respond", args=[sam.token]), data)
    assert again.status_code == 400 and ResponseSheet.objects.count() == 1


def test_a_wrong_scale_value_is_refused_and_nothing_is_stored(campaign, personas):
    sam = participant(campaign, "officer", "Sam")
    data = answers_for(campaign)
    q = first_question(campaign)
    data[f"q-{q.pk}"] = "5"
    response = client_for(personas["sam"]).post(reverse("diagnose:respond", args=[sam.token]), data)
    assert response.status_code == 400
    assert f"{q.code}: “5” is not on the scale" in response.content.decode()
    assert not ResponseSheet.objects.exists() and not Answer.objects.exists()
    sam.refresh_from_db()
    assert sam.responded_at is None


def test_a_missing_answer_is_named(campaign):
    sam = participant(campaign, "officer", "Sam")
    data = answers_for(campaign)
    q = first_question(campaign)
    del data[f"q-{q.pk}"]
    with pytest.raises(services.DiagnoseError, match=f"{q.code}: choose a maturity level"):
        services.sheet_submit(participant=sam, data=data, anonymous=False)
    assert not ResponseSheet.objects.exists()


def test_a_respondent_sees_only_his_own_answers(campaign, personas):
    sam = participant(campaign, "officer", "Sam")
    pat = participant(campaign, "manager", "Pat")
    services.sheet_submit(
        participant=sam,
        data=answers_for(campaign, default="1") | _comment(campaign, "SAMS-NOTE"),
        anonymous=False,
    )
    services.sheet_submit(
        participant=pat,
        data=answers_for(campaign, default="4") | _comment(campaign, "PATS-NOTE"),
        anonymous=False,
    )
    page = client_for(personas["sam"]).get(reverse("diagnose:respond", args=[sam.token])).content.decode()
    assert "SAMS-NOTE" in page and "PATS-NOTE" not in page
    # Staff cannot open results or the campaign; the integrity unit can.
    assert client_for(personas["sam"]).get(reverse("diagnose:results", args=[campaign.pk])).status_code == 403
    assert (
        client_for(personas["ingrid"]).get(reverse("diagnose:results", args=[campaign.pk])).status_code == 200
    )
    # An unknown token shows nothing.
    assert client_for(personas["sam"]).get(reverse("diagnose:respond", args=["nope"])).status_code == 404


def _comment(assessment: Assessment, text: str) -> dict[str, str]:
    return {f"comment-{first_question(assessment).pk}": text}


def test_office_managers_see_national_and_own_office_assessments_only(personas, org):
    national = make_assessment(title="National")
    other = services.assessment_create(
        user=None,
        title="Airport",
        scope="office",
        office=org["air"],
        period_start=national.period_start,
        period_end=national.period_end,
    )
    visible = set(selectors.assessment_list_for_viewer(viewer=personas["marc"]))
    assert national in visible and other not in visible
    assert client_for(personas["marc"]).get(reverse("diagnose:results", args=[other.pk])).status_code == 404


def test_editing_the_bank_leaves_a_closed_assessment_unchanged(campaign, personas):
    sam = participant(campaign, "officer", "Sam")
    services.sheet_submit(participant=sam, data=answers_for(campaign, default="3"), anonymous=False)
    while campaign.status != Assessment.Status.CLOSED:
        campaign = services.assessment_advance(assessment=campaign, user=None)
    q = first_question(campaign)
    before_texts = list(campaign.questions().values_list("code", "text_en"))
    before_results = [
        (r.factor.code, r.stats.mean if r.stats else None) for r in selectors.assessment_results(campaign)
    ]

    services.question_save(
        user=personas["ingrid"], code=q.code, values={"text_en": "Reworded", "retired": True}, new=False
    )
    services.question_save(
        user=personas["ingrid"],
        code="Q-NEW-1",
        values={"element": q.element, "text_en": "A new question"},
        new=True,
    )
    campaign.refresh_from_db()
    assert list(campaign.questions().values_list("code", "text_en")) == before_texts
    assert [
        (r.factor.code, r.stats.mean if r.stats else None) for r in selectors.assessment_results(campaign)
    ] == before_results
    current = services.bank_current()
    assert current != campaign.bank
    assert current.questions.get(code=q.code).text_en == "Reworded"
    assert current.questions.filter(code="Q-NEW-1").exists()


def test_a_duplicate_question_code_is_refused(personas):
    services.bank_current()
    q = Question.objects.first()
    assert q is not None
    count = Question.objects.count()
    with pytest.raises(services.DiagnoseError, match=f"{q.code} already exists"):
        services.question_save(
            user=None, code=q.code, values={"element": q.element, "text_en": "x"}, new=True
        )
    assert Question.objects.count() == count


def test_the_workshop_consensus_is_recorded_not_averaged(campaign, personas):
    for name, rating in (("A", "4"), ("B", "4"), ("C", "0")):
        services.sheet_submit(
            participant=participant(campaign, "manager", name),
            data=answers_for(campaign, default=rating),
            anonymous=False,
        )
    campaign = services.assessment_advance(assessment=campaign, user=None)
    url = reverse("diagnose:factor_result_edit", args=[campaign.pk, "F1"])
    response = client_for(personas["ingrid"]).post(
        url,
        {
            "consensus": "1",
            "priority": "1",
            "strengths": "Policy signed",
            "weaknesses": "",
            "opportunities": "",
            "threats": "",
        },
    )
    assert response.status_code == 302
    rows = {r.factor.code: r for r in selectors.assessment_results(campaign)}
    assert rows["F1"].result.consensus == 1 and rows["F1"].stats.mean == 2.67
    # The integrity unit sees every answer with its evidence, named ones with their author.
    page = client_for(personas["ingrid"]).get(url).content.decode()
    assert page.count("<td>evidence Q-F1-1</td>") == 3
    assert "<td>A · Managers" in page.replace("\n", "")
    bad = client_for(personas["ingrid"]).post(url, {"consensus": "7", "priority": "1"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    rows["F1"].result.refresh_from_db()
    assert rows["F1"].result.consensus == 1


def test_results_show_divergence_change_and_no_overall_score(personas):
    first = open_assessment(make_assessment(title="2024"))
    services.sheet_submit(
        participant=participant(first, "manager", "M0"), data=answers_for(first, default="2"), anonymous=False
    )
    second = open_assessment(make_assessment(title="2026", previous=first))
    services.sheet_submit(
        participant=participant(second, "manager", "M1"),
        data=answers_for(second, {"F8": "4"}, default="3"),
        anonymous=False,
    )
    # Three anonymous officers: a group of fewer would be pooled, not shown (test_small_groups.py).
    for name in ("O1", "O2", "O3"):
        services.sheet_submit(
            participant=participant(second, "officer", name),
            data=answers_for(second, {"F8": "1"}, default="3"),
            anonymous=True,
        )
    rows = {r.factor.code: r for r in selectors.assessment_results(second)}
    assert rows["F8"].stats.divergence == 3.0 and rows["F8"].stats.divergent
    assert not rows["F1"].stats.divergent
    assert rows["F1"].mean_change == 1.0
    page = client_for(personas["aude"]).get(reverse("diagnose:results", args=[second.pk])).content.decode()
    assert 'class="divergent"' in page and "<svg" in page
    assert "national index" in page  # the page says why there is no overall score


def test_progress_by_group_and_invitations_with_personal_links(campaign, personas):
    a = participant(campaign, "officer", "Ann")
    participant(campaign, "officer", "Bob")
    participant(campaign, "manager", "Cy")
    services.sheet_submit(participant=a, data=answers_for(campaign), anonymous=True)
    participant(campaign, "hq", "Dee")
    participant(campaign, "hq", "Eve")
    participant(campaign, "hq", "Fay")
    progress = {p.group: (p.invited, p.responded, p.percent) for p in selectors.assessment_progress(campaign)}
    # Two officers and one manager are too few to count apart (test_small_groups.py): together.
    assert progress == {"hq": (3, 0, 0), "other": (3, 1, 33)}
    sent = services.participants_invite(assessment=campaign, base_url="http://testserver/")
    assert sent == 6 and len(mail.outbox) == 6
    assert any(reverse("diagnose:respond", args=[a.token]) in m.body for m in mail.outbox)
    mail.outbox.clear()
    reminded = services.participants_invite(assessment=campaign, base_url="http://testserver/", reminder=True)
    assert reminded == 5 and "ann@example.org" not in {m.to[0] for m in mail.outbox}
