"""The Diagnose rows of the access matrix on their own, so a failure elsewhere cannot hide ours."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from arusha_web.accounts.roles import CAPABILITIES
from arusha_web.conftest import PERSONAS, client_for
from arusha_web.testing import PUBLIC

from . import access


def _rows() -> list[tuple[str, Any]]:
    """Every (URL name, row) pair; a URL may have several rows (e.g. office and national actions)."""
    return [
        (name, r) for name, rows in access.URLS.items() for r in (rows if isinstance(rows, list) else [rows])
    ]


def test_declared_capabilities_match_the_expected_table():
    for capability, roles in access.EXPECTED.items():
        assert {str(r) for r in CAPABILITIES[capability]} == roles, capability


@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_each_role_gets_exactly_what_it_may(username: str, personas: dict[str, Any]):
    objects = access.make_objects(personas)
    user = personas[username]
    wrong = []
    for name, row in _rows():
        url = reverse(name, args=row.args(objects))
        response = getattr(client_for(user), row.method)(url, row.data or {})
        allowed = row.access == PUBLIC or user.role in access.EXPECTED[row.access]
        if allowed == (response.status_code in (403, 404)):
            wrong.append(
                f"{row.method} {url}: {response.status_code}, expected {'allowed' if allowed else 'denied'}"
            )
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_reach_only_the_public_pages(personas: dict[str, Any]):
    objects = access.make_objects(personas)
    for name, row in _rows():
        response = getattr(Client(), row.method)(reverse(name, args=row.args(objects)), row.data or {})
        if row.access == PUBLIC:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
