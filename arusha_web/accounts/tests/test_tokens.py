"""API tokens on the profile page: a refused name says why."""

from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for


def test_a_token_name_too_long_says_so_and_an_empty_one_asks_for_a_name(personas):
    client = client_for(personas["ana"])
    url = reverse("accounts:token_create")
    too_long = client.post(url, {"name": "x" * 101}, follow=True).content.decode()
    assert "at most 100 characters" in too_long and "Give the token a name." not in too_long
    empty = client.post(url, {"name": "  "}, follow=True).content.decode()
    assert "Give the token a name." in empty
