"""Which report a reporter may read after entering his receipt code: a pass kept by his browser.

Why not Django's session: a session row sits in the database with the report's id in
readable base64 and an expiry date that gives away the second of the follow-up, and for a
logged-in staff member it would tie his account to the report. The pass instead lives only in
a cookie that the browser forgets when it closes (no Max-Age, no Expires). It carries the
report id and an end of validity, encrypted with the cases key (crypto.py: Fernet with its
clock set to 0, so the token holds no time) and signed with the secret key, so it can be
neither read nor forged; the server stores nothing. "Log out of my report" deletes the cookie;
a copy taken before then still opens the mailbox until its end of validity
(SESSION_COOKIE_AGE after the code was entered).
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from . import crypto
from .models import Report

COOKIE = "arusha_report"
SALT = "arusha.cases.reporter-pass"


def _path() -> str:
    # Sent only to the reporting pages, not to the staff pages of the same site.
    return reverse("report:index")


def pass_issue(response: HttpResponse, *, report: Report, now: float | None = None) -> None:
    """Give the browser a pass to `report`'s mailbox, forgotten when the browser closes."""
    until = int(time.time() if now is None else now) + int(settings.SESSION_COOKIE_AGE)
    sealed = crypto.encrypt_text(json.dumps({"report": report.pk, "until": until}))
    response.set_cookie(
        COOKIE,
        signing.Signer(salt=SALT).sign(sealed),
        path=_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def pass_report(request: HttpRequest, *, now: float | None = None) -> Report | None:
    """Return the report the request's pass opens, or None (no pass, forged, expired or deleted)."""
    value = request.COOKIES.get(COOKIE, "")
    if not value:
        return None
    try:
        fields = json.loads(crypto.decrypt_text(signing.Signer(salt=SALT).unsign(value)))
        pk, until = int(fields["report"]), int(fields["until"])
    except Exception:
        # A pass from before a key rotation, or not ours at all: the reporter enters his code again.
        return None
    if (time.time() if now is None else now) > until:
        return None
    return Report.objects.filter(pk=pk).first()


def pass_revoke(response: HttpResponse) -> None:
    """Make the browser forget its pass."""
    response.delete_cookie(COOKIE, path=_path(), samesite="Strict")
