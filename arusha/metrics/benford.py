"""First-digit (Benford) deviation of declared values per declarant or importer.

Amounts that span several orders of magnitude follow Benford's law; a declarant whose values bunch
under round thresholds (many 9s, few 1s) deviates. Values below 10 are left out (too few digits).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

MIN_VALUE = 10.0
NIGRINI_NONCONFORMITY = 0.015  # first-digit MAD above this is "nonconformity" (Nigrini 2012)


def first_digit_counts(declarations: ir.Table, by: str = "declarant_id") -> ir.Table:
    """Return ``entity_id, digit, c, n, expected_share`` for each observed first digit."""
    t = declarations.filter(_.declared_value >= MIN_VALUE, declarations[by].notnull())
    t = t.select(entity_id=t[by], digit=t.declared_value.floor().cast("int64").cast("string").substr(0, 1))
    counts = t.group_by("entity_id", "digit").aggregate(c=_.count())
    totals = counts.group_by("entity_id").aggregate(n=_.c.sum())
    joined = counts.inner_join(totals, "entity_id")
    d = joined.digit.cast("float64")
    return joined.mutate(expected_share=(1.0 + 1.0 / d).log10())


def benford_deviation(declarations: ir.Table, by: str = "declarant_id") -> ir.Table:
    """Return per entity: ``n``, ``mad`` (mean absolute deviation), ``chi2`` and the most excess digit.

    Digits never observed contribute their full expected share, computed as ``1 - Σ observed`` so
    that no 9-row scaffold is needed (the same SQL runs on every engine).

    Returns:
        Columns ``entity_id, n, mad, chi2, top_digit, top_share, top_expected``.
    """
    c = first_digit_counts(declarations, by)
    c = c.mutate(share=_.c.cast("float64") / _.n.cast("float64"), e_n=_.expected_share * _.n.cast("float64"))
    # The most excess digit by a grouped arg-max (ties to the lower digit), not a ranking window.
    top = ibis.struct({"digit": c.digit, "share": c.share, "expected": c.expected_share})
    key = ibis.struct({"excess": c.share - c.expected_share, "lower": -c.digit.cast("int64")})
    out = c.group_by("entity_id").aggregate(
        n=_.n.max(),
        abs_dev=(_.share - _.expected_share).abs().sum(),
        exp_seen=_.expected_share.sum(),
        chi_seen=((_.c.cast("float64") - _.e_n) ** 2 / _.e_n).sum(),
        e_seen=_.e_n.sum(),
        top=top.argmax(key),
    )
    return out.select(
        "entity_id",
        n=_.n.cast("int64"),
        mad=(_.abs_dev + (1.0 - _.exp_seen)) / 9.0,
        chi2=_.chi_seen + _.n.cast("float64") - _.e_seen,
        top_digit=_.top.digit,
        top_share=_.top.share,
        top_expected=_.top.expected,
    )
