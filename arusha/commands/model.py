"""`arusha model train|evaluate|score`: thin commands over :mod:`arusha.model`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

model_app = typer.Typer(no_args_is_help=True, help="Train, evaluate and apply the declaration risk model.")

Store = Annotated[Path, typer.Option(exists=True, dir_okay=False, help="DuckDB store file.")]
ModelFile = Annotated[Path, typer.Option(help="Model file (JSON) written by `arusha model train`.")]
Day = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(1)


@model_app.command("train")
def train(
    *,
    store: Store = Path("var/clearance.duckdb"),
    out: Annotated[Path, typer.Option(help="Where to write the model file.")] = Path("var/risk-model.json"),
    label: Annotated[
        str, typer.Option(help="'discrepancy' (inspection result) or a declarations column taken as 0/1.")
    ] = "discrepancy",
    until: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day to train on.")
    ] = None,
    lag_days: Annotated[
        int, typer.Option(min=0, help="Days after registration before an inspection result is known.")
    ] = 0,
) -> None:
    """Train on past inspected declarations (time split: the last sixth of the period validates).

    Example: arusha model train --store var/clearance.duckdb --out var/risk-model.json --until 2020-12-31
    """
    from arusha.model.features import ModelDataError
    from arusha.model.train import train_model

    try:
        result = train_model(
            str(store), label=label, until=until.date() if until else None, lag_days=lag_days
        )
    except ModelDataError as exc:
        raise _fail(exc) from exc
    result.bundle.save(out)
    v = result.validation
    b = result.bundle
    typer.echo(
        f"Trained on {b.n_train:,} labelled declarations {b.trained_from} → {b.trained_until} "
        f"({b.n_positive:,} positive). Held-out period from {b.holdout_from}: "
        f"AUC {v.get('auc') or float('nan'):.3f}, precision@5% {v.get('precision@5%') or float('nan'):.3f}. "
        f"Model: {out}"
    )


@model_app.command("evaluate")
def evaluate(
    *,
    store: Store = Path("var/clearance.duckdb"),
    model: ModelFile = Path("var/risk-model.json"),
    date_from: Annotated[
        dt.datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day (default: after training)."),
    ] = None,
    date_to: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
    card: Annotated[Path, typer.Option(help="Where to write the model card (Markdown).")] = Path(
        "var/model-card.md"
    ),
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the metrics as JSON.")] = None,
    frozen_history: Annotated[
        bool, typer.Option(help="Use no inspection result after the training period in the features.")
    ] = False,
) -> None:
    """Report precision/recall/revenue@1,2,5,10 %, ROC-AUC and calibration, on all and on novel goods.

    Example: arusha model evaluate --store var/clearance.duckdb --model var/risk-model.json --from 2021-01-01 --json metrics.json
    """
    from arusha.model.bundle import ModelBundle
    from arusha.model.evaluate import evaluate_model, model_card, write_json
    from arusha.model.features import ModelDataError

    try:
        bundle = ModelBundle.load(model)
        result = evaluate_model(
            str(store),
            bundle,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            frozen_history=frozen_history,
        )
    except ModelDataError as exc:
        raise _fail(exc) from exc
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(model_card(bundle, result), encoding="utf-8")
    if json_out:
        write_json(result, json_out)
    m = result.metrics
    typer.echo(f"Period {result.date_from} → {result.date_to}: {m['n']:,.0f} labelled declarations")
    typer.echo(f"{'metric':<16}{'all':>10}{'novel goods':>14}")
    keys = ("precision@1%", "precision@2%", "precision@5%", "precision@10%", "recall@5%", "recall@10%")
    typer.echo(f"{'declarations':<16}{m['n']:>10,.0f}{m.get('novel.n') or 0:>14,.0f}")
    for key in (*keys, "revenue@5%", "revenue@10%", "auc"):
        a, n = m.get(key), m.get(f"novel.{key}")
        typer.echo(f"{key:<16}{'—' if a is None else f'{a:.3f}':>10}{'—' if n is None else f'{n:.3f}':>14}")
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"Model card: {card}" + (f"; metrics: {json_out}" if json_out else ""))


@model_app.command("score")
def score(
    *,
    store: Store = Path("var/clearance.duckdb"),
    model: ModelFile = Path("var/risk-model.json"),
    out: Annotated[Path, typer.Option(help="Scores file (.csv or .parquet).")] = Path("var/risk-scores.csv"),
    date_from: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
    ] = None,
    date_to: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
    rolling: Annotated[
        bool,
        typer.Option(
            help="Score each month with a model trained on the earlier months only (no --model needed): "
            "out-of-sample expectations for the leads about inspections."
        ),
    ] = False,
) -> None:
    """Score declarations with reasons; also keep the scores in the store for `arusha analyze`.

    Example: arusha model score --store var/clearance.duckdb --model var/risk-model.json --out var/scores.csv
    Example: arusha model score --store var/clearance.duckdb --rolling --out var/scores.parquet
    """
    from arusha.model.bundle import ModelBundle
    from arusha.model.features import ModelDataError
    from arusha.model.score import score_store, score_store_rolling

    if rolling:
        try:
            scored = score_store_rolling(
                str(store),
                out,
                date_from=date_from.date() if date_from else None,
                date_to=date_to.date() if date_to else None,
                progress=lambda pct, msg: typer.echo(f"{pct:3d}% {msg}", err=True),
            )
        except ModelDataError as exc:
            raise _fail(exc) from exc
        typer.echo(
            f"Scored {len(scored):,} declarations month by month, each by a model trained on the months "
            f"before it → {out}; table risk_scores updated in the store."
        )
        return
    if not model.exists():
        raise _fail(
            FileNotFoundError(
                f"model file {model} does not exist: train one (arusha model train) or use --rolling"
            )
        )
    try:
        bundle = ModelBundle.load(model)
        scored = score_store(
            str(store),
            bundle,
            out,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
        )
    except ModelDataError as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"Scored {len(scored):,} declarations (mean probability {scored['probability'].mean():.3f}) → {out}; "
        "table risk_scores updated in the store."
    )
