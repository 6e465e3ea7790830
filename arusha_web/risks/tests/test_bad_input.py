"""Bad input on the register's pages: refused with a message naming the problem, nothing changed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.risks.models import Process, ProcessStep, Risk
from arusha_web.risks.seed import TYPICAL_RISKS


def _process_post(process: Process, **changes: Any) -> dict[str, Any]:
    """The process form as the page posts it, every step unchanged unless `changes` says so."""
    steps = list(process.steps.order_by("order"))
    data: dict[str, Any] = {
        "code": process.code,
        "name_en": process.name_en,
        "name_fr": process.name_fr,
        "description_en": process.description_en,
        "description_fr": process.description_fr,
        "order": process.order,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for n, s in enumerate(steps):
        data |= {
            f"steps-{n}-id": s.pk,
            f"steps-{n}-process": process.pk,
            f"steps-{n}-order": s.order,
            f"steps-{n}-code": s.code,
            f"steps-{n}-name_en": s.name_en,
            f"steps-{n}-name_fr": s.name_fr,
            f"steps-{n}-actors": s.actors,
        }
    data.update(changes)
    return data


def test_deleting_a_step_that_holds_risks_is_refused_by_name(personas, make_risk, step):
    risk = make_risk()
    process = step.process
    index = list(process.steps.order_by("order")).index(step)
    response = client_for(personas["ingrid"]).post(
        reverse("risks:process_edit", args=[process.pk]),
        _process_post(process, **{f"steps-{index}-DELETE": "on", "name_en": "Renamed"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be deleted" in page and risk.ref in page
    assert ProcessStep.objects.filter(pk=step.pk).exists()
    assert Process.objects.get(pk=process.pk).name_en != "Renamed"


def test_deleting_an_empty_step_still_works(personas, step):
    process = step.process
    before = process.steps.count()
    response = client_for(personas["ingrid"]).post(
        reverse("risks:process_edit", args=[process.pk]), _process_post(process, **{"steps-0-DELETE": "on"})
    )
    assert response.status_code == 302 and process.steps.count() == before - 1


def test_unknown_indicator_code_is_refused_naming_it(personas, step):
    response = client_for(personas["ingrid"]).post(
        reverse("risks:risk_create"),
        {"step": step.pk, "title": "Override", "status": "identify", "indicator_codes": ["BP1", "BP99"]},
    )
    assert response.status_code == 200
    assert (
        "Not an indicator of the engine" in response.content.decode() and "BP99" in response.content.decode()
    )
    assert not Risk.objects.exists()


def test_adopting_a_typical_risk_outside_the_list_is_refused(personas):
    client = client_for(personas["ingrid"])
    for index in ("-1", str(len(TYPICAL_RISKS)), "first", ""):
        response = client.post(reverse("risks:typical_adopt"), {"index": index}, follow=True)
        assert "Choose one of the typical risks listed." in response.content.decode(), index
    assert not Risk.objects.exists()


def test_a_replay_date_that_is_not_a_date_is_named_on_the_map(personas):
    response = client_for(personas["ingrid"]).get(reverse("risks:risk_map"), {"at": "2024-13-45"})
    assert response.status_code == 200 and "“2024-13-45” is not a date" in response.content.decode()


def test_every_cell_of_the_scales_and_process_tables_says_what_it_is(personas, step):
    import re

    client = client_for(personas["ingrid"])
    pages = [reverse("risks:scales"), reverse("risks:process_edit", args=[step.process.pk])]
    for url in pages:
        page = client.get(url).content.decode()
        cells = re.findall(
            r'<(?:input|select|textarea)[^>]*name="(?:levels|bands|steps)-\d+-[^"]*"[^>]*>', page
        )
        assert cells, url
        unnamed = [c for c in cells if 'type="hidden"' not in c and "aria-label=" not in c]
        assert not unnamed, unnamed[:3]
    assert 'aria-label="Code 1"' in page


def test_indicators_are_picked_by_name_and_kept_by_code(personas, step):
    client = client_for(personas["ingrid"])
    form = client.get(reverse("risks:risk_create")).content.decode()
    assert "Channel-override rate (BP1)" in form
    client.post(
        reverse("risks:risk_create"),
        {"step": step.pk, "title": "Override", "status": "identify", "indicator_codes": ["BP1", "CP1"]},
    )
    assert Risk.objects.get().indicator_codes == ["BP1", "CP1"]
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "(BP1)" in client.get(reverse("risks:risk_create")).content.decode()
