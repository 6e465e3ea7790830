"""French is a first-class language: every string translated, and the compiled catalogues current."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

WEB = Path(__file__).resolve().parents[2]
# The project's catalogue (shell, accounts, org, audit, jobs) and one per module app.
CATALOGUES = sorted(WEB.glob("**/locale/fr/LC_MESSAGES/django.po"))


def test_the_project_and_every_module_have_a_french_catalogue():
    apps_with_templates = {p.parent.name for p in WEB.glob("*/templates") if p.parent.name != "core"}
    found = {p.relative_to(WEB).parts[0] for p in CATALOGUES}
    assert "locale" in found
    modules = {"diagnose", "risks", "cases", "measure"} & apps_with_templates
    assert modules <= found, f"no French catalogue for {modules - found}"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(WEB)))
def test_every_french_string_is_translated(catalogue: Path):
    po = polib.pofile(str(catalogue))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not untranslated, f"translate these in {catalogue}: {untranslated[:20]}"


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(WEB)))
def test_the_compiled_catalogue_matches_the_sources(catalogue: Path):
    # Keyed by context too: one English word may be translated differently in two contexts.
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(catalogue))
        if not e.obsolete
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(catalogue.with_suffix(".mo")))
    }
    stale = [key[1] for key, value in po.items() if key[1] and mo.get(key) != value]
    assert not stale, f"run `django-admin compilemessages` next to {catalogue}: {stale[:10]}"


def test_pages_follow_the_language_chosen(personas):
    client = Client()
    client.force_login(personas["ingrid"], backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("core:home")).content.decode()
    assert 'lang="fr"' in body and "Diagnostiquer" in body and "Se déconnecter" in body
    translation.activate("en")
