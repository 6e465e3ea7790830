"""How an indicator's value is written, the same on every page, PDF and export.

Why one helper: the scorecard wrote 5.5 % and the contract 5.6 % for the same value (Django's
``number_format`` cuts decimals off, Python's ``format`` rounds them). Values are rounded half up
to the places shown, then written in the reader's notation ("5,014.5", "5 014,5").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from arusha.metrics.catalogue import BY_CODE


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (from its shortest decimal form).

    Example:
        >>> str(rounded(0.0555 * 100, 1)), str(rounded(2.65, 1)), str(rounded(1234.5, 0))
        ('5.6', '2.7', '1235')
    """
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def figure(value: float | None, code: str) -> str:
    """An indicator's value as the reader writes numbers: a share as a percentage with one decimal,
    an amount or count whole with thousands grouped, anything else with two decimals; "—" for none."""
    if value is None:
        return "—"
    unit = BY_CODE[code].unit if code in BY_CODE else ""
    if unit == "share":
        return f"{number_format(rounded(value * 100, 1), 1, use_l10n=True)} %"
    if unit in ("amount", "count"):
        return number_format(rounded(value, 0), 0, use_l10n=True, force_grouping=True)
    return number_format(rounded(value, 2), 2, use_l10n=True)
