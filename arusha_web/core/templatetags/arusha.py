"""Template helpers: ``{% if user|can:"org.manage" %}`` reads the same table as the views."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


@register.filter
def person(user: Any) -> str:
    """A person as others call him: his name, else his username; "—" for nobody."""
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)


@register.simple_tag
def colon() -> str:
    """ ":" as the reader's language writes it after a label: "Download:", "Télécharger :" (French
    puts a non-breaking space before it)."""
    from django.utils.translation import pgettext

    return pgettext("punctuation after a label", ":")
