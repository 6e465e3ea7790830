"""An analysis output folder made by hand: ``signals.csv`` with lead records, ``trader_risk.csv``.

Why by hand and not by running the engine: the pages are tested on what the files say, one lead of
every entity type, with officer ids in formats the synthetic data never uses (``74021``, ``jdupont``,
``00871`` with its leading zeros, ``kmensah``), so that masking by pattern would let them through.

Officers: 74021 (after-hours releases), jdupont (pairing with declarant D-0152), kmensah (low values
with importer I-0030), 00871 (few discrepancies, against the risk model). The office lead on PORT1
leaves jdupont and 00871 out of its rate (``related``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
RECORDS = DATA / "records"  # signals.csv (new columns) and trader_risk.csv
FIVE_COLUMNS = DATA / "five_columns"  # signals.csv of an analysis made before records

OFFICERS = ("74021", "jdupont", "00871", "kmensah")


def officer_ids_in(text: str) -> list[str]:
    """The real officer ids that appear in ``text`` as whole ids (not inside a random token)."""
    return [o for o in OFFICERS if re.search(rf"(?<![A-Za-z0-9]){re.escape(o)}(?![A-Za-z0-9])", text)]


def _indicators(out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def row(entity_type: str, entity_id: str, office: str | None, period: str) -> dict[str, Any]:
        return {"entity_type": entity_type, "entity_id": entity_id, "office_code": office, "period": period,
                "indicator": "VOL_DECL", "value": 10.0, "n": 10, "peer_median": 8.0, "z": 0.5}  # fmt: skip

    rows = [row("office", office, office, "2024-03") for office in ("PORT1", "AIRP1")]
    rows += [row("officer", o, "AIRP1" if o == "kmensah" else "PORT1", "2024-03") for o in OFFICERS]
    rows += [row("officer", "O-PORT1-03", "PORT1", "2024-03")]  # of the five-column file
    rows += [row("declarant", "D-0152", None, "all"), row("importer", "I-0030", None, "all")]
    pq.write_table(pa.Table.from_pylist(rows), out / "indicators.parquet")


def analysis_folder(root: Path, source: Path = RECORDS, *, trader_risk: bool = True) -> Path:
    """An output folder under ``root`` with the files of ``source`` and a small indicators file."""
    out = root / f"out-{source.name}"
    out.mkdir(parents=True)
    shutil.copy(source / "signals.csv", out / "signals.csv")
    if trader_risk and (source / "trader_risk.csv").exists():
        shutil.copy(source / "trader_risk.csv", out / "trader_risk.csv")
    _indicators(out)
    return out


def imported_run(root: Path, user: Any, source: Path = RECORDS, *, trader_risk: bool = True) -> Any:
    """An analysis of ``source``'s files, imported into the web database as the analysis job does."""
    from arusha_web.measure.models import AnalysisRun, Dataset, Publication
    from arusha_web.measure.services import outputs_import

    out = analysis_folder(root, source, trader_risk=trader_risk)
    dataset = Dataset.objects.create(name=f"Records {source.name}", store_path=str(root / "none.duckdb"))
    run = AnalysisRun.objects.create(dataset=dataset, out_dir=str(out))
    run = outputs_import(run=run, actor=user)
    Publication.objects.create(run=run, published_by=user)  # the official analysis
    return run
