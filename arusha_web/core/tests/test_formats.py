"""One unambiguous date format per language, on every page (issue 18, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = dt.datetime(2026, 12, 7, 18, 27)


@pytest.mark.parametrize(
    ("language", "short", "long", "moment"),
    [
        ("en", "2026-12-07", "7 December 2026", "7 December 2026, 18:27"),
        ("fr", "2026-12-07", "7 décembre 2026", "7 décembre 2026 à 18:27"),
    ],
)
def test_dates_read_the_same_way_everywhere(language: str, short: str, long: str, moment: str) -> None:
    template = Template(
        '{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}|{{ d|date:"DATETIME_FORMAT" }}|{{ d|time }}'
    )
    with translation.override(language):
        shown = template.render(Context({"d": MOMENT})).split("|")
    assert shown == [short, long, moment, "18:27"]  # never 12/07, never "p.m."
