"""Detection quality on generated worlds with confounders: precision@k and recall@2k, per kind.

Usage::

    python bench/detection/evaluate.py --settings bench/detection/dev.json [--work /tmp/arusha-eval]
    python bench/detection/evaluate.py --heldout            # bench/detection/heldout.json, checked by sha256

For each setting: ``arusha.worldgen.write_world`` → ``arusha data load`` → ``analyze_store`` →
``signals.csv``, scored against ``truth.json``, beside two naive baselines computed from the same
decisions (see :func:`baselines`). A scheme is found when a lead names its culprit (for a pair
scheme, the pair's officer); several leads on one culprit count once; k is the number of planted
culprits. Clean settings report their strong leads (score ≥ 3), which must be none.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def culprits_of_leads(leads: pd.DataFrame) -> list[str]:
    """Distinct culprits in lead order: the officer of a person's lead, else the office or declarant."""
    out: list[str] = []
    seen: set[str] = set()
    for r in leads.itertuples():
        if r.entity_type in ("officer", "officer_declarant_pair", "officer_importer_pair"):
            key = (
                str(r.officer_id)
                if isinstance(r.officer_id, str) and r.officer_id
                else str(r.entity_id).split("|")[0]
            )
        else:
            key = f"{r.entity_type}:{r.entity_id}"
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def culprit_of_scheme(s: dict[str, Any]) -> str:
    if s.get("officer_id"):
        return str(s["officer_id"])
    if s["entity_type"] in ("officer_declarant_pair", "officer_importer_pair"):
        return str(s["entity_id"]).split("|")[0]
    if s["entity_type"] == "officer":
        return str(s["entity_id"])
    return f"{s['entity_type']}:{s['entity_id']}"


def score(ranked: list[str], schemes: list[dict[str, Any]]) -> dict[str, Any]:
    """precision@k, recall@2k overall and recall@2k per kind of scheme."""
    planted = {culprit_of_scheme(s): s["kind"] for s in schemes}
    k = len(planted)
    if k == 0:
        return {"k": 0}
    top_k, top_2k = set(ranked[:k]), set(ranked[: 2 * k])
    per_kind: dict[str, list[int]] = {}
    for culprit, kind in planted.items():
        per_kind.setdefault(kind, []).append(int(culprit in top_2k))
    per_strength: dict[str, list[int]] = {}
    for s in schemes:
        per_strength.setdefault(str(s.get("strength", "")), []).append(int(culprit_of_scheme(s) in top_2k))
    # By the files a scheme touched: under the effect a lead needs (an excess of at least 2 beyond
    # its lower bound, so at least 6 events), a scheme that touched fewer than 6 files cannot be
    # found by any lead, however strong its share.
    per_size: dict[str, list[int]] = {}
    for s in schemes:
        touched = int(s.get("affected_declarations") or 0)
        size = "under 7 files" if touched < 7 else "7-29 files" if touched < 30 else "30 files or more"
        per_size.setdefault(size, []).append(int(culprit_of_scheme(s) in top_2k))
    shown = ranked[:k]
    return {
        "k": k,
        "leads": len(ranked),
        "precision_at_k": len(top_k & set(planted)) / k,
        # Of the culprits the list names among its first k (fewer when it names fewer), how many are planted.
        "precision_of_leads": len(set(shown) & set(planted)) / max(len(shown), 1),
        "recall_at_2k": len(top_2k & set(planted)) / k,
        "recall_at_2k_by_kind": {kind: sum(v) / len(v) for kind, v in sorted(per_kind.items())},
        "recall_at_2k_by_strength": {k: f"{sum(v)} of {len(v)}" for k, v in sorted(per_strength.items())},
        "recall_at_2k_by_files_touched": {k: f"{sum(v)} of {len(v)}" for k, v in sorted(per_size.items())},
        "missed": sorted(c for c in planted if c not in top_2k),
        "false_in_top_k": [c for c in ranked[:k] if c not in planted],
    }


