"""Answer a malformed request parameter with the plain 400 page, in debug mode too.

With ``DEBUG`` on (the demo, ``make demo``) Django answers a ``BadRequest`` with its technical
page: a traceback, the settings' paths, a yellow screen that reads like a crash to a manager who
mistyped a link. The refusal is an ordinary answer, the same in every mode.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .params import BadParameter
from .views import bad_request


class BadParameterPage:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return bad_request(request, exception) if isinstance(exception, BadParameter) else None
