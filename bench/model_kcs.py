"""Risk model on the public KCS data set, side by side with the published baseline and a look-up rule.

    .venv/bin/python bench/model_kcs.py [--data DIR] [--work var/bench-kcs]

Loads the KCS training year (2020) and validation quarter (2021 Q1) through ``mappings/kcs.yaml``,
then, in one run:

1. *inner split* (settings were chosen here, inside the training year only): train up to
   2020-10-31, evaluate 2020-11-01 → 2020-12-31;
2. Arusha's model trained on the whole of 2020, reported once on validation — with history
   features updated day by day (as in service) and with history frozen at the end of training;
3. the paper's LightGBM setting (arXiv:2208.02484: label-encoded columns, 100 trees, defaults);
4. the look-up rule: the training fraud rate of the same (HS6, origin, net mass).

Every line reports all declarations and the novel-goods slice (goods signature absent from training).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from arusha.importing import load_mapping, load_sources
from arusha.model import metrics
from arusha.model.evaluate import evaluate_model
from arusha.model.train import train_model

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "bacuda" / "kcs-customs-declaration-datasets"
SIGNATURE = ["HS6 Code", "Country of Origin", "Net Mass"]
SHOWN = ["precision@5%", "precision@10%", "recall@10%", "auc"]


def _row(name: str, m: dict[str, float | None], seconds: float) -> str:
    def cell(key: str) -> str:
        v = m.get(key)
        return "—" if v is None else f"{v:.3f}"

    cells = [cell(k) for k in SHOWN] + [cell("novel." + k) for k in SHOWN]
    return f"| {name} | " + " | ".join(cells) + f" | {seconds:.0f} |"


def paper_lightgbm(train: pd.DataFrame, valid: pd.DataFrame, novel: np.ndarray) -> dict[str, float | None]:
    """The dataset paper's baseline: every column label-encoded, LightGBM with 100 trees."""
    drop = {"Declaration ID", "Date", "Fraud", "Critical Fraud"}
    cols = [c for c in train.columns if c not in drop]
    both = pd.concat([train[cols], valid[cols]])
    encoded = both.apply(lambda s: s if pd.api.types.is_numeric_dtype(s) else s.astype("category").cat.codes)
    x_train, x_valid = encoded.iloc[: len(train)], encoded.iloc[len(train) :]
    model = lgb.LGBMClassifier(n_estimators=100, random_state=0, verbose=-1)
    model.fit(x_train, train["Fraud"])
    score = model.predict_proba(x_valid)[:, 1]
    return metrics.summary_with_slice(valid["Fraud"].to_numpy(), score, None, novel)


def lookup_rule(train: pd.DataFrame, valid: pd.DataFrame, novel: np.ndarray) -> dict[str, float | None]:
    """Training fraud rate of the same goods signature; unseen goods rank last."""
    rate = train.groupby(SIGNATURE)["Fraud"].mean().rename("rate")
    score = valid.join(rate, on=SIGNATURE)["rate"].fillna(-1.0).to_numpy()
    return metrics.summary_with_slice(valid["Fraud"].to_numpy(), score, None, novel)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-kcs")
    args = parser.parse_args()
    train_csv, valid_csv = args.data / "df_syn_train_eng.csv", args.data / "df_syn_valid_eng.csv"
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    store = str(args.work / "kcs.duckdb")
    load_sources([train_csv, valid_csv], store, mapping=load_mapping(ROOT / "mappings" / "kcs.yaml"))

    train = pd.read_csv(train_csv, dtype={"HS6 Code": str})
    valid = pd.read_csv(valid_csv, dtype={"HS6 Code": str})
    seen = set(map(tuple, train[SIGNATURE].itertuples(index=False)))
    novel = np.array([tuple(r) not in seen for r in valid[SIGNATURE].itertuples(index=False)])

    lines = [
        "| model | P@5% | P@10% | R@10% | AUC | novel P@5% | novel P@10% | novel R@10% | novel AUC | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    t = time.perf_counter()
    inner = train_model(store, until=dt.date(2020, 10, 31)).bundle
    m = evaluate_model(store, inner, date_to=dt.date(2020, 12, 31)).metrics
    lines.append(
        _row("Arusha, inner split (train Jan–Oct 2020, report Nov–Dec 2020)", m, time.perf_counter() - t)
    )

    t = time.perf_counter()
    bundle = train_model(store, until=dt.date(2020, 12, 31)).bundle
    seconds = time.perf_counter() - t
    for frozen in (False, True):
        t = time.perf_counter()
        m = evaluate_model(store, bundle, frozen_history=frozen).metrics
        name = "Arusha, validation, history frozen at training end" if frozen else "Arusha, validation"
        lines.append(_row(name, m, seconds + time.perf_counter() - t))
    t = time.perf_counter()
    lines.append(
        _row(
            "Paper's LightGBM setting (100 trees), validation",
            paper_lightgbm(train, valid, novel),
            time.perf_counter() - t,
        )
    )
    t = time.perf_counter()
    lines.append(
        _row(
            "Look-up rule (HS6, origin, net mass), validation",
            lookup_rule(train, valid, novel),
            time.perf_counter() - t,
        )
    )
    print(
        f"validation: {len(valid):,} declarations, {novel.sum():,} novel goods "
        f"(fraud rate {valid['Fraud'].mean():.3f} / {valid['Fraud'][novel].mean():.3f})"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
