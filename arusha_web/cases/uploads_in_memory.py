"""Reporters' files are read into memory, never into a temporary file on disk.

Django writes any upload over 2.5 MB to a temporary file for the length of the request: the
reporter's raw file (metadata and all, before cleaning) on the server's disk, with the time it
arrived, and recoverable from the disk's free blocks after it is deleted. The public reporting
pages therefore read uploads into memory only, up to what their forms accept
(ARUSHA_CASES_MAX_FILES files of ARUSHA_CASES_MAX_UPLOAD_MB each); the files of a bigger request
are dropped unread and the form says so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

MB = 1024 * 1024
# The form's own fields and the multipart framing, on top of the files.
FORM_ALLOWANCE = 1 * MB
REFUSED = "_arusha_uploads_refused"


def request_limit() -> int:
    """The largest request body the reporting forms can need, in bytes."""
    return settings.ARUSHA_CASES_MAX_FILES * settings.ARUSHA_CASES_MAX_UPLOAD_MB * MB + FORM_ALLOWANCE


class InMemoryUploads(MemoryFileUploadHandler):
    """Django's in-memory handler, used for every file (not only those under 2.5 MB).

    A request whose body is larger than the form can accept keeps its text fields, and its
    files are dropped unread, so that the reporter is told and loses nothing he typed (raising
    an error instead answered a bare 400 page and logged the moment, to the second).
    """

    refused = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:  # noqa: N803
        self.activated = True
        self.refused = content_length > request_limit()
        if self.refused:
            setattr(self.request, REFUSED, True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return None if self.refused else super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        return None if self.refused else super().file_complete(file_size)


def uploads_refused(request: HttpRequest) -> bool:
    """Whether the request's files were dropped for being larger than the form accepts."""
    return bool(getattr(request, REFUSED, False))


def refusal_message() -> str:
    return _(
        "Your files together are larger than this form accepts (%(files)s files of %(mb)s MB at "
        "most), so none was sent. Your text is kept: attach fewer or smaller files and send again."
    ) % {"files": settings.ARUSHA_CASES_MAX_FILES, "mb": settings.ARUSHA_CASES_MAX_UPLOAD_MB}


def files_in_memory(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Read the view's uploads into memory only (see the module's docstring).

    The handlers must be replaced before anything reads the request's body, and the CSRF check
    reads it: so the check is made inside, after the replacement (Django's documented pattern).
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers = [InMemoryUploads(request)]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)
