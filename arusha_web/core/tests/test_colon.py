"""French puts a non-breaking space before ":" after a label (issue 18, item 6)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation


def test_a_label_s_colon_is_written_as_each_language_writes_it() -> None:
    template = Template('{% load i18n arusha %}{% translate "Download this table" %}{% colon %} CSV')
    assert template.render(Context()) == "Download this table: CSV"
    with translation.override("fr"):
        assert template.render(Context()) == "Télécharger ce tableau\u00a0: CSV"
