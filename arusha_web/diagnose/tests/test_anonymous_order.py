"""Nothing in the stored rows tells when an anonymous answer was given: not the keys, not the order.

The physical order is read with a plain ``SELECT *`` (a full scan in storage order). The shuffle
is replaced by a reversal so the expected order is known; in production it is random.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from arusha_web.diagnose import anonymity, services
from arusha_web.diagnose.models import Answer, ResponseSheet, SurveyAnswer, SurveyResponse
from arusha_web.diagnose.survey_services import survey_create, survey_submit

from .factories import answers_for, make_assessment, open_assessment, participant


@pytest.fixture
def reversing_shuffle(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """Replace the random shuffle by a reversal; returns the lists it produced, newest last."""
    dealt: list[list[Any]] = []

    def reverse(rows: list[Any]) -> None:
        rows.reverse()
        dealt.append(list(rows))

    monkeypatch.setattr(anonymity, "_shuffle", reverse)
    return dealt


def _storage_order(table: str, column: str) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (constant table names)
        names = [c[0] for c in cursor.description]
        return [row[names.index(column)] for row in cursor.fetchall()]


def test_anonymous_sheets_are_stored_in_shuffled_order_under_fresh_random_keys(personas, reversing_shuffle):
    campaign = open_assessment(make_assessment())
    people = [participant(campaign, "officer", name) for name in ("Ann", "Bob", "Cy")]
    first_ids: set[Any] = set()
    for person, rating in zip(people, ("0", "1", "2"), strict=True):
        services.sheet_submit(participant=person, data=answers_for(campaign, default=rating), anonymous=True)
        if not first_ids:
            first_ids = set(ResponseSheet.objects.values_list("id", flat=True))
    rating_of = {s.pk: s.answers.values_list("rating", flat=True)[0] for s in ResponseSheet.objects.all()}
    stored = [rating_of[uuid.UUID(str(i))] for i in _storage_order("diagnose_responsesheet", "id")]
    # Written Ann (0), Bob (1), Cy (2); each arrival re-deals the sheets: [1, 0] then [2, 0, 1].
    assert stored == ["2", "0", "1"]
    # The keys are random and fresh after each arrival: an id seen earlier points at nothing.
    assert all(isinstance(k, uuid.UUID) and k.version == 4 for k in rating_of)
    assert first_ids.isdisjoint(rating_of)
    # The answers are re-dealt too: stored in the order the shuffle dealt them, not as they came.
    dealt_answers = reversing_shuffle[-1]
    stored_answers = _storage_order("diagnose_answer", "question_id")
    assert stored_answers == [question for _sheet, question, *_rest in dealt_answers]
    assert len(stored_answers) == Answer.objects.count() == 3 * campaign.questions().count()


def test_named_sheets_are_left_alone(personas, reversing_shuffle):
    campaign = open_assessment(make_assessment())
    named, anonymous = participant(campaign, "manager", "Nia"), participant(campaign, "officer", "Ola")
    services.sheet_submit(participant=named, data=answers_for(campaign), anonymous=False)
    sheet_id = ResponseSheet.objects.get().pk
    services.sheet_submit(participant=anonymous, data=answers_for(campaign), anonymous=True)
    assert ResponseSheet.objects.get(participant=named).pk == sheet_id


def test_survey_responses_and_answers_are_re_dealt_in_random_order(db):
    services.bank_current()
    regions = [f"R{n:02d}" for n in range(30)]
    survey = survey_create(
        values={"title": "Traders", "instrument": "private", "status": "open", "regions": "\n".join(regions)}
    )
    items = list(survey.items.all())
    for region in regions:
        survey_submit(survey=survey, data={"region": region} | {f"i-{item.pk}": "1" for item in items})
    stored = _storage_order("diagnose_surveyresponse", "region")
    # Every response is kept, in an order that is not the order of arrival (that would happen
    # by chance once in 30! ≈ 2.7e32 submissions).
    assert sorted(stored) == regions and stored != regions
    assert all(isinstance(pk, uuid.UUID) for pk in SurveyAnswer.objects.values_list("pk", flat=True))
    region_of = dict(SurveyResponse.objects.values_list("id", "region"))
    answer_regions = [
        region_of[uuid.UUID(str(r))] for r in _storage_order("diagnose_surveyanswer", "response_id")
    ]
    assert len(answer_regions) == 30 * len(items)
    # The answers are dealt one by one, not in blocks per response in arrival order.
    first_seen = list(dict.fromkeys(answer_regions))
    assert first_seen != regions
