"""In a browser: the follow-up page's puzzle, with JavaScript and without."""

from __future__ import annotations

import hashlib
from typing import Any

from arusha_web.cases import puzzle, reporter_pass, services
from arusha_web.conftest import BROWSER

pytestmark = BROWSER


def _grouped(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def test_a_reporter_with_javascript_follows_up_with_the_right_code(
    page: Any, org: dict[str, Any], settings: Any
) -> None:
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 20  # the production default, solved by the page's script
    _report, code = services.report_submit(source="public", category="bribery", description="Shed 4 fee")
    page.goto(page.base_url + "/report/follow-up/")
    page.get_by_label("Receipt code").fill("0000 1111 2222 3333")
    page.get_by_role("button", name="Open my report").click()
    page.get_by_text("This receipt code is not known").wait_for(timeout=60_000)  # after the puzzle
    page.get_by_label("Receipt code").fill(_grouped(code))
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(page.base_url + "/report/mailbox/", timeout=60_000)
    assert page.get_by_test_id("status").inner_text().startswith("Received")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert reporter_pass.COOKIE in cookies and "csrftoken" in cookies
    assert all(c["expires"] == -1 for c in cookies.values()), cookies  # forgotten when the browser closes


def test_a_code_typed_in_arabic_indic_digits_opens_the_report(
    page: Any, org: dict[str, Any], settings: Any
) -> None:
    settings.ARUSHA_CASES_RECEIPT_PUZZLE_BITS = 8
    _report, code = services.report_submit(source="public", category="bribery", description="Shed 4 fee")
    arabic = "".join(chr(0x660 + int(d)) for d in code)  # ٠١٢٣٤٥٦٧٨٩, as an Arabic keyboard types them
    page.goto(page.base_url + "/report/follow-up/")
    page.get_by_label("Receipt code").fill(_grouped(arabic))
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(page.base_url + "/report/mailbox/", timeout=60_000)


def test_without_javascript_the_page_says_what_is_needed(page: Any, org: dict[str, Any]) -> None:
    _report, code = services.report_submit(source="public", category="bribery", description="Shed 4 fee")
    no_js = page.context.browser.new_context(java_script_enabled=False, locale="en-GB").new_page()
    no_js.goto(page.base_url + "/report/follow-up/")
    assert no_js.get_by_test_id("needs-javascript").is_visible()
    no_js.get_by_label("Receipt code").fill(code)
    no_js.get_by_role("button", name="Open my report").click()
    assert no_js.get_by_text("this page needs JavaScript to protect receipt codes").is_visible()
    assert no_js.url.endswith("/report/follow-up/")


def test_the_page_script_hashes_and_solves_like_the_server(page: Any, org: dict[str, Any]) -> None:
    page.goto(page.base_url + "/report/follow-up/")
    texts = ["", "abc", "a" * 55, "a" * 56, "a" * 64, "é|ü" * 40]
    hashed = page.evaluate("texts => texts.map(t => window.arushaReceiptPuzzle.sha256Hex(t))", texts)
    assert hashed == [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    issued = puzzle.puzzle_issue()
    proof = page.evaluate(
        "([token, bits]) => new Promise(done => window.arushaReceiptPuzzle.solve(token, '1234567812345678', bits, done))",
        [issued.token, 12],
    )
    assert puzzle.proof_solves(token=issued.token, digits="1234567812345678", proof=proof, bits=12)
