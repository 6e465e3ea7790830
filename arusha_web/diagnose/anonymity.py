"""Keep the storage order of anonymous answers from telling when they were given.

Random UUID keys hide the order in the identifiers, but databases also keep rows in the order
they were written (SQLite's hidden rowid, PostgreSQL's heap): the last rows of the table would
be the latest answers, and a participant's "responded" time would then point at his anonymous
sheet. So each time an anonymous sheet (or survey response) arrives, all anonymous rows of the
same campaign are rewritten in a fresh random order under fresh random keys: at any moment their
storage order is a random permutation, whatever the order they came in.

The cost is one rewrite of the campaign's anonymous rows per submission, paid inside the
submission's transaction: in Python for self-assessment sheets (tens to hundreds per campaign,
with fresh keys and a cryptographic shuffle), in SQL for perception surveys (thousands).
"""

from __future__ import annotations

import random
import uuid

from django.db import connection

from .models import Answer, Assessment, ResponseSheet, Survey, SurveyAnswer, SurveyResponse

_shuffle = random.SystemRandom().shuffle
BATCH = 1000


def reshuffle_anonymous_sheets(assessment: Assessment) -> None:
    """Rewrite the assessment's anonymous sheets and their answers in a random order."""
    sheets = list(
        ResponseSheet.objects.filter(assessment=assessment, participant__isnull=True).values_list(
            "id", "group", "submitted"
        )
    )
    answers = list(
        Answer.objects.filter(sheet_id__in=[s[0] for s in sheets]).values_list(
            "sheet_id", "question_id", "rating", "evidence", "comment"
        )
    )
    ResponseSheet.objects.filter(id__in=[s[0] for s in sheets]).delete()  # answers go with them
    new_ids = {old: uuid.uuid4() for old, _group, _submitted in sheets}
    _shuffle(sheets)
    ResponseSheet.objects.bulk_create(
        (
            ResponseSheet(id=new_ids[old], assessment=assessment, group=group, submitted=submitted)
            for old, group, submitted in sheets
        ),
        batch_size=BATCH,
    )
    _shuffle(answers)
    Answer.objects.bulk_create(
        (
            Answer(id=uuid.uuid4(), sheet_id=new_ids[sheet], question_id=q, rating=r, evidence=e, comment=c)
            for sheet, q, r, e, c in answers
        ),
        batch_size=BATCH,
    )


def reshuffle_survey_responses(survey: Survey) -> None:
    """Rewrite the survey's responses and their answers in a random order (all are anonymous).

    Surveys can gather thousands of responses, so the rows are copied and re-inserted inside the
    database (``ORDER BY random()``, which SQLite and PostgreSQL both provide) rather than through
    Python: about a tenth of a second for 25,000 answers instead of seconds. The keys stay (they
    are random already); only the storage order is re-dealt. The caller holds a lock on the
    survey row, so two submissions never re-deal the same survey at once.
    """
    responses = SurveyResponse._meta.db_table
    answers = SurveyAnswer._meta.db_table
    response_columns = "id, survey_id, region, office, role"
    answer_columns = "id, response_id, item_id, value"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE arusha_shuffle_responses AS "  # noqa: S608 (table names from the models)
            f"SELECT {response_columns} FROM {responses} WHERE survey_id = %s",
            [survey.pk],
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE arusha_shuffle_answers AS "  # noqa: S608
            f"SELECT {answer_columns} FROM {answers} WHERE response_id IN (SELECT id FROM arusha_shuffle_responses)"
        )
        try:
            cursor.execute(
                f"DELETE FROM {answers} WHERE response_id IN (SELECT id FROM arusha_shuffle_responses)"
            )  # noqa: S608
            cursor.execute(f"DELETE FROM {responses} WHERE survey_id = %s", [survey.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {responses} ({response_columns}) "  # noqa: S608
                f"SELECT {response_columns} FROM arusha_shuffle_responses ORDER BY random()"
            )
            cursor.execute(
                f"INSERT INTO {answers} ({answer_columns}) "  # noqa: S608
                f"SELECT {answer_columns} FROM arusha_shuffle_answers ORDER BY random()"
            )
        finally:
            cursor.execute("DROP TABLE arusha_shuffle_answers")
            cursor.execute("DROP TABLE arusha_shuffle_responses")
