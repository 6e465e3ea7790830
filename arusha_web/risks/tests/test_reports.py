"""PDF risk-map report and the configuration pages (catalogue, scales, bands, matrix)."""

from __future__ import annotations

from django.urls import reverse

from arusha_web.conftest import client_for
from arusha_web.risks.models import Band, MatrixCell, Process, ScaleLevel


def test_pdf_report_is_a_pdf(personas, make_risk):
    make_risk(residual_likelihood=2, residual_impact=2)
    response = client_for(personas["aude"]).get(reverse("risks:report_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_catalogue_ships_in_english_and_french(db):
    process = Process.objects.get(code="import")
    assert [s.code for s in process.steps.all()] == [
        "registration", "assignment", "selectivity", "documentary", "examination", "assessment", "payment", "release",
    ]  # fmt: skip
    assert all(s.name_fr for s in process.steps.all())
    assert set(Process.objects.values_list("code", flat=True)) >= {
        "export",
        "transit",
        "pca",
        "exemptions",
        "hr",
        "procurement",
    }


def test_process_pages_in_the_users_language(personas):
    client = client_for(personas["ana"])
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("risks:process_list"), headers={"accept-language": "fr"})
    assert (
        "Contrôle a posteriori" in page.content.decode()
        and "Post-clearance audit" not in page.content.decode()
    )


def _formset_data(prefix: str, rows: list[dict], total: int | None = None) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(total or len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _scales_post(bands: list[dict], cells: dict[str, str] | None = None) -> dict:
    levels = [
        {"id": lv.pk, "axis": lv.axis, "value": lv.value, "label_en": lv.label_en, "label_fr": lv.label_fr,
         "definition_en": lv.definition_en, "definition_fr": lv.definition_fr}
        for lv in ScaleLevel.objects.all()
    ]  # fmt: skip
    data = {**_formset_data("levels", levels), **_formset_data("bands", bands)}
    data.update(cells or {})
    return data


def _bands() -> list[dict]:
    return [
        {"id": b.pk, "code": b.code, "label_en": b.label_en, "label_fr": b.label_fr, "min_score": b.min_score,
         "max_score": b.max_score, "color": b.color}
        for b in Band.objects.all()
    ]  # fmt: skip


def test_scales_page_saves_definitions_bands_and_cell_overrides(personas):
    bands = _bands()
    bands[0]["label_en"] = "Tolerable"
    response = client_for(personas["ingrid"]).post(
        reverse("risks:scales"), _scales_post(bands, {"cell_1_5": "high"})
    )
    assert response.status_code == 302
    assert Band.objects.get(code="low").label_en == "Tolerable"
    assert MatrixCell.objects.get(likelihood=1, impact=5).band.code == "high"


def test_overlapping_bands_are_refused_and_nothing_saved(personas):
    bands = _bands()
    bands[0]["label_en"] = "Tolerable"
    bands[0]["max_score"] = 6  # overlaps medium (5–9)
    response = client_for(personas["ingrid"]).post(
        reverse("risks:scales"), _scales_post(bands, {"cell_1_5": "high"})
    )
    assert response.status_code == 200
    assert "Bands must not overlap" in response.content.decode()
    assert Band.objects.get(code="low").label_en == "Low" and not MatrixCell.objects.exists()


def test_a_gap_between_bands_is_refused_naming_the_scores(personas):
    bands = _bands()
    bands[1]["min_score"] = 7  # medium now starts at 7: scores 5 and 6 would have no band
    response = client_for(personas["ingrid"]).post(reverse("risks:scales"), _scales_post(bands))
    assert response.status_code == 200 and "low / medium: 5–6 ∅" in response.content.decode()
    assert Band.objects.get(code="medium").min_score == 5


def test_a_level_risks_are_rated_at_cannot_be_deleted_or_renumbered(personas, make_risk):
    risk = make_risk(inherent_likelihood=4, inherent_impact=2)
    data = _scales_post(_bands())
    index = next(k.split("-")[1] for k, v in data.items()
                 if k.endswith("-id") and v == ScaleLevel.objects.get(axis="likelihood", value=4).pk)  # fmt: skip
    client = client_for(personas["ingrid"])
    for change in ({f"levels-{index}-DELETE": "on"}, {f"levels-{index}-value": "6"}):
        response = client.post(reverse("risks:scales"), {**data, **change})
        assert response.status_code == 200
        assert f"level 4 cannot be deleted or renumbered: risks {risk.ref}" in response.content.decode()
        assert ScaleLevel.objects.filter(axis="likelihood", value=4).exists()
    # A level nobody is rated at can still go.
    spare = next(k.split("-")[1] for k, v in data.items()
                 if k.endswith("-id") and v == ScaleLevel.objects.get(axis="impact", value=5).pk)  # fmt: skip
    assert client.post(reverse("risks:scales"), {**data, f"levels-{spare}-DELETE": "on"}).status_code == 302
    assert not ScaleLevel.objects.filter(axis="impact", value=5).exists()


def test_a_level_below_one_is_refused(personas):
    data = _scales_post(_bands())
    data |= {"levels-TOTAL_FORMS": str(int(data["levels-TOTAL_FORMS"]) + 1)}
    extra = int(data["levels-TOTAL_FORMS"]) - 1
    data |= {
        f"levels-{extra}-axis": "impact",
        f"levels-{extra}-value": "0",
        f"levels-{extra}-label_en": "None",
    }
    response = client_for(personas["ingrid"]).post(reverse("risks:scales"), data)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not ScaleLevel.objects.filter(value=0).exists()


def test_unknown_band_in_a_cell_is_refused(personas):
    response = client_for(personas["ingrid"]).post(
        reverse("risks:scales"), _scales_post(_bands(), {"cell_2_2": "purple"})
    )
    assert "Cell 2×2: unknown band “purple”." in response.content.decode()
    assert not MatrixCell.objects.exists()


def test_a_process_and_its_steps_are_edited(personas):
    process = Process.objects.get(code="hr")
    steps = [{"id": s.pk, "process": process.pk, "order": s.order, "code": s.code, "name_en": s.name_en,
              "name_fr": s.name_fr, "actors": s.actors} for s in process.steps.all()]  # fmt: skip
    steps.append(
        {
            "process": process.pk,
            "order": 9,
            "code": "promotion",
            "name_en": "Promotion",
            "name_fr": "Avancement",
        }
    )
    data = {"code": "hr", "name_en": "HR postings", "name_fr": "Affectations", "order": 5,
            **_formset_data("steps", steps)}  # fmt: skip
    data["steps-INITIAL_FORMS"] = str(len(steps) - 1)
    response = client_for(personas["ingrid"]).post(reverse("risks:process_edit", args=[process.pk]), data)
    assert response.status_code == 302
    assert process.steps.get(code="promotion").name_fr == "Avancement"
    data["steps-3-code"] = "has spaces"
    again = client_for(personas["ingrid"]).post(reverse("risks:process_edit", args=[process.pk]), data)
    assert again.status_code == 200 and "valid “slug”" in again.content.decode()
