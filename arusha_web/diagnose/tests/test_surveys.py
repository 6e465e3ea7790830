"""Perception surveys: public anonymous answers, bad input, suppression, change between iterations."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Survey, SurveyAnswer, SurveyResponse
from arusha_web.diagnose.survey_services import survey_create, survey_results, survey_submit


@pytest.fixture
def survey(db: None) -> Survey:
    services.bank_current()
    return survey_create(
        values={
            "title": "Traders 2026",
            "instrument": "private",
            "status": "open",
            "regions": "North\nSouth\nEast",
            "roles": "Broker",
        }
    )


def _answers(survey: Survey, favourable: bool, region: str = "North") -> dict[str, str]:
    data = {"region": region, "role": "Broker"}
    for item in survey.items.all():
        if item.kind in ("likert5", "frequency"):
            value = 5 if favourable != item.reverse else 1
        else:
            value = 1 if favourable != item.reverse else 0
        data[f"i-{item.pk}"] = str(value)
    return data


def test_the_public_link_needs_no_login_and_stores_no_identity(client, survey):
    url = reverse("survey:take", args=[survey.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url, _answers(survey, True), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="SpyBrowser/1.0"
    )
    assert response.status_code == 302
    stored = SurveyResponse.objects.get()
    values = {str(getattr(stored, f.attname)) for f in SurveyResponse._meta.concrete_fields}
    assert "203.0.113.9" not in values and "SpyBrowser/1.0" not in values
    assert {f.name for f in SurveyResponse._meta.concrete_fields} == {
        "id",
        "survey",
        "region",
        "office",
        "role",
    }
    from arusha_web.audit.models import AuditEntry

    assert not AuditEntry.objects.filter(object_type="diagnose.surveyresponse").exists()
    assert not any("203.0.113.9" in str(e.after) for e in AuditEntry.objects.all())


def test_bad_answers_are_named_and_nothing_is_stored(client, survey):
    data = _answers(survey, True)
    first = survey.items.first()
    assert first is not None
    data[f"i-{first.pk}"] = "9"
    data["region"] = "Atlantis"
    response = client.post(reverse("survey:take", args=[survey.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Question 1: please choose one of the answers" in page and "Choose your region from the list" in page
    )
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()


def test_a_refused_questionnaire_keeps_the_answers_given_and_numbers_as_shown(client, survey):
    """One missed question must not wipe the other answers; the number is the one on the page."""
    retired = survey.items.first()
    assert retired is not None
    retired.retired = True
    retired.save()
    asked = list(survey.items.filter(retired=False))
    data = {k: v for k, v in _answers(survey, True).items() if k != f"i-{retired.pk}"}
    missed = asked[2]
    del data[f"i-{missed.pk}"]
    response = client.post(reverse("survey:take", args=[survey.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Question 3: please choose one of the answers" in page and "Question 4:" not in page
    kept = asked[0]
    assert f'name="i-{kept.pk}" value="{data[f"i-{kept.pk}"]}" checked' in page
    assert page.count(" checked") == len(asked) - 1
    assert not SurveyResponse.objects.exists()


def test_a_survey_cannot_close_before_it_opens(personas):
    response = client_for(personas["ingrid"]).post(
        reverse("diagnose:survey_create"),
        {
            "title": "Staff 2026",
            "instrument": "private",
            "iteration": "1",
            "opens_on": "2026-05-01",
            "closes_on": "2026-01-31",
        },
    )
    assert response.status_code == 200 and "The survey closes before it opens." in response.content.decode()
    assert not Survey.objects.exists()


def test_a_closed_survey_takes_no_answers(client, survey):
    survey.status = Survey.Status.CLOSED
    survey.save()
    client.post(reverse("survey:take", args=[survey.slug]), _answers(survey, True))
    assert not SurveyResponse.objects.exists()


def test_strata_under_ten_respondents_are_suppressed_and_intervals_shown(survey, personas: dict[str, Any]):
    for i in range(12):
        survey_submit(survey=survey, data=_answers(survey, i < 9, region="North"))
    for _i in range(4):
        survey_submit(survey=survey, data=_answers(survey, True, region="South"))
    for _i in range(13):
        survey_submit(survey=survey, data=_answers(survey, False, region="East"))
    rows, values = survey_results(survey, stratum="region")
    f1 = next(r for r in rows if r.factor.code == "F1")
    assert values == ["East", "North", "South"]
    assert f1.overall.respondents == 29 and f1.overall.percent == 44.8
    assert f1.strata["South"].suppressed and f1.strata["South"].percent is None
    # South alone hidden would be total − East − North: the smallest other cell is hidden too.
    assert f1.strata["North"].withheld and f1.strata["North"].percent is None
    assert f1.strata["East"].percent == 0.0 and f1.strata["East"].interval == (0.0, 22.8)
    page = (
        client_for(personas["ana"])
        .get(reverse("diagnose:survey_detail", args=[survey.pk]) + "?by=region")
        .content.decode()
    )
    assert "n&lt;10" in page and "hidden*" in page and "75.0" not in page


def test_change_between_iterations(survey):
    later = survey_create(
        values={
            "title": "Traders 2028",
            "instrument": "private",
            "status": "open",
            "previous": survey,
            "iteration": 2,
            "regions": "North",
            "roles": "Broker",
        }
    )
    for i in range(40):
        survey_submit(survey=survey, data=_answers(survey, i < 12))
        survey_submit(survey=later, data=_answers(later, i < 32))
    rows, _values = survey_results(later)
    f1 = next(r for r in rows if r.factor.code == "F1")
    assert (f1.previous.percent, f1.overall.percent, f1.change) == (30.0, 80.0, 50.0)
    assert f1.change_clear


def test_sample_size_calculator_page(personas):
    page = client_for(personas["sam"]).get(
        reverse("diagnose:sample_size"), {"population": "1000", "margin": "5"}
    )
    assert "278" in page.content.decode()
    bad = client_for(personas["sam"]).get(
        reverse("diagnose:sample_size"), {"population": "-3", "margin": "50"}
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_questions_can_be_added_until_the_first_response(survey, personas):
    from arusha_web.diagnose.models import Factor, SurveyItem

    client = client_for(personas["ingrid"])
    url = reverse("diagnose:survey_item_create", args=[survey.pk])
    item = {
        "factor": Factor.objects.get(code="F8").pk,
        "code": "P-F8-2",
        "kind": "likert5",
        "text_en": "Transfers are fair.",
        "text_fr": "Les mutations sont équitables.",
    }
    client.post(url, item)
    assert survey.items.filter(code="P-F8-2").exists()
    client.post(url, item)  # duplicate code
    assert survey.items.filter(code="P-F8-2").count() == 1
    survey_submit(survey=survey, data=_answers(survey, True))
    count = SurveyItem.objects.count()
    response = client.post(url, {**item, "code": "P-F8-3"}, follow=True)
    assert "can no longer change" in response.content.decode() and SurveyItem.objects.count() == count
