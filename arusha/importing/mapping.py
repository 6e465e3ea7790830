"""Mapping files: how an export's columns, codes, dates and units become the canonical shape.

A mapping is YAML or TOML, with the same schema (see ``docs/mappings.md``). Without one, a source
whose columns already carry the canonical names loads as is. The mapping only describes;
``validate.py`` turns it into SQL.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arusha import contract

_SRC_CALL = re.compile(r"\b(num|ts|txt)\(\s*\"([^\"]+)\"\s*\)")


SYSTEM_ACTOR = "SYSTEM"


class MappingError(ValueError):
    """A mapping file is malformed or names a canonical column that does not exist."""


@dataclass(frozen=True)
class ColumnMap:
    """How one canonical column is filled.

    Exactly one of ``source`` (a source column name), ``expr`` (a DuckDB SQL expression over the
    source columns, with helpers ``num("Col")``, ``ts("Col")`` and ``txt("Col")``) or ``value``
    (a constant) is set.
    """

    source: str | None = None
    expr: str | None = None
    value: str | float | None = None
    values: dict[str, str] = field(default_factory=dict)
    date_format: tuple[str, ...] = ()
    scale: float | None = None

    def source_columns(self) -> list[str]:
        """Return the source columns this column reads (for the missing-column check)."""
        if self.source is not None:
            return [self.source]
        if self.expr is not None:
            return [m.group(2) for m in _SRC_CALL.finditer(self.expr)]
        return []


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file; ``tables`` is empty for the identity mapping."""

    name: str = "identity"
    delimiter: str | None = None
    encoding: str = "utf-8"
    decimal: str = "auto"
    thousands: str | None = None
    date_format: tuple[str, ...] = ()
    sheet: str | None = None
    tables: dict[str, dict[str, ColumnMap]] = field(default_factory=dict)
    # The administration's zone: stored timestamps are its local time (see docs/mappings.md).
    timezone: str | None = None
    # The zone the export's plain (zone-less) timestamps are written in; defaults to ``timezone``.
    source_timezone: str | None = None
    # Event actors that are no officer (a service account, "SYSTEME"): stored as SYSTEM, so that an
    # automatic release is nobody's decision (see the contract's "Who acted").
    system_actors: tuple[str, ...] = ()

    def zones(self) -> tuple[str | None, str | None]:
        """Return (zone of the export's plain timestamps, zone of the store), ``None`` when unset."""
        return self.source_timezone or self.timezone, self.timezone

    def header_names(self) -> set[str]:
        """Return the column names a header row of a source is expected to hold, lower-cased.

        Those are the source columns the mapping reads and every canonical name (read when the
        mapping does not mention them); used to find the header below a title in an export.
        """
        names = {name for table in contract.TABLES for name in contract.column_names(table)}
        for columns in self.tables.values():
            names.update(source for cmap in columns.values() for source in cmap.source_columns())
        return {name.strip().lower() for name in names}

    def columns_for(self, table: str, source_columns: list[str]) -> dict[str, ColumnMap]:
        """Return the column maps for ``table``, falling back to same-name source columns.

        A canonical column the mapping does not mention is read from a source column with the same
        name (case-insensitive), so a mapping only lists what differs.
        """
        explicit = dict(self.tables.get(table, {}))
        by_lower = {c.lower(): c for c in source_columns}
        for name in contract.column_names(table):
            if name not in explicit and name in by_lower:
                explicit[name] = ColumnMap(source=by_lower[name])
        actor = explicit.get("actor_id")
        if table == "events" and self.system_actors and actor is not None:
            system = {name: SYSTEM_ACTOR for name in self.system_actors}
            explicit["actor_id"] = dataclasses.replace(actor, values={**system, **actor.values})
        return explicit


