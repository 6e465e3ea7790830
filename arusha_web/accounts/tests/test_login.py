from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from arusha_web.conftest import PASSWORD


def _login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_logs_in_and_out(personas):
    client = Client()
    response = _login(client, "ana", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_shows_an_error(personas):
    response = _login(Client(), "ana", "nope")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_stranger_guessing_a_password_does_not_lock_the_owner_out(personas):
    stranger, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="10.20.0.7")
    for _ in range(3):
        _login(stranger, "ana", "wrong-password")
    assert _login(stranger, "ana", PASSWORD).status_code == 429  # the guesser is stopped
    assert _login(owner, "ana", PASSWORD).status_code == 302  # the owner, elsewhere, is not


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_the_account_after_repeated_failures(personas):
    client = Client()
    for _ in range(3):
        _login(client, "ana", "wrong-password")
    locked = _login(client, "ana", PASSWORD)  # the right password no longer works
    assert locked.status_code == 429
    assert "temporarily locked" in locked.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
    # Another account is not affected.
    assert _login(Client(), "ingrid", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2():
    from django.contrib.auth.hashers import make_password

    from arusha_web import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("x", hasher="argon2").startswith("argon2")


@override_settings(ARUSHA_REQUIRE_2FA=True)
def test_two_factor_is_required_for_privileged_roles_when_enabled(personas):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    _login(client, "ivan", PASSWORD)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:2fa_setup"))
    client.get(reverse("accounts:2fa_setup"))
    device = TOTPDevice.objects.get(user=personas["ivan"])
    bad = client.post(reverse("accounts:2fa_setup"), {"token": "000000"})
    assert "not valid" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows guessing down after a failure; the test does not wait
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ok = client.post(reverse("accounts:2fa_setup"), {"token": f"{totp.token():06d}"})
    assert ok.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(ARUSHA_REQUIRE_2FA=True)
def test_two_factor_is_not_forced_on_analysts(personas):
    client = Client()
    _login(client, "ana", PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
