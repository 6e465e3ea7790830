"""Access matrix rows for the audit trail's need-to-know pages (collected by core/tests/test_access_matrix.py).

The rows of the whole trail (audit.view) are in the core matrix; these pages show only the
need-to-know entries, in full.
"""

from __future__ import annotations

from typing import Any

from arusha_web.testing import AUD, INT, Row

EXPECTED: dict[str, set[str]] = {
    "audit.need_to_know": {INT, AUD},
}

URLS: dict[str, Row | list[Row]] = {
    "audit:need_to_know": Row("audit.need_to_know"),
    "audit:need_to_know_detail": Row("audit.need_to_know", args=lambda o: [o["audit_need_to_know_seq"]]),
    "audit:need_to_know_export": Row("audit.need_to_know"),
}


def make_objects(personas: dict[str, Any]) -> dict[str, Any]:
    """One need-to-know entry, as viewing a case writes."""
    from arusha_web.audit.models import Action
    from arusha_web.audit.services import audit_record

    entry = audit_record(
        action=Action.VIEW, actor=personas["ingrid"], object_type="cases.case", object_id=1, object_repr="C-1"
    )
    return {"audit_need_to_know_seq": entry.seq}
