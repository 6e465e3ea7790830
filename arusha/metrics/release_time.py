"""Time from registration to release (bon à enlever)."""

from __future__ import annotations

import ibis.expr.types as ir
from ibis import _


def release_hours(declarations: ir.Table) -> ir.Table:
    """Return hours from registration to release, one row per released declaration.

    Args:
        declarations: Table in the canonical ``declarations`` shape.

    Returns:
        Columns ``declaration_id``, ``office_code``, ``channel_final``, ``release_hours``.
    """
    # Unreleased declarations have no duration yet; TF3 counts the backlog.
    released = declarations.filter(_.released_at.notnull())
    seconds = _.released_at.epoch_seconds() - _.registered_at.epoch_seconds()
    return released.select("declaration_id", "office_code", "channel_final", release_hours=seconds / 3600)


def release_hours_by_office(declarations: ir.Table) -> ir.Table:
    """Return median and 90th-percentile release hours by office and final channel."""
    return (
        release_hours(declarations)
        .group_by("office_code", "channel_final")
        .aggregate(n=_.count(), median=_.release_hours.median(), p90=_.release_hours.quantile(0.9))
        .order_by("office_code", "channel_final")
    )
