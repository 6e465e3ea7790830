"""Over-long text in the register is refused with the limit and the length, and nothing is stored."""

from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.core.text_limits import NOTE, TEXT
from arusha_web.risks.models import Control, Risk

from .test_register import _form


def test_an_over_long_scheme_is_refused_and_no_risk_is_created(personas, step):
    response = client_for(personas["ingrid"]).post(
        reverse("risks:risk_create"), _form(step, scheme="s" * 200_000, drivers="Discretion at the gate")
    )
    assert response.status_code == 200
    assert f"Ensure this value has at most {TEXT} characters (it has 200000)." in response.content.decode()
    assert not Risk.objects.exists()


def test_an_over_long_control_description_is_refused_and_nothing_is_stored(personas, make_risk):
    risk = make_risk()
    response = client_for(personas["ingrid"]).post(
        reverse("risks:control_create", args=[risk.pk]),
        {"kind": "detective", "description": "d" * (NOTE + 1), "design": "unknown", "operating": "unknown"},
    )
    assert response.status_code == 200
    assert f"at most {NOTE} characters (it has {NOTE + 1})" in response.content.decode()
    assert not Control.objects.exists()


def test_a_control_of_the_longest_description_is_stored(personas, make_risk):
    risk = make_risk()
    client_for(personas["ingrid"]).post(
        reverse("risks:control_create", args=[risk.pk]),
        {"kind": "detective", "description": "d" * NOTE, "design": "unknown", "operating": "unknown"},
    )
    assert Control.objects.get().description == "d" * NOTE
