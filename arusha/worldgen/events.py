"""The event log: one row per step in a declaration's life, with who acted (the contract's table).

| event | actor |
|---|---|
| lodged | the declarant |
| registered | SYSTEM |
| assigned | the officer the file first went to |
| reassigned | the officer it moved to (only when it moved) |
| channel_changed | the officer who changed the channel |
| inspection_started, inspection_done | the inspecting officer (none for waived or skipped inspections) |
| assessed | the officer for yellow/red files, SYSTEM for green/blue |
| paid | BANK |
| released | the signing officer for yellow/red files, SYSTEM for green/blue |
| exited | GATE |

Built from integer indexes into one vocabulary of actors, so 5 million declarations (about 45
million events) need no Python string per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from arusha.contract import EVENT_NAMES
from arusha.worldgen.clearance import YELLOW, Control
from arusha.worldgen.timing import Timeline
from arusha.worldgen.world import F, Files, I, World

NON_OFFICERS = ("SYSTEM", "BANK", "GATE")


def timestamps(seconds: F) -> pa.Array:
    """Return epoch seconds (NaN: null) as an Arrow ``timestamp[us]`` array."""
    mask = np.isnan(seconds)
    values = np.where(mask, 0, np.round(seconds)).astype(np.int64) * 1_000_000
    return pa.array(values, pa.timestamp("us"), mask=mask)


def build_events(
    world: World, files: Files, control: Control, timeline: Timeline, declaration_ids: pa.Array
) -> pa.Table:
    """Return the ``events`` table, sorted by declaration and time."""
    n_off, n_decl = world.officer_ids.size, world.declarant_ids.size
    system, bank, gate = n_off + n_decl, n_off + n_decl + 1, n_off + n_decl + 2
    actors = pa.array(
        np.concatenate([world.officer_ids, world.declarant_ids, np.array(NON_OFFICERS)]), pa.string()
    )
    by_officer = control.final >= YELLOW
    officer_or_system = np.where(by_officer, files.officer, system)
    t = timeline
    steps: list[tuple[str, F, I]] = [
        ("lodged", t.lodged, files.declarant + n_off),
        ("registered", files.reg, np.full(files.n, system)),
        ("assigned", t.assigned, files.officer_first),
        ("reassigned", t.reassigned, files.officer),
        ("channel_changed", t.changed, control.changed_by),
        ("inspection_started", t.inspection_started, files.officer),
        ("inspection_done", t.inspection_done, files.officer),
        ("assessed", t.assessed, officer_or_system),
        ("paid", t.paid, np.full(files.n, bank)),
        ("released", t.released, officer_or_system),
        ("exited", t.exited, np.full(files.n, gate)),
    ]
    rows, codes, times, who = [], [], [], []
    for name, at, actor in steps:
        happened = np.flatnonzero(~np.isnan(at))
        rows.append(happened)
        codes.append(np.full(happened.size, EVENT_NAMES.index(name), dtype=np.int8))
        times.append(np.round(at[happened]))
        who.append(actor[happened])
    row, code, actor_index = (np.concatenate(x) for x in (rows, codes, who))
    time = np.asarray(np.concatenate(times), dtype=np.float64)
    # One int64 sort key (declaration, then seconds since the period start, then lifecycle step)
    # sorts 45 million events in seconds, where a three-key lexsort takes minutes.
    offset = time - (world.month_starts[0] - 86_400.0)
    span_bits = int(np.ceil(np.log2(max(float(offset.max()), 2.0) + 1)))
    if span_bits + 4 + int(np.ceil(np.log2(files.n + 1))) < 63:
        key = (
            (row.astype(np.int64) << (span_bits + 4)) | (offset.astype(np.int64) << 4) | code.astype(np.int64)
        )
        order = np.argsort(key)
    else:
        order = np.lexsort((code, time, row))
    names = pa.array(EVENT_NAMES, pa.string()).take(pa.array(code[order]))
    return pa.table(
        {
            "declaration_id": declaration_ids.take(pa.array(row[order])),
            "event": names,
            "at": timestamps(time[order]),
            "actor_id": actors.take(pa.array(actor_index[order])),
        }
    )
