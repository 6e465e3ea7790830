"""Reads that the shell and the home page share."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from arusha_web.org.models import Administration


def administration_name() -> str:
    """The name shown in the top bar: the setting, else the first administration on record."""
    if settings.ARUSHA_ADMINISTRATION_NAME:
        return str(settings.ARUSHA_ADMINISTRATION_NAME)
    name = cache.get("arusha:administration_name")
    if name is None:
        first = Administration.objects.order_by("pk").values_list("name", flat=True).first()
        name = first or ""
        cache.set("arusha:administration_name", name, 60)
    return str(name)


def home_summary_for_viewer(*, viewer: object) -> dict[str, object]:
    """Counts for the home dashboard, narrowed to what the viewer may see."""
    from arusha_web.org.selectors import office_list_for_viewer, staff_list_for_viewer

    if not viewer.can("org.view"):  # type: ignore[attr-defined]
        return {}
    return {
        "offices": office_list_for_viewer(viewer=viewer).count(),
        "staff": staff_list_for_viewer(viewer=viewer).count(),
    }
