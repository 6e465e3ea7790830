"""Officer × declarant (or importer) pairing excess, after Chalendard et al. (QJE 2023).

Where an office assigns declarations to officers at random (or by workload), the officer who handles
a declarant's file should not depend on the declarant. A pair that meets far more often than the
officer's share of the office's *other* files predicts is a lead (collusive steering of files).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _


def pair_counts(declarations: ir.Table, other: str = "declarant_id") -> ir.Table:
    """Return observed and expected counts for every officer × ``other`` pair within each office.

    The expected count uses the officer's share of the office's declarations *from other
    declarants* (leave-one-out), so a pair's own steering does not raise its expectation.

    Args:
        declarations: Canonical declarations (needs ``officer_id``).
        other: ``declarant_id`` or ``importer_id``.

    Returns:
        Columns ``office_code, officer_id, other_id, k, n_other, n_officer, n_office, p_officer,
        expected, value`` where ``k`` is the pair's count and ``value = k / expected``.
    """
    d = declarations.filter(_.officer_id.notnull(), declarations[other].notnull()).select(
        "office_code", "officer_id", other_id=declarations[other]
    )
    pairs = d.group_by("office_code", "officer_id", "other_id").aggregate(k=_.count())
    # Totals from the pair counts, not the declarations: fewer rows to group.
    officers = pairs.group_by("office_code", "officer_id").aggregate(n_officer=_.k.sum())
    others = pairs.group_by("office_code", "other_id").aggregate(n_other=_.k.sum())
    offices = officers.group_by("office_code").aggregate(n_office=_.n_officer.sum())
    t = pairs.inner_join(officers, ["office_code", "officer_id"])
    t = t.inner_join(others, ["office_code", "other_id"]).inner_join(offices, "office_code")
    rest = (t.n_office - t.n_other).cast("float64")
    p_officer = ibis.ifelse(rest > 0, (t.n_officer - t.k).cast("float64") / rest, None)
    t = t.mutate(p_officer=p_officer, expected=p_officer * t.n_other.cast("float64"))
    return t.mutate(value=ibis.ifelse(_.expected > 0, _.k.cast("float64") / _.expected, None))


def pair_excess_columns(declarations: ir.Table, other: str = "declarant_id") -> ir.Table:
    """Return pairing excess with the officer and the other party in their own columns, unsorted.

    Columns ``office_code, officer_id, other_id, value, n, n_other, p_officer``. Why: joining the
    two ids into ``OFFICER|OTHER`` and sorting millions of such strings on the engine was most of
    the pairs' cost; ``peers.pair_rows`` puts them in the same order from integer ranks.
    """
    t = pair_counts(declarations, other)
    return t.select(
        "office_code",
        "officer_id",
        "other_id",
        value=_.value,
        n=_.k.cast("int64"),
        n_other=_.n_other.cast("int64"),
        p_officer=_.p_officer,
    )


def pairing_excess(declarations: ir.Table, other: str = "declarant_id") -> ir.Table:
    """Return pairing excess in indicator form: ``entity_id`` = ``OFFICER|OTHER``, ``value``, ``n``.

    Example:
        >>> import ibis
        >>> from arusha import contract
        >>> t = ibis.table(contract.schema("declarations"), name="declarations")
        >>> pairing_excess(t).columns
        ('entity_id', 'office_code', 'period', 'value', 'n', 'n_other', 'p_officer')
    """
    t = pair_counts(declarations, other)
    return t.select(
        entity_id=_.officer_id + "|" + _.other_id,
        office_code=_.office_code,
        period=ibis.literal("all"),
        value=_.value,
        n=_.k.cast("int64"),
        n_other=_.n_other.cast("int64"),
        p_officer=_.p_officer,
    )
