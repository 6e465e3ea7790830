"""The risk model: no look-ahead, learns a planted pattern, calibrated, clear errors on bad input."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from arusha.cli import app
from arusha.model.bundle import ModelBundle
from arusha.model.evaluate import evaluate_model, model_card
from arusha.model.features import ModelDataError, build_features
from arusha.model.metrics import roc_auc
from arusha.model.score import score_store
from arusha.model.train import train_model
from tests.model.conftest import RISKY_IMPORTERS, risky_frames

UNTIL = dt.date(2024, 4, 30)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ModelBundle]:
    from tests.model.conftest import write_store

    declarations, items = risky_frames()
    store = write_store(tmp_path_factory.mktemp("m") / "store.duckdb", declarations, items)
    return store, train_model(store, until=UNTIL).bundle


def test_a_feature_of_day_d_uses_nothing_from_day_d_or_later(make_store: Callable[..., str]) -> None:
    declarations, items = risky_frames(n=3000)
    day = declarations["registered_at"].dt.date
    cut = sorted(day.unique())[len(day.unique()) // 2]
    before = build_features(make_store(declarations, items), prior=0.2).frame
    changed = declarations.copy()
    later = day >= cut
    flip = {"discrepancy": "no_discrepancy", "no_discrepancy": "discrepancy", "none": "discrepancy"}
    changed.loc[later, "inspection_result"] = changed.loc[later, "inspection_result"].map(flip)
    changed.loc[day > cut, "declared_value"] *= 7.0  # a declaration's own value is its own business
    after = build_features(make_store(changed, items), prior=0.2).frame
    columns = [
        c
        for c in before.columns
        if c.startswith(
            ("rate_", "past_", "raw_rate", "importer_volume", "declarant_volume", "unit_value_gap")
        )
    ]
    upto = before["day"] <= cut
    pd.testing.assert_frame_equal(before.loc[upto, columns], after.loc[upto, columns])
    # ... and the change is visible the day after, so the test can fail.
    next_day = before["day"] > cut
    assert not before.loc[next_day, "rate_importer"].equals(after.loc[next_day, "rate_importer"])


def test_training_recovers_the_planted_pattern(trained: tuple[str, ModelBundle]) -> None:
    store, bundle = trained
    evaluation = evaluate_model(store, bundle)
    assert evaluation.date_from > UNTIL
    scored = score_store(store, bundle, date_from=UNTIL + dt.timedelta(days=1), write_table=False)
    frame = build_features(store, prior=bundle.prior).frame.merge(scored, on="declaration_id")
    truth = risky_frames()[0].set_index("declaration_id")["true_risk"]
    labelled = frame[frame["label"].notna()]
    oracle = roc_auc(labelled["label"].to_numpy(), labelled["declaration_id"].map(truth).to_numpy())
    auc = evaluation.metrics["auc"]
    assert oracle is not None and auc is not None and auc > oracle - 0.05  # close to a perfect model
    assert evaluation.metrics["precision@10%"] > 2 * evaluation.metrics["base_rate"]  # type: ignore[operator]
    risky = frame["importer_id"].isin(RISKY_IMPORTERS)
    assert frame.loc[risky, "probability"].mean() > 2.5 * frame.loc[~risky, "probability"].mean()
    top = frame.sort_values("probability", ascending=False).head(50)
    assert top["reasons"].str.contains("importer|origin").mean() > 0.8  # the reasons name the pattern


def test_probabilities_are_calibrated_on_a_later_period(trained: tuple[str, ModelBundle]) -> None:
    store, bundle = trained
    evaluation = evaluate_model(store, bundle)
    table = evaluation.reliability
    weights = table["declarations"] / table["declarations"].sum()
    assert float((weights * (table["predicted"] - table["observed"]).abs()).sum()) < 0.06


def test_novel_goods_are_reported_separately(trained: tuple[str, ModelBundle]) -> None:
    store, bundle = trained
    m = evaluate_model(store, bundle).metrics
    assert 0 < m["novel.n"] < m["n"]  # type: ignore[operator]
    assert {"novel.auc", "novel.precision@5%", "novel.recall@10%"} <= set(m)


def test_model_file_round_trip_scores_the_same(trained: tuple[str, ModelBundle], tmp_path: Path) -> None:
    store, bundle = trained
    again = ModelBundle.load(bundle.save(tmp_path / "m.json"))
    a = score_store(store, bundle, write_table=False)["probability"]
    b = score_store(store, again, write_table=False)["probability"]
    np.testing.assert_allclose(a, b)
    assert "Novel goods" in model_card(again, evaluate_model(store, again))


def test_scores_land_in_the_store_once_per_declaration(
    trained: tuple[str, ModelBundle], tmp_path: Path
) -> None:
    import shutil

    import duckdb

    store, bundle = trained
    copy = shutil.copy(store, tmp_path / "copy.duckdb")
    score_store(str(copy), bundle, tmp_path / "s.parquet")
    score_store(str(copy), bundle)
    con = duckdb.connect(str(copy), read_only=True)
    n, distinct, low, high = con.execute(
        "SELECT count(*), count(DISTINCT declaration_id), min(probability), max(probability) FROM risk_scores"
    ).fetchone()  # type: ignore[misc]
    assert n == distinct == 6000 and 0 <= low <= high <= 1
    assert pd.read_parquet(tmp_path / "s.parquet")["reasons"].str.len().gt(0).all()


# --- bad input ---------------------------------------------------------------------------------


def test_no_labelled_rows(make_store: Callable[..., str]) -> None:
    declarations, items = risky_frames(n=800)
    declarations["inspection_result"] = "none"
    with pytest.raises(ModelDataError, match="no labelled declarations"):
        train_model(make_store(declarations, items))


def test_a_single_class(make_store: Callable[..., str]) -> None:
    declarations, items = risky_frames(n=800)
    declarations["inspection_result"] = "no_discrepancy"
    with pytest.raises(ModelDataError, match="one class"):
        train_model(make_store(declarations, items))


def test_missing_columns_are_named(make_store: Callable[..., str]) -> None:
    declarations, items = risky_frames(n=800)
    with pytest.raises(ModelDataError, match="inspection_result"):
        train_model(make_store(declarations.drop(columns="inspection_result"), items))
    with pytest.raises(ModelDataError, match="'fraud_flag' is not in the declarations"):
        train_model(make_store(declarations, items), label="fraud_flag")
    with pytest.raises(ModelDataError, match="items"):
        train_model(make_store(declarations, items, no_items=True))


def test_evaluating_inside_the_training_period_is_refused(trained: tuple[str, ModelBundle]) -> None:
    store, bundle = trained
    with pytest.raises(ModelDataError, match="inside the training period"):
        evaluate_model(store, bundle, date_from=UNTIL - dt.timedelta(days=5))


def test_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text("<html>")
    with pytest.raises(ModelDataError, match="not an Arusha model file"):
        ModelBundle.load(bad)
    bad.write_text(json.dumps({"format": "other"}))
    with pytest.raises(ModelDataError, match="not an Arusha model file"):
        ModelBundle.load(bad)


def test_cli_train_evaluate_score(trained: tuple[str, ModelBundle], tmp_path: Path) -> None:
    store, _ = trained
    runner = CliRunner()
    model = tmp_path / "m.json"
    r = runner.invoke(app, ["model", "train", "--store", store, "--out", str(model), "--until", "2024-04-30"])
    assert r.exit_code == 0, r.output
    metrics_json = tmp_path / "metrics.json"
    r = runner.invoke(
        app,
        [
            "model",
            "evaluate",
            "--store",
            store,
            "--model",
            str(model),
            "--json",
            str(metrics_json),
            "--card",
            str(tmp_path / "card.md"),
        ],
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(metrics_json.read_text())
    assert {"precision@5%", "recall@5%", "revenue@5%", "auc", "novel.auc"} <= set(doc)
    assert "ROC-AUC" in (tmp_path / "card.md").read_text()
    r = runner.invoke(
        app, ["model", "score", "--store", store, "--model", str(model), "--out", str(tmp_path / "s.csv")]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["model", "evaluate", "--store", store, "--model", str(tmp_path / "missing.json")])
    assert r.exit_code == 1 and "does not exist" in r.output


def test_a_store_without_the_training_history_is_flagged(
    trained: tuple[str, ModelBundle], make_store: Callable[..., str]
) -> None:
    _, bundle = trained
    declarations, items = risky_frames()
    later = declarations["registered_at"].dt.date > UNTIL
    store = make_store(
        declarations[later], items[items["declaration_id"].isin(declarations.loc[later, "declaration_id"])]
    )
    evaluation = evaluate_model(store, bundle)
    assert evaluation.warnings and "load the training data" in evaluation.warnings[0]
    assert "## Warnings" in model_card(bundle, evaluation)
    full, _ = trained
    assert evaluate_model(full, bundle).warnings == []
