"""XLSX export and import of the register, as a round trip.

The export's "Risks" sheet is the import's format: one row per risk, keyed on the reference.
Import validates every row first and writes nothing unless all rows are valid, so a workbook
with one bad cell never leaves the register half-updated. Controls and actions are exported on
their own sheets for reading; the import updates risks only.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook

from arusha import formula_safe
from arusha_web.core.workbook_limits import workbook_problem
from arusha_web.org.models import Office

from . import services
from .evidence import unknown_indicator_codes
from .forms import RISK_TEXT_LIMITS
from .models import Axis, EvidenceSource, Harm, ProcessStep, Risk, Status, Treatment
from .rating import Matrix

COLUMNS = [
    "ref",
    "step",
    "office",
    "title",
    "position",
    "scheme",
    "drivers",
    "harms",
    "evidence_sources",
    "evidence",
    "indicators",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "acceptance_approved_by",
    "owner",
    "next_review",
    "status",
]
MAX_ROWS = 5000


class ImportRejected(Exception):
    """The workbook was refused; `errors` names each problem with its row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def register_xlsx(risks: list[Risk]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Risks"
    sheet.append(COLUMNS)
    controls = workbook.create_sheet("Controls")
    controls.append(["ref", "type", "description", "owner", "design", "operating"])
    actions = workbook.create_sheet("Actions")
    actions.append(["ref", "action", "owner", "due_date", "done"])
    for risk in risks:
        sheet.append(
            [
                risk.ref,
                risk.step.key,
                risk.office.code if risk.office else "",
                risk.title,
                risk.position,
                risk.scheme,
                risk.drivers,
                ", ".join(risk.harms),
                ", ".join(risk.evidence_sources),
                risk.evidence,
                ", ".join(risk.indicator_codes),
                risk.inherent_likelihood,
                risk.inherent_impact,
                risk.residual_likelihood,
                risk.residual_impact,
                risk.treatment,
                risk.acceptance_approved_by,
                risk.owner,
                risk.next_review,
                risk.status,
            ]
        )
        for c in risk.controls.all():
            controls.append([risk.ref, c.kind, c.description, c.owner, c.design, c.operating])
        for a in risk.actions.all():
            actions.append([risk.ref, a.title, a.owner, a.due_date, "yes" if a.done else "no"])
    _allowed_values_sheet(workbook)
    for ws in workbook.worksheets:
        ws.freeze_panes = "A2"
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = 18
    return formula_safe.xlsx_bytes(workbook)


def _allowed_values_sheet(workbook: Workbook) -> None:
    """A sheet listing the codes each column accepts, so a user can edit the register offline."""
    sheet = workbook.create_sheet("Allowed values")
    sheet.append(["column", "code", "meaning"])
    for step in ProcessStep.objects.select_related("process"):
        sheet.append(["step", step.key, str(step)])
    for office in Office.objects.all():
        sheet.append(["office", office.code, office.name])
    for column, choices in (
        ("harms", Harm.choices),
        ("evidence_sources", EvidenceSource.choices),
        ("treatment", Treatment.choices),
        ("status", Status.choices),
    ):
        for code, label in choices:
            sheet.append([column, code, str(label)])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _codes(value: Any) -> list[str]:
    return [c.strip() for c in _text(value).replace(";", ",").split(",") if c.strip()]


def _parse_row(
    number: int,
    row: dict[str, Any],
    *,
    steps: dict[str, ProcessStep],
    offices: dict[str, Office],
    matrix: Matrix,
    errors: list[str],
) -> dict[str, Any]:
    """Turn one sheet row into field values, appending an error per bad cell."""

    def bad(column: str, message: str) -> None:
        errors.append(
            _("Row %(row)s, column “%(column)s”: %(message)s")
            % {"row": number, "column": column, "message": message}
        )

    values: dict[str, Any] = {}
    step = steps.get(_text(row["step"]))
    if step is None:
        bad(
            "step",
            _("unknown process step “%(value)s” (write process/step, e.g. import/selectivity)")
            % {"value": _text(row["step"])},
        )
    values["step"] = step
    office_code = _text(row["office"])
    values["office"] = offices.get(office_code) if office_code else None
    if office_code and values["office"] is None:
        bad("office", _("unknown office code “%(value)s”") % {"value": office_code})
    values["title"] = _text(row["title"])
    if not values["title"]:
        bad("title", _("a title is required"))
    for name in ("position", "scheme", "drivers", "evidence", "acceptance_approved_by", "owner"):
        values[name] = _text(row[name])
    for name in ("title", "position", "scheme", "drivers", "evidence", "acceptance_approved_by", "owner"):
        limit = RISK_TEXT_LIMITS.get(name) or getattr(Risk._meta.get_field(name), "max_length", None)
        if limit and len(values[name]) > limit:
            bad(name, _("%(n)s characters; at most %(max)s") % {"n": len(values[name]), "max": limit})
    for column, choices in (("harms", Harm.values), ("evidence_sources", EvidenceSource.values)):
        codes = _codes(row[column])
        unknown = [c for c in codes if c not in choices]
        if unknown:
            bad(
                column,
                _("unknown value(s) %(values)s; allowed: %(allowed)s")
                % {"values": ", ".join(unknown), "allowed": ", ".join(choices)},
            )
        values[column] = codes
    values["indicator_codes"] = [c.upper() for c in _codes(row["indicators"])]
    unknown = unknown_indicator_codes(values["indicator_codes"])
    if unknown:
        bad(
            "indicators",
            _("unknown indicator code(s) %(values)s; see the engine's indicator catalogue")
            % {"values": ", ".join(unknown)},
        )
    for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"):
        raw = row[name]
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            number_value = int(str(raw).strip())
            if str(number_value) != str(raw).strip().removesuffix(".0"):
                raise ValueError
        except ValueError:
            bad(name, _("“%(value)s” is not a whole number") % {"value": raw})
            continue
        axis = "likelihood" if "likelihood" in name else "impact"
        if not matrix.valid(axis, number_value):
            bad(
                name,
                _("%(value)s is not a level of the %(axis)s scale")
                % {"value": number_value, "axis": str(Axis(axis).label).lower()},
            )
        values[name] = number_value
    for prefix in ("inherent", "residual"):
        if (values.get(f"{prefix}_likelihood") is None) != (values.get(f"{prefix}_impact") is None):
            bad(f"{prefix}_impact", _("give both likelihood and impact, or neither"))
    treatment = _text(row["treatment"])
    if treatment and treatment not in Treatment.values:
        bad(
            "treatment",
            _("“%(value)s” is not one of %(allowed)s")
            % {"value": treatment, "allowed": ", ".join(Treatment.values)},
        )
    if treatment == "accept" and not values["acceptance_approved_by"]:
        bad("acceptance_approved_by", _("say who approved accepting this risk"))
    values["treatment"] = treatment
    status = _text(row["status"]) or Status.IDENTIFY
    if status not in Status.values:
        bad(
            "status",
            _("“%(value)s” is not one of %(allowed)s")
            % {"value": status, "allowed": ", ".join(Status.values)},
        )
    values["status"] = status
    review = row["next_review"]
    if isinstance(review, dt.datetime):
        review = review.date()
    if review not in (None, "") and not isinstance(review, dt.date):
        try:
            review = dt.date.fromisoformat(_text(review))
        except ValueError:
            bad("next_review", _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": review})
            review = None
    values["next_review"] = review or None
    return values


def _office_name(office: Office | None) -> str:
    return office.code if office is not None else _("the whole administration")


def _office_refusals(
    number: int, ref: str, office: Office | None, stored: Risk | None, allowed: set[int]
) -> list[str]:
    """Why an office-restricted importer may not write this row (nothing when he may)."""
    label = f"{number} ({ref})" if ref else str(number)
    refusals = []
    if office is None or office.pk not in allowed:
        refusals.append(
            _(
                "Row %(row)s, column “office”: %(office)s is not your office; you may only import risks of your own office."
            )
            % {"row": label, "office": _office_name(office)}
        )
    elif stored is not None and (stored.office_id is None or stored.office_id not in allowed):
        refusals.append(
            _(
                "Row %(row)s, column “ref”: %(ref)s is a risk of %(office)s, not of your office; it cannot be moved or changed here."
            )
            % {"row": label, "ref": ref, "office": _office_name(stored.office)}
        )
    return refusals


def register_import(*, data: bytes, actor: Any, allowed_office_ids: set[int] | None = None) -> dict[str, int]:
    """Create or update risks from an exported workbook; all rows or none.

    `allowed_office_ids` restricts which offices' risks the importer may touch (None: all).
    Returns counts of created and updated risks; raises ImportRejected listing every problem.
    """
    problem = workbook_problem(data)
    if problem:
        raise ImportRejected([problem])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-XLSX file
        raise ImportRejected([_("The file is not an Excel workbook (.xlsx) that can be read.")]) from exc
    if "Risks" not in workbook.sheetnames:
        raise ImportRejected([_("The workbook has no sheet named “Risks”; start from an exported register.")])
    rows = list(workbook["Risks"].iter_rows(values_only=True))
    if not rows:
        raise ImportRejected([_("The “Risks” sheet is empty.")])
    header = [_text(c) for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [_("Missing column(s) in the first row: %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRejected(
            [_("Too many rows (%(n)s); the limit is %(max)s.") % {"n": len(rows) - 1, "max": MAX_ROWS}]
        )
    steps = {s.key: s for s in ProcessStep.objects.select_related("process")}
    offices = {o.code: o for o in Office.objects.all()}
    existing = {r.ref: r for r in Risk.objects.all()}
    matrix = Matrix.load()
    errors: list[str] = []
    parsed: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for number, cells in enumerate(rows[1:], start=2):
        row = dict(zip(header, cells, strict=False))
        if all(_text(v) == "" for v in row.values()):
            continue
        ref = _text(row.get("ref"))
        if ref in seen:
            errors.append(_("Row %(row)s, column “ref”: %(ref)s appears twice") % {"row": number, "ref": ref})
        if ref:
            seen.add(ref)
        values = _parse_row(number, row, steps=steps, offices=offices, matrix=matrix, errors=errors)
        if allowed_office_ids is not None:
            errors.extend(
                _office_refusals(number, ref, values.get("office"), existing.get(ref), allowed_office_ids)
            )
        parsed.append((ref, values))
    if errors:
        raise ImportRejected(errors)
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        for ref, values in parsed:
            risk = existing.get(ref) or Risk(ref=ref)
            before = services.risk_tracked_state(risk)
            for name, value in values.items():
                setattr(risk, name, value)
            services.risk_save(
                risk=risk, actor=actor, reason=gettext_noop("Imported from a spreadsheet."), before=before
            )
            counts["updated" if before is not None else "created"] += 1
    return counts
