"""The decisions table: one slim row per declaration with who decided what, for the lead tests.

Why one row per declaration and not per-kind aggregates: every test compares an entity's files with
other staff's files in the same stratum (importer × office × channel × month and coarser), and the
strata, the actor (who changed the channel, who signed the release) and the comparison groups
differ by kind. One query gives integer flags and codes; the statistics then run in NumPy on the
same integers whatever the engine, so DuckDB and Spark give identical leads.

The expressions are Ibis and never execute here (the caller collects them).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from arusha import detection
from arusha.contract import CHANNEL_RANK
from arusha.metrics import facts

SYSTEM_ACTORS = ("SYSTEM", "BANK", "GATE")
INSPECTION_EVENTS = ("inspection_started", "inspection_done")
WORKDAY_START_HOUR = facts.WORKDAY_START_HOUR
WORKDAY_END_HOUR = facts.WORKDAY_END_HOUR
MIN_DIGIT_VALUE = 10.0  # values below 10 have too few digits for a first-digit test
ROUND_UNIT = 1000.0  # a value in whole thousands is "round"


def _rank(channel: ir.StringValue) -> ir.IntegerValue:
    cases = [(channel == name, rank) for name, rank in CHANNEL_RANK.items()]
    return ibis.cases(*cases, else_=-1).cast("int8")


def _month(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Months since year 0 (``year * 12 + month - 1``): windows are runs of consecutive integers."""
    return (ts.year() * 12 + ts.month() - 1).cast("int32")


def _event_summary(events: ir.Table) -> ir.Table:
    """Per declaration: the release signer, inspection steps, reassignments, and the channel changer.

    The signer is the actor of the latest ``released`` event and the changer the officer of the
    latest ``channel_changed`` event (a system actor changes no channel on anyone's behalf), so
    a file with two such steps is credited to whoever acted last, not to the first id in
    alphabetical order.
    """
    released = _.event == "released"
    officer_change = (_.event == "channel_changed") & ~_.actor_id.isin(SYSTEM_ACTORS)
    return events.group_by("declaration_id").aggregate(
        ev_rows=_.count(),
        release_actor=_.actor_id.argmax(_.at, where=released),
        release_events=_.declaration_id.count(where=released),
        inspection_events=_.declaration_id.count(where=_.event.isin(INSPECTION_EVENTS)),
        reassigned=_.declaration_id.count(where=_.event == "reassigned"),
        changer=_.actor_id.argmax(_.at, where=officer_change),
    )


