"""What the base layout needs on every page: the navigation the user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

import arusha

from .sections import SECTIONS, section_url
from .selectors import administration_name


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav: list[dict[str, Any]] = []
    path = request.path
    if user is not None and user.is_authenticated:
        nav.append({"label": _("Home"), "url": reverse("core:home"), "active": path == reverse("core:home")})
        for section in SECTIONS:
            if user.can(section.capability):
                url = section_url(section)
                placeholder = reverse("core:section", args=[section.slug])
                active = path.startswith(url) or path.startswith(placeholder)
                nav.append({"label": section.label, "url": url, "active": active})
        if user.can("section.admin"):
            url = reverse("core:admin")
            admin_paths = (url, "/audit/", "/jobs/", "/org/")
            nav.append({"label": _("Admin"), "url": url, "active": path.startswith(admin_paths)})
    return {"shell": {"nav": nav, "version": arusha.__version__, "administration": administration_name()}}
