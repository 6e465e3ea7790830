"""This app's French catalogue is complete and compiled (core's test checks only core's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.urls import reverse

from arusha_web.conftest import client_for

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_string_is_translated_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not untranslated, untranslated[:20]
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [e.msgid for e in po if not e.obsolete and mo.get(e.msgid) != e.msgstr]
    assert not stale, f"run compilemessages in arusha_web/cases: {stale[:10]}"


def test_the_public_channel_speaks_french(personas: dict[str, Any]):
    client = client_for(personas["sam"])
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    page = client.get(reverse("report:index")).content.decode()
    assert "Signaler la corruption ou un manquement" in page and "Que s’est-il passé\u00a0?" in page
