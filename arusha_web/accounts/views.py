"""Login, logout, two-factor enrolment, the user's own account and user administration."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from arusha_web.core.params import local_next

from . import services
from .access import require_capability
from .forms import ApiTokenForm, LoginForm, TokenForm, UserForm
from .models import ApiToken, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, default: str = "core:home") -> str:
    from django.urls import reverse

    return local_next(request, reverse(default))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ctx = {
        "record": getattr(user, "staff_record", None),
        "tokens": user.api_tokens.filter(revoked_at__isnull=True),
        "has_2fa": services.user_has_totp(user=user),
        "token_form": ApiTokenForm(),
    }
    return render(request, "accounts/profile.html", ctx)


@login_required
def twofactor_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            from django_otp import login as otp_login

            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is now on for your account."))
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("That code is not valid. Check the time on your phone and try the current code.")
        )
    ctx = {
        "form": form,
        "qr_svg": services.totp_qr_svg(device=device),
        "secret": services.totp_secret_b32(device=device),
    }
    return render(request, "accounts/twofactor_setup.html", ctx)


@login_required
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_match(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            from django_otp import login as otp_login

            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("That code is not valid. Check the time on your phone and try the current code.")
        )
    return render(request, "accounts/twofactor_verify.html", {"form": form})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        # An empty name asks for one; a name too long says so (not "give it a name").
        typed = request.POST.get("name", "").strip()
        problem = " ".join(str(e) for e in form.errors.get("name", [])) if typed else ""
        messages.error(request, problem or _("Give the token a name."))
        return redirect("accounts:profile")
    _token, key = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
    return render(request, "accounts/token_created.html", {"key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@require_capability("users.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("office").order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


@require_capability("users.manage")
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(User, pk=pk) if pk is not None else None
    form = UserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data.get("password")
        if password:
            try:
                validate_password(password, form.instance)
            except ValidationError as exc:
                form.add_error("password", exc)
        if form.is_valid():
            user = services.user_save(form=form, password=password or None)
            messages.success(request, _("Account %(username)s saved.") % {"username": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "instance": instance})


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's language switch, remembered on the account of a signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        User.objects.filter(pk=user.pk).update(language=language)
    return response
