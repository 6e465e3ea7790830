"""Wording versions per assessment, every reminder kept and scheduled, actions by office,
survey items that can be retired or re-worded, and random keys for anonymous survey answers."""

import random
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def wording_for_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Existing assessments get version 1: the wording as it stands now (nothing older is known)."""
    Factor = apps.get_model("diagnose", "Factor")
    Element = apps.get_model("diagnose", "Element")
    WordingVersion = apps.get_model("diagnose", "WordingVersion")
    Assessment = apps.get_model("diagnose", "Assessment")
    if not Factor.objects.exists():
        return
    version = WordingVersion.objects.create(
        number=1,
        factors={
            f.code: {"title_en": f.title_en, "title_fr": f.title_fr, "verified": f.verified}
            for f in Factor.objects.all()
        },
        elements={
            e.code: {"text_en": e.text_en, "text_fr": e.text_fr, "verified": e.verified}
            for e in Element.objects.all()
        },
    )
    Assessment.objects.update(wording=version)


def reminders_from_last_date(apps, schema_editor):  # type: ignore[no-untyped-def]
    Participant = apps.get_model("diagnose", "Participant")
    Reminder = apps.get_model("diagnose", "Reminder")
    Reminder.objects.bulk_create(
        Reminder(participant=p, sent_at=p.reminded_at) for p in Participant.objects.exclude(reminded_at=None)
    )


def copy_answers_in_random_order(apps, schema_editor):  # type: ignore[no-untyped-def]
    Old = apps.get_model("diagnose", "SurveyAnswer")
    New = apps.get_model("diagnose", "SurveyAnswerNew")
    rows = list(Old.objects.values_list("response_id", "item_id", "value"))
    random.SystemRandom().shuffle(rows)
    New.objects.bulk_create(
        (New(id=uuid.uuid4(), response_id=r, item_id=i, value=v) for r, i, v in rows), batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("diagnose", "0002_reference_content"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Wording versions
        migrations.CreateModel(
            name="WordingVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(unique=True, verbose_name="version")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("factors", models.JSONField(default=dict)),
                ("elements", models.JSONField(default=dict)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "wording version",
                "verbose_name_plural": "wording versions",
                "ordering": ["-number"],
            },
        ),
        migrations.AddField(
            model_name="assessment",
            name="wording",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="diagnose.wordingversion",
                verbose_name="factor wording version",
            ),
        ),
        migrations.RunPython(wording_for_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assessment",
            name="wording",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="diagnose.wordingversion",
                verbose_name="factor wording version",
            ),
        ),
        # Reminders
        migrations.AddField(
            model_name="assessment",
            name="remind_every_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "While answers are being collected, e-mail a reminder to invited participants who have "
                    "not answered every this many days. Leave empty for no automatic reminders."
                ),
                null=True,
                verbose_name="remind every (days)",
            ),
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent")),
                ("scheduled", models.BooleanField(default=False, verbose_name="sent by the schedule")),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="diagnose.participant",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="sent by",
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder",
                "verbose_name_plural": "reminders",
                "ordering": ["-sent_at", "-pk"],
            },
        ),
        migrations.RunPython(reminders_from_last_date, migrations.RunPython.noop),
        migrations.RemoveField(model_name="participant", name="reminded_at"),
        # Actions by office
        migrations.AddField(
            model_name="action",
            name="office",
            field=models.ForeignKey(
                blank=True,
                help_text="Leave empty for a national action.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.office",
                verbose_name="office",
            ),
        ),
        # Survey item versions
        migrations.AlterModelOptions(name="surveyitem", options={"ordering": ["order", "version", "id"]}),
        migrations.RemoveConstraint(model_name="surveyitem", name="diagnose_item_code_once"),
        migrations.AddField(
            model_name="surveyitem",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="surveyitem",
            name="retired",
            field=models.BooleanField(default=False, verbose_name="retired (no longer asked)"),
        ),
        migrations.AddField(
            model_name="surveyitem",
            name="replaces",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="diagnose.surveyitem",
                verbose_name="replaces",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyitem",
            constraint=models.UniqueConstraint(
                fields=("survey", "code", "version"), name="diagnose_item_code_version_once"
            ),
        ),
        # Survey answers with random keys (a new table filled in random order replaces the old one)
        migrations.CreateModel(
            name="SurveyAnswerNew",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("value", models.PositiveSmallIntegerField()),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="diagnose.surveyitem",
                    ),
                ),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="diagnose.surveyresponse",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_answers_in_random_order, migrations.RunPython.noop),
        migrations.DeleteModel(name="SurveyAnswer"),
        migrations.RenameModel(old_name="SurveyAnswerNew", new_name="SurveyAnswer"),
        migrations.AlterField(
            model_name="surveyanswer",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="diagnose.surveyitem"
            ),
        ),
        migrations.AlterField(
            model_name="surveyanswer",
            name="response",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="diagnose.surveyresponse",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyanswer",
            constraint=models.UniqueConstraint(
                fields=("response", "item"), name="diagnose_survey_answer_once"
            ),
        ),
    ]
