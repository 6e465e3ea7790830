"""Check an exported CSV of the audit trail without the database: what an external auditor runs.

An export (``/audit/export.csv``) carries each entry's fingerprint and the previous entry's. From
the file alone, ``arusha audit verify --export FILE`` checks that:

- each row shown in full still has the fingerprint of its cells (recomputed as the trail does,
  chain.py);
- each row links to the row before it when that row is the entry just before (a filtered
  export has gaps; a masked row, whose need-to-know values are hidden, is linked but cannot be
  recomputed);
- the fingerprints kept at checkpoints are the ones in the file.

Seals are not checked: that needs the key, which stays with the administration. The checkpoints
the auditor receives (and keeps on his side) are what make a rewritten trail visible to him.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from arusha.formula_safe import FORMULA_STARTS

from . import chain
from .checkpoints import Checkpoint

REQUIRED_COLUMNS = (
    "seq", "at_utc", "user", "action", "object_type", "object_id", "object", "before", "after", "prev_hash", "hash",
)  # fmt: skip
# Cells people typed, which the export may have prefixed with ' so that no spreadsheet runs them.
_TEXT_CELLS = {
    "actor_username": "user",
    "object_type": "object_type",
    "object_id": "object_id",
    "object_repr": "object",
}


class ExportError(ValueError):
    """A file that is not an audit trail export; the message says what is wrong and where."""


@dataclass(frozen=True)
class ExportCheck:
    """The outcome of `export_verify()`."""

    ok: bool
    rows: int
    recomputed: int
    masked: int
    links: int
    complete: bool
    checkpoints_matched: int
    checkpoints_outside: int
    problem: str = ""


def _candidates(cell: str) -> list[str]:
    """Return what a text cell may have been before the export defused it, likeliest first."""
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return [cell[1:], cell]
    return [cell]


def _json(cell: str, *, line: int, column: str) -> Any:
    text = _candidates(cell)[0]
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            _("Line %(line)s, column %(column)s: not JSON (%(error)s).")
            % {"line": line, "column": column, "error": exc.msg}
        ) from exc


def _fingerprint_matches(row: dict[str, str], line: int) -> bool:
    try:
        at = dt.datetime.fromisoformat(row["at_utc"])
    except ValueError as exc:
        raise ExportError(
            _("Line %(line)s: “%(value)s” is not a date and time.")
            % {"line": line, "value": row["at_utc"][:40]}
        ) from exc
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    fields: dict[str, Any] = {
        "seq": int(row["seq"]),
        "at": at,
        "action": row["action"],
        "before": _json(row["before"], line=line, column="before"),
        "after": _json(row["after"], line=line, column="after"),
        "prev_hash": row["prev_hash"],
    }
    names = list(_TEXT_CELLS)
    for values in itertools.product(*(_candidates(row[_TEXT_CELLS[name]]) for name in names)):
        if chain.fingerprint({**fields, **dict(zip(names, values, strict=True))}) == row["hash"]:
            return True
    return False


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ExportError(
                    _("%(path)s is not an audit trail export: the columns %(missing)s are missing.")
                    % {"path": path.name, "missing": ", ".join(missing)}
                )
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc


def export_verify(path: Path, *, checkpoints: Sequence[Checkpoint] = ()) -> ExportCheck:
    """Check the export at `path` and report the first problem, if any.

    Raises:
        ExportError: when the file is not an audit trail export (named columns missing, a cell
            that cannot be read).
    """
    hashes: dict[int, str] = {}
    counts = {"rows": 0, "recomputed": 0, "masked": 0, "links": 0}
    problem = ""
    previous: tuple[int, str] | None = None
    for line, row in _rows(path):
        try:
            seq = int(row["seq"])
        except ValueError as exc:
            raise ExportError(
                _("Line %(line)s: entry number “%(value)s” is not a number.")
                % {"line": line, "value": row["seq"][:20]}
            ) from exc
        counts["rows"] += 1
        if previous is not None and seq <= previous[0]:
            problem = _("Entry #%(seq)s comes after entry #%(previous)s: the rows are out of order.") % {
                "seq": seq,
                "previous": previous[0],
            }
            break
        if row.get("masked") == "yes":
            counts["masked"] += 1
        elif _fingerprint_matches(row, line):
            counts["recomputed"] += 1
        else:
            problem = _("Entry #%(seq)s no longer matches its fingerprint: it was changed.") % {"seq": seq}
            break
        expected_prev = (
            chain.GENESIS_HASH if seq == 1 else (previous[1] if previous and previous[0] == seq - 1 else None)
        )
        if expected_prev is not None:
            if row["prev_hash"] != expected_prev:
                problem = _("Entry #%(seq)s does not link to the entry before it.") % {"seq": seq}
                break
            counts["links"] += 1
        hashes[seq] = row["hash"]
        previous = (seq, row["hash"])
    complete = not problem and bool(hashes) and min(hashes) == 1 and len(hashes) == max(hashes)
    matched = outside = 0
    if not problem:
        known = set(hashes.values())
        for kept in checkpoints:
            if kept.seq is not None and kept.seq in hashes:
                if hashes[kept.seq] != kept.fingerprint:
                    problem = _(
                        "Entry #%(seq)s does not have the fingerprint kept for it (%(source)s): "
                        "the trail was rewritten at this entry or before it."
                    ) % {"seq": kept.seq, "source": kept.source}
                    break
                matched += 1
            elif kept.seq is None and kept.fingerprint in known:
                matched += 1
            elif kept.seq is None and complete:
                problem = _(
                    "The fingerprint kept at %(source)s is in no row of this complete export: the "
                    "trail was rewritten before its entry, or the checkpoint is newer than the export."
                ) % {"source": kept.source}
                break
            else:
                outside += 1
    return ExportCheck(
        ok=not problem,
        complete=complete,
        checkpoints_matched=matched,
        checkpoints_outside=outside,
        problem=problem,
        **counts,
    )
