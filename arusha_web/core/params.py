"""Numbers and ids taken from a request, read the same way by every view.

Why one helper: ``str.isdigit`` accepts ``²`` and ``٣``; ``int`` then refuses the first (a
server error) and reads the second as 3. ``int`` also accepts ``" 1"`` and ``"+1"``, and twenty
digits overflow the database's 64-bit integer (another server error). Each of these once turned
a mistyped or hand-made link into an HTTP 500. Here a number is 1 to 18 ASCII digits, nothing
else; a parameter that holds anything else is refused by name with a 400 page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

# 18 digits always fit a signed 64-bit integer (up to 9.2 × 10¹⁸), the widest key or count
# stored; ids and page numbers never come close.
MAX_DIGITS = 18
# A refused value is echoed back this long at most, so the error page cannot be made to carry
# a whole text.
ECHOED_CHARACTERS = 20


class BadParameter(BadRequest):
    """A request parameter that should hold a number does not; the 400 page shows the message."""


class _MultiValued(Protocol):
    def getlist(self, key: str) -> list[Any]: ...


def whole_number(value: object, *, max_digits: int = MAX_DIGITS) -> int | None:
    """Return the number `value` spells in 1 to `max_digits` ASCII digits, else None.

    Example:
        >>> whole_number("42"), whole_number("²"), whole_number("٣"), whole_number(" 1"), whole_number("1e3")
        (42, None, None, None, None)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not 0 < len(value) <= max_digits:
        return None
    if value.isascii() and value.isdigit():
        return int(value)
    return None


def _refusal(name: str, value: str, max_digits: int) -> BadParameter:
    return BadParameter(
        _("The parameter “%(name)s” must be a whole number of at most %(digits)s digits, not “%(value)s”.")
        % {"name": name, "value": value[:ECHOED_CHARACTERS], "digits": max_digits}
    )


def number_param(params: Mapping[str, Any], name: str, *, max_digits: int = MAX_DIGITS) -> int | None:
    """Return the number in request parameter `name` (``request.GET`` or ``request.POST``).

    Returns None when the parameter is absent or empty (the page's default applies).

    Raises:
        BadParameter: the parameter holds anything but 1 to `max_digits` ASCII digits.
    """
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    number = whole_number(raw, max_digits=max_digits)
    if number is None:
        raise _refusal(name, str(raw), max_digits)
    return number


def number_list_param(params: _MultiValued, name: str, *, max_digits: int = MAX_DIGITS) -> list[int]:
    """Return every number of a repeated parameter (``?file=3&file=7``); empty values are skipped.

    Raises:
        BadParameter: one of the values is not 1 to `max_digits` ASCII digits.
    """
    numbers = []
    for raw in params.getlist(name):
        if raw == "":
            continue
        number = whole_number(raw, max_digits=max_digits)
        if number is None:
            raise _refusal(name, str(raw), max_digits)
        numbers.append(number)
    return numbers


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of records by id that refuses a malformed id before asking the database.

    Django's own field passes every id to an ``IN (…)`` query, where one past 64 bits fails
    (OverflowError on SQLite, a data error on PostgreSQL) instead of matching nothing.
    """

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            if whole_number(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


def local_next(request: Any, fallback: str) -> str:
    """The ``next`` page a form asks to return to, if it is a path of this site; else ``fallback``.

    Only a path ("/measure/…") is taken: a bare word such as "²" passed the host check and then
    made ``redirect()`` try it as a view name (a 500), and another site's address is never followed.
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    wanted = request.POST.get("next") or request.GET.get("next") or ""
    local = wanted.startswith("/") and not wanted.startswith("//")
    if local and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return str(wanted)
    return fallback
