"""The module's French catalogue is complete and compiled, and pages follow the language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.urls import reverse

from arusha_web.conftest import client_for

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_every_string_is_translated_and_compiled() -> None:
    po = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, missing[:10]
    # Keyed by context too: "declarant" as a lead's subject and as a pairing's trader read differently.
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [
        e.msgid
        for e in po
        if not e.obsolete and not e.msgid_plural and mo.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not stale, stale[:10]


def test_start_page_in_french(personas: dict[str, Any]) -> None:
    client = client_for(personas["ingrid"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("measure:index")).content.decode()
    assert "Tableau de bord de l&#x27;administration" in body or "Tableau de bord de l'administration" in body
