"""Per-declaration facts: the flags and durations every indicator aggregates.

One row per declaration with 0/1 flags (``tf1``, ``ovr_down``, ``after_hours``...), durations in
hours and amounts. Indicators are then ratios of sums of these columns at any level, so a definition
lives in exactly one place and the same expression runs on DuckDB and Spark.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from arusha.contract import CHANNEL_RANK

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
    return ibis.ifelse(cond.fill_null(False), 1, 0).cast("int8")


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
    # Only the three milestones matter: filtering first halves the rows the grouping hashes.
    milestones = events.filter(_.event.isin(["assessed", "paid", "released"]))
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


def main_hs_chapter(items: ir.Table) -> ir.Table:
    """Return ``declaration_id, hs_chapter``: the chapter of each declaration's highest-value line."""
    w = ibis.window(group_by="declaration_id", order_by=[ibis.desc("declared_value"), "item_no"])
    ranked = items.mutate(rn=ibis.row_number().over(w), hs_chapter=_.hs_code.substr(0, 2))
    return ranked.filter(_.rn == 0).select("declaration_id", "hs_chapter")


def declaration_facts(
    declarations: ir.Table, items: ir.Table | None = None, events: ir.Table | None = None
) -> ir.Table:
    """Return one row per declaration with the flags, durations and amounts indicators aggregate.

    Args:
        declarations: Canonical declarations.
        items: Canonical items, for unit-value and HS-chapter facts (optional).
        events: Canonical events, to complete missing milestone times (optional).

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
    d = stage_times(declarations, events)
    # From the declarations themselves: events change no fine, and the engine then joins them once.
    offence_med = (
        declarations.filter(_.offence_code.notnull(), _.penalty_amount.notnull())
        .group_by("offence_code")
        .aggregate(pen_median=_.penalty_amount.median())
    )
    d = d.left_join(offence_med, "offence_code").drop("offence_code_right")
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
        tf3_base=_flag(reg_s <= reg_s.max() - 30 * 86400),
        tf3=_flag((reg_s <= reg_s.max() - 30 * 86400) & (assessed.isnull() | (assess_h > 720))),
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
    )
    if items is None:
        return facts.mutate(uv_lines=0, uv_low=0, hs_chapter=ibis.null("string"))
    uv = (
        unit_value_lines(declarations, items)
        .group_by("declaration_id")
        .aggregate(uv_lines=_.count(), uv_low=(_.uv_ratio < LOW_UNIT_VALUE).sum())
    )
    facts = facts.left_join(uv, "declaration_id").drop("declaration_id_right")
    facts = facts.left_join(main_hs_chapter(items), "declaration_id").drop("declaration_id_right")
    return facts.mutate(uv_lines=_.uv_lines.fill_null(0), uv_low=_.uv_low.fill_null(0))
