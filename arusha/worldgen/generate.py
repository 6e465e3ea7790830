"""Generate a world: run the clearance process stage by stage, planting schemes where they act."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from arusha.worldgen import clearance, timing
from arusha.worldgen import schemes as planting  # `schemes` is also an argument's name
from arusha.worldgen.clearance import CHANNELS, OFFENCES
from arusha.worldgen.confounders import plant_confounders
from arusha.worldgen.events import build_events, timestamps
from arusha.worldgen.goods import ORIGINS, Goods, draw_goods, export_countries
from arusha.worldgen.truth import WorldTruth
from arusha.worldgen.world import (
    F,
    Files,
    I,
    Parameters,
    Roster,
    Stream,
    World,
    build_world,
    declaration_ids,
    draw_files,
    plain_office_codes,
    reassign_background,
    stream,
    transport_of,
)

Progress = Callable[[int, str], None]


def generate_world(
    n: int = 300_000,
    seed: int = 0,
    *,
    months: int = 12,
    start: str = "2024-01-01",
    offices: int = 12,
    officers_per_office: int | None = None,
    importers: int | None = None,
    declarants: int | None = None,
    schemes_per_kind: int = 3,
    schemes: bool = True,
    confounders: bool = True,
    id_style: str = "plain",
    progress: Progress | None = None,
) -> tuple[dict[str, pa.Table], WorldTruth]:
    """Generate a customs administration's clearance data with honest confounders and planted schemes.

    Args:
        n: Number of declarations.
        seed: Random seed (>= 0); the same arguments give the same data.
        months: Calendar months covered, from ``start``'s month.
        start: First registration day (ISO date).
        offices: Number of customs offices (Zipf-like sizes).
        officers_per_office: Average officers per office (default ``n / (offices × 800)`` within 8–40;
            an office's staff grows with the square root of its volume).
        importers: Number of importers (default ``n / 15``).
        declarants: Number of brokers (default ``n / 1500`` within 40–3000).
        schemes_per_kind: Schemes planted per kind (ten kinds, each on its own culprit). A world
            too small to hold that many distinct culprits (officers, busy traders) gets fewer:
            ``truth.schemes`` lists those planted.
        schemes: False plants no scheme (honest data, confounders included).
        confounders: False gives a flat world: weekday hours everywhere, everyone on duty all year,
            ordinary importers only.
        id_style: ``plain`` (``O-PORT1-03``, ``D-0001``, ``I-00001``) or ``numeric`` (staff and
            taxpayer numbers), so that no downstream code relies on the shape of an id.
        progress: Called with (percent, message).

    Returns:
        The canonical ``declarations``, ``items`` and ``events`` Arrow tables, and the truth.

    Example:
        >>> tables, truth = generate_world(20_000, seed=1, schemes_per_kind=1)
        >>> tables["declarations"].num_rows, len(truth.schemes)
        (20000, 10)
    """
    report = progress or (lambda _p, _m: None)
    p = Parameters.resolve(
        n, seed, months, start, offices, officers_per_office, importers, declarants,
        schemes_per_kind, schemes, confounders, id_style,
    )  # fmt: skip
    world = build_world(p)
    confounder_truth = plant_confounders(world, seed, enabled=confounders)
    roster = Roster(world)
    files = draw_files(world, n, seed, roster)
    report(15, "declarations drawn")
    goods = draw_goods(world, files, seed)
    risk = clearance.honest_risk(world, files, goods, seed)
    plans = (
        planting.choose_schemes(
            world, files, risk.honest_channels >= clearance.YELLOW, schemes_per_kind, seed
        )
        if schemes
        else []
    )
    report(30, "items drawn")

    planting.apply_goods(plans, files, goods, seed)
    control = clearance.new_control(clearance.select_channels(world, files, goods, risk))
    reassign_background(files, roster, seed)
    planting.apply_assignment(plans, files, control, seed)
    clearance.change_channels(world, files, control, seed)
    planting.apply_channels(plans, files, control, seed)
    planting.apply_values(plans, files, goods, control, seed)
    clearance.inspect(world, files, goods, control, risk, seed)
    planting.apply_inspection(plans, files, control, seed)
    clearance.settle(files, goods, control, seed)
    planting.apply_fines(plans, files, control, seed)
    report(45, "controls decided")

    timeline = timing.schedule(world, files, control, seed)
    planting.apply_times(plans, world, files, control, timeline, seed)
    timing.close_period(world, timeline)
    report(60, "times drawn")

    tables = _tables(p, world, files, goods, control, timeline)
    report(75, "building events")
    tables["events"] = build_events(
        world, files, control, timeline, tables["declarations"]["declaration_id"].combine_chunks()
    )
    truth = WorldTruth(
        seed=seed,
        declarations=n,
        parameters={k: getattr(p, k) for k in Parameters.__dataclass_fields__},
        schemes=planting.truth_records(plans, world),
        confounders=confounder_truth,
        risk_pattern={
            "importers": sorted(str(world.importer_ids[i]) for i in risk.risky_importers),
            "hs_codes": sorted(str(goods.hs_codes[i]) for i in risk.risky_hs),
            "origins": sorted(str(ORIGINS[i]) for i in risk.risky_origins),
            "undervaluation": "inspections find the gap between declared and true value (2 logits per unit "
            "of -log(declared / true)); selectivity sees declared against the HS6 reference",
        },
    )
    report(100, "done")
    return tables, truth


def _take(vocabulary: pa.Array, index: I) -> pa.Array:
    """Return ``vocabulary[index]`` as an Arrow array, null where ``index`` is negative."""
    return vocabulary.take(pa.array(index, pa.int64(), mask=index < 0))


def _amount(values: F) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def _tables(
    p: Parameters,
    world: World,
    files: Files,
    goods: Goods,
    control: clearance.Control,
    timeline: timing.Timeline,
) -> dict[str, pa.Table]:
    """Return the canonical declarations and items tables."""
    n = files.n
    rng = stream(p.seed, Stream.TABLES)
    ids = pa.array(declaration_ids(p, n), pa.string())
    # A file not yet assessed at the export date has no control outcome, fine or assessed value.
    assessed = ~np.isnan(timeline.assessed)
    hit = control.hit & assessed
    result = np.where(control.inspected & assessed, np.where(hit, 2, 1), 0)
    uplift = np.where(hit, control.uplift, 1.0)
    declared = goods.per_declaration(goods.declared, n)
    duties = goods.per_declaration(goods.declared * goods.hs_rate[goods.line_hs], n)
    # The plain codes say each office's transport mode, whatever the id style.
    plain_codes = plain_office_codes(world.office_codes.size)
    transport = np.array([transport_of(c) for c in plain_codes])[files.office]
    transport = np.where((rng.random(n) < 0.1) & (transport != "post"), "road", transport)
    origin, export = export_countries(goods, p.seed)
    officers = pa.array(world.officer_ids, pa.string())
    declarations = pa.table(
        {
            "declaration_id": ids,
            "office_code": _take(pa.array(world.office_codes, pa.string()), files.office),
            "regime": pa.array(np.where(rng.random(n) < 0.9, "IM4", "IM7"), pa.string()),
            "declarant_id": _take(pa.array(world.declarant_ids, pa.string()), files.declarant),
            "importer_id": _take(pa.array(world.importer_ids, pa.string()), files.importer),
            "officer_id": _take(officers, files.officer),
            "channel_assigned": _take(pa.array(CHANNELS, pa.string()), control.assigned),
            "channel_final": _take(pa.array(CHANNELS, pa.string()), control.final),
            "channel_changed_by": _take(officers, control.changed_by),
            "registered_at": timestamps(files.reg),
            "assessed_at": timestamps(timeline.assessed),
            "paid_at": timestamps(timeline.paid),
            "released_at": timestamps(timeline.released),
            "declared_value": _amount(np.round(declared, 2)),
            "assessed_value": _amount(np.where(assessed, np.round(declared * uplift, 2), np.nan)),
            "duties_declared": _amount(np.round(duties, 2)),
            "duties_assessed": _amount(np.where(assessed, np.round(duties * uplift, 2), np.nan)),
            "inspection_result": _take(
                pa.array(["none", "no_discrepancy", "discrepancy"], pa.string()), result.astype(np.int64)
            ),
            "offence_code": _take(pa.array(OFFENCES, pa.string()), np.where(hit, control.offence, -1)),
            "penalty_amount": _amount(np.where(hit, control.penalty, np.nan)),
            "country_origin": pa.array(origin, pa.string()),
            "country_export": pa.array(export, pa.string()),
            "transport_mode": pa.array(transport, pa.string()),
        }
    )
    line_assessed = assessed[goods.line_decl]
    items = pa.table(
        {
            "declaration_id": ids.take(pa.array(goods.line_decl)),
            "item_no": pa.array(goods.line_no, pa.int64()),
            "hs_code": _take(pa.array(goods.hs_codes, pa.string()), goods.line_hs),
            "country_origin": _take(pa.array(ORIGINS, pa.string()), goods.line_origin),
            "net_mass_kg": pa.array(goods.mass, pa.float64()),
            "quantity": pa.array(np.round(goods.mass / 10.0 + 1.0, 0), pa.float64()),
            "declared_value": pa.array(goods.declared, pa.float64()),
            "assessed_value": _amount(
                np.where(line_assessed, np.round(goods.declared * uplift[goods.line_decl], 2), np.nan)
            ),
            "duty_rate": pa.array(goods.hs_rate[goods.line_hs], pa.float64()),
        }
    )
    return {"declarations": declarations, "items": items}


def write_world(
    out: str | Path,
    n: int = 300_000,
    seed: int = 0,
    *,
    months: int = 12,
    start: str = "2024-01-01",
    offices: int = 12,
    officers_per_office: int | None = None,
    importers: int | None = None,
    declarants: int | None = None,
    schemes_per_kind: int = 3,
    schemes: bool = True,
    confounders: bool = True,
    id_style: str = "plain",
    progress: Progress | None = None,
) -> WorldTruth:
    """Generate a world and write ``declarations``, ``items``, ``events`` (.parquet) and ``truth.json``.

    Args:
        out: Output directory (created).
        n: Number of declarations; the other arguments as for :func:`generate_world`.
        seed: Random seed.
        months: Calendar months covered.
        start: First registration day (ISO date).
        offices: Number of customs offices.
        officers_per_office: Average officers per office.
        importers: Number of importers.
        declarants: Number of brokers.
        schemes_per_kind: Schemes planted per kind.
        schemes: False plants no scheme.
        confounders: False gives a flat world.
        id_style: ``plain`` or ``numeric``.
        progress: Called with (percent, message).

    Returns:
        The truth written to ``truth.json``.

    Example:
        >>> write_world("var/world", 300_000, seed=1)  # doctest: +SKIP
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables, truth = generate_world(
        n, seed, months=months, start=start, offices=offices, officers_per_office=officers_per_office,
        importers=importers, declarants=declarants, schemes_per_kind=schemes_per_kind, schemes=schemes,
        confounders=confounders, id_style=id_style, progress=progress,
    )  # fmt: skip
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")
    (out / "truth.json").write_text(
        json.dumps(truth.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return truth
