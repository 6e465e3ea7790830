"""Per-declaration facts: the flags and durations every indicator aggregates.

One row per declaration with 0/1 flags (``tf1``, ``ovr_down``, ``after_hours``...), durations in
hours and amounts. Indicators are then ratios of sums of these columns at any level, so a definition
lives in exactly one place and the same expression runs on DuckDB and Spark.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import ibis
import ibis.expr.types as ir
from ibis import _

from arusha.contract import CHANNEL_RANK
from arusha.metrics.catalogue import Indicator

WORKDAY_START_HOUR = 7
WORKDAY_END_HOUR = 18  # releases at 18:00 or later count as after hours
LOW_UNIT_VALUE = 0.5  # a line below half the HS6 × origin median is "low"
LOW_PENALTY = 0.5
MIN_REFERENCE_LINES = 5  # fewer lines than this make no reference unit value


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    """Return 1 where ``cond`` holds, 0 where it is false or null, as a 1-byte integer.

    Why: some thirty flags per declaration; at 5 M declarations 4-byte integers made the facts table
    outgrow DuckDB's memory cap and spill to disk.
    """
    # A boolean cast, not ``ifelse(cond, 1, 0).cast("int8")``: Ibis types the literals int8 already,
    # drops that cast, and DuckDB then stores 4-byte integers.
    return cond.fill_null(False).cast("int8")


def _hours(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64") / 3600.0


def _rank(channel: ir.StringValue) -> ir.IntegerValue:
    cases = [(channel == name, rank) for name, rank in CHANNEL_RANK.items()]
    return ibis.cases(*cases, else_=None).cast("int64")


def period_expr(ts: ir.TimestampValue, period: str) -> ir.StringValue:
    """Return the period label of ``ts``: ``2024-03`` (month), ``2024-Q1`` (quarter), ``2024`` or ``all``."""
    year = ts.year().cast("string")
    if period == "month":
        return year + "-" + ts.month().cast("string").lpad(2, "0")
    if period == "quarter":
        return year + "-Q" + ts.quarter().cast("string")
    if period == "year":
        return year
    return ibis.literal("all")


def stage_times(declarations: ir.Table, events: ir.Table | None) -> ir.Table:
    """Return declarations with assessed/paid/released times completed from events when missing.

    Why: some systems export milestones only as an event log; the Time Release Study needs them as
    columns. A declaration column, when filled, wins over the event.
    """
    if events is None:
        return declarations
    # Only the three milestones of declarations missing one of them matter: most exports fill the
    # columns, so the events to group shrink from millions to the few declarations with a gap.
    gaps = declarations.filter(_.assessed_at.isnull() | _.paid_at.isnull() | _.released_at.isnull())
    milestones = events.filter(_.event.isin(["assessed", "paid", "released"])).semi_join(
        gaps.select("declaration_id"), "declaration_id"
    )
    firsts = milestones.group_by("declaration_id").aggregate(
        ev_assessed=_.at.min(where=_.event == "assessed"),
        ev_paid=_.at.min(where=_.event == "paid"),
        ev_released=_.at.min(where=_.event == "released"),
    )
    joined = declarations.left_join(firsts, "declaration_id")
    return joined.mutate(
        assessed_at=_.assessed_at.fill_null(_.ev_assessed),
        paid_at=_.paid_at.fill_null(_.ev_paid),
        released_at=_.released_at.fill_null(_.ev_released),
    ).drop("ev_assessed", "ev_paid", "ev_released", "declaration_id_right")


def unit_value_lines(declarations: ir.Table, items: ir.Table) -> ir.Table:
    """Return item lines released without value adjustment, with their HS6 × origin reference unit value.

    The reference is the median value per kg over all lines of the same HS6 code and origin (at least
    five lines). Columns: ``declaration_id``, ``hs6``, ``origin``, ``unit_value``, ``reference``,
    ``uv_ratio``.
    """
    d = declarations.select(
        "declaration_id", "country_origin", "released_at", "assessed_value", "declared_value"
    )
    lines = items.filter(_.net_mass_kg > 0, _.declared_value > 0).left_join(d, "declaration_id")
    lines = lines.mutate(
        hs6=_.hs_code.substr(0, 6),
        origin=_.country_origin.fill_null(_.country_origin_right),
        unit_value=_.declared_value / _.net_mass_kg,
        unadjusted=_.released_at.notnull()
        & (
            _.assessed_value_right.isnull()
            | ((_.assessed_value_right - _.declared_value_right).abs() <= 0.005 * _.declared_value_right)
        ),
    )
    refs = lines.group_by("hs6", "origin").aggregate(reference=_.unit_value.median(), ref_lines=_.count())
    refs = refs.filter(_.ref_lines >= MIN_REFERENCE_LINES)
    out = lines.filter(_.unadjusted).inner_join(refs, ["hs6", "origin"])
    return out.select(
        "declaration_id", "hs6", "origin", "unit_value", "reference", uv_ratio=_.unit_value / _.reference
    )


def _unadjusted(declarations: ir.Table) -> ir.BooleanValue:
    """Released with the assessed value equal to the declared one (within 0.5 %) or not assessed."""
    assessed, declared = declarations.assessed_value, declarations.declared_value
    return declarations.released_at.notnull() & (
        assessed.isnull() | ((assessed - declared).abs() <= 0.005 * declared)
    )


def _item_lines(declarations: ir.Table, items: ir.Table) -> ir.Table:
    """Return item lines with ``origin`` (the declaration's when the line has none), ``hs6``,
    ``priced`` (weight and value positive) and ``unit_value``.

    Only lines without an origin are joined to the declarations: joining every line was the
    facts' costliest step at 5 M declarations.
    """
    own = items.filter(_.country_origin.notnull()).mutate(origin=_.country_origin)
    orphans = items.filter(_.country_origin.isnull())
    origins = declarations.select("declaration_id", declared_origin=_.country_origin).semi_join(
        orphans, "declaration_id"
    )
    inherited = orphans.left_join(origins, "declaration_id").mutate(origin=_.declared_origin)
    columns = ["declaration_id", "item_no", "hs_code", "net_mass_kg", "declared_value", "origin"]
    lines = own.select(*columns).union(inherited.select(*columns))
    priced = (lines.net_mass_kg > 0) & (lines.declared_value > 0)
    return lines.mutate(
        hs6=_.hs_code.substr(0, 6),
        priced=priced,
        # Guarded: Spark's ANSI mode rejects a division by zero.
        unit_value=ibis.ifelse(priced, _.declared_value / _.net_mass_kg, None),
    )


def item_facts(declarations: ir.Table, items: ir.Table) -> ir.Table:
    """Return per declaration with items: ``uv_ref_lines``, ``uv_low_lines`` and ``hs_chapter``.

    ``uv_ref_lines`` counts the lines with a weight, a value and an HS6 × origin reference unit value
    (see :func:`unit_value_lines`), ``uv_low_lines`` those below half their reference; the
    declaration-level condition (released without adjustment) is applied by the caller.
    ``hs_chapter`` is the chapter of the highest-value line (ties to the lowest ``item_no``, a line
    without value last).

    Why this shape: one grouping by declaration with an arg-max replaces two groupings and a
    ranking window.
    """
    lines = _item_lines(declarations, items)
    # The reference lines are built on their own (priced lines filtered first), not as a filter of
    # ``lines``: a shared subquery would be materialised, all 8.7 M lines at 5 M declarations.
    ref_lines = _item_lines(declarations, items.filter(_.net_mass_kg > 0, _.declared_value > 0))
    refs = (
        ref_lines.group_by("hs6", "origin")
        .aggregate(reference=_.unit_value.median(), ref_lines=_.count())
        .filter(_.ref_lines >= MIN_REFERENCE_LINES)
    )
    t = lines.left_join(refs, ["hs6", "origin"])
    compared = t.priced & t.reference.notnull()
    value = t.declared_value.cast("float64").fill_null(float("-inf"))
    key = ibis.struct({"value": value, "line": -t.item_no.cast("int64")})
    return t.group_by("declaration_id").aggregate(
        uv_ref_lines=t.declaration_id.count(where=compared),
        uv_low_lines=t.declaration_id.count(where=compared & (t.unit_value / t.reference < LOW_UNIT_VALUE)),
        hs_chapter=t.hs_code.substr(0, 2).argmax(key),
    )


def fact_columns(indicators: Iterable[Indicator]) -> set[str]:
    """Return the fact columns the given indicators aggregate (their numerators, denominators, counts)."""
    return {c for ind in indicators for c in (ind.numerator, ind.denominator, ind.count) if c}


def declaration_facts(
    declarations: ir.Table,
    items: ir.Table | None = None,
    events: ir.Table | None = None,
    only: Collection[str] | None = None,
) -> ir.Table:
    """Return one row per declaration with the flags, durations and amounts indicators aggregate.

    Args:
        declarations: Canonical declarations.
        items: Canonical items, for unit-value and HS-chapter facts (optional).
        events: Canonical events, to complete missing milestone times (optional).
        only: The fact columns the caller will aggregate (see :func:`fact_columns`); the whole-table
            statistics that other facts need (penalty medians by offence, the last registration)
            are then computed only when asked for. ``None``: every fact, as ``analyze`` needs.

    Returns:
        The declaration keys (``declaration_id``, ``office_code``, ``officer_id``, ``declarant_id``,
        ``importer_id``, ``registered_at``, ``hs_chapter``) and fact columns named in the catalogue.

    Example:
        >>> import ibis
        >>> from arusha import contract
        >>> t = ibis.table(contract.schema("declarations"), name="declarations")
        >>> "tf1" in declaration_facts(t).columns
        True
    """
    # Unit values count only for declarations released without adjustment, by their own columns
    # (before events complete the milestones).
    d = stage_times(declarations.mutate(uv_unadjusted=_unadjusted(declarations)), events)
    # From the declarations themselves: events change no fine, and the engine then joins them once.
    wanted = set(only) if only is not None else None
    if wanted is None or wanted & {"pen_case", "pen_low"}:
        offence_med = (
            declarations.filter(_.offence_code.notnull(), _.penalty_amount.notnull())
            .group_by("offence_code")
            .aggregate(pen_median=_.penalty_amount.median())
        )
        d = d.left_join(offence_med, "offence_code").drop("offence_code_right")
    else:  # two more scans and a join that nothing asked for
        d = d.mutate(pen_median=ibis.null("float64"))
    if wanted is None or wanted & {"tf3_base", "tf3"}:
        # The last registration, as a one-row table joined on: a whole-table window ran on one thread.
        last = declarations.aggregate(last_reg_s=declarations.registered_at.epoch_seconds().max())
        d = d.cross_join(last)
    else:
        d = d.mutate(last_reg_s=ibis.null("int64"))
    reg, assessed, paid, released = d.registered_at, d.assessed_at, d.paid_at, d.released_at
    assess_h = _hours(assessed, reg)
    ra, rf = _rank(d.channel_assigned), _rank(d.channel_final)
    is_released = released.notnull()
    due = is_released & (d.duties_declared > 0)
    inspected = d.inspection_result.isin(["no_discrepancy", "discrepancy"])
    red_released = (d.channel_final == "red") & is_released
    reg_s = reg.epoch_seconds()
    hour, dow = released.hour(), released.day_of_week.index()
    facts = d.mutate(
        one=ibis.literal(1),
        tf1=_flag(assessed.date() == reg.date()),
        tf2=_flag(assess_h >= 120),
        tf3_base=_flag(reg_s <= d.last_reg_s - 30 * 86400),
        tf3=_flag((reg_s <= d.last_reg_s - 30 * 86400) & (assessed.isnull() | (assess_h > 720))),
        yellow=_flag(d.channel_final == "yellow"),
        tf4=_flag((d.channel_final == "yellow") & (assess_h <= 24)),
        release_h=_hours(released, reg),
        h_reg_assess=assess_h,
        h_assess_pay=ibis.ifelse(paid >= assessed, _hours(paid, assessed), None),
        h_pay_release=ibis.ifelse(released >= paid, _hours(released, paid), None),
        inspected=_flag(inspected),
        hit=_flag(d.inspection_result == "discrepancy"),
        extra_duties=ibis.ifelse(
            inspected, d.duties_assessed.fill_null(d.duties_declared) - d.duties_declared, 0.0
        ),
        inspected_value=ibis.ifelse(inspected, d.declared_value, 0.0),
        uplift_value=ibis.ifelse(
            inspected, d.assessed_value.fill_null(d.declared_value) - d.declared_value, 0.0
        ),
        offence=_flag(d.offence_code.notnull()),
        penalty=ibis.ifelse(d.offence_code.notnull(), d.penalty_amount.fill_null(0.0), 0.0),
        pen_case=_flag(d.offence_code.notnull() & d.penalty_amount.notnull() & (d.pen_median > 0)),
        pen_low=_flag(d.penalty_amount < LOW_PENALTY * d.pen_median),
        has_assessed_value=_flag(d.assessed_value.notnull()),
        adjusted=_flag((d.assessed_value - d.declared_value).abs() > 0.005 * d.declared_value),
        red_or_yellow=_flag(d.channel_assigned.isin(["red", "yellow"])),
        ovr_down=_flag(d.channel_assigned.isin(["red", "yellow"]) & (rf < ra)),
        assigned_red=_flag(d.channel_assigned == "red"),
        assigned_yellow=_flag(d.channel_assigned == "yellow"),
        ovr_red_green=_flag((d.channel_assigned == "red") & (d.channel_final == "green")),
        ovr_red_yellow=_flag((d.channel_assigned == "red") & (d.channel_final == "yellow")),
        ovr_yellow_green=_flag((d.channel_assigned == "yellow") & (d.channel_final == "green")),
        released=_flag(is_released),
        after_hours=_flag(
            is_released & ((hour < WORKDAY_START_HOUR) | (hour >= WORKDAY_END_HOUR) | (dow >= 5))
        ),
        released_due=_flag(due),
        before_pay=_flag(due & (paid.isnull() | (paid > released))),
        red_released=_flag(red_released),
        red_no_insp=_flag(red_released & (d.inspection_result.isnull() | (d.inspection_result == "none"))),
        duties=d.duties_assessed.fill_null(d.duties_declared),
    ).drop("last_reg_s")
    if items is None:
        return facts.drop("uv_unadjusted").mutate(uv_lines=0, uv_low=0, hs_chapter=ibis.null("string"))
    facts = facts.left_join(item_facts(declarations, items), "declaration_id").drop("declaration_id_right")
    unadjusted = facts.uv_unadjusted.fill_null(False)
    facts = facts.mutate(
        uv_lines=ibis.ifelse(unadjusted, _.uv_ref_lines.fill_null(0), 0),
        uv_low=ibis.ifelse(unadjusted, _.uv_low_lines.fill_null(0), 0),
    )
    return facts.relocate("hs_chapter", after="uv_low").drop("uv_unadjusted", "uv_ref_lines", "uv_low_lines")
