"""A clean Parquet export already in canonical form is kept as it is; the store reads the same rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha import contract
from arusha.contract import Rule
from arusha.importing import LoadRejected, load_sources, parts
from arusha.synth import write_dataset
from tests.conftest import GOOD_ROW, write_csv

TABLES = ("declarations", "items", "events")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kept") / "data"
    write_dataset(out, 600, seed=5)
    return out


def _sources(data: Path) -> list[Path]:
    return [data / f"{t}.parquet" for t in TABLES]


def _rows(store: Path, table: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def _kept(store: Path) -> list[Path]:
    return sorted(parts.parts_dir(store).rglob("*.parquet"))


def _canonical_parquet(tmp: Path, name: str, rows: list[dict[str, str]]) -> Path:
    """Write declarations in canonical names and types, as a system exporting Parquet would."""
    scratch = tmp / f"scratch-{name}"
    store = scratch / "s.duckdb"
    load_sources([write_csv(scratch / "declarations.csv", rows)], store)
    path = tmp / name
    con = duckdb.connect(str(store))
    try:
        con.execute(f"COPY declarations TO '{path}' (FORMAT parquet)")
    finally:
        con.close()
    return path


def test_a_canonical_parquet_export_is_kept_and_reads_as_a_converted_one(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept_store = tmp_path / "kept.duckdb"
    kept = load_sources(_sources(data), kept_store)
    assert len(_kept(kept_store)) == 3
    assert kept.kept == [str(p) for p in _sources(data)]
    with monkeypatch.context() as m:  # the same files, converted row by row as before
        m.setattr(parts, "keep_plan", lambda *args: None)
        converted_store = tmp_path / "converted.duckdb"
        converted = load_sources(_sources(data), converted_store)
    assert not _kept(converted_store)
    assert kept.loaded == converted.loaded
    for table in TABLES:
        assert _rows(kept_store, table) == _rows(converted_store, table), table


@pytest.mark.parametrize(
    ("column", "raw", "stored"),
    [
        ("declarant_id", " B1", "B1"),
        ("declarant_id", "B1\u00a0", "B1"),
        ("regime", "", None),
        ("channel_final", "RED", "red"),
        ("country_origin", "cn", "CN"),
        ("hs_code", "8703.23", "870323"),
    ],
)
def test_values_not_in_canonical_form_are_converted_not_kept(
    tmp_path: Path, column: str, raw: str, stored: object
) -> None:
    # Canonical names and types, but a value the store would not keep as it is.
    if column == "hs_code":
        path = tmp_path / "items.parquet"
        item = {"declaration_id": "D1", "item_no": 1, "hs_code": raw, "declared_value": 5.0}
        pq.write_table(pa.Table.from_pylist([item]), path)
        table = "items"
    else:
        path = _canonical_parquet(tmp_path, "declarations.parquet", [GOOD_ROW])
        source = pq.read_table(path)
        index = source.schema.get_field_index(column)
        path = tmp_path / "declarations-odd.parquet"
        pq.write_table(source.set_column(index, column, pa.array([raw], pa.string())), path)
        table = "declarations"
    store = tmp_path / "s.duckdb"
    load_sources([path], store, table=table)
    assert not _kept(store)
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute(f"SELECT {column} FROM {table}").fetchall() == [(stored,)]
    finally:
        con.close()


def test_a_canonical_file_that_breaks_a_rule_is_rejected_and_nothing_is_kept(tmp_path: Path) -> None:
    path = _canonical_parquet(tmp_path, "declarations.parquet", [GOOD_ROW])
    broken = tmp_path / "declarations-broken.parquet"
    table = pq.read_table(path)
    index = table.schema.get_field_index("declared_value")
    pq.write_table(table.set_column(index, "declared_value", pa.array([-5.0])), broken)
    store = tmp_path / "s.duckdb"
    with pytest.raises(LoadRejected) as raised:
        load_sources([broken], store)
    assert [(e.column, e.rule) for e in raised.value.result.errors] == [
        ("declared_value", Rule.NEGATIVE_AMOUNT)
    ]
    assert not _kept(store)
    assert not store.exists()  # a refused first load leaves no store behind


def test_duplicate_keys_in_a_kept_candidate_are_named(tmp_path: Path) -> None:
    path = _canonical_parquet(tmp_path, "declarations.parquet", [GOOD_ROW])
    doubled = tmp_path / "declarations-doubled.parquet"
    table = pq.read_table(path)
    pq.write_table(pa.concat_tables([table, table]), doubled)
    with pytest.raises(LoadRejected) as raised:
        load_sources([doubled], tmp_path / "s.duckdb")
    assert {e.rule for e in raised.value.result.errors} == {Rule.DUPLICATE_KEY}
    assert not _kept(tmp_path / "s.duckdb")


def test_a_rejected_load_removes_the_files_it_had_kept(data: Path, tmp_path: Path) -> None:
    # The declarations file is clean and kept first; the items file then breaks a rule.
    bad_items = write_csv(
        tmp_path / "items.csv",
        [
            {
                "declaration_id": "D1",
                "item_no": "1",
                "hs_code": "12",
                "declared_value": "5",
                "country_origin": "CN",
            }
        ],
    )
    store = tmp_path / "s.duckdb"
    earlier = write_csv(tmp_path / "earlier" / "declarations.csv", [{**GOOD_ROW, "declaration_id": "D0"}])
    load_sources([earlier], store)  # a store that holds data (a new one would be removed whole)
    with pytest.raises(LoadRejected):
        load_sources([data / "declarations.parquet", bad_items], store)
    assert not _kept(store)
    assert [r[0] for r in _rows(store, "declarations")] == ["D0"]
    con = duckdb.connect(str(store), read_only=True)
    try:
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    finally:
        con.close()
    assert kinds["declarations"] == "BASE TABLE"


def test_a_newer_export_supersedes_rows_of_a_kept_file(tmp_path: Path) -> None:
    first = _canonical_parquet(
        tmp_path,
        "declarations-jan.parquet",
        [{**GOOD_ROW, "declaration_id": d, "released_at": ""} for d in ("D0", "D1", "D2")],
    )
    newer = _canonical_parquet(
        tmp_path, "declarations-feb.parquet", [{**GOOD_ROW, "declaration_id": d} for d in ("D1", "D3")]
    )
    store = tmp_path / "s.duckdb"
    load_sources([first], store)
    assert len(_kept(store)) == 1
    load_sources([newer], store)
    con = duckdb.connect(str(store), read_only=True)
    try:
        stored = con.execute(
            "SELECT declaration_id, released_at IS NOT NULL FROM declarations ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert stored == [("D0", False), ("D1", True), ("D2", False), ("D3", True)]
    assert not _kept(store)  # the January file's remaining rows moved into the table


def test_exports_that_do_not_overlap_are_all_kept_and_loading_twice_adds_nothing(tmp_path: Path) -> None:
    jan = _canonical_parquet(tmp_path, "declarations-jan.parquet", [{**GOOD_ROW, "declaration_id": "D0"}])
    feb = _canonical_parquet(tmp_path, "declarations-feb.parquet", [{**GOOD_ROW, "declaration_id": "D9"}])
    store = tmp_path / "s.duckdb"
    load_sources([jan], store)
    load_sources([feb], store)
    again = load_sources([jan, feb], store)
    assert again.skipped == [str(jan), str(feb)]
    assert len(_kept(store)) == 2
    assert [r[0] for r in _rows(store, "declarations")] == ["D0", "D9"]


def test_a_file_written_as_one_huge_row_group_is_converted(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "MAX_ROW_GROUP", 10)  # later analyses could not read it in parallel
    store = tmp_path / "s.duckdb"
    load_sources([data / "declarations.parquet"], store)
    assert not _kept(store)
    assert len(_rows(store, "declarations")) == 600


def test_absent_optional_columns_read_as_missing_in_a_kept_file(tmp_path: Path) -> None:
    path = _canonical_parquet(tmp_path, "declarations.parquet", [GOOD_ROW])
    table = pq.read_table(path)
    slim = tmp_path / "declarations-slim.parquet"
    pq.write_table(table.drop_columns(["penalty_amount", "offence_code"]), slim)
    store = tmp_path / "s.duckdb"
    load_sources([slim], store)
    assert len(_kept(store)) == 1
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute("SELECT penalty_amount, offence_code, declared_value FROM declarations").fetchall()
        names = [r[0] for r in con.execute("DESCRIBE declarations").fetchall()]
    finally:
        con.close()
    assert row == [(None, None, 1000.0)]
    assert names == [c.name for c in contract.COLUMNS["declarations"]]


def test_a_store_moved_with_its_parts_folder_reads_its_kept_files_after_the_next_load(
    data: Path, tmp_path: Path
) -> None:
    store = tmp_path / "old" / "s.duckdb"
    load_sources([data / "declarations.parquet"], store)
    moved = tmp_path / "new" / "s.duckdb"
    (tmp_path / "old").rename(tmp_path / "new")
    load_sources([data / "items.parquet"], moved)
    assert len(_rows(moved, "declarations")) == 600
    assert len(_kept(moved)) == 2


def test_rewrite_parquet_writes_every_row_into_the_store(data: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from arusha.cli import app

    store = tmp_path / "s.duckdb"
    outcome = CliRunner().invoke(
        app, ["data", "load", str(data / "declarations.parquet"), "--store", str(store), "--rewrite-parquet"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert not _kept(store)
    assert len(_rows(store, "declarations")) == 600


def test_two_exports_of_one_table_in_one_load_keep_the_later_row(tmp_path: Path) -> None:
    jan = _canonical_parquet(
        tmp_path,
        "declarations-jan.parquet",
        [{**GOOD_ROW, "declaration_id": d, "released_at": ""} for d in ("D0", "D1")],
    )
    feb = _canonical_parquet(tmp_path, "declarations-feb.parquet", [{**GOOD_ROW, "declaration_id": "D1"}])
    mar = _canonical_parquet(tmp_path, "declarations-mar.parquet", [{**GOOD_ROW, "declaration_id": "D7"}])
    store = tmp_path / "s.duckdb"
    load_sources([jan, feb, mar], store)
    con = duckdb.connect(str(store), read_only=True)
    try:
        stored = con.execute(
            "SELECT declaration_id, released_at IS NOT NULL FROM declarations ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert stored == [("D0", False), ("D1", True), ("D7", True)]
    assert len(_kept(store)) == 1  # March is kept; January's rows moved into the table for February's


def test_a_pandas_style_export_with_nanosecond_times_and_small_integers_is_kept_exactly(
    data: Path, tmp_path: Path
) -> None:
    # pandas writes timestamp[ns]; other tools write 32-bit integers and floats.
    source = pq.read_table(data / "items.parquet")
    narrowed = pa.schema(
        [
            pa.field(
                f.name,
                pa.int32() if f.name == "item_no" else pa.float32() if f.name == "net_mass_kg" else f.type,
            )
            for f in source.schema
        ]
    )
    items = tmp_path / "items.parquet"
    pq.write_table(source.cast(narrowed), items)
    decl = pq.read_table(data / "declarations.parquet")
    ns = pa.schema(
        [
            pa.field(f.name, pa.timestamp("ns") if pa.types.is_timestamp(f.type) else f.type)
            for f in decl.schema
        ]
    )
    declarations = tmp_path / "declarations.parquet"
    pq.write_table(decl.cast(ns), declarations)
    kept_store, rewritten_store = tmp_path / "kept.duckdb", tmp_path / "rewritten.duckdb"
    load_sources([declarations, items], kept_store)
    load_sources([declarations, items], rewritten_store, keep_parquet=False)
    assert len(_kept(kept_store)) == 2
    for table in ("declarations", "items"):
        assert _rows(kept_store, table) == _rows(rewritten_store, table), table
    con = duckdb.connect(str(kept_store), read_only=True)
    try:
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'items'"
            ).fetchall()
        )
    finally:
        con.close()
    assert types["item_no"] == "BIGINT" and types["net_mass_kg"] == "DOUBLE"


def test_analysing_a_store_copied_without_its_parts_folder_says_what_is_missing(
    data: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from arusha.cli import app

    store = tmp_path / "s.duckdb"
    load_sources(_sources(data), store)
    lone = tmp_path / "elsewhere" / "s.duckdb"
    lone.parent.mkdir()
    lone.write_bytes(store.read_bytes())
    outcome = CliRunner().invoke(app, ["analyze", "--store", str(lone), "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 2
    assert "lacks 3 of the Parquet files it kept" in outcome.output
    assert str(parts.parts_dir(lone)) in outcome.output
    assert not (tmp_path / "out").exists()


def test_a_hash_the_caller_already_computed_is_used_instead_of_reading_the_file_again(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arusha.importing import load as load_module
    from arusha.importing.read import file_hash

    path = data / "declarations.parquet"
    digest = file_hash(path)
    monkeypatch.setattr(load_module, "file_hash", lambda p: pytest.fail(f"{p} was hashed again"))
    store = tmp_path / "s.duckdb"
    load_sources([path], store, known_hashes={str(path): digest})
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute("SELECT file_hash FROM _arusha_loads").fetchall() == [(digest,)]
    finally:
        con.close()
