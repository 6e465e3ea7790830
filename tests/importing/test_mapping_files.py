"""Mapping files in YAML and TOML, and the time-zone options: parsing, loading, clear errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha.importing import MappingError, load_mapping, load_sources
from arusha.importing.mapping import parse_mapping
from tests.conftest import GOOD_ROW, write_csv
from tests.importing.test_mapping import _rows

ROOT = Path(__file__).parents[2]


def _doc_block(language: str, containing: str) -> str:
    text = (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if containing in b)


def test_the_toml_example_of_the_docs_means_the_same_as_the_yaml_one(tmp_path: Path) -> None:
    yaml_file = tmp_path / "my-export.yaml"
    toml_file = tmp_path / "my-export.toml"
    yaml_file.write_text(_doc_block("yaml", "CIRCUIT_SELECTIVITE"), encoding="utf-8")
    toml_file.write_text(_doc_block("toml", "CIRCUIT_SELECTIVITE"), encoding="utf-8")
    from_yaml, from_toml = load_mapping(yaml_file), load_mapping(toml_file)
    assert from_toml == from_yaml
    assert from_toml.date_format == ("%d/%m/%Y %H:%M", "%d/%m/%Y")
    assert from_toml.tables["declarations"]["channel_assigned"].values["ROUGE"] == "red"


def test_it_loads_an_export_through_a_toml_mapping(tmp_path: Path) -> None:
    source = {("BUREAU" if k == "office_code" else k): v for k, v in GOOD_ROW.items()}
    source["channel_final"] = "VERT"
    path = write_csv(tmp_path / "declarations.csv", [source])
    mapping = tmp_path / "export.toml"
    mapping.write_text(
        'name = "TOML export"\n'
        "[tables.declarations.columns]\n"
        'office_code = "BUREAU"\n'
        'channel_final = { source = "channel_final", values = { VERT = "green" } }\n',
        encoding="utf-8",
    )
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=load_mapping(mapping))
    assert _rows(store, "SELECT office_code, channel_final FROM declarations") == [("CMDLA", "green")]


@pytest.mark.parametrize(
    ("text", "suffix", "named"),
    [
        ('timezone = "Africa/Doula"\n', ".toml", ["timezone", "'Africa/Doula'"]),
        ("timezone: Mars/Olympus\n", ".yaml", ["timezone", "'Mars/Olympus'"]),
        ("timezone: Africa/Douala\nsource_timezone: UTC+1\n", ".yml", ["source_timezone", "'UTC+1'"]),
        ("timezone: 1\n", ".yaml", ["timezone", "time-zone name"]),
        ('[csv]\ndelimiter = ";"\ndate_format = "%d/%m/%Y"\n', ".toml", ["csv", "date_format"]),
        ("tables:\n  declarations:\n    columns: [a, b]\n", ".yaml", ["tables.declarations.columns"]),
        ("timezones: UTC\n", ".yaml", ["timezones"]),
        ("[tables.declarations\n", ".toml", ["not valid TOML"]),
        ("tables: [unclosed\n", ".yaml", ["not valid YAML"]),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, suffix: str, named: list[str]
) -> None:
    path = tmp_path / f"my-export{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    for part in named:
        assert part in message


def test_a_missing_mapping_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "absent.toml")


def _load_times(tmp_path: Path, mapping: dict[str, object]) -> tuple[object, ...]:
    row = {**GOOD_ROW, "registered_at": "2024-01-02 07:15", "released_at": "2024-01-03 17:30"}
    path = write_csv(tmp_path / "declarations.csv", [row])
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=parse_mapping(mapping))
    [times] = _rows(store, "SELECT registered_at, released_at FROM declarations")
    return times


def test_plain_local_times_are_stored_as_written(tmp_path: Path) -> None:
    times = _load_times(tmp_path, {"timezone": "Africa/Douala"})
    assert times == (dt.datetime(2024, 1, 2, 7, 15), dt.datetime(2024, 1, 3, 17, 30))


def test_times_written_in_another_zone_are_converted_to_the_administrations(tmp_path: Path) -> None:
    # Douala is UTC+1 all year: 07:15 UTC is 08:15 in Douala, and 17:30 UTC a release at 18:30 (after hours).
    times = _load_times(tmp_path, {"timezone": "Africa/Douala", "source_timezone": "UTC"})
    assert times == (dt.datetime(2024, 1, 2, 8, 15), dt.datetime(2024, 1, 3, 18, 30))


def test_a_source_zone_alone_converts_to_utc(tmp_path: Path) -> None:
    times = _load_times(tmp_path, {"source_timezone": "Africa/Douala"})
    assert times == (dt.datetime(2024, 1, 2, 6, 15), dt.datetime(2024, 1, 3, 16, 30))


@pytest.mark.parametrize(("zone", "hour"), [("Africa/Douala", 8), (None, 7)])
def test_zone_aware_parquet_times_are_stored_in_the_administrations_zone(
    tmp_path: Path, zone: str | None, hour: int
) -> None:
    data = {k: [v] for k, v in GOOD_ROW.items() if k not in {"registered_at", "released_at"}}
    data["declared_value"] = [1000.0]
    data["duties_declared"] = [100.0]
    instant = dt.datetime(2024, 1, 2, 7, 0, tzinfo=dt.UTC)
    table = pa.table(
        {**data, "registered_at": pa.array([instant], pa.timestamp("us", tz="UTC"))},
    )
    path = tmp_path / "declarations.parquet"
    pq.write_table(table, path)
    store = tmp_path / "s.duckdb"
    load_sources([path], store, mapping=parse_mapping({"timezone": zone} if zone else {}))
    assert _rows(store, "SELECT registered_at FROM declarations") == [(dt.datetime(2024, 1, 2, hour),)]


def test_the_load_command_reports_a_bad_mapping_without_a_traceback(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from arusha.commands.analytics import register

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    mapping = tmp_path / "export.yaml"
    mapping.write_text("timezone: Africa/Doula\n", encoding="utf-8")
    path = write_csv(tmp_path / "declarations.csv", [GOOD_ROW])
    store = tmp_path / "s.duckdb"
    result = CliRunner().invoke(
        app, ["data", "load", str(path), "--store", str(store), "--mapping", str(mapping)]
    )
    assert result.exit_code == 2
    assert f"{mapping}: timezone: unknown time zone 'Africa/Doula'" in result.output
    assert "Traceback" not in result.output and not store.exists()
