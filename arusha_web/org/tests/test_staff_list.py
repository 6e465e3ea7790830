from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for


def _officer_ids(response) -> set[str]:
    return {s.officer_id for s in response.context["page"]}


def test_it_shows_every_record_to_an_analyst(personas):
    response = client_for(personas["ana"]).get(reverse("org:staff_list"))
    assert response.status_code == 200
    assert _officer_ids(response) == {"OFF-SAM", "OFF-PORT", "OFF-AIR"}


def test_an_office_manager_sees_his_office_only(personas):
    response = client_for(personas["marc"]).get(reverse("org:staff_list"))
    assert _officer_ids(response) == {"OFF-SAM", "OFF-PORT"}
    other = client_for(personas["marc"]).get(reverse("org:staff_detail", args=["OFF-AIR"]))
    assert other.status_code == 404


def test_it_filters_by_text_and_returns_a_fragment_for_htmx(personas):
    response = client_for(personas["ana"]).get(
        reverse("org:staff_list"), {"q": "abe"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "OFF-AIR" in body and "OFF-PORT" not in body
    assert "<html" not in body


def test_staff_are_refused_the_staff_list(personas):
    assert client_for(personas["sam"]).get(reverse("org:staff_list")).status_code == 403


def test_the_list_runs_a_constant_number_of_queries(personas, django_assert_max_num_queries, org):
    from arusha_web.org.models import StaffRecord

    for i in range(30):
        StaffRecord.objects.create(
            administration=org["administration"], officer_id=f"X{i}", full_name="x", office=org["air"]
        )
    client = client_for(personas["ana"])
    with django_assert_max_num_queries(12):
        client.get(reverse("org:staff_list"))
