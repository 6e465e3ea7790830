"""French puts a non-breaking space before ":", ";", "?" and "!" (issue 18, item 6: "Télécharger:")."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

CATALOGUES = sorted(Path(__file__).resolve().parents[2].glob("**/locale/fr/LC_MESSAGES/django.po"))
PLAIN_SPACE_BEFORE = re.compile(r"\S ([:;?!])(\s|$)")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_no_french_string_breaks_a_line_before_its_punctuation(path: Path) -> None:
    wrong = [
        text
        for entry in polib.pofile(str(path))
        if not entry.obsolete
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if PLAIN_SPACE_BEFORE.search(text)
    ]
    assert not wrong, wrong[:5]
