"""Turn a mapping into one DuckDB query that converts a staged source and checks every contract rule.

The query yields the canonical columns plus ``__errs``, a list of ``column<US>rule<US>value`` strings
(US = ASCII unit separator), one per broken rule. A single pass keeps validation cheap enough to run
on every load of millions of rows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import duckdb

from arusha import contract
from arusha.contract import Column, Rule
from arusha.importing.mapping import _SRC_CALL, ColumnMap, Mapping

SEP = "\x1f"
# A time of day followed by a UTC offset or Z, at the end of a text timestamp.
_OFFSET_SUFFIX = r":[0-9][0-9](\.[0-9]*)? ?(Z|[+-][0-9][0-9](:?[0-9][0-9])?)\s*$"
_TEXT_TYPES = ("VARCHAR", "STRING", "TEXT")


def quote(name: str) -> str:
    """Return ``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """Return ``value`` as a DuckDB string literal."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class FileError:
    """A rule broken by the file as a whole (no row): unreadable, or a required column missing."""

    column: str
    rule: str
    message: str


@dataclass
class TablePlan:
    """The conversion/validation query for one canonical table of one source."""

    table: str
    sql: str = ""
    columns: list[str] = field(default_factory=list)
    file_errors: list[FileError] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    clean_sql: str = ""  # the converted rows that break no row rule (the fast path)
    key_sql: str = ""  # the converted key columns of every source row
    # Canonical column -> (the mapping's expression as written, its SQL), to name a failing one.
    expressions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def duplicate_count_sql(self) -> str | None:
        """Return a query counting keys that repeat in the source, or ``None`` (events have no key).

        Why: checked on the converted key columns only, before any write, it costs one small
        GROUP BY instead of materialising the whole converted table.
        """
        if not self.key_sql or self.table == "events":
            return None  # an event log may repeat a step; events have no uniqueness rule
        key = ", ".join(quote(k) for k in contract.KEYS[self.table])
        first = quote(contract.KEYS[self.table][0])
        return (
            f"SELECT count(*) FROM (SELECT {key} FROM ({self.key_sql}) WHERE {first} IS NOT NULL "
            f"GROUP BY {key} HAVING count(*) > 1)"
        )


def _is_text(sql_type: str) -> bool:
    return sql_type.upper().startswith(_TEXT_TYPES)


def _is_integer(sql_type: str) -> bool:
    return sql_type.upper() in {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "HUGEINT",
    }


def _formats(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(literal(f) for f in formats) + "]"


def _number(expr: str, sql_type: str, decimal: str, thousands: str | None) -> str:
    if not _is_text(sql_type):
        return f"TRY_CAST({expr} AS DOUBLE)"
    text = f"trim({expr})"
    if decimal == ",":
        # With a decimal comma, dots and (narrow) spaces can only be thousands separators.
        text = f"replace(regexp_replace({text}, '[ .\u00a0\u202f]', '', 'g'), ',', '.')"
    else:
        text = f"regexp_replace({text}, '[ \u00a0\u202f]', '', 'g')"
        if thousands:
            text = f"replace({text}, {literal(thousands)}, '')"
    return f"TRY_CAST({text} AS DOUBLE)"


def _timestamp(expr: str, sql_type: str, formats: tuple[str, ...], mapping: Mapping) -> str:
    """Return SQL parsing ``expr`` as a naive timestamp in the store's convention.

    The store holds the administration's local time: zone-aware values are converted to the
    mapping's ``timezone`` (UTC without one); plain values written in ``source_timezone`` are
    converted from it (see ``docs/mappings.md``).
    """
    source_zone, store_zone = mapping.zones()
    target = store_zone or "UTC"
    if "WITH TIME ZONE" in sql_type.upper():
        return f"timezone({literal(target)}, {expr})"
    if formats and _is_integer(sql_type):
        # A date kept as a number (20240102 in an INTEGER column) is read as its digits.
        naive = f"try_strptime(CAST({expr} AS VARCHAR), {_formats(formats)})"
    elif not _is_text(sql_type):
        naive = f"TRY_CAST({expr} AS TIMESTAMP)"
    else:
        naive = f"TRY_CAST(trim({expr}) AS TIMESTAMP)"
        if formats:
            naive = f"coalesce(try_strptime(trim({expr}), {_formats(formats)}), {naive})"
    local = naive
    if source_zone is not None and source_zone != target:
        # timezone(zone, TIMESTAMP) reads local time in zone; timezone(zone, TIMESTAMPTZ) gives it back.
        local = f"timezone({literal(target)}, timezone({literal(source_zone)}, {naive}))"
    if not _is_text(sql_type):
        return local
    # Text with its own offset ("2025-04-13T14:22:00Z", "…+01:00") names an instant: a plain cast
    # would drop the offset and keep the clock as written, so it is converted like a zone-aware value.
    aware = f"timezone({literal(target)}, TRY_CAST(trim({expr}) AS TIMESTAMPTZ))"
    return f"(CASE WHEN regexp_matches({expr}, {literal(_OFFSET_SUFFIX)}) THEN {aware} ELSE {local} END)"


def _expand(expr: str, types: dict[str, str], mapping: Mapping, decimal: str, cmap: ColumnMap) -> str:
    """Return ``expr`` with ``num("C")``, ``ts("C")`` and ``txt("C")`` replaced by SQL."""

    def repl(match: re.Match[str]) -> str:
        func, col = match.group(1), match.group(2)
        sql_type = types[col]
        if func == "num":
            return _number(quote(col), sql_type, decimal, mapping.thousands)
        if func == "ts":
            return _timestamp(quote(col), sql_type, cmap.date_format or mapping.date_format, mapping)
        return f"CAST({quote(col)} AS VARCHAR)"

    return _SRC_CALL.sub(repl, expr)


def _raw(cmap: ColumnMap, types: dict[str, str], mapping: Mapping, decimal: str) -> tuple[str, str]:
    """Return (SQL expression, its source type) for the value a column map reads."""
    if cmap.source is not None:
        return quote(cmap.source), types[cmap.source]
    if cmap.expr is not None:
        return f"({_expand(cmap.expr, types, mapping, decimal, cmap)})", "EXPR"
    value = cmap.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(float(value)), "DOUBLE"
    return literal(str(value)), "VARCHAR"


def _clean_text(expr: str) -> str:
    """Return SQL equal to ``NULLIF(trim(expr), '')`` that skips the trim when neither end needs it.

    Why: trim copies every string; identifiers rarely carry spaces, and testing the first and last
    characters first halves the cost of converting text columns on large loads.
    """
    x = f"CAST({expr} AS VARCHAR)"
    printable = f"ord({x}) BETWEEN 33 AND 126 AND ord({x}[-1]) BETWEEN 33 AND 126"
    return f"(CASE WHEN {printable} THEN {x} ELSE NULLIF(trim({x}), '') END)"


def _convert(col: Column, raw: str, raw_type: str, cmap: ColumnMap, mapping: Mapping, decimal: str) -> str:
    # A mapping expression is not repeated four times; a plain column is cheap to test.
    text = f"NULLIF(trim(CAST({raw} AS VARCHAR)), '')" if raw_type == "EXPR" else _clean_text(raw)
    if raw_type == "EXPR":
        # An expression's type is only known to DuckDB; typed results cast, text results parse.
        raw_type = "VARCHAR" if col.kind not in {"decimal", "int", "timestamp"} else "EXPR"
    if col.kind == "timestamp":
        if raw_type == "EXPR":
            return f"TRY_CAST({raw} AS TIMESTAMP)"
        return _timestamp(raw, raw_type, cmap.date_format or mapping.date_format, mapping)
    if col.kind in {"decimal", "int"}:
        value = (
            f"TRY_CAST({raw} AS DOUBLE)"
            if raw_type == "EXPR"
            else _number(raw, raw_type, decimal, mapping.thousands)
        )
        if cmap.scale is not None:
            value = f"({value} * {cmap.scale!r})"
        if col.kind == "int":
            return f"(CASE WHEN {value} = floor({value}) THEN TRY_CAST({value} AS BIGINT) END)"
        return value
    if col.kind == "enum":
        key = f"upper({text})"
        if cmap.values:
            cases = " ".join(
                f"WHEN {literal(k.upper())} THEN {literal(v)}" for k, v in sorted(cmap.values.items())
            )
            return f"(CASE {key} {cases} ELSE lower({text}) END)"
        return f"lower({text})"
    if col.kind == "country":
        return f"upper({text})"
    if col.kind == "hs_code":
        return f"regexp_replace({text}, '[. ]', '', 'g')"
    if cmap.values:
        cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in sorted(cmap.values.items()))
        return f"(CASE {text} {cases} ELSE {text} END)"
    return text


@dataclass(frozen=True)
class Check:
    """A row rule: the row breaks it where ``cond`` is true (null counts as not broken)."""

    cond: str
    column: str
    rule: str
    value: str

    def flag(self) -> str:
        """Return the ``column<US>rule<US>value`` string of a broken rule, else NULL."""
        tag = literal(self.column + SEP + self.rule + SEP)
        return f"CASE WHEN {self.cond} THEN {tag} || coalesce({self.value}, '') END"


def _checks(col: Column) -> list[Check]:
    """Return the row-level checks of one converted column ``v`` with source text ``t``."""
    v, t = quote(col.name), quote("__t_" + col.name)
    shown = f"CAST({t} AS VARCHAR)"
    checks: list[Check] = []
    if col.required:
        checks.append(Check(f"{t} IS NULL", col.name, Rule.REQUIRED_VALUE_MISSING, "NULL"))
    if col.kind in {"timestamp", "decimal", "int"}:
        checks.append(Check(f"{t} IS NOT NULL AND {v} IS NULL", col.name, Rule.UNPARSEABLE_VALUE, shown))
    if col.kind == "decimal":  # "NaN" and "inf" cast to doubles, but are no amount or rate
        checks.append(Check(f"NOT isfinite({v})", col.name, Rule.UNPARSEABLE_VALUE, shown))
    if col.kind == "enum":
        allowed = ", ".join(literal(e) for e in col.enum)
        checks.append(Check(f"{v} NOT IN ({allowed})", col.name, Rule.UNKNOWN_ENUM_VALUE, shown))
    if col.kind == "hs_code":
        rule = Rule.INVALID_HS_CODE
        checks.append(Check(f"NOT regexp_full_match({v}, '[0-9]{{6,10}}')", col.name, rule, shown))
    if col.kind == "country":
        rule = Rule.INVALID_COUNTRY_CODE
        checks.append(Check(f"NOT regexp_full_match({v}, '[A-Z]{{2}}')", col.name, rule, shown))
    if col.minimum is not None or col.maximum is not None:
        if col.minimum == 0.0 and col.maximum is None:
            checks.append(Check(f"{v} < 0", col.name, Rule.NEGATIVE_AMOUNT, shown))
        else:
            conds = []
            if col.minimum is not None:
                conds.append(f"{v} < {col.minimum!r}")
            if col.maximum is not None:
                conds.append(f"{v} > {col.maximum!r}")
            checks.append(Check(" OR ".join(conds), col.name, Rule.OUT_OF_RANGE, shown))
    return checks


def row_checks(table: str, columns: list[str]) -> list[Check]:
    """Return every row rule of ``table`` over converted columns ``v`` and their source text ``__t_v``."""
    specs = [c for c in contract.COLUMNS[table] if c.name in columns]
    checks = [chk for c in specs for chk in _checks(c)]
    if table == "declarations" and {"released_at", "registered_at"} <= set(columns):
        checks.append(
            Check(
                "released_at < registered_at",
                "released_at",
                Rule.RELEASED_BEFORE_REGISTERED,
                "CAST(released_at AS VARCHAR)",
            )
        )
    return checks


def plan_table(table: str, mapping: Mapping, types: dict[str, str], relation: str, decimal: str) -> TablePlan:
    """Build the conversion/validation query of ``table`` over the staged ``relation``.

    Args:
        table: Canonical table to fill.
        mapping: The mapping (identity when the source uses canonical names).
        types: Source column -> DuckDB type, from :func:`arusha.importing.read.source_types`.
        relation: Name of the staged relation (has ``__row``).
        decimal: Decimal separator of text numbers, ``"."`` or ``","``.

    Returns:
        The plan; ``file_errors`` is non-empty when the source cannot fill the table at all.
    """
    plan = TablePlan(table)
    cmaps = mapping.columns_for(table, list(types))
    converted: list[str] = []
    key_converted: list[str] = []
    for col in contract.COLUMNS[table]:
        cmap = cmaps.get(col.name)
        missing = [] if cmap is None else [s for s in cmap.source_columns() if s not in types]
        if cmap is None or missing:
            if col.hard_required:
                source = missing[0] if missing else col.name
                plan.file_errors.append(
                    FileError(col.name, Rule.MISSING_REQUIRED_COLUMN, _missing_message(source, list(types)))
                )
            else:
                plan.absent.append(col.name)
            continue
        raw, raw_type = _raw(cmap, types, mapping, decimal)
        if cmap.expr is not None:
            plan.expressions[col.name] = (cmap.expr, raw)
        value = _convert(col, raw, raw_type, cmap, mapping, decimal)
        # Typed (Parquet) sources keep the raw value: casting millions of values to text only to
        # test for NULL would dominate the load; messages cast the few failing values.
        if raw_type == "EXPR":
            text = f"NULLIF(trim(CAST({raw} AS VARCHAR)), '')"
        else:
            text = _clean_text(raw) if _is_text(raw_type) else raw
        converted.append(f"{value} AS {quote(col.name)}, {text} AS {quote('__t_' + col.name)}")
        if col.name in contract.KEYS[table]:
            key_converted.append(f"{value} AS {quote(col.name)}")
        plan.columns.append(col.name)
    if plan.file_errors:
        return plan
    checks = row_checks(table, plan.columns)
    keep = ", ".join(quote(c) for c in plan.columns)
    checks_sql = "list_filter([" + ", ".join(c.flag() for c in checks) + "], lambda x: x IS NOT NULL)"
    inner = f"SELECT __row, {', '.join(converted)} FROM {relation}"
    plan.sql = f"SELECT __row, {keep}, {checks_sql} AS __errs FROM ({inner})"
    # The same rules as one predicate: a row is clean when no condition is true (null is not broken).
    broken = " OR ".join(f"({c.cond})" for c in checks) or "false"
    plan.clean_sql = f"SELECT {keep} FROM ({inner}) WHERE ({broken}) IS NOT TRUE"
    if len(key_converted) == len(contract.KEYS[table]):
        plan.key_sql = f"SELECT {', '.join(key_converted)} FROM {relation}"
    return plan


def _missing_message(source: str, columns: list[str]) -> str:
    """Return "required column 'X' is missing", with the nearest column the file has, or its columns."""
    message = f"required column {source!r} is missing"
    folded = {c.strip().casefold(): c for c in columns}
    near = [folded[source.strip().casefold()]] if source.strip().casefold() in folded else []
    near = near or difflib.get_close_matches(source, columns, n=1, cutoff=0.75)
    if near:
        return f"{message} (did you mean {near[0]!r}?)"
    if len(columns) == 1:
        delimiter = max(";,\t|", key=columns[0].count)
        if columns[0].count(delimiter):
            return (
                f"{message}: the header reads as one column, its delimiter seems to be {delimiter!r}; "
                f"set csv.delimiter to {delimiter!r} in the mapping"
            )
    shown = ", ".join(repr(c) for c in columns[:20]) + (", …" if len(columns) > 20 else "")
    return f"{message}; the file has {shown}"


def duplicate_sql(table: str, conv: str) -> tuple[str, str] | None:
    """Return (count query, update query) flagging rows whose key repeats within ``conv``.

    Why: a GROUP BY over the keys is far cheaper than a window over every column, and the update
    only runs in the rare case where the count is not zero.
    """
    if table == "events":
        return None  # an event log may repeat a step; events have no uniqueness rule
    key = contract.KEYS[table]
    key_sql = ", ".join(quote(k) for k in key)
    dups = f"SELECT {key_sql} FROM {conv} WHERE {key_sql.split(',')[0]} IS NOT NULL GROUP BY {key_sql} HAVING count(*) > 1"
    key_text = " || '|' || ".join(f"coalesce(CAST({quote(k)} AS VARCHAR), '')" for k in key)
    flag = literal(key[0] + SEP + Rule.DUPLICATE_KEY + SEP)
    update = (
        f"UPDATE {conv} SET __errs = list_append(__errs, {flag} || {key_text}) WHERE ({key_sql}) IN ({dups})"
    )
    return f"SELECT count(*) FROM ({dups})", update


@dataclass(frozen=True)
class NumberFormat:
    """How an export writes numbers, as detected from a sample of its text numbers.

    ``ambiguous`` is (column, value) of a number such as ``1,250`` that could be 1.25 or 1250 when
    nothing else in the sample tells: the mapping must then say (``csv.decimal``).
    """

    decimal: str
    thousands: str | None = None
    ambiguous: tuple[str, str] | None = None


# Digits grouped by commas in threes ("12,500", "1,250,000"): thousands, or three decimals?
_COMMA_GROUPS = "-?[1-9][0-9]{0,2}(,[0-9]{3})+"


def detect_number_format(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> NumberFormat:
    """Return the decimal separator (and a comma thousands separator) of text numbers in ``columns``.

    A comma is the decimal separator when numbers have commas and none has a dot decimal part
    ("1 250 000,50", "1.250,5"); a dot otherwise. Commas that only group digits by three are
    thousands when a dot decimal shows elsewhere ("819,914.78", "12.5"); when nothing does, the
    format is ambiguous and reported, never guessed: "12,500" read as 12.5 is a silent error.
    A mapping settles it with ``csv.thousands`` or ``csv.decimal``.
    """
    if not columns:
        return NumberFormat(".")
    probes = []
    for c in columns:
        v = f"CAST({quote(c)} AS VARCHAR)"
        groups = f"regexp_full_match({v}, {literal(_COMMA_GROUPS)})"
        dot_last = f"regexp_full_match({v}, {literal(_COMMA_GROUPS + '[.][0-9]*')})"
        comma_last = f"regexp_full_match({v}, '-?[0-9]{{1,3}}([.][0-9]{{3}})+,[0-9]*')"
        probes.append(
            f"count(*) FILTER (WHERE ({v} LIKE '%,%' AND {v} NOT LIKE '%.%' AND NOT {groups}) OR {comma_last}), "
            f"count(*) FILTER (WHERE ({v} LIKE '%.%' AND {v} NOT LIKE '%,%') OR {dot_last}), "
            f"count(*) FILTER (WHERE {groups} OR {dot_last}), "
            f"any_value({v}) FILTER (WHERE {groups})"
        )
    row = con.execute(f"SELECT {', '.join(probes)} FROM (SELECT * FROM {relation} LIMIT 10000)").fetchall()[0]
    stats = [row[i : i + 4] for i in range(0, len(row), 4)]
    commas, dots, grouped = (sum(int(s[k] or 0) for s in stats) for k in range(3))
    if commas and not dots:
        return NumberFormat(",")
    if grouped and not commas:
        if dots:
            return NumberFormat(".", ",")
        column, value = next((c, str(s[3])) for c, s in zip(columns, stats, strict=True) if s[3] is not None)
        return NumberFormat(".", ambiguous=(column, value))
    return NumberFormat(".")


def numeric_sources(table: str, mapping: Mapping, types: dict[str, str]) -> list[str]:
    """Return the text source columns that feed numbers (to detect the decimal separator)."""
    cmaps = mapping.columns_for(table, list(types))
    out: list[str] = []
    for col in contract.COLUMNS[table]:
        cmap = cmaps.get(col.name)
        if cmap is None:
            continue
        if col.kind in {"decimal", "int"} and cmap.source in types and _is_text(types[cmap.source]):
            out.append(cmap.source)
        if cmap.expr:
            out += [m.group(2) for m in _SRC_CALL.finditer(cmap.expr) if m.group(1) == "num"]
    return [c for c in out if c in types]
