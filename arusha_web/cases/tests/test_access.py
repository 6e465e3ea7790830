"""This app's rows of the access matrix, walked on its own URLconf (see urls_isolated.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from arusha_web.accounts.roles import CAPABILITIES
from arusha_web.conftest import PERSONAS, client_for
from arusha_web.testing import AUTH, PUBLIC

from . import access


def test_every_url_of_the_app_has_a_row():
    from arusha_web.cases import public_urls, urls

    names = {f"cases:{p.name}" for p in urls.urlpatterns} | {
        f"report:{p.name}" for p in public_urls.urlpatterns
    }
    assert names == set(access.URLS)


def test_the_capabilities_are_the_ones_written_in_access_py():
    declared = {
        cap: {str(r) for r in roles} for cap, roles in CAPABILITIES.items() if cap.startswith("cases.")
    }
    assert declared == access.EXPECTED


@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_each_role_gets_exactly_what_it_may(username: str, personas: dict[str, Any]):
    objects = {"users": personas, **access.make_objects(personas)}
    user = personas[username]
    expected = {**access.EXPECTED, "section.cases": {"integrity", "investigator", "auditor"}}
    wrong = []
    for name, rows in access.URLS.items():
        for row in rows if isinstance(rows, list) else [rows]:
            url = reverse(name, args=row.args(objects))
            response = getattr(client_for(user), row.method)(url, row.data or {})
            allowed = row.access in (AUTH, PUBLIC) or user.role in expected[row.access]
            if allowed == (response.status_code in (403, 404)):
                wrong.append(f"{row.method} {url}: {response.status_code}")
    assert not wrong, wrong


def test_anonymous_visitors_reach_only_the_public_channel(personas: dict[str, Any]):
    objects = {"users": personas, **access.make_objects(personas)}
    for name, rows in access.URLS.items():
        for row in rows if isinstance(rows, list) else [rows]:
            url = reverse(name, args=row.args(objects))
            response = getattr(Client(), row.method)(url, row.data or {})
            if row.access == PUBLIC:
                assert response.status_code in (200, 302), url
                assert "/accounts/login/" not in response.get("Location", ""), url
            else:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