def baselines(store: Path) -> dict[str, list[str]]:
    """Two naive rankings an analyst could write in an afternoon, from the same decisions.

    - ``excess``: per officer and indicator (overrides, after hours, before payment, red without
      inspection, low fines, no discrepancy found), the count above the office's average rate,
      ranked by that excess over all indicators;
    - ``ratio``: the same indicators ranked by the officer's rate over the office's rate (20 files
      at least), the largest ratio of each officer first.
    """
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    q = """
    with d as (
      select officer_id, office_code,
        (channel_assigned in ('red','yellow'))::int as ry,
        (channel_assigned in ('red','yellow') and channel_final in ('green','blue'))::int as ovr,
        (released_at is not null)::int as rel,
        (released_at is not null and (hour(released_at) < 7 or hour(released_at) >= 18 or dayofweek(released_at) in (0, 6)))::int as ah,
        (released_at is not null and duties_declared > 0)::int as due,
        (released_at is not null and duties_declared > 0 and (paid_at is null or paid_at > released_at))::int as bp,
        (channel_final = 'red' and released_at is not null)::int as redrel,
        (channel_final = 'red' and released_at is not null and coalesce(inspection_result, 'none') = 'none')::int as rni,
        (offence_code is not null)::int as off,
        (offence_code is not null and coalesce(penalty_amount, 0) < 0.5 * median(penalty_amount) over (partition by offence_code))::int as low,
        (inspection_result in ('no_discrepancy','discrepancy'))::int as insp,
        (inspection_result = 'no_discrepancy')::int as nohit
      from declarations where officer_id is not null)
    select officer_id, mode(office_code) as office_code,
      sum(ry) ry, sum(ovr) ovr, sum(rel) rel, sum(ah) ah, sum(due) due, sum(bp) bp, sum(redrel) redrel,
      sum(rni) rni, sum(off) off, sum(low) low, sum(insp) insp, sum(nohit) nohit
    from d group by officer_id"""
    df = con.execute(q).df().sort_values("officer_id", kind="stable").reset_index(drop=True)
    con.close()
    pairs = [
        ("ovr", "ry"),
        ("ah", "rel"),
        ("bp", "due"),
        ("rni", "redrel"),
        ("low", "off"),
        ("nohit", "insp"),
    ]
    excess, ratio = [], []
    for k, n in pairs:
        office = df.groupby("office_code")[[k, n]].transform("sum")
        rate = office[k] / office[n].clip(lower=1)
        excess.append(pd.Series(df[k] - df[n] * rate, index=df.officer_id))
        ratio.append(
            pd.Series(
                np.where(df[n] >= 20, (df[k] / df[n].clip(lower=1)) / rate.clip(lower=1e-9), 0),
                index=df.officer_id,
            )
        )
    ex = pd.concat(excess, axis=1).max(axis=1).sort_values(ascending=False, kind="stable")
    ra = pd.concat(ratio, axis=1).max(axis=1).sort_values(ascending=False, kind="stable")
    return {"excess": [str(i) for i in ex.index], "ratio": [str(i) for i in ra.index]}


def generator_version() -> str:
    """A short hash of the generator's source: a world cached under another version is made anew."""
    import arusha.worldgen

    digest = hashlib.sha256()
    for path in sorted(Path(arusha.worldgen.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def run_setting(setting: dict[str, Any], work: Path) -> dict[str, Any]:
    from arusha.api import analyze_store, load_sources
    from arusha.worldgen import write_world

    name = f"seed{setting['seed']}-{setting['declarations']}-{generator_version()}"
    folder = work / name
    data, store, out = folder / "data", folder / "store.duckdb", folder / "analysis"
    started = time.perf_counter()
    if not (data / "truth.json").exists():
        write_world(
            data,
            n=setting["declarations"],
            seed=setting["seed"],
            offices=setting.get("offices", 12),
            months=setting.get("months", 12),
            schemes_per_kind=setting.get("schemes_per_kind", 3),
            schemes=not setting.get("clean", False),
            id_style=setting.get("id_style", "plain"),
        )
    if not store.exists():
        load_sources(sorted(str(p) for p in data.glob("*.parquet")), str(store))
    analyze_store(store, out)
    seconds = time.perf_counter() - started
    truth = json.loads((data / "truth.json").read_text())
    leads = pd.read_csv(out / "signals.csv", dtype={"officer_id": str, "entity_id": str, "other_id": str})
    ranked = culprits_of_leads(leads)
    schemes = truth.get("schemes", [])
    result: dict[str, Any] = {"setting": setting, "seconds": round(seconds, 1), "leads": len(leads)}
    result["strong_leads"] = int((leads.score >= 3).sum())
    if schemes:
        result["engine"] = score(ranked, schemes)
        result["baselines"] = {k: score(v, schemes) for k, v in baselines(store).items()}
    else:
        result["strong_on_clean"] = leads[leads.score >= 3][
            ["entity_type", "entity_id", "kind", "score"]
        ].to_dict("records")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", type=Path, default=HERE / "dev.json")
    parser.add_argument(
        "--heldout", action="store_true", help="evaluate the held-out settings (checked by sha256)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/arusha-detection"))
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    path = HERE / "heldout.json" if args.heldout else args.settings
    if args.heldout:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        expected = (HERE / "heldout.sha256").read_text().split()[0]
        if digest != expected:
            print(f"{path} does not match heldout.sha256: it changed after it was fixed", file=sys.stderr)
            return 2
    settings = json.loads(path.read_text())["settings"]
    results = []
    for setting in settings:
        result = run_setting(setting, args.work)
        results.append(result)
        print(json.dumps(result, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
