"""Demo clearance data: generated, loaded into the analytics store, analysed.

The files go where a real installation keeps them (``var/clearance.duckdb`` and
``var/analysis/<run>/``), so the modules that read analysis outputs find the demo's. Every step
is skipped when its output already exists, so `arusha demo` stays quick on a second run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from arusha_web.org.models import Administration, Office, StaffRecord

DEMO_SEED = 7
DEMO_RUN = "demo"
# Names for the generator's office codes (arusha.synth.OFFICE_CODES).
OFFICE_NAMES = {
    "PORT1": ("Main Seaport", "Coast"),
    "PORT5": ("Container Terminal", "Coast"),
    "AIRPT": ("International Airport", "Capital"),
    "DRYPT": ("Dry Port", "Capital"),
    "NBORD": ("Northern Border Post", "North"),
    "SBORD": ("Southern Border Post", "South"),
    "EBORD": ("Eastern Border Post", "East"),
    "WBORD": ("Western Border Post", "West"),
    "RAIL1": ("Railway Station", "Capital"),
    "POST1": ("Postal Centre", "Capital"),
}


def demo_paths() -> dict[str, Path]:
    var = Path(settings.VAR_DIR)
    return {
        "data": var / "demo" / "clearance",
        "store": var / "clearance.duckdb",
        "analysis": var / "analysis" / DEMO_RUN,
        "model": var / "risk-model.json",
    }


def demo_clearance(*, declarations: int, progress: Callable[[str], object]) -> dict[str, Path]:
    """Generate, load and analyse the demo clearance data; return where each output is."""
    from arusha import api  # the analytics library; heavy imports only when the demo needs them

    paths = demo_paths()
    sources = [paths["data"] / f"{name}.parquet" for name in ("declarations", "items", "events")]
    if not all(path.exists() for path in sources):
        progress(f"Generating {declarations:,} demo declarations with planted anomalies…")
        api.write_dataset(paths["data"], n=declarations, seed=DEMO_SEED)
    progress("Loading them into the analytics store (validated against the data contract)…")
    result = api.load_sources(sources, store=paths["store"])
    if result.skipped:
        progress("  already loaded: nothing added.")
    if not paths["model"].exists():
        _risk_model(paths, progress)
    if not (paths["analysis"] / "signals.csv").exists():
        progress("Computing indicators and integrity-risk leads…")
        api.analyze_store(paths["store"], paths["analysis"], trader_periods=True)  # traders' monthly series
    _staff_from_data(paths["data"] / "declarations.parquet")
    return paths


def _risk_model(paths: dict[str, Path], progress: Callable[[str], object]) -> None:
    """Train the declaration risk model and score every declaration, so the analysis can compare
    what each officer found with what the model expected (leads of kind detection_shortfall)."""
    from arusha.model.score import score_store
    from arusha.model.train import train_model

    progress("Training the declaration risk model on past inspection results…")
    bundle = train_model(str(paths["store"])).bundle
    progress("Scoring every declaration with the risk model…")
    score_store(str(paths["store"]), bundle, explanations=False)
    bundle.save(paths["model"])


@transaction.atomic
def _staff_from_data(declarations: Path) -> None:
    """Offices and staff records for every office and officer the demo data mentions."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(declarations, columns=["office_code", "officer_id"])
    administration = Administration.objects.order_by("pk").first()
    if administration is None:
        return
    offices = {}
    for code in sorted(pc.unique(table["office_code"]).to_pylist()):
        name, region = OFFICE_NAMES.get(code, (f"Office {code}", ""))
        offices[code], _ = Office.objects.get_or_create(
            code=code, defaults={"administration": administration, "name": name, "region": region}
        )
    pairs = pc.unique(pc.binary_join_element_wise(table["office_code"], table["officer_id"], "|")).to_pylist()
    existing = set(StaffRecord.objects.values_list("officer_id", flat=True))
    for pair in sorted(pairs):
        code, officer_id = pair.split("|", 1)
        if officer_id in existing:
            continue
        StaffRecord.objects.create(
            administration=administration,
            officer_id=officer_id,
            full_name=f"Officer {officer_id}",
            post="Verification officer",
            office=offices[code],
        )
