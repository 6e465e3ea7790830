"""The demo fills reports and cases at several stages, and running it twice adds nothing."""

from __future__ import annotations

import pytest

from arusha_web.cases.demo import demo_setup
from arusha_web.cases.models import Case, Message, Report
from arusha_web.core.demo import demo_setup as core_demo_setup


@pytest.mark.django_db
def test_demo_is_idempotent_and_covers_every_stage(monkeypatch: pytest.MonkeyPatch):
    users = {u.username: u for u in core_demo_setup(password="demo-password-1")}
    demo_setup(users=users, progress=lambda _m: None)
    counts = (Report.objects.count(), Case.objects.count(), Message.objects.count())
    demo_setup(users=users, progress=lambda _m: None)
    assert (Report.objects.count(), Case.objects.count(), Message.objects.count()) == counts
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"received", "acknowledged", "merged", "case_opened", "closed"} <= statuses
    assert set(Case.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert Report.objects.filter(source="lead").exists() and Report.objects.filter(source="staff").exists()
    assert Message.objects.filter(from_reporter=True).exists()


@pytest.mark.django_db
def test_the_demo_case_file_links_to_a_risk_of_the_register(settings: pytest.FixtureRequest):
    from arusha_web.cases.models import CaseEntry
    from arusha_web.risks.demo import demo_setup as risks_demo_setup

    settings.ROOT_URLCONF = "arusha_web.urls"  # type: ignore[attr-defined]
    users = {u.username: u for u in core_demo_setup(password="demo-password-1")}
    risks_demo_setup(users=users, progress=lambda _m: None)
    demo_setup(users=users, progress=lambda _m: None)
    link = CaseEntry.objects.get(kind="link")
    assert link.link_path.startswith("/risks/") and link.link_label == "Risk"
