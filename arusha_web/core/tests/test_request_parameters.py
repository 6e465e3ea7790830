"""Malformed numbers in any parameter of any URL get a 4xx page, never a server error.

The URLs, the records they need and who may open them come from the access matrix
(``test_access_matrix.URLS``, which every app's ``tests/access.py`` extends), so a new URL is
walked here as soon as it has its row there. The parameters a view reads are found by watching
which keys it asks ``request.GET`` and ``request.POST`` for during an ordinary request, so a
new parameter is covered without being listed anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from arusha_web.conftest import client_for
from arusha_web.core.params import BadParameter, number_list_param, number_param, whole_number
from arusha_web.core.tests.test_access_matrix import _expected_allowed, _rows, matrix_objects
from arusha_web.testing import PUBLIC, Row

# What a hand-made or mangled link may carry where a number is expected: a superscript two
# (str.isdigit accepts it, int refuses it), an Arabic-Indic three (int reads it as 3), a number
# past 64 bits, a sign, an exponent, a leading space, and nothing.
BAD_VALUES = ["²", "٣", "99999999999999999999999", "-1", "1e3", " 1", ""]
HUGE_ID = 99999999999999999999999
# Who walks each URL: the first of these the matrix says may open it.
WALKERS = ["ingrid", "alice", "ana", "marc", "aude", "ivan", "sam"]
# Parameters the issue named, each found on at least one URL by watching the views (a view that
# stopped reading one, or a walk that no longer reached it, would silently shrink the test).
NAMED_PARAMETERS = {"run", "page", "a", "b", "dataset", "year", "plan", "version", "source_id", "target"}


@pytest.fixture
def objects(personas: dict[str, Any]) -> dict[str, Any]:
    return matrix_objects(personas)


def _extra_rows(o: dict[str, Any]) -> list[tuple[str, Row]]:
    """Requests the matrix rows do not make, to reach parameters read only on those paths."""
    return [
        # A target of a contract is changed only with action=target.
        (
            "measure:contract_action",
            Row(
                "measure.contracts.manage",
                "post",
                args=lambda o: [o["m_contract"].pk],
                data={"action": "target", "target": "1", "value": "1", "reason": "x"},
            ),
        ),
        # "Plan an action" from a lead and from a perception-survey result.
        ("diagnose:action_create", Row("diagnose.actions", data={"source": "lead", "source_id": "1"})),
        (
            "diagnose:action_create",
            Row("diagnose.actions", data={"plan": str(o["d_plan"].pk), "source": "survey_item"}),
        ),
    ]


@contextmanager
def _watching_keys() -> Iterator[set[str]]:
    """Collect every key a view asks a QueryDict for while the block runs."""
    seen: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in ("get", "__getitem__", "getlist", "__contains__")}

    def watch(name: str) -> Any:
        original = originals[name]

        def watched(self: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                seen.add(key)
            return original(self, key, *args, **kwargs)

        return watched

    for name in originals:
        setattr(QueryDict, name, watch(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _walker(objects: dict[str, Any], row: Row) -> Client | None:
    """A client of someone who may make the request (every failure is collected, not raised)."""
    users = objects["users"]
    allowed = [u for u in WALKERS if row.access == PUBLIC or _expected_allowed(users[u].role, u, row)]
    if not allowed:
        return None
    client = Client() if row.access == PUBLIC else client_for(users[allowed[0]])
    client.raise_request_exception = False
    return client


def _send(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    if method == "get":
        return client.get(url, data)
    # Also in the query string: some views read parameters of a POST from there.
    query = urlencode({k: v for k, v in data.items() if isinstance(v, str)})
    return client.post(f"{url}?{query}" if query else url, data)


def _refused(response: HttpResponse) -> bool:
    """Whether the view stopped at a refusal page, so that parameters after the refused one went unread."""
    return any(t.name in ("400.html", "404.html") for t in getattr(response, "templates", []))


def _requests(objects: dict[str, Any]) -> Iterator[tuple[str, Row]]:
    for name, row in [*_rows(), *_extra_rows(objects)]:
        yield name, row
        if row.method == "get":
            # The same URL posted: forms and the public questionnaires read their fields then.
            yield name, replace(row, method="post")


def _open_the_matrix_survey(objects: dict[str, Any]) -> None:
    """Open the survey so that posting it reads its answers (a draft refuses before reading)."""
    survey = objects["d_survey"]
    survey.status = survey.Status.OPEN
    survey.save(update_fields=["status"])


def _bad_parameter_requests(row: Row, keys: set[str]) -> Iterator[list[dict[str, Any]]]:
    """Request data that puts every bad value in every parameter the view read.

    The parameters the row itself sends (those that steer the view to its path, like
    ``action=target``) are spoiled one at a time. The others are spoiled all at once, each with
    a different bad value in each of seven requests; the caller asks for them one at a time only
    when a view stopped at a refusal (the parameters after the refused one went unread). This
    keeps the walk to minutes: posting a campaign's 42 answers one by one would take as long as
    every other page together.
    """
    base = dict(row.data or {})
    steering, others = sorted(keys & set(base)), sorted(keys - set(base))
    yield [{**base, key: bad} for key in steering for bad in BAD_VALUES]
    yield [
        {**base, **{key: BAD_VALUES[(j + k) % len(BAD_VALUES)] for k, key in enumerate(others)}}
        for j in range(len(BAD_VALUES) if others else 0)
    ]
    yield [{**base, key: bad} for key in others for bad in BAD_VALUES]


def _server_error(name: str, response: HttpResponse) -> bool:
    # The health check answers 503 by design while no worker runs (as in tests).
    return response.status_code >= 500 and not (name == "healthz" and response.status_code == 503)


def test_no_url_answers_a_malformed_number_with_a_server_error(objects: dict[str, Any]):
    _open_the_matrix_survey(objects)
    errors: list[str] = []
    found: set[str] = set()
    for name, row in _requests(objects):
        client = _walker(objects, row)
        if client is None:
            continue
        args = row.args(objects)
        url = reverse(name, args=args)
        with _watching_keys() as keys:
            response = _send(client, row.method, url, dict(row.data or {}))
        if _server_error(name, response):
            errors.append(
                f"{row.method.upper()} {url} {row.data or ''}: {response.status_code} with no bad value"
            )
        found |= keys
        steering, together, one_by_one = _bad_parameter_requests(row, keys)
        for data in steering:
            response = _send(client, row.method, url, data)
            if _server_error(name, response):
                errors.append(f"{row.method.upper()} {url} {data}: {response.status_code}")
        refused = False
        for data in together:
            response = _send(client, row.method, url, data)
            refused = refused or _refused(response)
            if _server_error(name, response):
                errors.append(f"{row.method.upper()} {url} {data}: {response.status_code}")
        for data in one_by_one if refused else []:
            response = _send(client, row.method, url, data)
            if _server_error(name, response):
                errors.append(f"{row.method.upper()} {url} {data}: {response.status_code}")
        for k, arg in enumerate(args):
            for bad_arg in [HUGE_ID] if isinstance(arg, int) else BAD_VALUES if isinstance(arg, str) else []:
                try:
                    bad_url = reverse(name, args=[*args[:k], bad_arg, *args[k + 1 :]])
                except NoReverseMatch:
                    continue  # the URL pattern itself refuses it (e.g. an empty path segment)
                response = _send(client, row.method, bad_url, dict(row.data or {}))
                if _server_error(name, response):
                    errors.append(f"{row.method.upper()} {bad_url}: {response.status_code}")
    assert not errors, "\n".join(errors)
    assert found >= NAMED_PARAMETERS, f"not reached any more: {sorted(NAMED_PARAMETERS - found)}"
    assert any(key.startswith("i-") for key in found), "the survey's answers were not posted"


def test_a_malformed_number_is_refused_by_name(objects: dict[str, Any]):
    client = client_for(objects["users"]["ingrid"])
    response = client.get(reverse("diagnose:plan"), {"plan": "²"})
    assert response.status_code == 400
    assert "plan" in response.content.decode() and "²" in response.content.decode()


def test_the_refusal_is_the_plain_page_in_debug_mode_too(objects: dict[str, Any], settings: Any):
    # make demo runs with DEBUG on: Django's technical page (a traceback) read like a crash.
    settings.DEBUG = True
    client = client_for(objects["users"]["ingrid"])
    response = client.get(reverse("diagnose:plan"), {"plan": "²"})
    page = response.content.decode()
    assert response.status_code == 400 and "Traceback" not in page
    assert "Bad request" in page and "plan" in page


def test_a_malformed_answer_to_a_public_survey_is_a_form_error(objects: dict[str, Any]):
    _open_the_matrix_survey(objects)
    survey = objects["d_survey"]
    data = {f"i-{item.pk}": "²" for item in survey.items.all()}
    response = Client().post(reverse("survey:take", args=[survey.slug]), data)
    assert response.status_code == 400
    assert "Question 1: please choose one of the answers." in response.content.decode()
    assert not survey.responses.exists()


@pytest.mark.parametrize(
    ("value", "number"),
    [("0", 0), ("42", 42), ("9" * 18, int("9" * 18)), (7, 7)]
    + [(bad, None) for bad in BAD_VALUES]
    + [("9" * 19, None), ("+1", None), ("1_000", None), (None, None), (True, None), (-1, None)],
)
def test_only_ascii_digits_of_bounded_length_are_numbers(value: object, number: int | None):
    assert whole_number(value) == number


def test_an_absent_or_empty_parameter_is_none_and_a_bad_one_is_refused():
    params = QueryDict("plan=&page=3&file=1&file=2&file=&bad=%C2%B2")
    assert number_param(params, "plan") is None
    assert number_param(params, "missing") is None
    assert number_param(params, "page") == 3
    assert number_list_param(params, "file") == [1, 2]
    with pytest.raises(BadParameter, match="“bad”.*“²”"):
        number_param(params, "bad")
    with pytest.raises(BadParameter, match="“bad”"):
        number_list_param(params, "bad")
