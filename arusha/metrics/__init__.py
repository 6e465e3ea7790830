"""Indicators as pure Ibis ``Table -> Table`` functions; nothing here executes a query."""

from arusha.metrics.benford import benford_deviation
from arusha.metrics.catalogue import BY_CODE, CATALOGUE, Indicator, not_computable_reason
from arusha.metrics.facts import declaration_facts, fact_columns, stage_times, unit_value_lines
from arusha.metrics.levels import (
    indicator_table,
    level_indicators_wide,
    override_concentration,
    time_release_study,
)
from arusha.metrics.pairing import pair_counts, pairing_excess
from arusha.metrics.release_time import release_hours, release_hours_by_office

__all__ = [
    "BY_CODE",
    "CATALOGUE",
    "Indicator",
    "benford_deviation",
    "declaration_facts",
    "fact_columns",
    "indicator_table",
    "level_indicators_wide",
    "not_computable_reason",
    "override_concentration",
    "pair_counts",
    "pairing_excess",
    "release_hours",
    "release_hours_by_office",
    "stage_times",
    "time_release_study",
    "unit_value_lines",
]
