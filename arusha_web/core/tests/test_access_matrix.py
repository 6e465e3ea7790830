"""Every URL, every role: allowed or denied exactly as accounts/roles.py says.

A URL added without a row in URLS fails `test_every_url_has_a_row`, so nobody can add a page
that escapes this check.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from arusha_web.accounts.roles import CAPABILITIES, Role
from arusha_web.conftest import PERSONAS, client_for
from arusha_web.testing import ADM, ANA, AUD, AUTH, EVERYONE, INT, INV, MGR, PUBLIC, STF, Row

# Who may do what, written out here independently of accounts/roles.py, so a change of the
# rules there must be made deliberately here too. Module apps add theirs in tests/access.py.
EXPECTED: dict[str, set[str]] = {
    "section.diagnose": {ADM, INT, ANA, MGR, AUD, STF},
    "section.risks": {ADM, INT, ANA, MGR, AUD},
    "section.measure": {ADM, INT, ANA, MGR, AUD, STF},
    "section.prevent": EVERYONE,
    "section.cases": {INT, INV, AUD},
    "section.transparency": EVERYONE,
    "section.admin": {ADM, AUD},
    "org.view": {ADM, INT, ANA, MGR, INV, AUD},
    "org.manage": {ADM},
    "users.manage": {ADM},
    "audit.view": {ADM, AUD},
    "jobs.view": {ADM, INT, ANA, AUD},
    "jobs.run": {ADM, ANA},
}


def role_can(role: str, capability: str) -> bool:
    return role in EXPECTED[capability]


def _section(slug: str) -> Row:
    return Row(f"section.{slug}", args=lambda _o, s=slug: [s])  # type: ignore[misc]


URLS: dict[str, Row | list[Row]] = {
    "core:home": Row(AUTH),
    "core:section": [
        _section(s) for s in ("diagnose", "risks", "measure", "prevent", "cases", "transparency")
    ],
    "core:admin": Row("section.admin"),
    "accounts:login": Row(PUBLIC),
    "accounts:logout": Row(AUTH, "post"),
    "accounts:profile": Row(AUTH),
    "accounts:2fa_setup": Row(AUTH),
    "accounts:2fa_verify": Row(AUTH),
    "accounts:token_create": Row(AUTH, "post"),
    "accounts:token_revoke": Row("own token", "post", lambda o: [o["token"].pk]),
    "accounts:user_list": Row("users.manage"),
    "accounts:user_create": Row("users.manage"),
    "accounts:user_edit": Row("users.manage", args=lambda o: [o["users"]["sam"].pk]),
    "org:office_list": Row("org.view"),
    "org:office_create": Row("org.manage"),
    "org:office_edit": Row("org.manage", args=lambda _o: ["PORT1"]),
    "org:staff_create": Row("org.manage"),
    "org:staff_edit": Row("org.manage", args=lambda _o: ["OFF-PORT"]),
    "org:staff_list": Row("org.view"),
    "org:staff_detail": Row("org.view", args=lambda _o: ["OFF-PORT"]),
    "audit:list": Row("audit.view"),
    "audit:detail": Row("audit.view", args=lambda o: [o["audit_seq"]]),
    "audit:export": Row("audit.view"),
    "audit:verify": Row("audit.view", "post"),
    "jobs:list": Row("jobs.view"),
    "jobs:detail": Row("jobs.view", args=lambda o: [o["job"].pk]),
    "jobs:start": Row("jobs.run", "post"),
    "set_language": Row(PUBLIC, "post"),
    "healthz": Row(PUBLIC),
}

API = {  # path -> capability or AUTH
    "/api/me": AUTH,
    "/api/offices": "org.view",
    "/api/staff": AUTH,
    "/api/docs": AUTH,
    "/api/cases": "cases.investigate",
    "/api/openapi.json": AUTH,
}


def _module_access() -> list[Any]:
    """The tests/access.py modules of the module apps that have one."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("arusha_web."):
            try:
                found.append(importlib.import_module(f"{config.name}.tests.access"))
            except ModuleNotFoundError:
                continue
    return found


