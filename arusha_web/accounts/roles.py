"""Roles and what each may do.

One table decides access everywhere: views (``require_capability``), the API, the navigation
and the access-matrix test all read ``CAPABILITIES``. Adding a page means adding a capability
(or reusing one) here, never an ad-hoc ``if user.role == ...`` in a view.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    INTEGRITY = "integrity", _("Integrity unit")
    ANALYST = "analyst", _("Analyst")
    OFFICE_MANAGER = "office_manager", _("Office manager")
    INVESTIGATOR = "investigator", _("Investigator")
    AUDITOR = "auditor", _("Auditor")
    STAFF = "staff", _("Staff")


R = Role
ALL_ROLES = frozenset(Role)

# capability -> roles that hold it. Office managers hold some capabilities only for their
# own office: the selectors narrow the rows (see arusha_web.org.selectors).
CAPABILITIES: dict[str, frozenset[Role]] = {
    # Navigation sections. Each module's issue refines what is inside.
    "section.diagnose": frozenset(
        {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR, R.STAFF}
    ),
    "section.risks": frozenset({R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR}),
    "section.measure": frozenset(
        {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR, R.STAFF}
    ),
    "section.prevent": ALL_ROLES,
    # Cases are need-to-know: no administrator, no analyst.
    "section.cases": frozenset({R.INTEGRITY, R.INVESTIGATOR, R.AUDITOR}),
    "section.transparency": ALL_ROLES,
    "section.admin": frozenset({R.ADMINISTRATOR, R.AUDITOR}),
    # Organisation records.
    "org.view": frozenset(
        {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.INVESTIGATOR, R.AUDITOR}
    ),
    "org.manage": frozenset({R.ADMINISTRATOR}),
    "users.manage": frozenset({R.ADMINISTRATOR}),
    # The audit trail: auditors (read-only by construction) and administrators.
    "audit.view": frozenset({R.ADMINISTRATOR, R.AUDITOR}),
    # Background jobs.
    "jobs.view": frozenset({R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.AUDITOR}),
    "jobs.run": frozenset({R.ADMINISTRATOR, R.ANALYST}),
}


def register_capabilities(capabilities: dict[str, frozenset[Role] | set[Role]]) -> None:
    """Add a module's capabilities (called from its AppConfig.ready()).

    Modules own their rules next to their code; a capability can be declared only once, so two
    modules cannot silently disagree about who may do something.
    """
    for name, roles in capabilities.items():
        if name in CAPABILITIES and CAPABILITIES[name] != frozenset(roles):
            raise ValueError(f"capability {name!r} is already declared with other roles")
        CAPABILITIES[name] = frozenset(roles)


# Roles that must use two-factor authentication when ARUSHA_REQUIRE_2FA is on.
TWO_FACTOR_ROLES = frozenset({R.ADMINISTRATOR, R.INTEGRITY, R.INVESTIGATOR})


def role_can(role: str, capability: str) -> bool:
    """Return whether `role` holds `capability`; an unknown capability is held by nobody."""
    return role in CAPABILITIES.get(capability, frozenset())
