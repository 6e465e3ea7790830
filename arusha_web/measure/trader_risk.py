"""Importers whose own declaring stands out: the analysis's ``trader_risk.csv``, read on demand.

Why apart from the leads: low values that pass green with no officer involved, or an importer's
unusual digits, are a matter for targeting (the risk management unit's selectivity profiles), not
for an integrity review of staff. The engine writes them to their own file
(``arusha.leads.kinds.TRADER_RISK_KINDS``) so they never mix into the integrity ranking, and the web
app shows them on their own page for the roles that see traders' indicators.

Why read on demand and not imported: the list is short (importers that stand out), belongs to the
run's output folder like ``traders.parquet``, and an analysis made before the engine wrote it simply
has no file, which the page says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lead_records import as_float, as_int, as_month, as_text

FILE_NAME = "trader_risk.csv"
COLUMNS = ("importer_id", "kind", "score", "observed", "expected", "n", "ratio_low", "p", "q",
           "window_start", "window_end", "explanation")  # fmt: skip
# Read as text whatever they look like: an importer id such as "00412" must not become a number.
TEXT_COLUMNS = ("importer_id", "kind", "window_start", "window_end", "explanation")


@dataclass(frozen=True)
class TraderRisk:
    """One row of ``trader_risk.csv``: an importer, what stands out, in which months, how strongly."""

    importer_id: str
    kind: str
    score: float | None
    observed: int | None
    expected: float | None
    n: int | None
    ratio_low: float | None
    p: float | None
    q: float | None
    window_start: str
    window_end: str
    explanation: str  # the engine's English sentence (kept in the CSV download)


def _row(raw: dict[str, Any]) -> TraderRisk:
    return TraderRisk(
        importer_id=as_text(raw.get("importer_id")),
        kind=as_text(raw.get("kind")),
        score=as_float(raw.get("score")),
        observed=as_int(raw.get("observed")),
        expected=as_float(raw.get("expected")),
        n=as_int(raw.get("n")),
        ratio_low=as_float(raw.get("ratio_low")),
        p=as_float(raw.get("p")),
        q=as_float(raw.get("q")),
        window_start=as_month(raw.get("window_start")),
        window_end=as_month(raw.get("window_end")) or as_month(raw.get("window_start")),
        explanation=as_text(raw.get("explanation")),
    )


def read(out_dir: str | Path) -> list[TraderRisk] | None:
    """The rows of the run's ``trader_risk.csv`` in the engine's order; None when the analysis has none
    (made before the engine wrote it, or its output folder is gone)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(out_dir) / FILE_NAME
    if not out_dir or not path.is_file():
        return None
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(TEXT_COLUMNS, pa.string()))
    try:
        table = pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid:  # an empty file: the engine found no importer to list
        return []
    return [_row(raw) for raw in table.to_pylist()]
