"""Reads that the shell and the home page share."""

from __future__ import annotations

import time

from django.conf import settings

from arusha_web.org.models import Administration

# (name, monotonic time it was read): kept in the process, not in the shared file cache, whose
# file rewritten once a minute by any page view, the public reporting pages included, recorded
# to the minute when someone visited them.
_NAME_READ: list[tuple[str, float]] = []
NAME_SECONDS = 60


def administration_name() -> str:
    """The name shown in the top bar: the setting, else the first administration on record."""
    if settings.ARUSHA_ADMINISTRATION_NAME:
        return str(settings.ARUSHA_ADMINISTRATION_NAME)
    now = time.monotonic()
    if _NAME_READ and now - _NAME_READ[0][1] < NAME_SECONDS:
        return _NAME_READ[0][0]
    first = Administration.objects.order_by("pk").values_list("name", flat=True).first()
    _NAME_READ[:] = [(first or "", now)]
    return first or ""


def home_summary_for_viewer(*, viewer: object) -> dict[str, object]:
    """Counts for the home dashboard, narrowed to what the viewer may see."""
    from arusha_web.org.selectors import office_list_for_viewer, staff_list_for_viewer

    if not viewer.can("org.view"):  # type: ignore[attr-defined]
        return {}
    return {
        "offices": office_list_for_viewer(viewer=viewer).count(),
        "staff": staff_list_for_viewer(viewer=viewer).count(),
    }
