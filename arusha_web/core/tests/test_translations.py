"""French is a first-class language: every string translated, and the compiled catalogue current."""

from __future__ import annotations

from pathlib import Path

import polib
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_string_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not untranslated, f"translate these in django.po: {untranslated[:20]}"


def test_the_compiled_catalogue_matches_the_sources():
    po = {
        e.msgid: (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(LOCALE / "django.po"))
        if not e.obsolete
    }
    mo = {e.msgid: (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [msgid for msgid, value in po.items() if msgid and mo.get(msgid) != value]
    assert not stale, f"run `python manage.py compilemessages` (in arusha_web/): {stale[:10]}"


def test_pages_follow_the_language_chosen(personas):
    client = Client()
    client.force_login(personas["ingrid"], backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("core:home")).content.decode()
    assert 'lang="fr"' in body and "Diagnostiquer" in body and "Se déconnecter" in body
    translation.activate("en")
