"""Level rows summed from one scan per family equal each level aggregated on its own, row for row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from arusha import backends, level_rows, peers
from arusha.analysis import _ordered
from arusha.metrics import catalogue, declaration_facts, levels
from arusha.synth import write_dataset


@pytest.fixture(scope="module")
def fact_table(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Facts of a small generated data set, a tenth of its declarations handled by no officer."""
    folder = Path(tmp_path_factory.mktemp("levels"))
    write_dataset(folder, 4000, seed=11)
    con = backends.connect()
    decl = con.read_parquet(str(folder / "declarations.parquet"))
    items = con.read_parquet(str(folder / "items.parquet"))
    # No officer on every tenth declaration: office and administration rows must still count them.
    decl = decl.mutate(
        officer_id=(decl.declaration_id.hash() % 10 == 0).ifelse(None, decl.officer_id).cast("string")
    )
    facts = levels.with_period(declaration_facts(decl, items), "month")
    return con.create_table("facts", facts)


def _inds(level: str) -> list[catalogue.Indicator]:
    return [i for i in catalogue.CATALOGUE if i.agg != "special" and level in i.levels]


def _direct(fact_table: object, level: str, window: str) -> dict[tuple[str, str], pa.Table]:
    """Rows of one level and window aggregated on their own (the way analyze did before families)."""
    wide = _ordered(levels.level_indicators_wide(fact_table, level, window, _inds(level)))  # type: ignore[arg-type]
    return {(level, code): table for code, table in peers.indicator_rows(wide, _inds(level)).items()}


def _family_pieces(fact_table: object, family: level_rows.Family) -> peers.Pieces:
    """Rows of every level of ``family``, per month and whole window, as ``analyze`` computes them."""
    pieces: peers.Pieces = {}
    inds = {lvl: _inds(lvl) for lvl in family.levels}
    with backends.QueryQueue() as queue:
        level_rows.family_rows(fact_table, family, "month", inds, _ordered, queue)(pieces)  # type: ignore[arg-type]
    return pieces


@pytest.mark.parametrize("family", level_rows.FAMILIES, ids=lambda f: "+".join(f.levels))
def test_family_rows_equal_each_level_aggregated_alone(fact_table: object, family: level_rows.Family) -> None:
    pieces = _family_pieces(fact_table, family)
    expected: dict[tuple[str, str], list[pa.Table]] = {}
    for level in family.levels:
        for window in ("month", "all"):
            for key, table in _direct(fact_table, level, window).items():
                if table.num_rows:
                    expected.setdefault(key, []).append(table)
    assert set(pieces) == set(expected)
    for key, parts in expected.items():
        got, want = pa.concat_tables(pieces[key]), pa.concat_tables(parts)
        assert got.num_rows == want.num_rows, key
        for column in ("entity_id", "office_code", "period", "n"):
            assert got[column].to_pylist() == want[column].to_pylist(), (key, column)
        assert got["value"].to_pylist() == pytest.approx(want["value"].to_pylist(), rel=1e-12, nan_ok=True), (
            key
        )


def test_office_rows_count_declarations_without_an_officer(fact_table: object) -> None:
    pieces = _family_pieces(fact_table, level_rows.FAMILIES[0])
    officers = pa.concat_tables(pieces[("officer", "VOL_DECL")]).to_pandas()
    offices = pa.concat_tables(pieces[("office", "VOL_DECL")]).to_pandas()
    administration = pa.concat_tables(pieces[("administration", "VOL_DECL")]).to_pandas()
    total = int(administration[administration.period == "all"].value.iloc[0])
    assert total == 4000
    assert int(offices[offices.period == "all"].value.sum()) == total
    # Roughly a tenth handled by no officer: the officer rows hold the rest only.
    assert 0.8 * total < officers[officers.period == "all"].value.sum() < 0.95 * total


def test_rollup_sums_by_the_given_keys_and_keeps_nulls_as_sql_does() -> None:
    wide = pa.table(
        {
            "office_code": ["A", "A", "A", "B"],
            "officer_id": ["O1", None, "O2", "O3"],
            "period": ["2024-01", "2024-01", "2024-02", "2024-01"],
            "X__num": pa.array([1, 2, 3, 4], pa.int64()),
            "X__val": pa.array([1.5, None, None, None], pa.float64()),
        }
    )
    by_office = level_rows.rollup(wide, ["office_code"], whole=False).sort_by(
        [("office_code", "ascending"), ("period", "ascending")]
    )
    assert by_office.to_pylist() == [
        {"office_code": "A", "period": "2024-01", "X__num": 3, "X__val": 1.5},
        {"office_code": "A", "period": "2024-02", "X__num": 3, "X__val": None},  # all null: null, as SQL
        {"office_code": "B", "period": "2024-01", "X__num": 4, "X__val": None},
    ]
    whole = level_rows.rollup(wide, [], whole=True)
    assert whole.to_pylist() == [{"X__num": 10, "X__val": 1.5, "period": "all"}]
