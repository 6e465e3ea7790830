"""Factor and element wording is versioned like the question bank: an assessment keeps its own."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.diagnose import services
from arusha_web.diagnose.models import Factor, WordingVersion

from .factories import make_assessment, open_assessment, participant

NEW_F3 = {
    "title_en": "Openness of Customs",
    "title_fr": "Ouverture de la douane",
    "F3.1:text_en": "Traders can predict every decision.",
    "F3.1:text_fr": "Les opérateurs peuvent prévoir chaque décision.",
}


def test_an_assessment_shows_the_wording_it_was_run_with_after_later_edits(personas: dict[str, Any]):
    old_title = Factor.objects.get(code="F3").title_en
    first = open_assessment(make_assessment(title="Run before the edit"))
    sam = participant(first, "officer", "Sam")
    assert first.wording.is_frozen

    client = client_for(personas["ingrid"])
    assert client.post(reverse("diagnose:factor_edit", args=["F3"]), NEW_F3).status_code == 302
    client.get(reverse("diagnose:reference"))  # shows (and so clears) the "saved" message
    second = make_assessment(title="Run after the edit")

    # The first assessment keeps version 1; the edit recorded version 2, used by the second.
    assert (first.wording.number, second.wording.number) == (1, 2)
    assert WordingVersion.objects.count() == 2
    old_element = first.wording.element_text("F3.1")
    assert old_element != NEW_F3["F3.1:text_en"]

    page = client.get(reverse("diagnose:assessment_wording", args=[first.pk])).content.decode()
    assert old_title in page and old_element in page
    assert NEW_F3["title_en"] not in page and "the current version is 2" in page
    # F3 ships unverified against the WCO text: the frozen version keeps it flagged as a paraphrase.
    assert not first.wording.is_verified("F3") and "paraphrase" in page
    for url in (
        reverse("diagnose:results", args=[first.pk]),
        reverse("diagnose:workshop", args=[first.pk]),
        reverse("diagnose:respond", args=[sam.token]),
    ):
        body = client.get(url).content.decode()
        assert f"F3 · {old_title}" in body and NEW_F3["title_en"] not in body, url
    newer = client.get(reverse("diagnose:results", args=[second.pk])).content.decode()
    assert f"F3 · {NEW_F3['title_en']}" in newer

    # In French, the first assessment shows the French wording of its own version.
    client.post(reverse("set_language"), {"language": "fr"})
    french = client.get(reverse("diagnose:assessment_wording", args=[first.pk])).content.decode()
    assert first.wording.factors["F3"]["title_fr"] in french and NEW_F3["title_fr"] not in french


def test_an_unused_version_is_updated_in_place_and_a_refused_edit_records_nothing(personas):
    version = services.wording_current()
    client = client_for(personas["ingrid"])
    client.post(reverse("diagnose:factor_edit", args=["F3"]), NEW_F3)
    assert WordingVersion.objects.count() == 1  # nobody used it yet: no new version needed
    version.refresh_from_db()
    assert version.factors["F3"]["title_en"] == NEW_F3["title_en"]
    make_assessment()
    bad = client.post(reverse("diagnose:factor_edit", args=["F3"]), {**NEW_F3, "title_en": ""})
    assert bad.status_code == 400
    assert (
        WordingVersion.objects.count() == 1 and Factor.objects.get(code="F3").title_en == NEW_F3["title_en"]
    )


def test_the_reference_page_says_which_version_is_current(personas):
    make_assessment()
    page = client_for(personas["ana"]).get(reverse("diagnose:reference")).content.decode()
    assert "Current wording: version 1, used by 1 assessment" in page
