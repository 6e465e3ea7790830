"""A lead as a record: read from a row of ``signals.csv`` or a stored lead, and masked for a viewer.

Why records: the engine used to hand over each lead as an English sentence, which the web app
parsed back to translate it and masked with a pattern that fitted one officer id format, so an
office lead naming other officers let their ids through. Now ``signals.csv`` carries the fields
after its first five columns (``arusha/leads/record.py`` documents them); this module reads them,
and masks officers by field: the lead's officer and every id in ``related``, whatever their format.
Sentences are made from the masked record at the edge (``lead_text.py``), never parsed.

No Django here: the risk register reads ``signals.csv`` with it too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

Mask = Callable[[str], str]

PAIR_TYPES = ("officer_declarant_pair", "officer_importer_pair")


@dataclass(frozen=True)
class LeadRecord:
    """One lead's fields; numbers are None and text "" where they do not apply or are unknown."""

    entity_type: str
    entity_id: str
    kind: str
    officer_id: str = ""
    other_id: str = ""
    office_code: str = ""
    window_start: str = ""  # YYYY-MM
    window_end: str = ""
    observed: int | None = None
    expected: float | None = None
    n: int | None = None
    ratio_low: float | None = None
    excess_low: float | None = None
    p: float | None = None
    q: float | None = None
    related: tuple[str, ...] = ()
    counterparts: int | None = None
    unstandardised_n: int | None = None
    basis: str = ""

    @property
    def complete(self) -> bool:
        """Whether the record holds what a sentence is made from (False for leads of older analyses,
        whose ``signals.csv`` had five columns: those are shown by their stored sentence)."""
        return self.observed is not None and self.n is not None and self.expected is not None

    @property
    def officer(self) -> str:
        """The officer the lead is about: its field, else the first id of an officer or pair lead."""
        if self.officer_id:
            return self.officer_id
        if self.entity_type.startswith("officer"):
            return self.entity_id.split("|", 1)[0]
        return ""

    @property
    def other(self) -> str:
        """The declarant or importer of a pair lead ("" otherwise)."""
        if self.other_id:
            return self.other_id
        return self.entity_id.partition("|")[2] if self.entity_type in PAIR_TYPES else ""

    @property
    def officers(self) -> tuple[str, ...]:
        """Every officer the lead names: its own, then the related ones."""
        return tuple(dict.fromkeys(o for o in (self.officer, *self.related) if o))


def as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def as_float(value: Any) -> float | None:
    text = as_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def as_int(value: Any) -> int | None:
    number = as_float(value)
    return None if number is None else round(number)


def as_month(value: Any) -> str:
    """``2024-03`` from ``2024-03`` or ``2024-03-01`` (a writer that kept a date); "" otherwise."""
    text = as_text(value)[:7]
    return text if re.fullmatch(r"\d{4}-\d{2}", text) else ""


def record_from_row(row: Mapping[str, Any]) -> LeadRecord:
    """Return the record of one ``signals.csv`` row, as a CSV reader gives it (strings or numbers).

    A row of an older analysis (the first five columns only) gives an incomplete record.

    Example:
        >>> r = record_from_row({"entity_type": "office", "entity_id": "P1", "kind": "low_penalty",
        ...                      "observed": "12", "expected": "3.5", "n": "40", "related": "74021;jdupont"})
        >>> r.complete, r.related
        (True, ('74021', 'jdupont'))
    """
    related = tuple(part.strip() for part in as_text(row.get("related")).split(";") if part.strip())
    return LeadRecord(
        entity_type=as_text(row.get("entity_type")),
        entity_id=as_text(row.get("entity_id")),
        kind=as_text(row.get("kind")),
        officer_id=as_text(row.get("officer_id")),
        other_id=as_text(row.get("other_id")),
        office_code=as_text(row.get("office_code")),
        window_start=as_month(row.get("window_start")),
        window_end=as_month(row.get("window_end")) or as_month(row.get("window_start")),
        observed=as_int(row.get("observed")),
        expected=as_float(row.get("expected")),
        n=as_int(row.get("n")),
        ratio_low=as_float(row.get("ratio_low")),
        excess_low=as_float(row.get("excess_low")),
        p=as_float(row.get("p")),
        q=as_float(row.get("q")),
        related=related,
        counterparts=as_int(row.get("counterparts")),
        unstandardised_n=as_int(row.get("unstandardised_n")),
        basis=as_text(row.get("basis")),
    )


def identifier(record: LeadRecord, mask: Mask | None) -> str:
    """The lead's identifier with its officer masked (a pair's is ``officer|other``)."""
    if mask is None or not record.entity_type.startswith("officer"):
        return record.entity_id
    if record.entity_type in PAIR_TYPES:
        return f"{mask(record.officer)}|{record.other}"
    return mask(record.officer)


def masked(record: LeadRecord, mask: Mask | None) -> LeadRecord:
    """The record as a viewer who sees pseudonyms may see it: the officer and every related id masked."""
    if mask is None:
        return record
    return replace(
        record,
        entity_id=identifier(record, mask),
        officer_id=mask(record.officer_id) if record.officer_id else "",
        related=tuple(mask(officer) for officer in record.related),
    )


def _replace_id(text: str, officer: str, shown: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(officer)}(?![\w-])", lambda _m: shown, text)


def mask_text(text: str, officers: tuple[str, ...], mask: Mask) -> str:
    """Replace each of ``officers`` where it stands as a whole id in ``text`` (not inside a longer id)."""
    for officer in sorted(officers, key=len, reverse=True):
        text = _replace_id(text, officer, mask(officer))
    return text
