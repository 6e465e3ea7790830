"""Makes the current user available to audit entries written during a request.

Model signals (see registry.py) receive only the instance being saved, not the request, so
the middleware keeps the request in a context variable for the length of the request. The
request, rather than `request.user`, is kept because `login()` and `logout()` replace
`request.user` half-way through a request. Outside requests (management commands, background
jobs) use `acting_as(user)` to name who is responsible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)
_current_actor: ContextVar[Any] = ContextVar("audit_current_actor", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute audit entries written inside the block to `user` (for commands and jobs)."""
    token = _current_actor.set(user)
    try:
        yield
    finally:
        _current_actor.reset(token)


def current_actor() -> Any:
    """Return the authenticated user responsible for what happens now, or None."""
    user = _current_actor.get()
    if user is None:
        request = _current_request.get()
        user = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user
