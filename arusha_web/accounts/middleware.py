"""Two-factor enforcement for the roles that handle the most sensitive data."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .roles import TWO_FACTOR_ROLES

# Paths a user without a verified second factor may still reach: enrolment, verification,
# logout, the language switch, static files and monitoring.
_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.ARUSHA_REQUIRE_2FA
            and user.is_authenticated
            and user.role in TWO_FACTOR_ROLES
            # is_verified() is added to the user by django_otp's OTPMiddleware.
            and not getattr(user, "is_verified", lambda: False)()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "accounts:2fa_verify" if has_device else "accounts:2fa_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class UserLanguageMiddleware:
    """Speak the language the user chose last, wherever he logs in.

    After ``AuthenticationMiddleware``: the account's language overrides the browser's (or a stale
    cookie's) for this request, and the cookie is set to it so that ``LocaleMiddleware`` reads the
    same on the next request, before the user is known.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        known = {code for code, _name in settings.LANGUAGES}
        if chosen not in known or request.path.startswith("/i18n/"):
            return self.get_response(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