def _as_formats(raw: Any, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and all(isinstance(f, str) for f in raw):
        return tuple(raw)
    raise MappingError(
        f'{key}: expected a strptime format or a list of them, such as "%d/%m/%Y %H:%M", got {raw!r}'
    )


def _text(raw: dict[str, Any], key: str, where: str) -> str | None:
    """Return ``raw[key]`` when it is text (a number is taken as its digits), ``None`` when absent."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise MappingError(f"{where}.{key}: expected text, got {value!r}")


def _column_map(table: str, name: str, raw: Any) -> ColumnMap:
    if name not in contract.column_names(table):
        near = difflib.get_close_matches(name, contract.column_names(table), n=1)
        hint = (
            f"did you mean {near[0]}?"
            if near
            else f"the columns are {', '.join(contract.column_names(table))}"
        )
        raise MappingError(f"{table}.{name} is not a canonical column ({hint})")
    where = f"{table}.{name}"
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return ColumnMap(source=str(raw))
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a source column name or a mapping")
    unknown = set(raw) - {"source", "expr", "value", "values", "date_format", "scale"}
    if unknown:
        raise MappingError(f"{where}: unknown keys {sorted(unknown)}")
    chosen = [k for k in ("source", "expr", "value") if k in raw]
    if len(chosen) != 1:
        raise MappingError(f"{where}: set exactly one of source, expr, value")
    values = _table_of_keys(raw.get("values"), f"{where}.values")
    scale = raw.get("scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int | float)):
        raise MappingError(f"{where}.scale: expected a number such as 1000, got {scale!r}")
    value = raw.get("value")
    if isinstance(value, list | dict):
        raise MappingError(f"{where}.value: expected one constant, got {value!r}")
    return ColumnMap(
        source=_text(raw, "source", where),
        expr=_text(raw, "expr", where),
        value=value,
        values={str(k): str(v) for k, v in values.items()},
        date_format=_as_formats(raw.get("date_format"), f"{where}.date_format"),
        scale=float(scale) if scale is not None else None,
    )


def _table_of_keys(raw: Any, key: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MappingError(f"{key}: expected a table of keys, got {type(raw).__name__}")
    return raw


def parse_mapping(data: dict[str, Any], name: str = "mapping") -> Mapping:
    """Build a :class:`Mapping` from an already-parsed YAML or TOML document.

    Args:
        data: The document as a dict.
        name: Used in error messages when the document has no ``name``.

    Returns:
        The mapping.

    Raises:
        MappingError: On unknown tables, columns or keys, or an unknown time zone; the message
            names the key.
    """
    csv = _table_of_keys(data.get("csv"), "csv")
    unknown_csv = set(csv) - {"delimiter", "encoding", "decimal", "thousands"}
    if unknown_csv:
        # In TOML a top-level key written after the [csv] header lands here: say where it went.
        raise MappingError(f"csv: unknown keys {sorted(unknown_csv)}")
    tables: dict[str, dict[str, ColumnMap]] = {}
    for table, spec in _table_of_keys(data.get("tables"), "tables").items():
        if table not in contract.TABLES:
            raise MappingError(f"unknown table {table!r}; expected one of {contract.TABLES}")
        spec = _table_of_keys(spec, f"tables.{table}")
        columns = _table_of_keys(spec.get("columns"), f"tables.{table}.columns")
        tables[table] = {col: _column_map(table, col, raw) for col, raw in columns.items()}
    decimal = str(csv.get("decimal", "auto"))
    if decimal not in {"auto", ".", ","}:
        raise MappingError("csv.decimal must be '.', ',' or 'auto'")
    _check_csv(csv)
    unknown = set(data) - {
        "name",
        "csv",
        "date_format",
        "sheet",
        "tables",
        "timezone",
        "source_timezone",
        "system_actors",
    }
    if unknown:
        raise MappingError(f"unknown top-level keys {sorted(unknown)}")
    return Mapping(
        name=str(data.get("name", name)),
        delimiter=csv.get("delimiter"),
        encoding=str(csv.get("encoding", "utf-8")),
        decimal=decimal,
        thousands=csv.get("thousands"),
        date_format=_as_formats(data.get("date_format"), "date_format"),
        sheet=_text(data, "sheet", "mapping"),
        tables=tables,
        timezone=_zone(data, "timezone"),
        source_timezone=_zone(data, "source_timezone"),
        system_actors=_system_actors(data.get("system_actors")),
    )


def _system_actors(raw: Any) -> tuple[str, ...]:
    """The ``system_actors`` list: ids of event actors that are no officer."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(
        isinstance(a, str | int) and not isinstance(a, bool) for a in raw
    ):
        raise MappingError(
            f"system_actors: expected a list of actor ids such as [SYSTEME, svc_batch], got {raw!r}"
        )
    return tuple(str(a).strip() for a in raw)


def _check_csv(csv: dict[str, Any]) -> None:
    """Raise :class:`MappingError` on a ``csv`` key the reader could not use."""
    for key in ("delimiter", "thousands"):
        value = csv.get(key)
        if value is not None and (not isinstance(value, str) or len(value) != 1):
            raise MappingError(f"csv.{key}: expected one character such as ';' or a tab, got {value!r}")
    encoding = csv.get("encoding", "utf-8")
    try:
        codecs.lookup(str(encoding))
    except LookupError as exc:
        raise MappingError(
            f"csv.encoding: unknown encoding {encoding!r}; use e.g. utf-8, cp1252 or latin-1"
        ) from exc


def _zone(data: dict[str, Any], key: str) -> str | None:
    """Return the IANA time-zone name under ``key``, checked, or ``None`` when absent."""
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise MappingError(f"{key}: expected a time-zone name such as Africa/Douala or UTC, got {raw!r}")
    name = raw.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise MappingError(
            f"{key}: unknown time zone {name!r}; use an IANA name such as Africa/Douala or UTC"
        ) from exc
    return name


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file: TOML when its name ends in ``.toml``, YAML otherwise (same schema).

    Args:
        path: The mapping file, e.g. ``mappings/asycuda-world.yaml``.

    Returns:
        The parsed mapping.

    Raises:
        MappingError: The file cannot be read or parsed, or breaks the schema; the message starts
            with the file name and names the offending key.

    Example:
        >>> load_mapping("mappings/kcs.yaml").name
        'Korea Customs Service synthetic declarations (KCS, arXiv:2208.02484)'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping file ({exc})") from exc
    kind = "TOML" if path.suffix.lower() == ".toml" else "YAML"
    try:
        data = tomllib.loads(text) if kind == "TOML" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: not valid {kind}: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path}: a mapping is a {kind} table of keys at top level")
    try:
        return parse_mapping(data, name=path.stem)
    except MappingError as exc:
        raise MappingError(f"{path}: {exc}") from exc
