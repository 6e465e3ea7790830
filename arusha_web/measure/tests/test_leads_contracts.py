"""Lead triage, dashboards, scorecards and contracts on a small analysed dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.measure import contracts
from arusha_web.measure.models import Contract, Lead, LeadStatus, Referral
from arusha_web.measure.selectors import lead_shown, pseudonym
from arusha_web.org.models import StaffRecord


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
    csv = client.get(reverse("measure:administration") + "?export=offices&format=csv").content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[0].startswith("office,") and len(csv.splitlines()) == 4  # three offices
    channels = (
        client.get(reverse("measure:administration") + "?export=channels")
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert channels[0] == "office,green,blue,yellow,red"
    import pyarrow.parquet as pq

    declarations = pq.read_metadata(Path(run.out_dir).parent / "data" / "declarations.parquet").num_rows
    assert sum(int(n) for line in channels[1:] for n in line.split(",")[1:]) == declarations  # each once
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
        indicators=["TF1", "BP1", "TF5"],
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
    StaffRecord.objects.filter(user=sam).update(officer_id="O-PORT1-01")  # his id in clearance data
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
    csv = client.get(reverse("measure:antigaming") + "?export=antigaming").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "officer,office,TF1,TF5,BP2,BP1,RED_NO_INSP,to look at"
    # A declarant a lead names: an officer × declarant pair (brokers are leads only for their own filing).
    lead = _first(Lead.objects.filter(run=run, entity_type="officer_declarant_pair").order_by("rank"))
    trader = client.get(reverse("measure:trader", args=["declarant", lead.other_id]))
    # The lead as the pages say it (made from its record, in the reader's language).
    said = escape(lead_shown(lead, mask=None).sentence[:40])
    assert trader.status_code == 200 and said in trader.content.decode()
    assert (
        client_for(personas["marc"])
        .get(reverse("measure:trader", args=["declarant", lead.other_id]))
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


def _signed(
    run: Any, actor: Any, subject: str = "O-PORT1-01", start: dt.date = dt.date(2024, 4, 1)
) -> Contract:
    contract = contracts.contract_create(
        run=run,
        subject_type="officer",
        subject_id=subject,
        period_start=start,
        months=3,
        indicators=["TF1", "BP1"],
        improvement=15,
        signatories="DG\nOfficer",
        actor=actor,
    )
    contracts.contract_sign(version=contract.versions.get(), actor=actor)
    return contract


def test_an_amendment_can_move_the_period_and_recomputes_the_baselines(
    run: Any, personas: dict[str, Any]
) -> None:
    contract = _signed(run, personas["ingrid"])
    signed = contract.versions.get()
    tf1 = signed.targets.get(indicator="TF1")
    client = client_for(personas["marc"])
    url = reverse("measure:contract_action", args=[contract.pk])
    bad = [
        ({"reason": "Moved", "period_start": "2024-05-01", "months": "0"}, "Length (months)"),
        ({"reason": "Moved", "period_start": "2024-05-01", "months": "many"}, "Length (months)"),
        ({"reason": "Moved", "period_start": "2024-13-45", "months": "2"}, "From"),
        ({"reason": " ", "period_start": "2024-05-01", "months": "2"}, "Reason for the amendment"),
    ]
    for data, field in bad:
        page = client.post(url, {"action": "amend", **data}, follow=True).content.decode()
        assert f"{field}:" in page, data
        assert contract.versions.count() == 1  # nothing created by a refused amendment
    client.post(
        url, {"action": "amend", "reason": "Officer moved shift", "period_start": "2024-05-01", "months": "2"}
    )
    new = contract.versions.get(number=2)
    assert (new.period_start, new.period_end, new.signed_at) == (
        dt.date(2024, 5, 1),
        dt.date(2024, 6, 30),
        None,
    )
    values = contracts.monthly_values(
        run=run, subject_type="officer", subject_id="O-PORT1-01", indicator="TF1"
    )
    before_may = sorted(v for k, v in values.items() if k < "2024-05")
    new_tf1 = new.targets.get(indicator="TF1")
    assert new_tf1.baseline == pytest.approx((before_may[1] + before_may[2]) / 2)  # median of 4 months
    assert new_tf1.target == tf1.target  # the agreed target is kept; it can be edited with a reason
    signed.refresh_from_db()
    assert (signed.period_start, signed.period_end) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    # Without a new start or length, the period stays.
    contracts.contract_sign(version=new, actor=personas["marc"])
    same = contracts.contract_amend(contract=contract, reason="Signatory changed", actor=personas["marc"])
    assert (same.period_start, same.period_end) == (new.period_start, new.period_end)
    assert same.targets.get(indicator="TF1").baseline == new_tf1.baseline
    history = client.get(reverse("measure:contract", args=[contract.pk])).content.decode()
    assert "v2 · 1 May 2024 – 30 June 2024" in history and "v1 · 1 April 2024 – 30 June 2024" in history


def test_review_notes_and_history_are_in_the_contract_pdf(
    run: Any, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.template.loader import render_to_string

    from arusha_web.measure import views_contracts

    contract = _signed(run, personas["ingrid"])
    client = client_for(personas["ingrid"])
    url = reverse("measure:contract_action", args=[contract.pk])
    refused = client.post(url, {"action": "note", "month": "May 2024", "text": "x"}, follow=True)
    assert "Month (YYYY-MM):" in refused.content.decode() and not contract.notes.exists()
    client.post(url, {"action": "note", "month": "2024-05", "text": "Backlog at the scanner explained"})
    rendered: list[str] = []
    original = views_contracts.pdf_response

    def capture(template: str, context: dict[str, Any], **kwargs: Any) -> Any:
        rendered.append(render_to_string(template, context))
        return original(template, context, **kwargs)

    monkeypatch.setattr(views_contracts, "pdf_response", capture)
    pdf = client.get(reverse("measure:contract_pdf", args=[contract.pk]))
    assert pdf.content[:4] == b"%PDF"
    assert "Backlog at the scanner explained" in rendered[0] and "2024-05" in rendered[0]
    assert "Review notes" in rendered[0] and "History" in rendered[0]


def test_a_refused_note_or_amendment_keeps_what_was_typed(run: Any, personas: dict[str, Any]) -> None:
    contract = _signed(run, personas["ingrid"])
    client = client_for(personas["ingrid"])
    url = reverse("measure:contract_action", args=[contract.pk])
    note = "Backlog at the scanner explained by the head of shift; two officers on leave in May."
    refused = client.post(url, {"action": "note", "month": "May 2024", "text": note})
    page = refused.content.decode()
    assert refused.status_code == 400 and note in page and "Month (YYYY-MM):" in page
    reason = "The officer moved to the night shift at the airport."
    refused = client.post(url, {"action": "amend", "reason": reason, "period_start": "2024-13-45"})
    page = refused.content.decode()
    assert refused.status_code == 400 and reason in page and "From:" in page
    assert not contract.notes.exists() and contract.versions.count() == 1


def test_the_evaluation_ranking_can_be_limited_to_a_quarter(run: Any, personas: dict[str, Any]) -> None:
    # March to May: one month in Q1, two in Q2.
    contract = _signed(run, personas["ingrid"], start=dt.date(2024, 3, 1))
    whole = contracts.evaluation_ranking(contracts=[contract])
    q1 = contracts.evaluation_ranking(contracts=[contract], quarter="2024-Q1")
    q2 = contracts.evaluation_ranking(contracts=[contract], quarter="2024-Q2")
    assert [m for _c, _ok, m in whole] == [6]  # 2 indicators × 3 months
    assert [m for _c, _ok, m in q1] == [2] and [m for _c, _ok, m in q2] == [4]
    assert whole[0][1] == q1[0][1] + q2[0][1]
    assert contracts.evaluation_ranking(contracts=[contract], quarter="2024-Q4") == []
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:contracts") + "?quarter=2024-Q1")
    assert page.status_code == 200 and page.context["ranking"] == q1
    assert '<option value="2024-Q2">' in page.content.decode()
    for bad in ("2024-Q5", "Q1", "2023-Q1"):
        response = client.get(reverse("measure:contracts"), {"quarter": bad})
        assert response.status_code == 400 and response.context["ranking"] == whole
        assert "No signed contract runs in the quarter" in response.content.decode()


def test_anti_gaming_thresholds_are_stored_audited_and_checked(run: Any, personas: dict[str, Any]) -> None:
    from arusha_web.measure.models import AntiGamingThresholds

    client = client_for(personas["ingrid"])
    url = reverse("measure:antigaming_thresholds")
    defaults = AntiGamingThresholds.current()
    good = {
        "assessment_gain_points": "0",
        "release_gain_hours": "0",
        "hit_rate_drop_points": "0",
        "override_rise_points": "0",
        "red_release_rise_points": "0",
    }
    for field, value in [
        ("assessment_gain_points", "-1"),
        ("hit_rate_drop_points", "101"),
        ("release_gain_hours", "many"),
        ("override_rise_points", ""),
        ("red_release_rise_points", "nan"),
    ]:
        response = client.post(url, {**good, field: value})
        assert response.status_code == 400, (field, value)
        assert response.context["form"].errors.get(field), (field, value)
        assert not AntiGamingThresholds.objects.exists()  # nothing stored by a refused form
    assert defaults.assessment_gain_points == 10 and defaults.release_gain_hours == 4

    strict = {k: "100" for k in good} | {"release_gain_hours": "720"}
    assert client.post(url, strict)["Location"] == reverse("measure:antigaming")
    page = client.get(reverse("measure:antigaming"))
    assert all(not r[-1] for r in page.context["rows"])  # nobody changed by that much
    client.post(url, good)
    loose = client.get(reverse("measure:antigaming"))
    flagged = [r for r in loose.context["rows"] if r[-1]]
    assert flagged and loose.context["flagged"] == len(flagged)
    stored = AntiGamingThresholds.objects.get()
    assert stored.updated_by == personas["ingrid"] and stored.assessment_gain_points == 0
    entries = AuditEntry.objects.filter(object_type="measure.antigamingthresholds")
    assert entries.count() == 2
    assert client_for(personas["marc"]).post(url, good).status_code == 403


def test_traders_file_finds_one_traders_months_and_officers(tmp_path: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from arusha_web.measure import traders

    rows = [
        # entity_type, entity_id, period, indicator, value, n
        ("declarant", "D-1", "2024-02", "VOL_DECL", 7.0, 7),
        ("declarant", "D-1", "2024-01", "VOL_DECL", 5.0, 5),
        ("declarant", "D-1", "2024-01", "TF5", 30.5, 5),
        ("declarant", "D-1", "all", "VOL_DECL", 12.0, 12),
        ("declarant", "D-2", "2024-01", "VOL_DECL", 99.0, 99),
        ("importer", "D-1", "2024-01", "VOL_DECL", 3.0, 3),  # same id, other level
        ("officer_declarant_pair", "O-A|D-1", "all", "CP1", 1.2, 5),
        ("officer_declarant_pair", "O-B|D-1", "all", "CP1", 6.0, 9),
        ("officer_declarant_pair", "O-B|D-2", "all", "CP1", 0.5, 1),
        ("officer_importer_pair", "O-C|D-1", "all", "CP1", 2.0, 3),
        ("officer", "O-A", "2024-01", "VOL_DECL", 40.0, 40),  # not a trader: left out
    ]
    names = ["entity_type", "entity_id", "period", "indicator", "value", "n"]
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(names)})
    table = table.append_column("peer_median", pa.array([1.5] * len(rows)))
    pq.write_table(table, tmp_path / "indicators.parquet")

    assert traders.write(tmp_path) == tmp_path / "traders.parquet"
    d1 = traders.read(tmp_path, level="declarant", trader_id="D-1")
    assert d1.available and d1.periods == ["2024-01", "2024-02"]
    assert d1.monthly == {"VOL_DECL": {"2024-01": 5.0, "2024-02": 7.0}, "TF5": {"2024-01": 30.5}}
    assert d1.officers == [("O-B", 9, 6.0, 1.5), ("O-A", 5, 1.2, 1.5)]  # most declarations first
    importer = traders.read(tmp_path, level="importer", trader_id="D-1")
    assert importer.monthly == {"VOL_DECL": {"2024-01": 3.0}} and importer.officers == [("O-C", 3, 2.0, 1.5)]
    assert traders.read(tmp_path, level="declarant", trader_id="D-404").monthly == {}
    assert not traders.read(tmp_path, level="officer", trader_id="O-A").available
    assert not traders.read(tmp_path / "gone", level="declarant", trader_id="D-1").available
    assert traders.write(tmp_path / "gone") is None


def test_trader_page_shows_the_officers_it_deals_with(
    run: Any, personas: dict[str, Any], settings: Any
) -> None:
    from arusha_web.measure import traders

    lead = _first(Lead.objects.filter(run=run, entity_type="officer_declarant_pair").order_by("rank"))
    declarant = lead.other_id
    series = traders.read(run.out_dir, level="declarant", trader_id=declarant)
    assert series.available and series.officers
    page = client_for(personas["ingrid"]).get(reverse("measure:trader", args=["declarant", declarant]))
    body = page.content.decode()
    top = series.officers[0][0]
    assert "Officers it deals with" in body and reverse("measure:officer", args=[top]) in body
    # Analysts see pseudonyms for officers when the installation asks for it, and no link.
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    masked = client_for(personas["ana"]).get(reverse("measure:trader", args=["declarant", declarant]))
    assert top not in masked.content.decode() and pseudonym(top) in masked.content.decode()


def test_trader_page_of_an_analysis_without_the_monthly_file_says_so(
    run: Any, personas: dict[str, Any], tmp_path: Any
) -> None:
    import shutil

    from arusha_web.measure.models import AnalysisRun

    old = tmp_path / "old-out"
    shutil.copytree(run.out_dir, old)
    (old / "traders.parquet").unlink()
    AnalysisRun.objects.filter(pk=run.pk).update(out_dir=str(old))
    lead = _first(Lead.objects.filter(run=run, entity_type="officer_declarant_pair").order_by("rank"))
    page = client_for(personas["ingrid"]).get(reverse("measure:trader", args=["declarant", lead.other_id]))
    assert page.status_code == 200 and "run the analysis again to see them" in page.content.decode()


def test_scorecard_draws_the_first_charts_and_the_others_on_request(
    run: Any, personas: dict[str, Any]
) -> None:
    from arusha_web.measure import views_dash

    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:officer", args=["O-PORT1-01"])).content.decode()
    panels = page.count('<section class="card">')
    assert panels > views_dash.INLINE_CHARTS
    assert page.count("<svg") == views_dash.INLINE_CHARTS
    later = reverse("measure:officer_chart", args=["O-PORT1-01", "TF5"])
    assert later in page and 'hx-trigger="revealed"' in page
    chart = client.get(later)
    assert chart.status_code == 200 and chart.content.startswith(b"<svg")
    assert client.get(reverse("measure:officer_chart", args=["O-PORT1-01", "NOPE"])).status_code == 404
    assert client.get(reverse("measure:officer_chart", args=["O-NOBODY", "TF5"])).status_code == 404
    # Another officer's chart is refused to a staff member, like his scorecard.
    sam = personas["sam"]
    StaffRecord.objects.filter(user=sam).update(officer_id="O-PORT1-01")
    staff = client_for(sam)
    assert staff.get(reverse("measure:officer_chart", args=["O-PORT1-01", "TF5"])).status_code == 200
    assert staff.get(reverse("measure:officer_chart", args=["O-PORT1-02", "TF5"])).status_code == 404
