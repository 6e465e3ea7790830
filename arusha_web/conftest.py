"""Personas shared by the web app's tests.

Alice administers; Ingrid is in the integrity unit; Ana analyses data; Marc manages the PORT1
office only; Ivan investigates; Aude audits (read-only); Sam is frontline staff and must see
only his own records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.org.models import Administration, Office, StaffRecord

PASSWORD = "correct-horse-battery-9"
PERSONAS = {
    "alice": Role.ADMINISTRATOR,
    "ingrid": Role.INTEGRITY,
    "ana": Role.ANALYST,
    "marc": Role.OFFICE_MANAGER,
    "ivan": Role.INVESTIGATOR,
    "aude": Role.AUDITOR,
    "sam": Role.STAFF,
}


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Give every test the default language back.

    Why: the test client runs requests in the test's own thread, and a request in French (an
    ``Accept-Language`` header, a language cookie) leaves French active there for the tests after
    it: labels a later test computes then no longer match the English pages it reads.
    """
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back the reference data that migrations ship (RAD factors, risk catalogue).

    Transactional tests (browser, CLI, worker) end by emptying every table, migration data
    included, so a later test would otherwise find no factors or process steps.
    """
    wants_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not wants_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if "live_server" in wants_db else "db")
    from django.apps import apps

    from arusha_web.diagnose.models import Factor
    from arusha_web.diagnose.services import reference_load
    from arusha_web.risks.models import ProcessStep
    from arusha_web.risks.seed import seed_reference

    if not Factor.objects.exists():
        reference_load()
    if not ProcessStep.objects.exists():
        seed_reference(apps)


@pytest.fixture
def org(db: None) -> dict[str, Any]:
    administration = Administration.objects.create(name="Test Customs")
    port = Office.objects.create(administration=administration, code="PORT1", name="Seaport")
    air = Office.objects.create(administration=administration, code="AIRP1", name="Airport")
    return {"administration": administration, "port": port, "air": air}


@pytest.fixture
def personas(org: dict[str, Any]) -> dict[str, User]:
    users = {}
    for username, role in PERSONAS.items():
        users[username] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            office=org["port"] if role == Role.OFFICE_MANAGER else None,
        )
    administration = org["administration"]
    StaffRecord.objects.create(
        administration=administration,
        officer_id="OFF-SAM",
        full_name="Sam Staff",
        office=org["port"],
        user=users["sam"],
    )
    StaffRecord.objects.create(
        administration=administration, officer_id="OFF-PORT", full_name="Pat Port", office=org["port"]
    )
    StaffRecord.objects.create(
        administration=administration, officer_id="OFF-AIR", full_name="Abe Air", office=org["air"]
    )
    return users


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# Browser tests: mark a module with `pytestmark = BROWSER`, take the `page` fixture, log in
# with `browser_login(page, "ana")`. They run when ARUSHA_BROWSER_TESTS=1 (make test sets it
# when Chromium is installed).
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(os.environ.get("ARUSHA_BROWSER_TESTS") != "1", reason="ARUSHA_BROWSER_TESTS is not 1"),
]


@pytest.fixture
def page(live_server: Any, transactional_db: None) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM is used by the
    # test (fixtures) on the same thread, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from arusha_web.browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        yield page
        browser.close()


def browser_login(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base_url + "/")
