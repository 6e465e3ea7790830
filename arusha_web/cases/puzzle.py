"""A cost for every guess at a receipt code: a small puzzle the reporter's browser solves.

Why not count failures: a count per visitor needs something that recognises the visitor (a
cookie is simply dropped; an IP address the channel must not keep), and a count for the whole
server lets anyone lock every reporter out by guessing wrong on purpose. A cost per guess
needs neither: nobody is ever refused a correct code, and a guesser pays for each try.

How: the follow-up page carries a puzzle signed by the server (a random nonce, the time it
was issued and the difficulty). Before sending a code the browser (static/cases/
receipt-puzzle.js) finds a number n such that SHA-256(seed || n as 4 bytes) starts with
`bits` zero bits, where seed = SHA-256(puzzle "|" code digits). That takes 2^bits hashes on
average and the server checks it with two. Because the seed contains the code, a solved
puzzle is worth one guess only; each puzzle is also accepted once (`USED_CACHE`) and only
while it is younger than ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS, so solutions cannot be stored
up or replayed to make the server hash receipt codes (Argon2) for free.

The markers of used puzzles live in a memory cache of their own, never on disk: a file per
attempt would record the second at which someone followed up on a report. With several web
processes each remembers its own, so a solved puzzle can be sent at most once per process.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from arusha_web.core.params import whole_number

SALT = "arusha.cases.receipt-puzzle"
USED_CACHE = "receipt_puzzles"
BITS_SETTING = "ARUSHA_CASES_RECEIPT_PUZZLE_BITS"
SECONDS_SETTING = "ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS"
# 28 bits is about 270 million hashes: minutes in a phone's browser, already too long to wait.
MAX_BITS = 28
# A puzzle issued "in the future" by more than this is forged or from a server with a wrong clock.
CLOCK_SKEW_SECONDS = 60
PROOF_LIMIT = 2**32


class Verdict(enum.Enum):
    SOLVED = "solved"
    MISSING = "missing"  # no puzzle or no proof: JavaScript did not run
    EXPIRED = "expired"  # the page was open longer than the setting allows
    USED = "used"  # this puzzle already carried a guess
    WRONG = "wrong"  # forged puzzle, or a proof that does not solve it


@dataclass(frozen=True)
class Puzzle:
    token: str
    bits: int


def puzzle_bits() -> int:
    """Return the configured difficulty, or raise ImproperlyConfigured naming the setting."""
    bits = getattr(settings, BITS_SETTING, 20)
    if not isinstance(bits, int) or not 1 <= bits <= MAX_BITS:
        raise ImproperlyConfigured(
            f"{BITS_SETTING} must be a whole number from 1 to {MAX_BITS}, not {bits!r}"
        )
    return bits


def puzzle_seconds() -> int:
    """Return how long a puzzle stays valid, or raise ImproperlyConfigured naming the setting."""
    seconds = getattr(settings, SECONDS_SETTING, 3600)
    if not isinstance(seconds, int) or seconds < 60:
        raise ImproperlyConfigured(
            f"{SECONDS_SETTING} must be a whole number of seconds, at least 60, not {seconds!r}"
        )
    return seconds


def puzzle_issue(*, now: float | None = None) -> Puzzle:
    """Return a fresh signed puzzle for the follow-up page (nothing is stored)."""
    issued = int(time.time() if now is None else now)
    bits = puzzle_bits()
    puzzle_seconds()  # a bad setting fails here, on the page, rather than on the reporter's guess
    token = signing.Signer(salt=SALT).sign_object({"n": secrets.token_hex(12), "t": issued, "b": bits})
    return Puzzle(token=token, bits=bits)


def proof_solves(*, token: str, digits: str, proof: int, bits: int) -> bool:
    """Return whether `proof` makes the puzzle's hash for `digits` start with `bits` zero bits."""
    seed = hashlib.sha256(f"{token}|{digits}".encode()).digest()
    digest = hashlib.sha256(seed + proof.to_bytes(4, "big")).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def puzzle_check(*, token: str, digits: str, proof: str, now: float | None = None) -> Verdict:
    """Return whether the guess `digits` may be checked: SOLVED marks the puzzle used.

    Cheap whatever the input (a signature check and two SHA-256), so that it runs before
    the slow receipt-code lookup.
    """
    if not token or not proof:
        return Verdict.MISSING
    try:
        fields = signing.Signer(salt=SALT).unsign_object(token)
        nonce, issued, bits = str(fields["n"]), int(fields["t"]), int(fields["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Verdict.WRONG
    now = time.time() if now is None else now
    window = puzzle_seconds()
    if now - issued > window:
        return Verdict.EXPIRED
    if issued - now > CLOCK_SKEW_SECONDS:
        return Verdict.WRONG
    number = whole_number(proof, max_digits=10)
    if number is None or number >= PROOF_LIMIT:
        return Verdict.WRONG
    if not proof_solves(token=token, digits=digits, proof=number, bits=bits):
        return Verdict.WRONG
    # Kept exactly as long as a puzzle is valid: afterwards the puzzle is refused as expired.
    if not caches[USED_CACHE].add(f"cases:puzzle:{nonce}", True, timeout=window):
        return Verdict.USED
    return Verdict.SOLVED
