"""Over-long text in Measure is refused with the limit and the length, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from arusha_web.conftest import client_for
from arusha_web.core.text_limits import NOTE, TEXT
from arusha_web.measure import contracts
from arusha_web.measure.models import AnalysisRun, Dataset, Lead, LeadComment, Publication, RunStatus

from .test_leads_contracts import _contract


@pytest.fixture
def lead(personas: dict[str, Any]) -> Lead:
    dataset = Dataset.objects.create(name="Uploaded", store_path="/nonexistent/store.duckdb")
    now = timezone.now()
    run = AnalysisRun.objects.create(
        dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE, created_at=now, finished_at=now
    )
    Publication.objects.create(run=run)
    return Lead.objects.create(
        run=run, rank=1, entity_type="office", entity_id="PORT1", office_code="PORT1", score=3.0,
        kind="benford", explanation="Declared amounts with an unusual pattern of leading digits",
    )  # fmt: skip


def test_an_over_long_comment_is_refused_and_not_stored(personas: dict[str, Any], lead: Lead) -> None:
    response = client_for(personas["ingrid"]).post(
        reverse("measure:lead_comment", args=[lead.pk]), {"text": "c" * 200_000}
    )
    assert response.status_code == 400
    assert f"Ensure this value has at most {TEXT} characters (it has 200000)." in response.content.decode()
    assert not LeadComment.objects.exists()


def test_an_over_long_triage_reason_is_refused_and_nothing_changes(
    personas: dict[str, Any], lead: Lead
) -> None:
    response = client_for(personas["ingrid"]).post(
        reverse("measure:lead_update", args=[lead.pk]), {"status": "dismissed", "reason": "r" * (NOTE + 1)}
    )
    assert f"at most {NOTE} characters (it has {NOTE + 1})" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new" and lead.reason == ""


def test_an_over_long_target_reason_is_refused_and_the_target_kept(
    run: Any, personas: dict[str, Any]
) -> None:
    target = _contract(run, personas["ingrid"]).versions.get().targets.get(indicator="TF1")
    with pytest.raises(ValidationError, match=f"The reason has {NOTE + 1} characters; at most {NOTE}."):
        contracts.target_edit(target=target, value=0.9, reason="r" * (NOTE + 1), actor=personas["ingrid"])
    target.refresh_from_db()
    assert target.target != 0.9 and target.reason == ""
