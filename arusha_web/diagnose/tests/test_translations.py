"""The module's own French catalogue is complete and compiled (core checks only the project one)."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_every_string_is_translated_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not untranslated
    mo = {e.msgid: (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [e.msgid for e in po if not e.obsolete and mo.get(e.msgid) != (e.msgstr, e.msgstr_plural)]
    assert not stale


def test_reference_content_follows_the_language(db):
    from arusha_web.diagnose import services
    from arusha_web.diagnose.models import Factor

    services.bank_current()
    factor = Factor.objects.get(code="F8")
    with translation.override("fr"):
        assert factor.title == "Gestion des ressources humaines"
        assert translation.gettext("Question bank") == "Banque de questions"
    with translation.override("en"):
        assert factor.title == "Human Resource Management"
