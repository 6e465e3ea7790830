"""Links from a case file to a data lead, a risk or an action elsewhere in Arusha.

The investigator pastes the address of the page (copied from the browser's address bar);
only the path is kept, and only when it names one of the pages below, so a link always opens
the lead, risk or action it names and never leads out of the application.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# URL name -> what it is, as shown in the case file.
TARGETS = {
    "measure:lead": gettext_lazy("Data lead"),
    "risks:risk_detail": gettext_lazy("Risk"),
    "risks:action_edit": gettext_lazy("Risk action"),
    "diagnose:action_edit": gettext_lazy("Action plan action"),
}


def clean_link(address: str) -> str:
    """Return the path of a lead, risk or action page, or raise ValidationError naming the address."""
    address = address.strip()
    path = urlsplit(address).path
    try:
        match = resolve(path) if path.startswith("/") else None
    except Resolver404:
        match = None
    if match is None or match.view_name not in TARGETS:
        raise ValidationError(
            _(
                "“%(address)s” is not the address of a data lead, a risk or an action in Arusha: "
                "open that page and copy its address from the browser."
            )
            % {"address": address[:200]}
        )
    return path


# URL name -> the capability its view requires, so a case file links only pages the reader may open.
NEEDS = {
    "measure:lead": "measure.leads",
    "risks:risk_detail": "risks.view",
    "risks:action_edit": "risks.edit",
    "diagnose:action_edit": "diagnose.actions",
}


def link_openable(path: str, viewer: Any) -> bool:
    """Whether the viewer's role may open the linked page (an investigator may not open the risk
    register, for one); the page then shows what is linked without a link that ends on "Not allowed"."""
    try:
        needed = NEEDS.get(resolve(path).view_name)
    except Resolver404:
        return False
    return needed is not None and bool(viewer.can(needed))


def link_label(path: str) -> str:
    """Return what a stored link points at ("Risk", "Data lead"...), or "" if it no longer resolves."""
    try:
        return str(TARGETS.get(resolve(path).view_name, ""))
    except Resolver404:
        return ""