for _module in _module_access():
    EXPECTED.update(_module.EXPECTED)
    URLS.update(_module.URLS)


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns == "api":
                continue  # the API is walked through API above
            yield from _url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def _rows() -> Iterator[tuple[str, Row]]:
    for name, rows in URLS.items():
        for row in rows if isinstance(rows, list) else [rows]:
            yield name, row


@pytest.fixture
def objects(personas: dict[str, Any]) -> dict[str, Any]:
    return matrix_objects(personas)


def matrix_objects(personas: dict[str, Any]) -> dict[str, Any]:
    """The records the rows' URLs name, from every app's ``make_objects`` (also for other walks)."""
    from arusha_web.accounts.models import ApiToken
    from arusha_web.audit.models import AuditEntry
    from arusha_web.jobs.models import Job

    token, _key = ApiToken.issue(user=personas["alice"], name="matrix")
    job = Job.objects.create(kind="system.selfcheck", params={}, created_by=personas["ana"])
    seq = AuditEntry.objects.order_by("seq").values_list("seq", flat=True).first()
    assert seq is not None, "creating the personas should have written audit entries"
    objects = {"users": personas, "token": token, "job": job, "audit_seq": seq}
    for module in _module_access():
        if hasattr(module, "make_objects"):
            objects.update(module.make_objects(personas))
    return objects


def _expected_allowed(role: str, username: str, row: Row) -> bool:
    if row.access in (AUTH, PUBLIC):
        return True
    if row.access == "own token":
        return username == "alice"
    return role_can(role, row.access)


def test_every_url_has_a_row():
    missing = sorted(set(_url_names()) - set(URLS))
    assert not missing, f"add these URLs to the access matrix: {missing}"


@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_each_role_gets_exactly_what_it_may(username: str, objects: dict[str, Any]):
    user = objects["users"][username]
    wrong: list[str] = []
    for name, row in _rows():
        client = client_for(user)
        url = reverse(name, args=row.args(objects))
        response = getattr(client, row.method)(url, row.data or {})
        allowed = _expected_allowed(user.role, username, row)
        denied = response.status_code in (403, 404)
        if allowed == denied:
            wrong.append(
                f"{row.method.upper()} {url}: {response.status_code}, expected {'allowed' if allowed else 'denied'}"
            )
    for path, access in {**API, f"/api/jobs/{objects['job'].pk}": "jobs.view"}.items():
        response = client_for(user).get(path)
        allowed = access == AUTH or role_can(user.role, access)
        if allowed != (response.status_code == 200):
            wrong.append(f"GET {path}: {response.status_code}, expected {'allowed' if allowed else 'denied'}")
    assert not wrong, f"{username} ({Role(user.role).label}):\n" + "\n".join(wrong)


def test_anonymous_users_see_only_public_pages(objects: dict[str, Any]):
    wrong = []
    for name, row in _rows():
        url = reverse(name, args=row.args(objects))
        response = getattr(Client(), row.method)(url, row.data or {})
        if row.access == PUBLIC:
            ok = response.status_code in (200, 302, 503) and "/accounts/login/" not in response.get(
                "Location", ""
            )
            ok = ok or name == "accounts:login"
        else:
            ok = response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        if not ok:
            wrong.append(f"{row.method.upper()} {url}: {response.status_code}")
    for path in API:
        response = Client().get(path)
        if response.status_code not in (401, 302):
            wrong.append(f"GET {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_api_accepts_a_bearer_token_with_the_same_rules(objects: dict[str, Any]):
    from arusha_web.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=objects["users"]["sam"], name="script")
    client = Client()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["role"] == "staff"
    staff = client.get("/api/staff", headers={"Authorization": f"Bearer {key}"})
    assert [s["officer_id"] for s in staff.json()] == ["OFF-SAM"]
    assert client.get("/api/offices", headers={"Authorization": f"Bearer {key}"}).status_code == 403
    assert client.get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_the_rules_in_roles_py_are_the_ones_written_here():
    assert {cap: {str(r) for r in roles} for cap, roles in CAPABILITIES.items()} == EXPECTED
