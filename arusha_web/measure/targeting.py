"""Reads of an analysis's risk-model outputs: targeting quality and expected versus found.

``analyze_store`` writes them to the run's output folder when the store holds risk-model scores
(see ``arusha/detection.py``): ``targeting_quality.csv`` (per office and period: the hit rate of the
channels actually assigned next to the model's top picks) and ``detection.parquet`` (per officer
and office and period: discrepancies found against those the model expected). Nothing is copied
into the web database: the files are small and belong to the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .models import AnalysisRun

TARGETING_FILE = "targeting_quality.csv"
DETECTION_FILE = "detection.parquet"
ALL = "all"


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(column_types={"office_code": "string", "period": "string"}),
        )
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    return [{k: _clean(v) for k, v in row.items()} for row in table.to_pylist()]


@dataclass
class RunOutputs:
    """The two files of a run, already narrowed to the offices the viewer may see."""

    targeting: list[dict[str, Any]]
    detection: list[dict[str, Any]]

    @property
    def offices(self) -> list[str]:
        return sorted({str(r["office_code"]) for r in self.targeting if r.get("office_code")})


def has_outputs(run: AnalysisRun) -> bool:
    out = Path(run.out_dir)
    return bool(run.out_dir) and (out / TARGETING_FILE).is_file() and (out / DETECTION_FILE).is_file()


def read(run: AnalysisRun, office: str | None) -> RunOutputs:
    """The run's files; ``office`` (an office manager's) keeps that office's rows only."""
    out = Path(run.out_dir)
    targeting = _rows(out / TARGETING_FILE)
    detection = _rows(out / DETECTION_FILE)
    if office is not None:
        targeting = [r for r in targeting if r.get("office_code") == office]
        detection = [r for r in detection if r.get("office_code") == office]
    return RunOutputs(targeting, detection)


def monthly(rows: list[dict[str, Any]], office: str) -> list[dict[str, Any]]:
    """An office's rows period by period (the whole-window row left out), oldest first."""
    return sorted(
        (r for r in rows if r.get("office_code") == office and r.get("period") != ALL),
        key=lambda r: str(r["period"]),
    )


def chance_in_words(p_value: float | None, found: int, expected: float) -> str:
    """What the p-value means for a manager: how easily chance alone explains so few finds."""
    if p_value is None:
        return "—"
    if found >= expected:
        return _("Found as many as expected, or more")
    if p_value < 0.001:
        return _("Very unlikely to be chance (less than 1 in 1,000)")
    if p_value < 0.01:
        return _("Unlikely to be chance (less than 1 in 100)")
    if p_value < 0.05:
        return _("Hardly chance (less than 1 in 20)")
    return _("Chance can explain it")


def officers(rows: list[dict[str, Any]], period: str, office: str = "") -> list[dict[str, Any]]:
    """Officers' expected versus found for ``period`` (of ``office`` when given), most surprising first."""
    chosen = [
        r
        for r in rows
        if r.get("entity_type") == "officer"
        and str(r.get("period")) == period
        and (not office or r.get("office_code") == office)
    ]
    return sorted(chosen, key=lambda r: (r.get("p_value") is None, r.get("p_value") or 0.0))


def periods(rows: list[dict[str, Any]]) -> list[str]:
    """The periods of the detection file, the whole window first."""
    found = sorted({str(r["period"]) for r in rows if r.get("period") != ALL})
    return ([ALL] if any(r.get("period") == ALL for r in rows) else []) + found
