"""Writes on accounts and the TOTP helpers behind two-factor enrolment."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import UserForm
from .models import User


def user_save(*, form: UserForm, password: str | None) -> User:
    user = form.save(commit=False)
    if password:
        user.set_password(password)
    user.save()
    return user


def user_has_totp(*, user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled, created once so the QR code stays the same on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def totp_match(*, user: Any, token: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def totp_secret_b32(*, device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """An inline SVG QR code of the provisioning URI, drawn here so no image service is called."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5))


def administrator_create(*, username: str, email: str, password: str) -> tuple[User, bool]:
    """Create or reset an administrator account; the password must pass the validators."""
    from django.contrib.auth.password_validation import validate_password

    from .roles import Role

    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    validate_password(password, user)
    user.email = email or user.email
    user.role = Role.ADMINISTRATOR
    user.is_active = True
    user.set_password(password)
    user.save()
    return user, created