def decision_table(
    declarations: ir.Table,
    items: ir.Table | None = None,
    events: ir.Table | None = None,
    risk_scores: ir.Table | None = None,
) -> ir.Table:
    """Return one row per declaration with the codes and flags the lead tests read.

    Columns: ``declaration_id, office_code, officer_id, declarant_id, importer_id, changer`` (who
    changed the channel: ``channel_changed_by``, else the ``channel_changed`` event's actor),
    ``release_actor`` (the ``released`` event's actor; null without events), ``month``, ``ch_a``,
    ``ch_f`` (channel ranks, −1 when missing), ``released``, ``release_h``, ``after_hours``,
    ``due``, ``before_pay``, ``inspected``, ``hit``, ``result_none``, ``has_events``,
    ``inspection_events``, ``reassigned``, ``offence_code``, ``penalty``, ``evaded``, ``adjusted``,
    ``uv_lines``, ``uv_low``, ``probability`` (null without a risk model).
    """
    d = facts.stage_times(declarations, events)
    reg, released_at, paid = d.registered_at, d.released_at, d.paid_at
    hour, dow = released_at.hour(), released_at.day_of_week.index()
    is_released = released_at.notnull()
    due = is_released & (d.duties_declared > 0)
    assessed, declared = d.assessed_value, d.declared_value
    table = d.select(
        "declaration_id",
        "office_code",
        "officer_id",
        "declarant_id",
        "importer_id",
        "offence_code",
        changed_by=d.channel_changed_by,
        month=_month(reg),
        ch_a=_rank(d.channel_assigned),
        ch_f=_rank(d.channel_final),
        released=is_released.fill_null(False),
        release_h=ibis.ifelse(
            is_released, (released_at.epoch_seconds() - reg.epoch_seconds()).cast("float64") / 3600.0, None
        ),
        after_hours=(
            is_released & ((hour < WORKDAY_START_HOUR) | (hour >= WORKDAY_END_HOUR) | (dow >= 5))
        ).fill_null(False),
        due=due.fill_null(False),
        before_pay=(due & (paid.isnull() | (paid > released_at))).fill_null(False),
        inspected=d.inspection_result.isin(["no_discrepancy", "discrepancy"]).fill_null(False),
        hit=(d.inspection_result == "discrepancy").fill_null(False),
        result_none=(d.inspection_result.isnull() | (d.inspection_result == "none")),
        penalty=d.penalty_amount,
        evaded=(d.duties_assessed.fill_null(d.duties_declared) - d.duties_declared).cast("float64"),
        adjusted=((assessed - declared).abs() > 0.005 * declared).fill_null(False),
    )
    if events is not None:
        summary = _event_summary(events)
        table = table.left_join(summary, "declaration_id").drop("declaration_id_right")
        table = table.mutate(
            changer=_.changed_by.fill_null(_.changer),
            has_events=_.ev_rows.notnull(),
            inspection_events=_.inspection_events.fill_null(0).cast("int32"),
            reassigned=_.reassigned.fill_null(0).cast("int32"),
        ).drop("ev_rows", "release_events", "changed_by")
    else:
        table = table.rename(changer="changed_by").mutate(
            release_actor=ibis.null("string"),
            has_events=ibis.literal(False),
            inspection_events=ibis.literal(0).cast("int32"),
            reassigned=ibis.literal(0).cast("int32"),
        )
    if items is not None:
        lines = facts.item_facts(declarations, items).select("declaration_id", "uv_ref_lines", "uv_low_lines")
        table = table.left_join(lines, "declaration_id").drop("declaration_id_right")
        table = table.mutate(
            uv_lines=_.uv_ref_lines.fill_null(0).cast("int32"),
            uv_low=_.uv_low_lines.fill_null(0).cast("int32"),
        ).drop("uv_ref_lines", "uv_low_lines")
    else:
        table = table.mutate(uv_lines=ibis.literal(0).cast("int32"), uv_low=ibis.literal(0).cast("int32"))
    if risk_scores is not None:
        scores = detection.check_risk_scores(risk_scores).select("declaration_id", "probability")
        table = table.left_join(scores, "declaration_id").drop("declaration_id_right")
    else:
        table = table.mutate(probability=ibis.null("float64"))
    # No ORDER BY: sorting millions of ids cost seconds, and nothing needs it. The statistics give
    # the same result in any row order (ids are coded by sorted dictionaries, expectations summed
    # on a fixed-point grid: see frame.py and family.quantised).
    return table


def digit_counts(declarations: ir.Table, items: ir.Table) -> ir.Table:
    """Return declarations counted by ``declarant_id, importer_id, month, digit`` with ``lines`` and ``round_lines``.

    One count per declaration, not per item line: the lines of one invoice are priced together
    (an importer quoting whole thousands quotes them on every line), and counting them one by one
    made an honest importer's lumpy months look like fabrication. ``digit`` is the first digit of
    the declaration's largest line (values of 10 or more); a declaration is round when every such
    line is a whole multiple of 1,000. Why by importer: a broker's declarations are compared with
    what the same importers' look like over the whole year, whoever files them.
    """
    d = declarations.select(
        "declaration_id", "declarant_id", "importer_id", month=_month(declarations.registered_at)
    )
    lines = items.filter(_.declared_value >= MIN_DIGIT_VALUE)
    value = lines.declared_value
    per_declaration = lines.group_by("declaration_id").aggregate(
        top=value.max(),
        round_all=((value >= ROUND_UNIT) & ((value % ROUND_UNIT) == 0)).cast("int32").min(),
    )
    t = per_declaration.inner_join(d, "declaration_id")
    t = t.select(
        "declarant_id",
        "importer_id",
        "month",
        digit=t.top.floor().cast("int64").cast("string").substr(0, 1).cast("int8"),
        round_line=t.round_all,
    )
    out = t.group_by("declarant_id", "importer_id", "month", "digit").aggregate(
        lines=_.count(), round_lines=_.round_line.sum()
    )
    return out
