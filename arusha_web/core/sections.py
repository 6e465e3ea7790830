"""The modules of the navigation, in the order a user meets them.

Each module's issue fills its section; until then the section page says what will come,
so a manager clicking around learns the shape of the system instead of hitting a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    label: Promise
    capability: str
    purpose: Promise
    coming: tuple[Promise, ...]
    # The module's own start page once its app exists; until then, the placeholder page.
    url_name: str | None = None


SECTIONS: tuple[Section, ...] = (
    Section(
        "diagnose",
        _("Diagnose"),
        "section.diagnose",
        _(
            "Self-assessment against the factors of the Revised Arusha Declaration, compared over time and turned into an action plan."
        ),
        (
            _("Self-assessment campaigns with a maturity scale and workshop consensus"),
            _("Integrity perception surveys of staff and the private sector"),
            _("The integrity action plan, with owners, deadlines and progress"),
        ),
        "diagnose:index",
    ),
    Section(
        "risks",
        _("Risks"),
        "section.risks",
        _(
            "Corruption risk mapping of each customs process: likelihood, impact, controls, residual risk and mitigation."
        ),
        (
            _("A catalogue of customs processes and their steps"),
            _("A risk register with inherent and residual ratings and controls"),
            _("Heat maps and live evidence from clearance data"),
        ),
        "risks:index",
    ),
    Section(
        "measure",
        _("Measure"),
        "section.measure",
        _(
            "Performance and integrity indicators computed from clearance data, per officer, office, broker and period."
        ),
        (
            _("Upload of clearance data exported from ASYCUDA and other systems"),
            _("Dashboards, officer scorecards and a ranked inbox of leads"),
            _("Performance contracts with targets, signatures and monthly scorecards"),
        ),
        "measure:index",
    ),
    Section(
        "prevent",
        _("Prevent"),
        "section.prevent",
        _("The code of conduct and the registers that keep conflicts of interest in the open."),
        (
            _("Code of ethics and conduct, with acknowledgement by staff"),
            _("Declarations of interest, gifts and assets"),
            _("Procurement red flags"),
        ),
    ),
    Section(
        "cases",
        _("Cases"),
        "section.cases",
        _("A safe reporting channel for staff, traders and citizens, and case management for investigators."),
        (
            _("Anonymous reporting with a receipt code and two-way messaging"),
            _("Case files with need-to-know access and legal deadlines"),
            _("Statistics without personal data"),
        ),
        "cases:index",
    ),
    Section(
        "transparency",
        _("Transparency"),
        "section.transparency",
        _("Publishing service performance and integrity news, and reporting to leadership."),
        (
            _("Public service performance figures"),
            _("Integrity news and annual reports"),
        ),
    ),
)

SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def section_url(section: Section) -> str:
    """The module's start page when its app is installed, else the placeholder page."""
    from django.urls import NoReverseMatch, reverse

    if section.url_name:
        try:
            return reverse(section.url_name)
        except NoReverseMatch:
            pass
    return reverse("core:section", args=[section.slug])
