"""Checkpoints: fingerprints of the trail, kept where the people who run the database cannot edit them.

Someone who can write to the database can rewrite the trail from some entry onwards and
recompute every later fingerprint. A fingerprint written down earlier (in the daily cron's
e-mail, in a ticket, on the external auditor's side) then no longer matches, and ``arusha audit
verify --expect FINGERPRINT`` or ``--checkpoints FILE`` says so.

A checkpoints file holds one checkpoint per line, as ``arusha audit verify`` prints it::

    # audit trail of the Customs administration
    1234 3fa9...(64 hexadecimal characters) 2026-11-28T02:00:00Z

The entry number and the time are optional: a fingerprint alone (pasted from an e-mail) must
be the fingerprint of some entry. Blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from . import chain


class CheckpointError(ValueError):
    """A checkpoint that cannot be read; the message names where it came from and what is wrong."""


@dataclass(frozen=True)
class Checkpoint:
    """A fingerprint someone kept, with the number of its entry when known."""

    fingerprint: str
    seq: int | None = None
    # Where it was read, for the messages: "--expect" or "checkpoints.txt, line 4".
    source: str = ""


def _fingerprint(word: str, source: str) -> str:
    value = word.strip().lower()
    if not chain.is_fingerprint(value):
        raise CheckpointError(
            _("%(source)s: “%(value)s” is not a fingerprint (64 hexadecimal characters, 0-9 and a-f).")
            % {"source": source, "value": word[:80]}
        )
    return value


def checkpoint_parse(text: str, *, source: str) -> Checkpoint:
    """Return the checkpoint in one line: ``[SEQ] FINGERPRINT [anything]``.

    Raises:
        CheckpointError: naming `source` and what is wrong with the line.
    """
    words = text.split()
    if not words:
        raise CheckpointError(_("%(source)s: no fingerprint given.") % {"source": source})
    first = words[0].lstrip("#")
    if first.isascii() and first.isdigit():
        if len(words) < 2:
            raise CheckpointError(
                _("%(source)s: entry #%(seq)s is given without its fingerprint.")
                % {"source": source, "seq": first}
            )
        return Checkpoint(_fingerprint(words[1], source), int(first), source)
    return Checkpoint(_fingerprint(words[0], source), None, source)


def checkpoints_read(path: Path) -> list[Checkpoint]:
    """Return every checkpoint in the file at `path`, in file order.

    Raises:
        CheckpointError: when the file cannot be read or a line is not a checkpoint.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(
            _("Cannot read the checkpoints file %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    found = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        # "#1234 <fingerprint>" is a checkpoint (as pasted from the output); "# text" a comment.
        if not stripped or (stripped.startswith("#") and not stripped[1:2].isdigit()):
            continue
        source = _("%(path)s, line %(line)s") % {"path": path.name, "line": number}
        found.append(checkpoint_parse(stripped, source=source))
    return found


def checkpoint_line(*, seq: int, fingerprint: str, at: dt.datetime) -> str:
    """Return the line that records the entry `seq` as a checkpoint (the file's format)."""
    return f"{seq} {fingerprint} {at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def checkpoint_append(path: Path, *, seq: int, fingerprint: str, at: dt.datetime) -> bool:
    """Add the entry `seq` to the checkpoints file (created if missing); return False if it is there.

    Appends, never rewrites: the file's earlier lines are the checkpoints that matter.
    """
    if path.exists() and any(c.fingerprint == fingerprint for c in checkpoints_read(path)):
        return False
    # A last line typed by hand may lack its newline: the new one must not be glued to it.
    before = path.read_bytes() if path.exists() else b""
    separator = "\n" if before and not before.endswith(b"\n") else ""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(separator + checkpoint_line(seq=seq, fingerprint=fingerprint, at=at) + "\n")
    return True
