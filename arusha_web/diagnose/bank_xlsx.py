"""Question bank as XLSX: export, and an all-or-nothing import that names every bad cell."""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from arusha import formula_safe
from arusha_web.core.text_limits import NOTE
from arusha_web.core.workbook_limits import workbook_problem

from .models import BankVersion, Element, Question

SHEET = "questions"
COLUMNS = ["code", "element", "text_en", "text_fr", "evidence_en", "evidence_fr", "source", "retired"]


def bank_to_xlsx(bank: BankVersion) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for q in bank.questions.select_related("element").order_by("order", "code"):
        sheet.append(
            [
                q.code,
                q.element.code,
                q.text_en,
                q.text_fr,
                q.evidence_en,
                q.evidence_fr,
                q.source,
                "yes" if q.retired else "no",
            ]
        )
    for column, width in zip("ABCDEFGH", (10, 8, 60, 60, 40, 40, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    return formula_safe.xlsx_bytes(workbook)


class BankImportError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def bank_rows_from_xlsx(file: IO[bytes]) -> list[dict[str, Any]]:
    """Read and validate every row; raise `BankImportError` listing all problems, row by row."""
    problem = workbook_problem(file.read())
    if problem:
        raise BankImportError([problem])
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BankImportError(
            [_("The file is not a readable XLSX workbook (%(error)s).") % {"error": exc}]
        ) from exc
    if SHEET not in workbook.sheetnames:
        raise BankImportError([_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": SHEET}])
    rows = list(workbook[SHEET].iter_rows(values_only=True))
    if not rows:
        raise BankImportError([_("The sheet “%(sheet)s” is empty.") % {"sheet": SHEET}])
    header = [_text(v).lower() for v in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise BankImportError([_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}])
    index = {name: header.index(name) for name in COLUMNS}
    elements = {e.code: e for e in Element.objects.all()}
    errors: list[str] = []
    result: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = {name: _text(raw[i]) if i < len(raw) else "" for name, i in index.items()}
        if not any(cells.values()):
            continue
        where = _("row %(row)s") % {"row": number}
        code = cells["code"]
        limit = Question._meta.get_field("code").max_length or 20
        if not code:
            errors.append(_("%(where)s: the code is empty.") % {"where": where})
        elif len(code) > limit:
            errors.append(
                _("%(where)s: the code “%(code)s” is longer than %(max)s characters.")
                % {"where": where, "code": code, "max": limit}
            )
        elif code in seen:
            errors.append(
                _("%(where)s: duplicate question code %(code)s (also on row %(other)s).")
                % {"where": where, "code": code, "other": seen[code]}
            )
        else:
            seen[code] = number
        element = elements.get(cells["element"])
        if element is None:
            errors.append(
                _("%(where)s: unknown checklist element “%(element)s”.")
                % {"where": where, "element": cells["element"]}
            )
        if not cells["text_en"]:
            errors.append(_("%(where)s: the English text is empty.") % {"where": where})
        for column in ("text_en", "text_fr", "evidence_en", "evidence_fr"):
            if len(cells[column]) > NOTE:
                errors.append(
                    _("%(where)s, column %(column)s: %(n)s characters; at most %(max)s.")
                    % {"where": where, "column": column, "n": len(cells[column]), "max": NOTE}
                )
        source = cells["source"].lower() or Question.Source.LOCAL
        if source not in Question.Source.values:
            errors.append(
                _("%(where)s: source “%(source)s” must be one of %(choices)s.")
                % {"where": where, "source": source, "choices": ", ".join(Question.Source.values)}
            )
        retired = cells["retired"].lower()
        if retired not in ("", "yes", "no", "oui", "non", "true", "false", "1", "0"):
            errors.append(_("%(where)s: retired must be yes or no.") % {"where": where})
        result.append(
            {
                "code": code,
                "element": element,
                "text_en": cells["text_en"],
                "text_fr": cells["text_fr"],
                "evidence_en": cells["evidence_en"],
                "evidence_fr": cells["evidence_fr"],
                "source": source,
                "retired": retired in ("yes", "oui", "true", "1"),
            }
        )
    if not result and not errors:
        errors.append(_("The sheet has no questions."))
    if errors:
        raise BankImportError(errors)
    return result
