"""Small helpers shared by the cases tests."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from arusha_web.cases import services

RECEIPT = re.compile(r'data-testid="receipt-code">([\d ]+)<')
PUZZLE = re.compile(r'data-puzzle-bits="(\d+)".*?name="puzzle" value="([^"]+)"', re.DOTALL)


def submit_public(client: Client, **fields: Any) -> tuple[Any, str]:
    """POST the public form and return (response, receipt code without spaces or '')."""
    data = {"category": "bribery", "description": "An officer asked for money.", **fields}
    response = client.post(reverse("report:index"), data, **fields.pop("extra", {}))
    match = RECEIPT.search(response.content.decode())
    return response, match.group(1).replace(" ", "") if match else ""


def solve_puzzle(token: str, digits: str, bits: int, *, zeros: int | None = None) -> int:
    """Return the proof the follow-up page's script would find, computed with hashlib.

    With `zeros`, return instead a number whose hash starts with exactly that many zero bits
    (a proof too weak for a harder puzzle).
    """
    seed = hashlib.sha256(f"{token}|{digits}".encode()).digest()
    for number in itertools.count():
        value = int.from_bytes(hashlib.sha256(seed + number.to_bytes(4, "big")).digest(), "big")
        leading = 256 - value.bit_length()
        if (zeros is None and leading >= bits) or leading == zeros:
            return number
    raise AssertionError("unreachable")


def puzzle_on_page(html: str) -> tuple[str, int]:
    """Return the (token, bits) of the puzzle in a follow-up page."""
    match = PUZZLE.search(html)
    assert match, "the follow-up page carries no puzzle"
    return match.group(2), int(match.group(1))


def follow_up(client: Client, code: str, **extra: Any) -> Any:
    """Enter `code` on the follow-up page as a browser with JavaScript would: solve, then send."""
    token, bits = puzzle_on_page(client.get(reverse("report:followup")).content.decode())
    digits = services.receipt_normalise(code)  # as the page's script reads them
    proof = solve_puzzle(token, digits, bits)
    return client.post(reverse("report:followup"), {"code": code, "puzzle": token, "proof": proof, **extra})


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0131] = "SecretSoftware 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()
