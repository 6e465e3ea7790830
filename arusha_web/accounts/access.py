"""View decorators that enforce the capability table in roles.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def require_capability(capability: str) -> Callable[[V], V]:
    """Log in first, then 403 unless the user's role holds `capability`."""

    def decorator(view: V) -> V:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(capability):  # type: ignore[union-attr]
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
