"""What a manager relies on in the dashboards, leads and contracts: the office's Time Release Study
and spread of values, pages in words and in his language, pseudonyms kept everywhere, targets
typed as the pages show them, and list pages whose queries do not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from arusha_web.conftest import client_for
from arusha_web.measure import contracts
from arusha_web.measure import dashboards as d
from arusha_web.measure.leads import lead_comment, lead_refer, lead_update
from arusha_web.measure.models import Contract, Lead, LeadStatus
from arusha_web.measure.selectors import pseudonym


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ---- Office: Time Release Study, spread of values, sorting


def test_office_page_has_the_time_release_study_with_charts_table_and_export(
    run: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["marc"])  # the PORT1 manager
    page = client.get(reverse("measure:office", args=["PORT1"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Time Release Study" in body and body.count("<svg") >= 2
    with (Path(run.out_dir) / d.TRS_FILE).open() as f:
        expected = [r for r in csv.DictReader(f) if r["office_code"] == "PORT1"]
    assert expected and len(page.context["trs"]) == len(expected)
    assert {r["channel_label"] for r in page.context["trs"]} <= {"Green", "Blue", "Yellow", "Red"}  # in words
    rows = _csv(client.get(reverse("measure:office", args=["PORT1"]) + "?export=trs&format=csv"))
    assert rows[0] == ["month", "channel", "declarations", *d.TRS_STAGES, d.TRS_TOTAL]
    assert len(rows) - 1 == len(expected)
    xlsx = client.get(reverse("measure:office", args=["PORT1"]) + "?export=trs&format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_office_page_of_an_analysis_without_the_study_says_so(
    run: Any, personas: dict[str, Any], tmp_path: Path
) -> None:
    run.out_dir = str(tmp_path / "elsewhere")  # a run made before the study was written
    run.save(update_fields=["out_dir"])
    page = client_for(personas["ingrid"]).get(reverse("measure:office", args=["PORT1"]))
    assert page.status_code == 200 and "has no Time Release Study" in page.content.decode()
    export = client_for(personas["ingrid"]).get(reverse("measure:office", args=["PORT1"]) + "?export=trs")
    assert export.status_code == 404


def test_office_page_shows_how_the_officers_values_spread(run: Any, personas: dict[str, Any]) -> None:
    page = client_for(personas["ingrid"]).get(reverse("measure:office", args=["PORT1"]))
    spread = {item["code"]: item for item in page.context["distributions"]}
    assert set(spread) == {"TF1", "TF5", "BP1", "BP2"}
    officers = len(page.context["shown"])
    for item in spread.values():
        assert sum(n for _a, _b, n in item["bins"]) <= officers
    assert sum(n for _a, _b, n in spread["TF1"]["bins"]) == officers  # every officer has a TF1
    assert set(page.context["charts"]["spread"]) == set(spread)


def test_office_table_sorts_either_way_and_filters(run: Any, personas: dict[str, Any]) -> None:
    client = client_for(personas["ingrid"])
    url = reverse("measure:office", args=["PORT1"])

    def tf5(query: str) -> list[float]:
        rows = client.get(url + query).context["shown"]
        k = 1 + [c for c, _n, _a in client.get(url).context["columns"]].index("TF5")
        return [float(r[k][0]) for r in rows if r[k][0] != "—"]

    down, up = tf5("?sort=TF5"), tf5("?sort=TF5&dir=asc")
    assert down == sorted(down, reverse=True) and up == sorted(up) and len(up) > 2
    only = client.get(url + "?q=port1-01").context["shown"]
    assert [r[0][0] for r in only] == ["O-PORT1-01"]


# ---- Pseudonyms everywhere an analyst looks


def test_pseudonymised_analyst_sees_no_officer_identifier_until_a_referral(
    run: Any, personas: dict[str, Any], settings: Any
) -> None:
    settings.ARUSHA_PSEUDONYMISE_OFFICERS = True
    ana = client_for(personas["ana"])
    officer = "O-PORT1-01"
    office = ana.get(reverse("measure:office", args=["PORT1"]))
    assert "O-PORT1-0" not in office.content.decode() and pseudonym(officer) in office.content.decode()
    export = ana.get(reverse("measure:office", args=["PORT1"]) + "?export=officers").content.decode()
    assert "O-PORT1-0" not in export and pseudonym(officer) in export
    games = ana.get(reverse("measure:antigaming")).content.decode()
    assert "O-PORT1-0" not in games and pseudonym(officer) in games
    assert "O-PORT1-0" not in ana.get(reverse("measure:antigaming") + "?export=antigaming").content.decode()
    drill = ana.get(reverse("measure:declarations"), {"by": "office_code", "id": "PORT1"}).content.decode()
    assert "O-PORT1-0" not in drill and "Officer-" in drill
    assert ana.get(reverse("measure:declarations"), {"by": "officer_id", "id": officer}).status_code == 404
    assert ana.get(reverse("measure:officer", args=[officer])).status_code == 404
    # The integrity unit sees identifiers; once it refers a lead about the officer, so does the analyst.
    assert officer in client_for(personas["ingrid"]).get(reverse("measure:antigaming")).content.decode()
    lead = Lead.objects.create(
        run=run, rank=999, entity_type="officer", entity_id=officer, office_code="PORT1", score=1,
        kind="after_hours_release", explanation=f"{officer} released after hours",
    )  # fmt: skip
    lead_refer(lead=lead, note="Confirmed", actor=personas["ingrid"])
    assert ana.get(reverse("measure:officer", args=[officer])).status_code == 200
    assert officer in ana.get(reverse("measure:office", args=["PORT1"])).content.decode()
    assert "O-PORT1-02" not in ana.get(reverse("measure:office", args=["PORT1"])).content.decode()


# ---- In words and in the reader's language


def test_channel_mix_is_drawn_in_the_channels_colours_and_the_readers_language(
    run: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["ingrid"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("measure:administration"))
    chart = page.context["charts"]["channels"]
    assert "Vert" in chart and "Rouge" in chart and "green" not in chart
    assert "#2f9e44" in chart and "#c0392b" in chart  # green drawn green, red drawn red


def test_declarations_drill_down_is_in_words_and_can_be_downloaded(
    run: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["ingrid"])
    url = reverse("measure:declarations")
    page = client.get(url, {"by": "officer_id", "id": "O-PORT1-01"})
    body = page.content.decode()
    assert "Declarations — Officer O-PORT1-01" in body and "Final channel" in body
    assert "channel_final" not in body
    assert {r[6] for r in page.context["rows"]} <= {"Green", "Blue", "Yellow", "Red", "—"}
    rows = _csv(client.get(url, {"by": "officer_id", "id": "O-PORT1-01", "export": "declarations"}))
    assert rows[0] == list(d.DRILL_COLUMNS) and len(rows) - 1 == page.context["total"]
    assert {r[2] for r in rows[1:]} == {"O-PORT1-01"}
    marc = client_for(personas["marc"])  # narrowed to his office, even in a declarant's download
    declarant = rows[1][3]
    mine = _csv(marc.get(url, {"by": "declarant_id", "id": declarant, "export": "declarations"}))
    assert {r[1] for r in mine[1:]} <= {"PORT1"}


def test_declarations_of_a_hand_made_office_code_answer_instead_of_failing(
    run: Any, personas: dict[str, Any]
) -> None:
    # An office code with "/" has no office page: no link to it, and no server error.
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:declarations"), {"by": "office_code", "id": "<b>x</b>/y"})
    body = page.content.decode()
    assert page.status_code == 200 and "0 declarations in the store" in body and "<b>x</b>" not in body
    port = client.get(reverse("measure:declarations"), {"by": "office_code", "id": "PORT1"}).content.decode()
    assert f'href="{reverse("measure:office", args=["PORT1"])}"' in port


def test_leads_say_what_they_are_about_and_link_to_the_evidence(run: Any, personas: dict[str, Any]) -> None:
    pair = Lead.objects.create(
        run=run, rank=998, entity_type="officer_declarant_pair", entity_id="O-PORT1-01|D-0001",
        office_code="PORT1", score=2, kind="officer_declarant_pairing", explanation="pair",
    )  # fmt: skip
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:lead", args=[pair.pk])).content.decode()
    assert "Officer O-PORT1-01 with declarant D-0001" in page and "officer_declarant_pair" not in page
    for url in (
        reverse("measure:officer", args=["O-PORT1-01"]),
        reverse("measure:trader", args=["declarant", "D-0001"]),
        reverse("measure:declarations") + "?by=officer_id&amp;id=O-PORT1-01",
        reverse("measure:declarations") + "?by=declarant_id&amp;id=D-0001",
    ):
        assert url in page, url
    inbox = client.get(reverse("measure:leads")).content.decode()
    assert "Officer O-PORT1-01 with declarant D-0001" in inbox
    exported = _csv(client.get(reverse("measure:leads") + "?export=leads"))
    assert ["Officer O-PORT1-01 with declarant D-0001", "O-PORT1-01|D-0001"] in [r[1:3] for r in exported]
    manager = client_for(personas["marc"]).get(reverse("measure:lead", args=[pair.pk])).content.decode()
    assert reverse("measure:trader", args=["declarant", "D-0001"]) not in manager  # no trader pages for him


# ---- Contracts


def test_contract_form_names_indicators_in_french_and_offers_only_targetable_ones(
    run: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["marc"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("measure:contract_create")).content.decode()
    assert "TF1 — Liquidées le jour de l" in body and "Assessed on the day" not in body
    assert "VOL_DECL" not in body  # the number of declarations has no better or worse
    assert "TRS_REG_ASSESS" in body and "(bureaux seulement)" in body


@pytest.mark.parametrize(
    ("indicators", "message"),
    [(["TF1", "VOL_DECL"], "no better or worse"), (["TRS_REG_ASSESS"], "measured for whole offices only")],
)
def test_contract_indicators_must_be_targetable_for_the_subject(
    run: Any, personas: dict[str, Any], indicators: list[str], message: str
) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        contracts.contract_create(
            run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
            months=3, indicators=indicators, improvement=15, signatories="DG", actor=personas["ingrid"],
        )  # fmt: skip
    assert not Contract.objects.exists()


def test_a_contract_starting_past_the_data_is_refused_with_the_reason(
    run: Any, personas: dict[str, Any]
) -> None:
    response = client_for(personas["marc"]).post(
        reverse("measure:contract_create"),
        {
            "subject_type": "officer", "subject_id": "O-PORT1-01", "period_start": "2031-01-01", "months": 6,
            "indicators": ["TF1"], "improvement": 15, "signatories": "DG",
        },
    )  # fmt: skip
    assert response.status_code == 400 and not Contract.objects.exists()
    assert "no month before 2031-01" in response.content.decode()


def test_a_share_target_is_typed_in_per_cent(run: Any, personas: dict[str, Any]) -> None:
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1", "TF5"], improvement=15, signatories="DG", actor=personas["marc"],
    )  # fmt: skip
    version = contract.versions.get()
    tf1, tf5 = version.targets.get(indicator="TF1"), version.targets.get(indicator="TF5")
    client = client_for(personas["marc"])
    url = reverse("measure:contract_action", args=[contract.pk])
    client.post(url, {"action": "target", "target": tf1.pk, "value": "85,5 %", "reason": "Agreed"})
    client.post(url, {"action": "target", "target": tf5.pk, "value": "20", "reason": "Agreed"})
    tf1.refresh_from_db()
    tf5.refresh_from_db()
    assert tf1.target == pytest.approx(0.855) and tf5.target == pytest.approx(20.0)
    page = client.post(
        url, {"action": "target", "target": tf1.pk, "value": "185", "reason": "x"}, follow=True
    )
    assert "between 0 and 100" in page.content.decode()
    tf1.refresh_from_db()
    assert tf1.target == pytest.approx(0.855)
    assert "85.5 %" in client.get(reverse("measure:contract", args=[contract.pk])).content.decode()


def test_the_evaluation_gives_each_contracts_share_achieved_and_downloads(
    run: Any, personas: dict[str, Any]
) -> None:
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1", "BP1"], improvement=15, signatories="DG", actor=personas["ingrid"],
    )  # fmt: skip
    contracts.contract_sign(version=contract.versions.get(), actor=personas["ingrid"])
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:contracts"))
    (c, ok, measured), = page.context["ranking"]  # fmt: skip
    assert page.context["ranking_rows"][0][3] == f"{100 * ok / measured:.0f} %"
    rows = _csv(client.get(reverse("measure:contracts") + "?export=evaluation"))
    assert rows[1][:5] == ["1", "Officer O-PORT1-01", "PORT1", str(ok), str(measured)]
    assert (
        client_for(personas["sam"]).get(reverse("measure:contracts") + "?export=evaluation").status_code
        == 200
    )
    assert (
        "text/csv"
        not in client_for(personas["sam"]).get(reverse("measure:contracts") + "?export=evaluation")[
            "Content-Type"
        ]
    )  # an officer gets his page, not the ranking


def test_scorecard_draws_shares_in_per_cent_and_the_target_over_the_contract_only(
    run: Any, personas: dict[str, Any]
) -> None:
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=2, indicators=["TF1"], improvement=15, signatories="DG", actor=personas["ingrid"],
    )  # fmt: skip
    contracts.contract_sign(version=contract.versions.get(), actor=personas["ingrid"])
    page = client_for(personas["ingrid"]).get(reverse("measure:officer", args=["O-PORT1-01"]))
    panel = next(p for p in page.context["panels"] if p["code"] == "TF1")
    lines = list(panel["lines"].values())
    value = next(v for v in lines[0] if v is not None)
    assert 1 < value <= 100 and panel["unit"] == "%"  # 68.4, not 0.684
    target = dict(zip(page.context["periods"], lines[2], strict=True))
    assert {p for p, v in target.items() if v is not None} == {"2024-04", "2024-05"}


# ---- Query counts: list pages do not grow with their rows


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_list_pages_do_not_query_once_per_row(
    run: Any, personas: dict[str, Any], django_user_model: Any
) -> None:
    client = client_for(personas["ingrid"])
    leads = list(Lead.objects.filter(run=run).order_by("rank"))
    lead = leads[0]
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1"], improvement=15, signatories="DG", actor=personas["ingrid"],
    )  # fmt: skip
    contracts.contract_sign(version=contract.versions.get(), actor=personas["ingrid"])
    urls = [
        reverse("measure:leads"),
        reverse("measure:lead", args=[lead.pk]),
        reverse("measure:contracts"),
        reverse("measure:contract", args=[contract.pk]),
        reverse("measure:antigaming"),
        reverse("measure:office", args=["PORT1"]),
        reverse("measure:declarations") + "?by=office_code&id=PORT1",
        reverse("measure:administration"),
    ]
    for url in urls:
        client.get(url)  # the tables of the analysis are computed once, then read from the cache
    before = {url: _queries(client, url) for url in urls}

    def grow(k: int) -> None:
        """More rows of everything the pages list, each with its own user."""
        user = django_user_model.objects.create_user(username=f"grow{k}", password="x", role="analyst")
        for other in leads[1 + 3 * k : 4 + 3 * k]:
            lead_update(lead=other, status=LeadStatus.REVIEW, reason="", assignee=user, actor=user)
        lead_comment(lead=lead, text=f"comment {k}", actor=user)
        contracts.note_add(contract=contract, month="2024-04", text=f"note {k}", actor=user)
        extra = contracts.contract_create(
            run=run, subject_type="officer", subject_id=f"O-PORT1-0{k + 2}", period_start=dt.date(2024, 4, 1),
            months=3, indicators=["TF1", "BP1"], improvement=15, signatories="DG", actor=user,
        )  # fmt: skip
        contracts.contract_sign(version=extra.versions.get(), actor=user)

    for k in range(3):
        grow(k)
    refer = leads[-1]
    lead_refer(lead=refer, note="Confirmed", actor=personas["ingrid"])
    after = {url: _queries(client, url) for url in urls}
    assert after == before


def test_a_lead_page_shows_who_changed_what(run: Any, personas: dict[str, Any]) -> None:
    lead = Lead.objects.filter(run=run).order_by("rank").first()
    assert lead is not None
    client = client_for(personas["ingrid"])
    url = reverse("measure:lead", args=[lead.pk])
    assert "No change yet" in client.get(url).content.decode()
    client.post(
        reverse("measure:lead_update", args=[lead.pk]), {"status": "review", "assignee": personas["ana"].pk}
    )
    client.post(
        reverse("measure:lead_update", args=[lead.pk]),
        {"status": "dismissed", "reason": "Known seasonal trade", "assignee": personas["ana"].pk},
    )
    history = client.get(url).context["history"]
    assert [h["by"] for h in history] == ["ingrid", "ingrid"]
    assert "Under review" in history[0]["what"] and "assigned to ana" in history[0]["what"]
    assert "Dismissed" in history[1]["what"] and "Known seasonal trade" in history[1]["what"]


def test_the_contract_pdf_has_a_line_to_sign_for_each_signatory(
    run: Any, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.template.loader import render_to_string

    from arusha_web.measure import views_contracts

    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1"], improvement=15, signatories="Director General\n\nO-PORT1-01 ",
        actor=personas["ingrid"],
    )  # fmt: skip
    rendered: list[str] = []
    original = views_contracts.pdf_response

    def capture(template: str, context: dict[str, Any], **kwargs: Any) -> Any:
        rendered.append(render_to_string(template, context))
        return original(template, context, **kwargs)

    monkeypatch.setattr(views_contracts, "pdf_response", capture)
    pdf = client_for(personas["ingrid"]).get(reverse("measure:contract_pdf", args=[contract.pk]))
    assert pdf.content[:4] == b"%PDF"
    signatures = rendered[0].split("Signatures", 1)[1]
    assert "<td>Director General</td>" in signatures and "<td>O-PORT1-01</td>" in signatures
    assert signatures.count("<tr>") == 3  # a header and one line per signatory, none for the blank line
    assert "Draft, not signed" in rendered[0]


def test_the_contract_form_offers_the_officers_and_offices_a_manager_may_choose(
    run: Any, personas: dict[str, Any]
) -> None:
    mine = client_for(personas["marc"]).get(reverse("measure:contract_create")).content.decode()
    assert '<option value="O-PORT1-01">' in mine and '<option value="PORT1">' in mine
    assert "O-AIRPT-01" not in mine and '<option value="PORT5">' not in mine
    everyone = client_for(personas["ingrid"]).get(reverse("measure:contract_create")).content.decode()
    assert '<option value="O-AIRPT-01">' in everyone and 'list="contract-subjects"' in everyone


def test_a_review_note_is_picked_by_month(run: Any, personas: dict[str, Any]) -> None:
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1"], improvement=15, signatories="DG", actor=personas["marc"],
    )  # fmt: skip
    page = client_for(personas["marc"]).get(reverse("measure:contract", args=[contract.pk])).content.decode()
    assert 'type="month"' in page and 'value="2024-06"' in page  # the contract's last month begun


def test_the_amendment_form_keeps_the_start_date_in_french(run: Any, personas: dict[str, Any]) -> None:
    contract = contracts.contract_create(
        run=run, subject_type="officer", subject_id="O-PORT1-01", period_start=dt.date(2024, 4, 1),
        months=3, indicators=["TF1"], improvement=15, signatories="DG", actor=personas["marc"],
    )  # fmt: skip
    contracts.contract_sign(version=contract.versions.get(), actor=personas["marc"])
    client = client_for(personas["marc"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("measure:contract", args=[contract.pk])).content.decode()
    assert 'type="date" name="period_start" value="2024-04-01"' in page  # not 01/04/2024, which it drops


def test_channel_mix_and_monthly_figures_drill_down_to_their_declarations(
    run: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:administration"))
    body = page.content.decode()
    office, *counts = page.context["channels"].rows[0]
    red = counts[d.CHANNELS.index("red")]
    url = reverse("measure:declarations")
    assert f"{url}?by=office_code&amp;id={office}&amp;channel=red" in body
    drill = client.get(url, {"by": "office_code", "id": office, "channel": "red"})
    assert drill.context["total"] == red and "Red channel" in drill.content.decode()
    assert {r[6] for r in drill.context["rows"]} == {"Red"}
    month, declarations, *_rest = page.context["trend"].rows[0]
    assert f"{url}?by=all&amp;id=ALL&amp;month={month}" in body
    assert client.get(url, {"by": "all", "id": "ALL", "month": month}).context["total"] == declarations
    marc = client_for(personas["marc"])  # his office's share of the month only
    mine = marc.get(url, {"by": "all", "id": "ALL", "month": month}).context["total"]
    assert 0 < mine < declarations
    for bad in ({"channel": "purple"}, {"month": "2024-13"}):
        assert client.get(url, {"by": "office_code", "id": office, **bad}).status_code == 404
    office_page = client.get(reverse("measure:office", args=["PORT1"]))
    first = office_page.context["trs"][0]
    link = f"{url}?by=office_code&amp;id=PORT1&amp;channel={first['channel']}&amp;month={first['month']}"
    assert link in office_page.content.decode()
    narrow = client.get(
        url, {"by": "office_code", "id": "PORT1", "channel": first["channel"], "month": first["month"]}
    )
    assert f"{narrow.context['total']:,}" == first["n"]


def test_figures_are_written_the_way_the_reader_writes_numbers() -> None:
    from django.utils import translation

    from arusha_web.measure.dashboards import fmt

    with translation.override("en"):
        assert (fmt(35703231520.0, "VOL_VALUE"), fmt(0.673, "TF1"), fmt(23.95, "TF5")) == (
            "35,703,231,520",
            "67.3 %",
            "23.95",
        )
    with translation.override("fr"):
        assert (fmt(35703231520.0, "VOL_VALUE"), fmt(0.673, "TF1"), fmt(23.95, "TF5")) == (
            "35\u00a0703\u00a0231\u00a0520",
            "67,3 %",
            "23,95",
        )
