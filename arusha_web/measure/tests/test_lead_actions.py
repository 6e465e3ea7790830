"""A lead motivates an action of the integrity action plan, and each side links to the other."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose.models import Action
from arusha_web.measure.models import AnalysisRun, Dataset, Lead, Publication, RunStatus

NEW_ACTION = {"objective": "Review channel overrides weekly", "horizon": "short", "status": "not_started",
              "percent_complete": "0"}  # fmt: skip


@pytest.fixture
def leads(personas: dict[str, Any]) -> dict[str, Lead]:
    dataset = Dataset.objects.create(name="Leads", store_path="/nonexistent/store.duckdb")
    run = AnalysisRun.objects.create(dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE)
    Publication.objects.create(run=run)

    def lead(rank: int, office: str, kind: str) -> Lead:
        return Lead.objects.create(run=run, rank=rank, entity_type="officer", entity_id=f"O-{office}-0{rank}",
                                   office_code=office, score=5, kind=kind, explanation="e")  # fmt: skip

    return {"port": lead(1, "PORT1", "channel_override"), "air": lead(2, "AIRP1", "detection_shortfall")}


def _create_url(lead_pk: Any) -> str:
    return reverse("diagnose:action_create") + f"?source=lead&source_id={lead_pk}"


def _post(client: Any, lead_pk: Any, **data: Any) -> Any:
    """Submit the action form as the page does: the lead travels in hidden fields."""
    body = {**NEW_ACTION, "source": "lead", "source_id": lead_pk, **data}
    return client.post(reverse("diagnose:action_create"), body)


def test_integrity_plans_an_action_from_a_lead_and_both_pages_link(personas, org, leads) -> None:
    ingrid = client_for(personas["ingrid"])
    page = ingrid.get(reverse("measure:lead", args=[leads["port"].pk])).content.decode()
    assert "Plan an action" in page and _create_url(leads["port"].pk).replace("&", "&amp;") in page
    form = ingrid.get(_create_url(leads["port"].pk)).content.decode()
    # The motivation is filled in, in plain words, with the lead's office as the acting office.
    assert "Lead #1: Relaxed the inspection channel far more often than peers (office PORT1)" in form
    assert f'<option value="{org["port"].pk}" selected>' in form
    response = _post(ingrid, leads["port"].pk, office=org["port"].pk, source_label="Lead #1 (office PORT1)")
    assert response.status_code == 302 and response["Location"] == reverse(
        "measure:lead", args=[leads["port"].pk]
    )
    action = Action.objects.get(objective=NEW_ACTION["objective"])
    assert (action.source_type, action.source_id, action.office) == (
        "lead",
        str(leads["port"].pk),
        org["port"],
    )
    lead_page = ingrid.get(reverse("measure:lead", args=[leads["port"].pk])).content.decode()
    assert (
        NEW_ACTION["objective"] in lead_page
        and reverse("diagnose:action_edit", args=[action.pk]) in lead_page
    )
    action_page = ingrid.get(reverse("diagnose:action_edit", args=[action.pk])).content.decode()
    assert reverse("measure:lead", args=[leads["port"].pk]) in action_page
    # Another lead lists no action.
    other = ingrid.get(reverse("measure:lead", args=[leads["air"].pk])).content.decode()
    assert NEW_ACTION["objective"] not in other and "No action planned from this lead yet." in other


def test_an_office_manager_plans_from_his_office_leads_only(personas, org, leads) -> None:
    marc = client_for(personas["marc"])
    assert "Plan an action" in marc.get(reverse("measure:lead", args=[leads["port"].pk])).content.decode()
    assert _post(marc, leads["port"].pk, office=org["air"].pk).status_code == 302
    assert Action.objects.get().office == org["port"]  # his office, whatever is posted
    # Another office's lead: not found, and nothing created.
    assert marc.get(_create_url(leads["air"].pk)).status_code == 404
    assert _post(marc, leads["air"].pk, objective="Other").status_code == 404
    assert Action.objects.count() == 1


@pytest.mark.parametrize("source_id", ["999999", "abc", ""])
def test_an_unknown_lead_is_not_found_and_creates_nothing(personas, leads, source_id) -> None:
    ingrid = client_for(personas["ingrid"])
    assert ingrid.get(_create_url(source_id)).status_code == 404
    assert _post(ingrid, source_id).status_code == 404
    assert not Action.objects.exists()


def test_who_may_plan_from_a_lead_and_who_sees_the_link_back(personas, leads) -> None:
    # Administrators write actions but do not see leads: refused, nothing created.
    alice = client_for(personas["alice"])
    assert _post(alice, leads["port"].pk).status_code == 403
    assert not Action.objects.exists()
    # Analysts see leads but do not write actions: no button.
    ana_page = (
        client_for(personas["ana"]).get(reverse("measure:lead", args=[leads["port"].pk])).content.decode()
    )
    assert "Plan an action" not in ana_page
    _post(client_for(personas["ingrid"]), leads["port"].pk)
    action = Action.objects.get()
    # The administrator opens the action but gets no link to a lead he may not see.
    page = alice.get(reverse("diagnose:action_edit", args=[action.pk])).content.decode()
    assert page and reverse("measure:lead", args=[leads["port"].pk]) not in page


def test_lead_kinds_are_shown_in_words_filtered_and_exported_with_their_code(personas, leads) -> None:
    from arusha_web.measure.kinds import kind_label

    Lead.objects.create(run=leads["port"].run, rank=3, entity_type="office", entity_id="PORT1",
                        office_code="PORT1", score=1, kind="brand_new_kind", explanation="e")  # fmt: skip
    ingrid = client_for(personas["ingrid"])
    inbox = ingrid.get(reverse("measure:leads")).content.decode()
    assert "Found far fewer discrepancies than expected on comparable inspections" in inbox
    assert "brand_new_kind" in inbox  # an unknown kind falls back to its code
    filtered = ingrid.get(reverse("measure:leads") + "?kind=detection_shortfall").content.decode()
    assert "O-AIRP1-02" in filtered and "O-PORT1-01" not in filtered
    lines = ingrid.get(reverse("measure:leads") + "?kind=channel_override&export=leads&format=csv")
    rows = [r.split(",") for r in lines.content.decode("utf-8-sig").splitlines()]
    assert rows[0][4:6] == ["Kind", "Kind (code)"]
    assert [r[4:6] for r in rows[1:]] == [[kind_label("channel_override"), "channel_override"]]
    ingrid.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = ingrid.get(reverse("measure:lead", args=[leads["air"].pk])).content.decode()
    assert "Found far fewer" not in page and "contrôles comparables" in page


def test_every_kind_the_engine_emits_has_a_label() -> None:
    from arusha.leads.kinds import KINDS
    from arusha_web.measure.kinds import KIND_LABELS

    # Every kind of the engine's catalogue, and "benford" for leads of older analyses.
    assert {k.code for k in KINDS} | {"benford"} <= set(KIND_LABELS)


def test_risks_link_the_hit_rate_indicator_to_detection_shortfall_leads() -> None:
    from arusha_web.measure.kinds import KIND_LABELS
    from arusha_web.risks.evidence import lead_kinds
    from arusha_web.risks.seed import INDICATOR_LEAD_KINDS

    assert lead_kinds(["BP2"]) == {"detection_shortfall"}
    # Every kind a risk can be evidenced by is one Measure can name in words.
    assert {k for kinds in INDICATOR_LEAD_KINDS.values() for k in kinds} <= set(KIND_LABELS)
