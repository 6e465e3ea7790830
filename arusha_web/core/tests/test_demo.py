from __future__ import annotations

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.core.demo import demo_setup
from arusha_web.org.models import Office, StaffRecord


def test_demo_setup_is_idempotent(db):
    first = demo_setup(password="demo")
    counts = (User.objects.count(), Office.objects.count(), StaffRecord.objects.count())
    second = demo_setup(password="demo")
    assert (User.objects.count(), Office.objects.count(), StaffRecord.objects.count()) == counts
    assert [u.pk for u in first] == [u.pk for u in second]


def test_demo_has_one_account_per_role_and_they_can_log_in(db):
    accounts = demo_setup(password="s3cret-demo")
    assert {a.role for a in accounts} == set(Role)
    for account in accounts:
        assert account.check_password("s3cret-demo")
    manager = next(a for a in accounts if a.role == Role.OFFICE_MANAGER)
    assert manager.office is not None


def test_demo_password_change_is_applied_on_rerun(db):
    demo_setup(password="first-pass")
    demo_setup(password="second-pass")
    assert User.objects.get(username="admin").check_password("second-pass")
