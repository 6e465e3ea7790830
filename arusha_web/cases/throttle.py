"""Throttling of receipt-code guesses, per browser session and for the whole server.

Counters live in Django's cache. With the default local-memory cache they are per process
(each gunicorn worker counts on its own) and reset on restart; a shared cache (Redis,
database cache) makes them exact. The Argon2 hash already makes each guess slow, and a code
has 10^16 values, so these limits only have to stop sustained guessing. No IP address is
used: the channel must not record where reporters come from.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache

SESSION_KEY = "cases_receipt_failures"


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "ARUSHA_CASES_RECEIPT_SESSION_LIMIT", 5)),
        int(getattr(settings, "ARUSHA_CASES_RECEIPT_GLOBAL_LIMIT", 100)),
        int(getattr(settings, "ARUSHA_CASES_RECEIPT_WINDOW_SECONDS", 15 * 60)),
    )


GLOBAL_KEY = "cases:receipt:failures"


def blocked(session: SessionBase) -> bool:
    """Return whether this session or the server has failed too often in the current window."""
    per_session, per_server, _window = _limits()
    return int(session.get(SESSION_KEY, 0)) >= per_session or int(cache.get(GLOBAL_KEY, 0)) >= per_server


def record_failure(session: SessionBase) -> None:
    _per_session, _per_server, window = _limits()
    session[SESSION_KEY] = int(session.get(SESSION_KEY, 0)) + 1
    session.set_expiry(window)
    if cache.add(GLOBAL_KEY, 1, window) is False:
        try:
            cache.incr(GLOBAL_KEY)
        except ValueError:
            cache.set(GLOBAL_KEY, 1, window)


def record_success(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
