"""Each guess at a receipt code costs a puzzle; a puzzle carries one guess, for a limited time."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from arusha_web.cases import puzzle, services

from .helpers import follow_up, puzzle_on_page, solve_puzzle, submit_public

DIGITS = "1234567812345678"


def _followup_page(client: Client) -> tuple[str, int]:
    return puzzle_on_page(client.get(reverse("report:followup")).content.decode())


def _send(client: Client, code: str, token: str, proof: int | str) -> str:
    response = client.post(reverse("report:followup"), {"code": code, "puzzle": token, "proof": proof})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_without_javascript_the_code_is_not_checked_and_the_page_says_why(
    org: dict[str, Any], monkeypatch: Any
):
    _response, code = submit_public(Client())
    client = Client()
    page = client.get(reverse("report:followup")).content.decode()
    assert "<noscript>" in page and "This page needs JavaScript" in page
    lookups: list[str] = []
    monkeypatch.setattr(services, "report_by_receipt", lambda *, code: lookups.append(code))
    response = client.post(reverse("report:followup"), {"code": code})  # what a browser without JS sends
    assert response.status_code == 200
    assert "this page needs JavaScript to protect receipt codes from guessing" in response.content.decode()
    assert lookups == []  # no Argon2 check was spent on it


@pytest.mark.django_db
def test_a_solved_puzzle_carries_one_guess_only(org: dict[str, Any], settings: Any):
    # 16 bits: at the tests' usual 4, a proof for one code also solved the other's puzzle once in
    # 16 runs (the check "nor does the proof fit another code" then failed by chance).
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 16
    _response, code = submit_public(Client())
    client = Client()
    token, bits = _followup_page(client)
    wrong = str((int(code) + 1) % 10**16).zfill(16)
    proof = solve_puzzle(token, wrong, bits)
    assert "This receipt code is not known" in _send(client, wrong, token, proof)
    assert "already used" in _send(client, wrong, token, proof)  # sent again
    # Nor does the proof fit another code, the right one included.
    assert "check against guessing failed" in _send(Client(), code, token, proof)
    assert follow_up(client, code).status_code == 302


@pytest.mark.django_db
def test_a_proof_weaker_than_the_difficulty_is_refused(org: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 12
    _response, code = submit_public(Client())
    client = Client()
    token, bits = _followup_page(client)
    assert bits == 12
    weak = solve_puzzle(token, code, bits, zeros=bits - 1)
    assert "check against guessing failed" in _send(client, code, token, weak)
    assert "check against guessing failed" in _send(client, code, token, "not a number")
    strong = solve_puzzle(token, code, bits)
    assert (
        client.post(reverse("report:followup"), {"code": code, "puzzle": token, "proof": strong}).status_code
        == 302
    )


@pytest.mark.django_db
def test_a_puzzle_cannot_be_made_easier_by_editing_it(org: dict[str, Any], settings: Any):
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 12
    _response, code = submit_public(Client())
    client = Client()
    token, _bits = _followup_page(client)
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 1
    easy = puzzle.puzzle_issue().token
    forged = easy.split(":")[0] + ":" + token.split(":")[1]  # an easy puzzle under the hard one's signature
    assert "check against guessing failed" in _send(client, code, forged, solve_puzzle(forged, code, 1))


def test_a_puzzle_is_valid_for_the_configured_window_exactly(settings: Any):
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS = 600
    issued_at = 1_750_000_000.0
    fresh = puzzle.puzzle_issue(now=issued_at)
    late = puzzle.puzzle_issue(now=issued_at)

    def check(issued: puzzle.Puzzle, after: float) -> puzzle.Verdict:
        proof = str(solve_puzzle(issued.token, DIGITS, issued.bits))
        return puzzle.puzzle_check(token=issued.token, digits=DIGITS, proof=proof, now=issued_at + after)

    assert check(fresh, 600) is puzzle.Verdict.SOLVED
    assert check(late, 601) is puzzle.Verdict.EXPIRED


def test_a_used_puzzle_is_remembered_in_memory_as_long_as_the_window(settings: Any, monkeypatch: Any):
    """The marker that refuses a second use must outlive the puzzle, and never touch the disk."""
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS = 900
    writes: list[tuple[str, Any]] = []
    original_add = LocMemCache.add

    def spy_add(
        self: LocMemCache, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        writes.append((key, timeout))
        return original_add(self, key, value, timeout, version)

    monkeypatch.setattr(LocMemCache, "add", spy_add)
    issued = puzzle.puzzle_issue()
    proof = str(solve_puzzle(issued.token, DIGITS, issued.bits))
    assert puzzle.puzzle_check(token=issued.token, digits=DIGITS, proof=proof) is puzzle.Verdict.SOLVED
    assert [timeout for _key, timeout in writes] == [900]
    assert isinstance(caches[puzzle.USED_CACHE], LocMemCache)
    # Once the window is over, the puzzle itself is refused as expired: the marker may go.
    assert (
        puzzle.puzzle_check(token=issued.token, digits=DIGITS, proof=proof, now=time.time() + 901)
        is puzzle.Verdict.EXPIRED
    )


def test_the_production_cache_for_used_puzzles_is_in_memory() -> None:
    # The tests' conftest replaces CACHES; read what settings.py itself configures.
    configured = importlib.import_module("arusha_web.settings").CACHES
    assert configured[puzzle.USED_CACHE]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ARUSHA_CASES_RECEIPT_PUZZLE_BITS", 0),
        ("ARUSHA_CASES_RECEIPT_PUZZLE_BITS", 40),
        ("ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS", 5),
    ],
)
def test_a_bad_setting_is_named_in_the_error(settings: Any, name: str, value: int):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        puzzle.puzzle_issue()


@pytest.mark.django_db
def test_a_near_miss_takes_as_long_as_any_wrong_code(org: dict[str, Any], monkeypatch: Any):
    """One Argon2 check per code whether or not a report's code shares its first 6 digits:
    otherwise timing would tell a guesser which prefixes exist."""
    report, code = services.report_submit(source="public", category="other", description="x")
    checks: list[str] = []
    real_check = services.check_password

    def counting_check(password: str, encoded: str) -> bool:
        checks.append(password)
        return bool(real_check(password, encoded))

    monkeypatch.setattr(services, "check_password", counting_check)
    near_miss = code[:6] + ("0000000000" if code[6:] != "0000000000" else "1111111111")
    far_miss = ("1" if code[0] != "1" else "2") + code[1:]
    assert services.report_by_receipt(code=near_miss) is None
    assert services.report_by_receipt(code=far_miss) is None
    assert services.report_by_receipt(code=code) == report
    assert services.report_by_receipt(code=code[:15]) is None
    assert len(checks) == 4  # one each
