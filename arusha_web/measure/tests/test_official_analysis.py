"""One official analysis: a trial replaces nobody's figures, publishing is audited and carries the
triage over, and the people offered a lead can open it (issue 18, items 1, 2, 11, 12, 13, 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from arusha_web.audit.models import AuditEntry
from arusha_web.conftest import client_for
from arusha_web.measure import publishing, selectors
from arusha_web.measure.models import (
    AnalysisRun,
    Dataset,
    IndicatorValue,
    Lead,
    LeadComment,
    LeadStatus,
    Publication,
    Referral,
    RunStatus,
)


def _run(name: str, *, days_ago: int = 0, by: Any = None, publish: bool = False) -> AnalysisRun:
    when = timezone.now() - dt.timedelta(days=days_ago)
    dataset = Dataset.objects.get_or_create(name=name, store_path=f"/nonexistent/{name}.duckdb")[0]
    run = AnalysisRun.objects.create(
        dataset=dataset, out_dir="/nonexistent", status=RunStatus.DONE, created_at=when, finished_at=when,
        started_by=by,
    )  # fmt: skip
    IndicatorValue.objects.create(run=run, entity_type="administration", entity_id="", period="2024-03",
                                  indicator="VOL_DECL", value=1.0)  # fmt: skip
    if publish:
        Publication.objects.create(run=run, published_at=when)
    return run


def _lead(
    run: AnalysisRun, rank: int, officer: str, kind: str, months: tuple[str, str], office: str = "PORT1"
) -> Lead:
    return Lead.objects.create(
        run=run, rank=rank, entity_type="officer", entity_id=officer, officer_id=officer, office_code=office,
        score=5.0, kind=kind, explanation=f"{officer} {kind}", window_start=months[0], window_end=months[1],
    )  # fmt: skip


@pytest.fixture
def official_and_trial(personas: dict[str, Any]) -> dict[str, AnalysisRun]:
    official = _run("National data", days_ago=5, publish=True)
    _lead(official, 1, "OFF-PORT", "channel_override", ("2024-01", "2024-03"))
    trial = _run("Analyst's trial", days_ago=0, by=personas["ana"])
    _lead(trial, 1, "OFF-TRIAL", "after_hours_release", ("2024-02", "2024-02"))
    return {"official": official, "trial": trial}


def test_a_newer_trial_replaces_nobodys_figures(
    personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    official = official_and_trial["official"]
    for who in ("marc", "aude", "ingrid", "ana"):
        assert selectors.shown_run(personas[who]) == official
    inbox = client_for(personas["marc"]).get(reverse("measure:leads")).content.decode()
    assert "OFF-PORT" in inbox and "OFF-TRIAL" not in inbox and "Official analysis" in inbox
    # The risks' evidence follows the official analysis too (risks/tests/test_evidence.py).
    assert selectors.official_run() == official


@pytest.mark.parametrize("who", ["marc", "aude"])
def test_a_trial_is_not_there_for_those_who_do_not_analyse(
    who: str, personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    trial = official_and_trial["trial"]
    client = client_for(personas[who])
    lead = Lead.objects.get(run=trial)
    urls = [
        reverse("measure:administration") + f"?run={trial.pk}",
        reverse("measure:leads") + f"?run={trial.pk}",
        reverse("measure:lead", args=[lead.pk]),
        reverse("measure:compare") + f"?a={official_and_trial['official'].pk}&b={trial.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (403, 404), url  # the same answer as for no such analysis
        assert "OFF-TRIAL" not in response.content.decode()


def test_analysts_open_a_trial_and_the_page_says_it_is_one(
    personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    trial = official_and_trial["trial"]
    page = client_for(personas["ana"]).get(reverse("measure:leads") + f"?run={trial.pk}").content.decode()
    assert "OFF-TRIAL" in page and "Trial analysis — not published" in page
    assert "Make this the official analysis" in page  # analysts hold measure.publish
    admin_page = (
        client_for(personas["alice"]).get(reverse("measure:index") + f"?run={trial.pk}").content.decode()
    )
    assert "Trial analysis" in admin_page and "Make this the official analysis" not in admin_page


def test_publishing_is_for_those_with_the_right_and_is_audited(
    personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    trial = official_and_trial["trial"]
    url = reverse("measure:analysis_publish", args=[trial.pk])
    assert client_for(personas["marc"]).post(url, {"note": "mine"}).status_code == 403
    assert client_for(personas["alice"]).post(url, {"note": "mine"}).status_code == 403
    assert selectors.official_run() == official_and_trial["official"]
    confirm = client_for(personas["ingrid"]).get(url)
    assert confirm.status_code == 200 and "National data" in confirm.content.decode()
    response = client_for(personas["ingrid"]).post(url, {"note": "Quarter closed."})
    assert response.status_code == 302 and selectors.official_run() == trial
    publication = Publication.objects.get(run=trial)
    assert publication.published_by == personas["ingrid"] and publication.note == "Quarter closed."
    entry = AuditEntry.objects.filter(object_type__endswith="analysisrun", object_id=str(trial.pk)).latest(
        "pk"
    )
    assert entry.after is not None and entry.after["official_analysis"] == trial.pk
    # Everyone sees it now; publishing it again is refused in words.
    assert selectors.shown_run(personas["marc"]) == trial
    again = client_for(personas["ingrid"]).post(url, {"note": ""}, follow=True).content.decode()
    assert "already the official one" in again
    assert Publication.objects.filter(run=trial).count() == 1


def test_an_over_long_publication_note_is_refused_and_nothing_is_published(
    personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    trial = official_and_trial["trial"]
    response = client_for(personas["ana"]).post(
        reverse("measure:analysis_publish", args=[trial.pk]), {"note": "x" * 2001}
    )
    assert response.status_code == 400 and "at most 2000 characters" in response.content.decode().replace(
        ",", ""
    )
    assert selectors.official_run() == official_and_trial["official"]


def test_triage_carries_over_to_the_next_official_analysis_and_nothing_is_lost(
    personas: dict[str, Any],
) -> None:
    ingrid, ana = personas["ingrid"], personas["ana"]
    q1 = _run("Q1", days_ago=30, publish=True)
    reviewed = _lead(q1, 1, "OFF-PORT", "channel_override", ("2024-01", "2024-03"))
    reviewed.status, reviewed.assignee = LeadStatus.REVIEW, ana
    reviewed.save()
    LeadComment.objects.create(lead=reviewed, author=ana, text="Asked for the March logs.")
    dismissed = _lead(q1, 2, "OFF-AIR", "after_hours_release", ("2024-01", "2024-01"), office="AIRP1")
    dismissed.status, dismissed.reason = LeadStatus.DISMISSED, "Night shift that month."
    dismissed.save()
    referred = _lead(q1, 3, "OFF-SAM", "low_penalty", ("2024-02", "2024-03"))
    referred.status = LeadStatus.REFERRED
    referred.save()
    Referral.objects.create(lead=referred, referred_by=ingrid, note="Needs a look.", intake_ref="R-42")

    q2 = _run("Q1 and Q2", days_ago=1)
    same = _lead(q2, 1, "OFF-PORT", "channel_override", ("2024-03", "2024-05"))  # overlaps in March
    later = _lead(
        q2, 2, "OFF-AIR", "after_hours_release", ("2024-05", "2024-06"), office="AIRP1"
    )  # January then May: months apart
    other_kind = _lead(q2, 3, "OFF-PORT", "release_delay", ("2024-01", "2024-03"))
    still = _lead(q2, 4, "OFF-SAM", "low_penalty", ("2024-03", "2024-04"))

    publication = publishing.publish(run=q2, actor=ingrid)
    assert publication.carried == 2
    for lead in (same, later, other_kind, still):
        lead.refresh_from_db()
    assert (same.status, same.assignee, same.carried_from) == (LeadStatus.REVIEW, ana, reviewed)
    assert [c.text for c in same.comments.all()] == ["Asked for the March logs."]
    assert (still.status, still.referral.intake_ref) == (LeadStatus.REFERRED, "R-42")
    assert later.status == other_kind.status == LeadStatus.NEW  # another window, another kind
    # The old leads are as they were, and the replaced analysis can still be opened.
    reviewed.refresh_from_db()
    assert reviewed.status == LeadStatus.REVIEW and reviewed.comments.count() == 1
    page = client_for(ingrid).get(reverse("measure:lead", args=[same.pk])).content.decode()
    assert reverse("measure:lead", args=[reviewed.pk]) in page and "Asked for the March logs." in page
    # Which analysis was official when: the risk map's replay reads this.
    assert selectors.official_run(timezone.now() - dt.timedelta(days=10)) == q1
    assert selectors.official_run() == q2
    old = client_for(personas["marc"]).get(reverse("measure:leads") + f"?run={q1.pk}")
    assert old.status_code == 200 and "An earlier official analysis" in old.content.decode()


def test_a_lead_is_offered_only_to_people_who_can_open_it(
    personas: dict[str, Any], org: dict[str, Any]
) -> None:
    from arusha_web.accounts.models import User
    from arusha_web.accounts.roles import Role

    airport_manager = User.objects.create_user(
        username="otto", password="x", role=Role.OFFICE_MANAGER, office=org["air"], first_name="Otto",
        last_name="Okafor",
    )  # fmt: skip
    run = _run("National", publish=True)
    lead = _lead(run, 1, "OFF-PORT", "channel_override", ("2024-01", "2024-02"))
    offered = set(selectors.assignable_users(lead))
    assert personas["marc"] in offered and airport_manager not in offered
    assert personas["ana"] in offered and personas["ingrid"] in offered
    page = client_for(personas["ingrid"]).get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert "Okafor" not in page and "— Analyst" in page
    refused = client_for(personas["ingrid"]).post(
        reverse("measure:lead_update", args=[lead.pk]),
        {"status": LeadStatus.REVIEW, "reason": "", "assignee": airport_manager.pk},
    )
    lead.refresh_from_db()
    assert refused.status_code == 400 and lead.assignee is None and lead.status == LeadStatus.NEW
    assert "cannot open this lead" in refused.content.decode()
    # A trial's lead: no office manager may open it, so none is offered.
    trial_lead = _lead(_run("Trial"), 1, "OFF-PORT", "channel_override", ("2024-01", "2024-02"))
    assert personas["marc"] not in set(selectors.assignable_users(trial_lead))


def test_a_referred_lead_reaches_the_intake_with_its_office_and_category(
    personas: dict[str, Any],
) -> None:
    from arusha_web.cases.models import Report

    run = _run("National", publish=True)
    lead = _lead(run, 1, "OFF-PORT", "officer_declarant_pairing", ("2024-01", "2024-02"))
    client = client_for(personas["ingrid"])
    client.post(reverse("measure:lead_refer", args=[lead.pk]), {"note": "Same broker every time."})
    report = Report.objects.get(lead_entity_id="OFF-PORT")
    assert report.office is not None and (report.office.code, report.category) == ("PORT1", "favouritism")
    page = client.get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert f'href="{reverse("cases:report_detail", args=[report.pk])}"' in page
    # An analyst may not open Cases: the reference is shown, not linked.
    analyst = client_for(personas["ana"]).get(reverse("measure:lead", args=[lead.pk])).content.decode()
    assert report.reference in analyst and reverse("cases:report_detail", args=[report.pk]) not in analyst


def test_the_leads_file_carries_the_triage_and_opens_in_excel(personas: dict[str, Any]) -> None:
    run = _run("National", publish=True)
    lead = _lead(run, 1, "OFF-PORT", "channel_override", ("2024-01", "2024-02"))
    lead.status, lead.reason = LeadStatus.DISMISSED, "Strict senior: χ² means nothing here."
    lead.save()
    body = client_for(personas["ingrid"]).get(reverse("measure:leads") + "?export=leads&format=csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "Reason" in text.splitlines()[0] and "Strict senior: χ² means nothing here." in text


def test_comparing_starts_with_two_analyses_of_one_dataset_and_says_when_they_are_two(
    personas: dict[str, Any],
) -> None:
    first = _run("National", days_ago=9, publish=True)
    official = _run("National", days_ago=5, publish=True)
    _run("Other data", days_ago=1, publish=True)  # the newest, of another dataset
    newest = selectors.official_run()
    assert newest is not None and newest.dataset.name == "Other data"
    Publication.objects.create(run=official)  # national is official again
    client = client_for(personas["ingrid"])
    page = client.get(reverse("measure:compare")).content.decode()
    assert f"Before (#{first.pk})" in page and f"After (#{official.pk})" in page
    other = AnalysisRun.objects.get(dataset__name="Other data")
    mixed = client.get(reverse("measure:compare") + f"?a={first.pk}&b={other.pk}").content.decode()
    assert "These analyses read different data" in mixed


def test_the_scorecard_card_is_for_those_who_have_a_scorecard(
    personas: dict[str, Any], org: dict[str, Any]
) -> None:
    from arusha_web.org.models import StaffRecord

    _run("National", publish=True)
    StaffRecord.objects.create(
        administration=org["administration"], officer_id="AUD001", full_name="Aude", user=personas["aude"]
    )
    auditor = client_for(personas["aude"]).get(reverse("measure:index")).content.decode()
    assert "My scorecard" not in auditor and "AUD001" not in auditor
    sam = client_for(personas["sam"]).get(reverse("measure:index")).content.decode()
    assert "No figures for your officer identifier OFF-SAM" in sam


def test_nothing_published_yet_is_said_and_analysts_see_their_newest(personas: dict[str, Any]) -> None:
    trial = _run("First data", by=personas["ana"])
    manager = client_for(personas["marc"]).get(reverse("measure:index")).content.decode()
    assert "No official analysis yet" in manager
    assert selectors.shown_run(personas["ana"]) == trial
    analyst = client_for(personas["ana"]).get(reverse("measure:index")).content.decode()
    assert "Trial analysis — not published" in analyst


def test_links_keep_the_analysis_the_viewer_switched_to(personas: dict[str, Any], run: Any) -> None:
    from arusha_web.measure.models import IndicatorValue

    earlier = run
    later = _run("Newer", publish=True)  # official now; the fixture's analysis is an earlier one
    assert selectors.official_run() == later
    office = IndicatorValue.objects.filter(run=earlier, entity_type="office").values_list(
        "entity_id", flat=True
    )[0]
    page = client_for(personas["ingrid"]).get(reverse("measure:office", args=[office]) + f"?run={earlier.pk}")
    html = page.content.decode()
    officer_link = reverse("measure:officer", args=["X"]).rsplit("X", 1)[0]
    assert f"?run={earlier.pk}" in html and officer_link in html
    # Every link to a scorecard or to the declarations behind a figure keeps the analysis.
    import re

    hrefs = re.findall(r'href="(/measure/(?:officers|declarations)/[^"]*)"', html)
    assert hrefs and all(f"run={earlier.pk}" in h for h in hrefs), [h for h in hrefs if "run=" not in h][:3]
    # Without a switch, links stay plain (the official analysis).
    plain = client_for(personas["ingrid"]).get(reverse("measure:administration")).content.decode()
    assert "run=" not in "".join(re.findall(r'href="(/measure/offices/[^"]*)"', plain))


@pytest.mark.parametrize(
    "path",
    [
        "measure:administration", "measure:targeting", "measure:antigaming", "measure:trader_risk",
        "measure:leads", "measure:index",
    ],
)  # fmt: skip
def test_no_page_shows_a_trial_to_an_office_manager_or_an_auditor(
    path: str, personas: dict[str, Any], official_and_trial: dict[str, Any]
) -> None:
    trial = official_and_trial["trial"]
    for who in ("marc", "aude"):
        response = client_for(personas[who]).get(reverse(path) + f"?run={trial.pk}")
        assert response.status_code in (403, 404), (path, who, response.status_code)


def test_the_next_quarter_takes_over_last_quarters_notes_but_not_an_assignee_who_cannot_open_it(
    personas: dict[str, Any], org: dict[str, Any]
) -> None:
    from arusha_web.accounts.models import User
    from arusha_web.accounts.roles import Role

    airport = User.objects.create_user(
        username="otto", password="x", role=Role.OFFICE_MANAGER, office=org["air"]
    )
    q1 = _run("Q1", days_ago=30, publish=True)
    old = _lead(q1, 1, "OFF-PORT", "channel_override", ("2024-01", "2024-03"), office="AIRP1")
    old.status, old.assignee = LeadStatus.REVIEW, airport
    old.save()
    LeadComment.objects.create(lead=old, author=personas["ana"], text="Seen in March.")
    q2 = _run("Q2", days_ago=1)
    new = _lead(q2, 1, "OFF-PORT", "channel_override", ("2024-04", "2024-06"))  # now at PORT1
    publishing.publish(run=q2, actor=personas["ingrid"])
    new.refresh_from_db()
    assert new.carried_from == old and new.status == LeadStatus.REVIEW
    assert [c.text for c in new.comments.all()] == ["Seen in March."]
    assert new.assignee is None  # the airport's manager could not open a PORT1 lead


def test_a_contract_is_judged_on_the_official_analysis(personas: dict[str, Any]) -> None:
    from arusha_web.measure import contracts
    from arusha_web.measure.models import Contract, ContractTarget, ContractVersion

    drafted_on = _run("Q1", days_ago=30, publish=True)
    contract = Contract.objects.create(
        subject_type="officer", subject_id="OFF-PORT", office_code="PORT1", run=drafted_on
    )
    version = ContractVersion.objects.create(
        contract=contract, number=1, period_start=dt.date(2024, 3, 1), period_end=dt.date(2024, 3, 31),
        signed_at=timezone.now(),
    )  # fmt: skip
    ContractTarget.objects.create(version=version, indicator="BP1", target=0.05)
    for run, value in ((drafted_on, 0.02), (later := _run("Q1 and Q2", days_ago=1), 0.09)):
        IndicatorValue.objects.create(run=run, entity_type="officer", entity_id="OFF-PORT", office_code="PORT1",
                                      period="2024-03", indicator="BP1", value=value)  # fmt: skip
    Publication.objects.create(run=later)
    [row] = contracts.scorecard(contract=contract, version=version)
    assert row.months == [("2024-03", 0.09, False)]  # the official figure (the scorecard's), not Q1's 0.02
    page = (
        client_for(personas["ingrid"]).get(reverse("measure:contract", args=[contract.pk])).content.decode()
    )
    assert f"Figures from the official analysis, #{later.pk}" in page


def test_an_official_analysis_chosen_by_the_upgrade_is_flagged_to_those_who_publish(
    personas: dict[str, Any],
) -> None:
    from arusha_web.measure.models import UPGRADE_NOTE

    run = _run("Old install")
    Publication.objects.create(run=run, note=UPGRADE_NOTE)  # what migration 0008 writes
    analyst = client_for(personas["ana"]).get(reverse("measure:index")).content.decode()
    assert "became the official one automatically" in analyst
    manager = client_for(personas["marc"]).get(reverse("measure:index")).content.decode()
    assert "automatically" not in manager  # he cannot change it: nothing to ask of him
    client = client_for(personas["ingrid"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    history = client.get(reverse("measure:analysis_publish", args=[run.pk])).content.decode()
    assert UPGRADE_NOTE not in history  # the system's note in the reader's language
