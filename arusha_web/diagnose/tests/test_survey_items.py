"""Survey questions after the first response: retired, or re-worded as a new version."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Survey, SurveyAnswer, SurveyItem
from arusha_web.diagnose.survey_services import (
    survey_create,
    survey_item_edit,
    survey_item_retire,
    survey_results,
    survey_submit,
)


@pytest.fixture
def survey(db: None) -> Survey:
    services.bank_current()
    return survey_create(values={"title": "Traders 2026", "instrument": "private", "status": "open"})


def _answers(survey: Survey) -> dict[str, str]:
    return {f"i-{item.pk}": "1" for item in survey.items.filter(retired=False)}


def _form(item: SurveyItem, **changes: Any) -> dict[str, Any]:
    values = {"factor": item.factor_id, "code": item.code, "kind": item.kind, "text_en": item.text_en,
              "text_fr": item.text_fr}  # fmt: skip
    return values | changes


def test_before_any_answer_an_edit_changes_the_question_in_place(survey, personas):
    item = survey.items.get(code="P-F6-1")
    client = client_for(personas["ingrid"])
    url = reverse("diagnose:survey_item_edit", args=[survey.pk, item.pk])
    assert client.post(url, _form(item, text_en="Do you know where to report corruption?")).status_code == 302
    item.refresh_from_db()
    assert item.text_en == "Do you know where to report corruption?" and item.version == 1
    assert survey.items.filter(code="P-F6-1").count() == 1


def test_after_answers_an_edit_makes_a_new_version_and_old_answers_keep_their_wording(survey, personas):
    survey_submit(survey=survey, data=_answers(survey))
    old = survey.items.get(code="P-F6-1")
    old_text = old.text_en
    client = client_for(personas["ingrid"])
    page = client.get(reverse("diagnose:survey_item_edit", args=[survey.pk, old.pk])).content.decode()
    assert "saving creates version 2" in page
    response = client.post(
        reverse("diagnose:survey_item_edit", args=[survey.pk, old.pk]),
        _form(old, text_en="Do you know where to report corruption?", code="IGNORED"),
        follow=True,
    )
    assert "saved as version 2" in response.content.decode()
    old.refresh_from_db()
    new = SurveyItem.objects.get(replaces=old)
    assert (old.retired, old.text_en) == (True, old_text)  # the answered wording is untouched
    assert (new.code, new.version, new.retired) == ("P-F6-1", 2, False)
    assert SurveyAnswer.objects.get(item__code="P-F6-1").item == old
    # The public questionnaire asks the new wording only; new answers go to the new version.
    public = client.get(reverse("survey:take", args=[survey.slug])).content.decode()
    assert "Do you know where to report corruption?" in public and old_text not in public
    survey_submit(survey=survey, data=_answers(survey))
    assert sorted(
        SurveyAnswer.objects.filter(item__code="P-F6-1").values_list("item__version", flat=True)
    ) == [1, 2]
    # Both versions count in the factor's results.
    rows, _values = survey_results(survey)
    assert next(r for r in rows if r.factor.code == "F6").overall.respondents == 2


def test_a_retired_question_is_no_longer_asked_and_its_answers_stay(survey, personas):
    survey_submit(survey=survey, data=_answers(survey))
    item = survey.items.get(code="P-F10-2")
    client = client_for(personas["ingrid"])
    client.post(reverse("diagnose:survey_item_retire", args=[survey.pk, item.pk]), {"retired": "1"})
    item.refresh_from_db()
    assert item.retired and item.answers.count() == 1
    assert item.text_en not in client.get(reverse("survey:take", args=[survey.slug])).content.decode()
    survey_submit(survey=survey, data=_answers(survey))  # no answer needed for the retired one
    assert item.answers.count() == 1
    client.post(reverse("diagnose:survey_item_retire", args=[survey.pk, item.pk]), {"retired": "0"})
    item.refresh_from_db()
    assert not item.retired


def test_bad_edits_are_refused_with_a_clear_message(survey, personas):
    survey_submit(survey=survey, data=_answers(survey))
    item = survey.items.get(code="P-F1-1")
    with pytest.raises(services.DiagnoseError, match="English text of the question is required"):
        survey_item_edit(item=item, values={"text_en": "  "})
    new = survey_item_edit(item=item, values={"text_en": "The head of Customs leads by example."})
    item.refresh_from_db()
    with pytest.raises(services.DiagnoseError, match="P-F1-1 v1 is retired"):
        survey_item_edit(item=item, values={"text_en": "Another wording"})
    with pytest.raises(services.DiagnoseError, match="replaced by a newer version"):
        survey_item_retire(item=item, retired=False)
    assert SurveyItem.objects.filter(code="P-F1-1").count() == 2 and new.text_en.startswith("The head")
    for other in survey.items.filter(retired=False).exclude(pk=new.pk):
        survey_item_retire(item=other)
    with pytest.raises(services.DiagnoseError, match="at least one question"):
        survey_item_retire(item=new)
    client = client_for(personas["ingrid"])
    page = client.post(reverse("diagnose:survey_item_edit", args=[survey.pk, new.pk]), _form(new, text_en=""))
    assert page.status_code == 400 and "This field is required" in page.content.decode()
    # Only the integrity unit changes questionnaires.
    denied = client_for(personas["ana"]).post(
        reverse("diagnose:survey_item_retire", args=[survey.pk, new.pk])
    )
    assert denied.status_code == 403
