"""Shared pieces of the access-matrix test, so each module states its own rows.

A module app adds ``tests/access.py`` with:

- ``EXPECTED``: capability -> set of role names, written out independently of the code;
- ``URLS``: URL name -> ``Row`` (or a list of rows), one for every URL the app defines;
- optionally ``make_objects(personas) -> dict`` creating the records its URLs need (a row's
  ``args`` receives the merged dict).

``arusha_web/core/tests/test_access_matrix.py`` collects them all and walks every URL with
every role; a URL without a row fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AUTH = "any signed-in user"
PUBLIC = "public"
ADM, INT, ANA, MGR, INV, AUD, STF = (
    "administrator",
    "integrity",
    "analyst",
    "office_manager",
    "investigator",
    "auditor",
    "staff",
)
EVERYONE = {ADM, INT, ANA, MGR, INV, AUD, STF}


@dataclass(frozen=True)
class Row:
    """One request of the matrix: who may make it (a capability, AUTH or PUBLIC) and how."""

    access: str
    method: str = "get"
    args: Callable[[dict[str, Any]], list[Any]] = field(default=lambda _objects: [])
    data: dict[str, Any] | None = None
