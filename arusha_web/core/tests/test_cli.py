"""The platform commands of the `arusha` CLI, run the way a user types them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from arusha.cli import app
from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.org.models import Office, StaffRecord

runner = CliRunner()


def test_every_command_has_help_with_an_example():
    import typer.main

    group = typer.main.get_command(app)
    names = []

    def walk(command, prefix=""):
        for name, sub in getattr(command, "commands", {}).items():
            if getattr(sub, "commands", None):
                walk(sub, f"{prefix}{name} ")
            else:
                names.append(f"{prefix}{name}")
                assert sub.help and "Example:" in sub.help, (
                    f"`arusha {prefix}{name}` needs help with an example"
                )

    walk(group)
    assert {"demo", "serve", "worker", "createadmin", "audit verify"} <= set(names)


def test_demo_is_refused_when_debug_is_off(transactional_db, settings):
    settings.DEBUG = False
    result = runner.invoke(app, ["demo", "--setup-only", "--port", "8799", "--declarations", "0"])
    assert result.exit_code == 2
    assert "Refusing demo mode" in result.output
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_demo_setup_twice_duplicates_nothing(settings):
    settings.DEBUG = False
    first = runner.invoke(app, ["demo", "--setup-only", "--force", "--port", "8799", "--declarations", "0"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "Office manager" in first.output
    counts = (User.objects.count(), Office.objects.count(), StaffRecord.objects.count())
    second = runner.invoke(app, ["demo", "--setup-only", "--force", "--port", "8799", "--declarations", "0"])
    assert second.exit_code == 0, second.output
    assert (User.objects.count(), Office.objects.count(), StaffRecord.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_createadmin_creates_then_resets_an_administrator():
    result = runner.invoke(
        app,
        ["createadmin", "boss", "--email", "boss@customs.example"],
        input="a-long-passphrase-42\na-long-passphrase-42\n",
    )
    assert result.exit_code == 0, result.output
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMINISTRATOR and boss.check_password("a-long-passphrase-42")
    again = runner.invoke(app, ["createadmin", "boss"], env={"ARUSHA_ADMIN_PASSWORD": "another-passphrase-7"})
    assert again.exit_code == 0 and "updated" in again.output
    boss.refresh_from_db()
    assert boss.check_password("another-passphrase-7")


@pytest.mark.django_db(transaction=True)
def test_createadmin_refuses_a_weak_password_and_creates_nothing():
    result = runner.invoke(app, ["createadmin", "weak"], env={"ARUSHA_ADMIN_PASSWORD": "123"})
    assert result.exit_code == 2
    assert "Password refused" in result.output
    assert not User.objects.filter(username="weak").exists()
