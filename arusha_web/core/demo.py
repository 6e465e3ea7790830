"""The demo administration: offices, units, staff records and one account per role.

Everything is keyed on natural identifiers (office code, officer id, username) and written
with update_or_create, so running the demo again changes nothing and duplicates nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from arusha_web.accounts.models import User
from arusha_web.accounts.roles import Role
from arusha_web.org.models import Administration, Office, StaffRecord, Unit

DEMO_ADMINISTRATION = "Demo Customs Administration"

# Office codes and officer identifiers are those of `arusha data generate`, so the demo
# accounts meet themselves in the demo clearance data.
DEMO_OFFICES = [
    ("PORT1", "Main Seaport", "Coast"),
    # Not the generated data's AIRPT, NBORD and SBORD (core/demo_data.py): one name per office.
    ("AIRP1", "Regional Airport", "Capital"),
    ("BORDN", "Northern Lake Crossing", "North"),
    ("BORDS", "Southern Rail Crossing", "South"),
    ("INLD1", "Inland Clearance Depot", "Capital"),
]
DEMO_UNITS = ["Integrity Unit", "Risk Management", "Investigations", "Internal Audit", "Valuation"]
DEMO_OFFICERS = [
    # officer_id, name, post, office, unit
    # O-PORT1-01 is an officer of the generated clearance data: the demo `officer` account has a
    # scorecard and a performance contract to look at.
    ("O-PORT1-01", "Amina Diallo", "Verification officer", "PORT1", None),
    ("OFF002", "Jean Mbarga", "Verification officer", "PORT1", None),
    ("OFF003", "Grace Otieno", "Valuation officer", "PORT1", "Valuation"),
    ("OFF004", "Paul Rakoto", "Verification officer", "AIRP1", None),
    ("OFF005", "Fatou Ndiaye", "Verification officer", "AIRP1", None),
    ("OFF006", "Samuel Kouassi", "Verification officer", "BORDN", None),
    ("OFF007", "Marie Tchakounte", "Head of office", "BORDN", None),
    ("OFF008", "Ibrahim Sow", "Verification officer", "BORDS", None),
    ("OFF009", "Lucie Randria", "Verification officer", "INLD1", None),
    ("OFF010", "David Mensah", "Head of office", "PORT1", None),
    ("INT001", "Claire Nkurunziza", "Integrity officer", None, "Integrity Unit"),
    ("INV001", "Moses Banda", "Investigator", None, "Investigations"),
    ("AUD001", "Esther Wanjiru", "Internal auditor", None, "Internal Audit"),
    ("RSK001", "Ali Hassan", "Risk analyst", None, "Risk Management"),
]
# username, role, officer_id (staff record linked), managed office
DEMO_ACCOUNTS = [
    ("admin", Role.ADMINISTRATOR, None, None),
    ("integrity", Role.INTEGRITY, "INT001", None),
    ("analyst", Role.ANALYST, "RSK001", None),
    ("manager", Role.OFFICE_MANAGER, "OFF010", "PORT1"),
    ("investigator", Role.INVESTIGATOR, "INV001", None),
    ("auditor", Role.AUDITOR, "AUD001", None),
    ("officer", Role.STAFF, "O-PORT1-01", None),
]


@transaction.atomic
def demo_setup(*, password: str, progress: Callable[[str], object] = lambda _m: None) -> list[User]:
    """Create (or bring back to shape) the demo organisation and accounts; return the accounts."""
    progress("Creating the demo administration, offices and staff…")
    administration, _ = Administration.objects.get_or_create(
        name=DEMO_ADMINISTRATION, defaults={"short_name": "DCA", "country_code": "", "currency": "XAF"}
    )
    offices: dict[str, Office] = {}
    for code, name, region in DEMO_OFFICES:
        offices[code], _ = Office.objects.update_or_create(
            code=code, defaults={"administration": administration, "name": name, "region": region}
        )
    units: dict[str, Unit] = {}
    for name in DEMO_UNITS:
        units[name], _ = Unit.objects.get_or_create(administration=administration, name=name)
    records: dict[str, StaffRecord] = {}
    for officer_id, name, post, office, unit in DEMO_OFFICERS:
        records[officer_id], _ = StaffRecord.objects.update_or_create(
            officer_id=officer_id,
            defaults={
                "administration": administration,
                "full_name": name,
                "post": post,
                "office": offices.get(office or ""),
                "unit": units.get(unit or ""),
                "start_date": dt.date(2022, 1, 1) + dt.timedelta(days=97 * len(records)),
            },
        )
    progress("Creating one demo account per role…")
    accounts = []
    for username, role, linked_officer, office_code in DEMO_ACCOUNTS:
        record = records.get(linked_officer or "")
        first, _, last = (record.full_name if record else "Demo Administrator").partition(" ")
        user, created = User.objects.get_or_create(username=username, defaults={"role": role})
        changed = created or user.role != role or not user.check_password(password)
        user.role = role
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.invalid"
        user.office = offices.get(office_code or "")
        user.is_active = True
        if changed:
            user.set_password(password)
        user.save()
        if record is not None and record.user_id != user.pk:
            # A demo made before the record was renamed left the account on another record.
            StaffRecord.objects.filter(user=user).exclude(pk=record.pk).update(user=None)
            record.user = user
            record.save(update_fields=["user"])
        accounts.append(user)
    return accounts


def demo_modules(*, users: dict[str, User], progress: Callable[[str], object]) -> None:
    """Let each module app fill its part of the demo (its ``demo.py``'s ``demo_setup``).

    Run after the demo clearance data is analysed, so modules can use its results.
    """
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("arusha_web.") or config.name == "arusha_web.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.demo_setup(users=users, progress=progress)
