"""Canonical clearance-data shape (``shared/contracts/clearance-data.md``) as code.

Every importer maps onto these three tables and every metric reads them, so the column list, the
types, the enums and the rules live here once. The validator and the store DDL are derived from
these specs; nothing else should spell out a canonical column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import ibis
import ibis.expr.schema as sch

Kind = Literal["string", "timestamp", "decimal", "int", "enum", "country", "hs_code"]

TABLES: Final = ("declarations", "items", "events")

CHANNELS: Final = ("green", "blue", "yellow", "red")
# Severity order of control channels: a move to a lower rank is a relaxation ("override").
# Blue (post-clearance audit) releases goods before control, so it ranks below documentary control.
CHANNEL_RANK: Final = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
INSPECTION_RESULTS: Final = ("none", "no_discrepancy", "discrepancy")

# Columns the contract marks required but whose absence only disables officer/channel indicators.
# The issue asks that such a file still loads; indicators then say "not computable (missing column X)".
SOFT_REQUIRED: Final = frozenset({"officer_id", "channel_assigned", "channel_final"})


@dataclass(frozen=True)
class Column:
    """One canonical column: its type, whether it is required and its value constraints."""

    name: str
    kind: Kind
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def sql_type(self) -> str:
        """Return the DuckDB storage type."""
        return {"timestamp": "TIMESTAMP", "decimal": "DOUBLE", "int": "BIGINT"}.get(self.kind, "VARCHAR")

    @property
    def hard_required(self) -> bool:
        """Return True when a source without this column must be rejected."""
        return self.required and self.name not in SOFT_REQUIRED


def _amount(name: str, required: bool = False) -> Column:
    return Column(name, "decimal", required, minimum=0.0)


DECLARATIONS: Final = (
    Column("declaration_id", "string", True),
    Column("office_code", "string", True),
    Column("regime", "string"),
    Column("declarant_id", "string", True),
    Column("importer_id", "string", True),
    Column("officer_id", "string", True),
    Column("channel_assigned", "enum", True, enum=CHANNELS),
    Column("channel_final", "enum", True, enum=CHANNELS),
    Column("channel_changed_by", "string"),
    Column("registered_at", "timestamp", True),
    Column("assessed_at", "timestamp"),
    Column("paid_at", "timestamp"),
    Column("released_at", "timestamp"),
    _amount("declared_value", True),
    _amount("assessed_value"),
    _amount("duties_declared", True),
    _amount("duties_assessed"),
    Column("inspection_result", "enum", enum=INSPECTION_RESULTS),
    Column("offence_code", "string"),
    _amount("penalty_amount"),
    Column("country_origin", "country"),
    Column("country_export", "country"),
    Column("transport_mode", "string"),
)

ITEMS: Final = (
    Column("declaration_id", "string", True),
    Column("item_no", "int", True, minimum=1),
    Column("hs_code", "hs_code", True),
    Column("country_origin", "country"),
    _amount("net_mass_kg"),
    _amount("quantity"),
    _amount("declared_value", True),
    _amount("assessed_value"),
    Column("duty_rate", "decimal", minimum=0.0, maximum=10.0),
)

EVENTS: Final = (
    Column("declaration_id", "string", True),
    Column("event", "string", True),
    Column("at", "timestamp", True),
    Column("actor_id", "string"),
)

COLUMNS: Final[dict[str, tuple[Column, ...]]] = {
    "declarations": DECLARATIONS,
    "items": ITEMS,
    "events": EVENTS,
}

# Natural keys: a second load of a row with the same key replaces it (newer export wins).
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "declarations": ("declaration_id",),
    "items": ("declaration_id", "item_no"),
    "events": ("declaration_id", "event", "at"),
}

# Tables whose rows a newer export replaces declaration by declaration, not row by row: the item
# lines of an amended declaration are its new lines only (a line dropped by the amendment goes).
# Not events: a log is exported by period, and a later file holds a declaration's later steps only.
SUPERSEDED_WHOLE: Final[dict[str, tuple[str, ...]]] = {"items": ("declaration_id",)}

EVENT_NAMES: Final = (
    "lodged",
    "registered",
    "assigned",
    "reassigned",
    "channel_changed",
    "inspection_started",
    "inspection_done",
    "assessed",
    "paid",
    "released",
    "exited",
)


class Rule:
    """Validation rule codes; each appears in load errors and in the quarantine reasons."""

    UNREADABLE_FILE: Final = "unreadable_file"
    MISSING_REQUIRED_COLUMN: Final = "missing_required_column"
    REQUIRED_VALUE_MISSING: Final = "required_value_missing"
    UNPARSEABLE_VALUE: Final = "unparseable_value"
    UNKNOWN_ENUM_VALUE: Final = "unknown_enum_value"
    NEGATIVE_AMOUNT: Final = "negative_amount"
    OUT_OF_RANGE: Final = "out_of_range"
    INVALID_HS_CODE: Final = "invalid_hs_code"
    INVALID_COUNTRY_CODE: Final = "invalid_country_code"
    RELEASED_BEFORE_REGISTERED: Final = "released_before_registered"
    DUPLICATE_KEY: Final = "duplicate_key"
    MAPPING_EXPRESSION_FAILS: Final = "mapping_expression_fails"
    AMBIGUOUS_NUMBER_FORMAT: Final = "ambiguous_number_format"
    STORE_UNAVAILABLE: Final = "store_unavailable"
    NO_ROWS: Final = "no_rows"


RULE_MESSAGES: Final = {
    Rule.UNREADABLE_FILE: "file cannot be read",
    Rule.NO_ROWS: "the file holds no rows (only its header): nothing to load",
    Rule.MISSING_REQUIRED_COLUMN: "required column is missing",
    Rule.REQUIRED_VALUE_MISSING: "required value is empty",
    Rule.UNPARSEABLE_VALUE: "value cannot be parsed as {kind}",
    Rule.UNKNOWN_ENUM_VALUE: "unknown value (allowed: {allowed})",
    Rule.NEGATIVE_AMOUNT: "amount is negative",
    Rule.OUT_OF_RANGE: "value outside [{minimum}, {maximum}]",
    Rule.INVALID_HS_CODE: "HS code must be 6 to 10 digits",
    Rule.INVALID_COUNTRY_CODE: "country must be an ISO 3166 alpha-2 code",
    Rule.RELEASED_BEFORE_REGISTERED: "released_at before registered_at",
    Rule.DUPLICATE_KEY: "duplicate key ({key}) in this file",
    Rule.MAPPING_EXPRESSION_FAILS: "the mapping's expression for this column fails",
    Rule.AMBIGUOUS_NUMBER_FORMAT: "numbers could use ',' for thousands or for decimals",
    Rule.STORE_UNAVAILABLE: "the store cannot be opened",
}

_IBIS_TYPES: Final = {"timestamp": "timestamp", "decimal": "float64", "int": "int64"}


def schema(table: str) -> sch.Schema:
    """Return the canonical Ibis schema of ``table``.

    Args:
        table: One of ``declarations``, ``items``, ``events``.

    Returns:
        An Ibis schema with every canonical column, nullable.

    Example:
        >>> schema("events").names
        ('declaration_id', 'event', 'at', 'actor_id')
    """
    return ibis.schema({c.name: _IBIS_TYPES.get(c.kind, "string") for c in COLUMNS[table]})


def column_names(table: str) -> list[str]:
    """Return the canonical column names of ``table`` in contract order."""
    return [c.name for c in COLUMNS[table]]


def table_for_file(name: str) -> str | None:
    """Return the canonical table a file name designates by its prefix, or None.

    Example:
        >>> table_for_file("declarations-2024.csv"), table_for_file("export.csv")
        ('declarations', None)
    """
    lowered = name.lower()
    return next((t for t in TABLES if lowered.startswith(t)), None)
