"""Lead triage, dashboards, scorecards and contracts on a small analysed dataset."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.measure import contracts
from arusha_web.measure.models import Contract, Lead, LeadStatus, Referral, ScorecardLink
from arusha_web.measure.selectors import pseudonym


def _first(qs: Any) -> Any:
    obj = qs.first()
    assert obj is not None
    return obj


def test_triage_needs_a_reason_and_is_audited(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["ingrid"])
    lead = _first(Lead.objects.filter(run=run).order_by("rank"))
    url = reverse("measure:lead_update", args=[lead.pk])
    response = client.post(url, {"status": "dismissed", "reason": " "})
    assert response.status_code == 400 and b"Say why the lead is explained or dismissed" in response.content
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    client.post(
        url, {"status": "dismissed", "reason": "Known seasonal trade", "assignee": personas["ana"].pk}
    )
    lead.refresh_from_db()
    assert (lead.status, lead.reason, lead.assignee) == ("dismissed", "Known seasonal trade", personas["ana"])
    entry = AuditEntry.objects.filter(
        object_type="measure.lead", object_id=str(lead.pk), action="update"
    ).last()
    assert entry is not None
    assert cast(dict[str, Any], entry.after)["status"] == "dismissed"
    assert cast(dict[str, Any], entry.before)["status"] == "new"
    client.post(reverse("measure:lead_comment", args=[lead.pk]), {"text": "Checked with the office."})
    assert b"Checked with the office." in client.get(reverse("measure:lead", args=[lead.pk])).content


def test_refer_creates_a_referral_and_an_intake_item(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["ingrid"])
    lead = _first(Lead.objects.filter(run=run, entity_type="officer").order_by("rank"))
    response = client.post(reverse("measure:lead_refer", args=[lead.pk]), {"note": ""})
    assert response.status_code == 400 and not Referral.objects.exists()
    client.post(reverse("measure:lead_refer", args=[lead.pk]), {"note": "Pattern confirmed"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REFERRED and lead.referral.note == "Pattern confirmed"
    try:
        from arusha_web.cases.models import Report
    except ImportError:  # the cases module is built separately
        return
    report = Report.objects.get(lead_entity_id=lead.entity_id)
    assert lead.referral.intake_ref and report.referred_by == personas["ingrid"]
    # A referred lead can no longer be dismissed from here.
    response = client.post(
        reverse("measure:lead_update", args=[lead.pk]), {"status": "dismissed", "reason": "x"}
    )
    lead.refresh_from_db()
    assert response.status_code == 400 and lead.status == LeadStatus.REFERRED


def test_manager_sees_leads_of_his_office_only(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["marc"])
    page = client.get(reverse("measure:leads")).content.decode()
    port = _first(Lead.objects.filter(run=run, office_code="PORT1"))
    other = _first(Lead.objects.filter(run=run).exclude(office_code="PORT1"))
    assert port.entity_id in page and reverse("measure:lead", args=[other.pk]) not in page
    assert client.get(reverse("measure:lead", args=[other.pk])).status_code == 404
    assert client.get(reverse("measure:lead", args=[port.pk])).status_code == 200
    assert client.get(reverse("measure:office", args=["AIRPT"])).status_code == 404


def test_analysts_see_pseudonyms_until_referral(run: Any, personas: dict[str, Any], settings: Any) -> None:
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    lead = _first(Lead.objects.filter(run=run, entity_type="officer").order_by("rank"))
    page = client_for(personas["ana"]).get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert lead.entity_id not in page and pseudonym(lead.entity_id) in page
    assert (
        lead.entity_id
        in client_for(personas["ingrid"]).get(reverse("measure:lead", args=[lead.pk])).content.decode()
    )
    client_for(personas["ingrid"]).post(reverse("measure:lead_refer", args=[lead.pk]), {"note": "Confirmed"})
    assert (
        lead.entity_id
        in client_for(personas["ana"]).get(reverse("measure:lead", args=[lead.pk])).content.decode()
    )


def test_lead_list_query_count(
    run: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas["ingrid"])
    with django_assert_max_num_queries(15):
        assert client.get(reverse("measure:leads")).status_code == 200


def test_dashboards_show_tables_and_export(
    run: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas["ingrid"])
    with django_assert_max_num_queries(15):
        page = client.get(reverse("measure:administration"))
    assert page.status_code == 200 and b"<svg" in page.content and b"PORT5" in page.content
    csv = client.get(reverse("measure:administration") + "?export=offices&format=csv").content.decode()
    assert csv.splitlines()[0].startswith("office,") and len(csv.splitlines()) == 4  # three offices
    channels = (
        client.get(reverse("measure:administration") + "?export=channels").content.decode().splitlines()
    )
    assert channels[0] == "office,green,blue,yellow,red"
    assert sum(int(n) for line in channels[1:] for n in line.split(",")[1:]) == 2000  # every declaration once
    xlsx = client.get(reverse("measure:administration") + "?export=trend&format=xlsx")
    assert xlsx.content[:2] == b"PK"
    with django_assert_max_num_queries(15):
        office = client.get(reverse("measure:office", args=["PORT1"]))
    assert b"O-PORT1-01" in office.content and b"O-AIRPT-01" not in office.content
    drill = client.get(reverse("measure:declarations") + "?by=officer_id&id=O-PORT1-01")
    assert drill.status_code == 200 and b"O-PORT1-01" in drill.content and b"Page 1 of" in drill.content


def _contract(run: Any, actor: Any, subject: str = "O-PORT1-01") -> Contract:
    return contracts.contract_create(
        run=run,
        subject_type="officer",
        subject_id=subject,
        period_start=dt.date(2024, 4, 1),
        months=3,
        indicators=["TF1", "BP1", "VOL_DECL"],
        improvement=15,
        signatories="DG\nOfficer",
        actor=actor,
    )


def test_contract_baseline_target_sign_amend(run: Any, personas: dict[str, Any]) -> None:
    contract = _contract(run, personas["ingrid"])
    version = contract.versions.get()
    values = contracts.monthly_values(
        run=run, subject_type="officer", subject_id="O-PORT1-01", indicator="TF1"
    )
    past = sorted(v for k, v in values.items() if k < "2024-04")
    assert len(past) == 3
    tf1 = version.targets.get(indicator="TF1")
    assert tf1.baseline == pytest.approx(past[1]) and tf1.target == pytest.approx(past[1] * 1.15)
    bp1 = version.targets.get(indicator="BP1")
    assert bp1.baseline is not None and bp1.target == pytest.approx(bp1.baseline * 0.85)
    assert version.period_end == dt.date(2024, 6, 30)
    with pytest.raises(ValidationError):
        contracts.target_edit(target=tf1, value=0.9, reason="", actor=personas["ingrid"])
    contracts.target_edit(target=tf1, value=0.9, reason="Agreed at the meeting", actor=personas["ingrid"])
    contracts.contract_sign(version=version, actor=personas["ingrid"])
    with pytest.raises(ValidationError):
        contracts.target_edit(target=tf1, value=0.5, reason="later", actor=personas["ingrid"])
    new = contracts.contract_amend(contract=contract, reason="Office reorganised", actor=personas["ingrid"])
    assert new.number == 2 and new.signed_at is None and new.targets.get(indicator="TF1").target == 0.9
    assert contracts.signed_version(contract) == version  # the scorecard keeps the signed terms
    rows = contracts.scorecard(contract=contract, version=version)
    tf1_row = next(r for r in rows if r.indicator == "TF1")
    assert [m for m, _v, _ok in tf1_row.months] == ["2024-04", "2024-05", "2024-06"]
    for _m, value, ok in tf1_row.months:
        assert value is not None and ok == (value >= 0.9)


def test_contract_for_unknown_officer_or_other_office_is_refused(run: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="does not appear"):
        _contract(run, personas["ingrid"], subject="O-NOBODY")
    with pytest.raises(ValidationError, match="your own office"):
        _contract(run, personas["marc"], subject="O-AIRPT-01")
    client = client_for(personas["marc"])
    response = client.post(
        reverse("measure:contract_create"),
        {
            "subject_type": "officer",
            "subject_id": "O-AIRPT-01",
            "period_start": "2024-04-01",
            "months": 6,
            "indicators": ["TF1"],
            "improvement": 15,
            "signatories": "x",
        },
    )
    assert response.status_code == 400 and not Contract.objects.exists()


def test_contract_pages_sign_and_pdf(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["marc"])
    response = client.post(
        reverse("measure:contract_create"),
        {
            "subject_type": "officer",
            "subject_id": "O-PORT1-01",
            "period_start": "2024-04-01",
            "months": 3,
            "indicators": ["TF1", "BP2"],
            "improvement": 15,
            "signatories": "Head of office\nO-PORT1-01",
        },
    )
    contract = Contract.objects.get()
    assert response["Location"] == reverse("measure:contract", args=[contract.pk])
    client.post(reverse("measure:contract_action", args=[contract.pk]), {"action": "sign"})
    assert contract.versions.get().signed_at is not None
    page = client.get(reverse("measure:contract", args=[contract.pk]))
    assert b"Monthly scorecard" in page.content
    pdf = client.get(reverse("measure:contract_pdf", args=[contract.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_officer_sees_only_his_scorecard_and_contract(run: Any, personas: dict[str, Any]) -> None:
    sam = personas["sam"]
    ScorecardLink.objects.create(user=sam, officer_id="O-PORT1-01")
    mine = _contract(run, personas["ingrid"])
    other = _contract(run, personas["ingrid"], subject="O-PORT1-02")
    client = client_for(sam)
    assert client.get(reverse("measure:officer", args=["O-PORT1-01"])).status_code == 200
    assert client.get(reverse("measure:officer", args=["O-PORT1-02"])).status_code == 404
    assert client.get(reverse("measure:contract", args=[mine.pk])).status_code == 200
    assert client.get(reverse("measure:contract", args=[other.pk])).status_code == 404
    listing = client.get(reverse("measure:contracts")).content.decode()
    assert "O-PORT1-01" in listing and "O-PORT1-02" not in listing
    assert AuditEntry.objects.filter(action="view", actor=sam, object_type="measure.indicatorvalue").exists()


def test_anti_gaming_trader_and_scorecard_pdf(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:antigaming")).content.decode()
    assert "O-PORT1-01" in page and "O-AIRPT-01" in page
    own_office = client_for(personas["marc"]).get(reverse("measure:antigaming")).content.decode()
    assert "O-PORT1-01" in own_office and "O-AIRPT-01" not in own_office
    csv = client.get(reverse("measure:antigaming") + "?export=antigaming").content.decode()
    assert csv.splitlines()[0] == "officer,office,TF1,TF5,BP2,BP1,RED_NO_INSP,to look at"
    lead = _first(Lead.objects.filter(run=run, entity_type="declarant").order_by("rank"))
    trader = client.get(reverse("measure:trader", args=["declarant", lead.entity_id]))
    assert trader.status_code == 200 and lead.explanation[:40] in trader.content.decode()
    assert (
        client_for(personas["marc"])
        .get(reverse("measure:trader", args=["declarant", lead.entity_id]))
        .status_code
        == 403
    )
    assert client.get(reverse("measure:trader", args=["declarant", "D-NOBODY"])).status_code == 404
    pdf = client.get(reverse("measure:officer_pdf", args=["O-PORT1-01"]))
    assert pdf.content[:4] == b"%PDF"


def test_contract_list_query_count_does_not_grow(
    run: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas["ingrid"])
    for officer in ("O-PORT1-01", "O-PORT1-02", "O-PORT1-03", "O-PORT5-01", "O-AIRPT-01", "O-AIRPT-02"):
        contract = _contract(run, personas["ingrid"], subject=officer)
        contracts.contract_sign(version=contract.versions.get(), actor=personas["ingrid"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("measure:contracts"))
    assert page.status_code == 200 and page.content.decode().count("Officer O-") >= 12  # list + ranking
