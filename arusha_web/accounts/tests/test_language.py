"""The language a user chooses follows his account to another browser, and to the next login."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from arusha_web.conftest import PASSWORD


def _login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_chosen_language_is_kept_on_the_account(personas: dict[str, Any]) -> None:
    first = _login("ingrid")
    first.post(reverse("set_language"), {"language": "fr", "next": "/"})
    personas["ingrid"].refresh_from_db()
    assert personas["ingrid"].language == "fr"
    # Another browser, no cookie: French from the first page after logging in.
    other = _login("ingrid")
    page = other.get(reverse("measure:index"))
    assert '<html lang="fr"' in page.content.decode() and page.cookies["django_language"].value == "fr"
    # Someone else on that browser keeps his own (browser) language.
    assert '<html lang="en"' in _login("ana").get(reverse("measure:index")).content.decode()


def test_an_unknown_language_changes_nothing(personas: dict[str, Any]) -> None:
    client = _login("ingrid")
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    personas["ingrid"].refresh_from_db()
    assert personas["ingrid"].language == ""
