"""Ship the RAD factors, checklist elements and default question bank (EN + FR)."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from arusha_web.diagnose import reference_data as data

    Factor = apps.get_model("diagnose", "Factor")
    Element = apps.get_model("diagnose", "Element")
    BankVersion = apps.get_model("diagnose", "BankVersion")
    Question = apps.get_model("diagnose", "Question")
    factors = {}
    for code, number, title_en, title_fr, verified in data.FACTORS:
        factors[code], _ = Factor.objects.get_or_create(
            code=code, defaults={"number": number, "title_en": title_en, "title_fr": title_fr, "verified": verified}
        )
    elements = {}
    for code, text_en, text_fr, verified in data.ELEMENTS:
        elements[code], _ = Element.objects.get_or_create(
            code=code,
            defaults={"factor": factors[code.split(".")[0]], "text_en": text_en, "text_fr": text_fr, "verified": verified},
        )
    if not BankVersion.objects.exists():
        bank = BankVersion.objects.create(number=1, note="Default question bank shipped with Arusha")
        for order, (code, element, text_en, text_fr, ev_en, ev_fr) in enumerate(data.QUESTIONS):
            Question.objects.create(
                bank=bank,
                code=code,
                element=elements[element],
                text_en=text_en,
                text_fr=text_fr,
                evidence_en=ev_en,
                evidence_fr=ev_fr,
                source="local",
                order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("diagnose", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
