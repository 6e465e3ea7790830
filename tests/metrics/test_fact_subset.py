"""Facts computed for a subset of indicators equal the full facts on every column those indicators use."""

from __future__ import annotations

from pathlib import Path

import pytest

from arusha import backends, metrics
from arusha.importing import load_sources
from arusha.metrics.catalogue import BY_CODE, CATALOGUE
from arusha.synth import write_dataset

CORE = ["VOL_DECL", "TF5", "TF5_P90", "BP1", "BP2", "BP3_UPLIFT", "AFTER_HOURS", "REL_BEFORE_PAY"]


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory) -> object:
    out = tmp_path_factory.mktemp("subset")
    write_dataset(out / "data", 1500, seed=3)
    store = out / "s.duckdb"
    load_sources([out / "data" / "declarations.parquet"], store)
    return backends.connect(Path(store), read_only=True).table("declarations")


@pytest.mark.parametrize(
    "codes", [CORE, ["PEN_LOW"], ["TF3"], [ind.code for ind in CATALOGUE if ind.numerator][:12]]
)
def test_a_subset_of_facts_equals_the_full_facts_on_what_it_was_asked_for(
    declarations: object, codes: list[str]
) -> None:
    inds = [BY_CODE[c] for c in codes]
    wanted = sorted(metrics.fact_columns(inds))
    assert wanted  # every indicator here aggregates some fact
    full = metrics.declaration_facts(declarations)  # type: ignore[arg-type]
    subset = metrics.declaration_facts(declarations, only=wanted)  # type: ignore[arg-type]
    cols = ["declaration_id", *wanted]
    expected = full.select(cols).order_by("declaration_id").to_pandas()
    got = subset.select(cols).order_by("declaration_id").to_pandas()
    assert got.equals(expected)


def test_the_core_indicators_skip_the_whole_table_statistics_they_do_not_use(declarations: object) -> None:
    inds = [BY_CODE[c] for c in CORE]
    sql = str(
        declarations.get_backend().compile(
            metrics.declaration_facts(declarations, only=metrics.fact_columns(inds))
        )
    )  # type: ignore[attr-defined]
    full = str(declarations.get_backend().compile(metrics.declaration_facts(declarations)))  # type: ignore[attr-defined]
    assert 'pen_median" FROM' not in sql and "MAX(EPOCH" not in sql
    assert "MAX(EPOCH" in full and 'pen_median" FROM' in full
