"""Perception surveys: default questionnaire, anonymous submission, results with intervals.

A response stores strata only (region, office, role or sector). The views never read the
client's address or browser, and no model has a field for them, an account or a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from arusha_web.core.params import whole_number

from .anonymity import reshuffle_survey_responses
from .models import Factor, Survey, SurveyAnswer, SurveyItem, SurveyResponse
from .scoring import MIN_CELL, Proportion, change_is_clear, is_favourable, suppress_complements
from .services import DiagnoseError

# factor, code, kind, reverse, English, French
DEFAULT_ITEMS: list[tuple[str, str, str, bool, str, str]] = [
    (
        "F1",
        "P-F1-1",
        "likert5",
        False,
        "The head of Customs is committed to fighting corruption.",
        "Le directeur général des douanes est engagé dans la lutte contre la corruption.",
    ),
    (
        "F2",
        "P-F2-1",
        "likert5",
        False,
        "Customs rules are clear and simple enough to comply with.",
        "Les règles douanières sont assez claires et simples pour être respectées.",
    ),
    (
        "F3",
        "P-F3-1",
        "likert5",
        False,
        "Information on procedures and tariffs is easy to obtain.",
        "Les informations sur les procédures et les tarifs sont faciles à obtenir.",
    ),
    (
        "F4",
        "P-F4-1",
        "frequency",
        True,
        "How often is face-to-face contact with officials needed to complete a clearance?",
        "À quelle fréquence un contact direct avec les agents est-il nécessaire pour dédouaner ?",
    ),
    (
        "F5",
        "P-F5-1",
        "likert5",
        False,
        "Clearance procedures have become faster over the last two years.",
        "Les procédures de dédouanement sont devenues plus rapides ces deux dernières années.",
    ),
    (
        "F6",
        "P-F6-1",
        "yes_no",
        False,
        "Do you know how to report corruption safely?",
        "Savez-vous comment signaler la corruption en toute sécurité ?",
    ),
    (
        "F6",
        "P-F6-2",
        "experience_12m",
        True,
        "In the last 12 months, were you asked for an unofficial payment?",
        "Au cours des 12 derniers mois, vous a-t-on demandé un paiement non officiel ?",
    ),
    (
        "F7",
        "P-F7-1",
        "yes_no",
        False,
        "Are you aware of the Customs Code of Conduct?",
        "Connaissez-vous le code de conduite des douanes ?",
    ),
    (
        "F8",
        "P-F8-1",
        "likert5",
        False,
        "Appointments and promotions in Customs are based on merit.",
        "Les nominations et promotions dans les douanes sont fondées sur le mérite.",
    ),
    (
        "F9",
        "P-F9-1",
        "likert5",
        False,
        "Customs officials are proud to work for Customs.",
        "Les agents des douanes sont fiers de travailler pour la douane.",
    ),
    (
        "F10",
        "P-F10-1",
        "frequency",
        False,
        "How often does Customs consult the private sector before changing procedures?",
        "À quelle fréquence la douane consulte-t-elle le secteur privé avant de modifier les procédures ?",
    ),
    (
        "F10",
        "P-F10-2",
        "experience_12m",
        True,
        "In the last 12 months, did you see a facilitation payment made to speed up clearance?",
        "Au cours des 12 derniers mois, avez-vous vu un paiement de facilitation pour accélérer le dédouanement ?",
    ),
]


@transaction.atomic
def survey_create(*, values: Mapping[str, Any]) -> Survey:
    """Create a survey with the default questionnaire (one or two items per RAD factor)."""
    survey = Survey.objects.create(**values)
    factors = {f.code: f for f in Factor.objects.all()}
    for order, (factor, code, kind, reverse, text_en, text_fr) in enumerate(DEFAULT_ITEMS):
        SurveyItem.objects.create(
            survey=survey,
            factor=factors[factor],
            code=code,
            kind=kind,
            reverse=reverse,
            text_en=text_en,
            text_fr=text_fr,
            order=order,
        )
    return survey


VALID_VALUES = {
    "likert5": range(1, 6),
    "frequency": range(1, 6),
    "yes_no": range(2),
    "experience_12m": range(2),
}


@transaction.atomic
def survey_submit(*, survey: Survey, data: Mapping[str, Any]) -> None:
    """Store one anonymous response; every item must be answered with a value of its scale."""
    # One submission at a time per survey: the storage order is re-dealt below.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise DiagnoseError(_("This survey is not open."))
    errors = []
    strata = {}
    labels = {"region": _("region"), "office": _("office"), "role": _("role or sector")}
    offered = {
        "region": survey.region_choices(),
        "office": survey.office_choices(),
        "role": survey.role_choices(),
    }
    for name, choices in offered.items():
        value = str(data.get(name, "")).strip()
        if choices and value not in choices:
            errors.append(_("Choose your %(what)s from the list.") % {"what": labels[name]})
        strata[name] = value
    values = []
    # Numbered as the questionnaire shows them: retired questions are not on the page.
    for number, item in enumerate(survey.items.filter(retired=False), start=1):
        answer = whole_number(data.get(f"i-{item.pk}", ""), max_digits=1)
        if answer is None or answer not in VALID_VALUES[item.kind]:
            errors.append(_("Question %(n)s: please choose one of the answers.") % {"n": number})
            continue
        values.append((item, answer))
    if errors:
        raise DiagnoseError(" ".join(errors))
    response = SurveyResponse.objects.create(
        survey=survey, region=strata["region"], office=strata["office"], role=strata["role"]
    )
    SurveyAnswer.objects.bulk_create(SurveyAnswer(response=response, item=i, value=v) for i, v in values)
    reshuffle_survey_responses(survey)


@dataclass
class FactorSurveyRow:
    factor: Factor
    overall: Proportion
    previous: Proportion | None = None
    strata: dict[str, Proportion] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.percent is None or self.overall.percent is None:
            return None
        return round(self.overall.percent - self.previous.percent, 1)

    @property
    def change_clear(self) -> bool:
        return self.previous is not None and change_is_clear(self.previous, self.overall)


def _factor_proportions(survey: Survey, stratum: str = "") -> dict[tuple[str, str], Proportion]:
    """(factor code, stratum value) -> pooled favourable share; stratum '' means everyone."""
    fav: dict[tuple[str, str], int] = defaultdict(int)
    n: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], set[Any]] = defaultdict(set)
    rows = SurveyAnswer.objects.filter(response__survey=survey).values_list(
        "item__factor__code",
        "item__kind",
        "item__reverse",
        "value",
        "response_id",
        f"response__{stratum or 'region'}",
    )
    for factor, kind, reverse, value, response_id, stratum_value in rows:
        key = (factor, stratum_value if stratum else "")
        n[key] += 1
        fav[key] += is_favourable(kind, value, reverse=reverse)
        people[key].add(response_id)
    minimum = survey_min_cell()
    return {k: Proportion(n=n[k], favourable=fav[k], respondents=len(people[k]), minimum=minimum) for k in n}


def survey_min_cell() -> int:
    """Fewest respondents a survey cell shows: 10, or the minimum group size when set higher."""
    return max(MIN_CELL, int(settings.ARUSHA_DIAGNOSE_MIN_GROUP))


def survey_results(survey: Survey, *, stratum: str = "") -> tuple[list[FactorSurveyRow], list[str]]:
    """Per factor: favourable share with 95% CI, change since the previous iteration, strata cells.

    Cells of fewer than `survey_min_cell()` respondents are suppressed (their Proportion reports `suppressed`),
    and one more cell of the row when a single one is, so that no cell follows from the total.
    """
    if stratum not in ("", "region", "office", "role"):
        stratum = ""
    overall = _factor_proportions(survey)
    previous = _factor_proportions(survey.previous) if survey.previous else {}
    by_stratum = _factor_proportions(survey, stratum) if stratum else {}
    values = sorted({v for (_f, v) in by_stratum})
    rows = []
    for factor in Factor.objects.filter(code__in={f for f, _v in overall}):
        row = FactorSurveyRow(
            factor=factor, overall=overall[(factor.code, "")], previous=previous.get((factor.code, ""))
        )
        for value in values:
            row.strata[value] = by_stratum.get(
                (factor.code, value), Proportion(n=0, favourable=0, minimum=survey_min_cell())
            )
        suppress_complements(list(row.strata.values()))
        rows.append(row)
    return rows, values


ITEM_TEXT_FIELDS = ("factor", "kind", "reverse", "text_en", "text_fr")


def _require_wording(values: Mapping[str, Any]) -> None:
    if not str(values.get("text_en", "")).strip():
        raise DiagnoseError(_("The English text of the question is required."))


@transaction.atomic
def survey_item_add(*, survey: Survey, values: Mapping[str, Any]) -> SurveyItem:
    """Add a question to a survey that has no responses yet (answers already given stay comparable)."""
    if survey.responses.exists():
        raise DiagnoseError(_("This survey already has responses; its questionnaire can no longer change."))
    code = str(values.get("code", "")).strip()
    if survey.items.filter(code=code).exists():
        raise DiagnoseError(
            _("A question with code %(code)s already exists in this survey.") % {"code": code}
        )
    _require_wording(values)
    order = survey.items.count()
    return SurveyItem.objects.create(survey=survey, order=order, **{**values, "code": code})


@transaction.atomic
def survey_item_edit(*, item: SurveyItem, values: Mapping[str, Any]) -> SurveyItem:
    """Change a question; once it has answers, the change becomes a new version of the item.

    The answered version is retired, not altered, so every past answer keeps the wording it was
    given; the new version (same code, version + 1) is asked from now on. A retired version
    cannot be edited: edit the version that replaced it.
    """
    item = SurveyItem.objects.select_for_update().get(pk=item.pk)
    if item.retired:
        raise DiagnoseError(
            _("Question %(code)s v%(version)s is retired; its wording stays as it was answered.")
            % {"code": item.code, "version": item.version}
        )
    _require_wording(values)
    changed = {name: values[name] for name in ITEM_TEXT_FIELDS if name in values}
    if all(getattr(item, name) == value for name, value in changed.items()):
        return item
    if not item.answers.exists():
        for name, value in changed.items():
            setattr(item, name, value)
        item.save()
        return item
    fields = {name: getattr(item, name) for name in ITEM_TEXT_FIELDS} | changed
    item.retired = True
    item.save(update_fields=["retired"])
    return SurveyItem.objects.create(
        survey=item.survey,
        code=item.code,
        order=item.order,
        version=item.version + 1,
        replaces=item,
        **fields,
    )


@transaction.atomic
def survey_item_retire(*, item: SurveyItem, retired: bool = True) -> SurveyItem:
    """Stop (or resume) asking a question; its answers stay in the results of the iteration."""
    item = SurveyItem.objects.select_for_update().get(pk=item.pk)
    if not retired and SurveyItem.objects.filter(replaces=item).exists():
        raise DiagnoseError(
            _("Question %(code)s v%(version)s was replaced by a newer version; it cannot be asked again.")
            % {"code": item.code, "version": item.version}
        )
    if (
        retired
        and not item.retired
        and not item.survey.items.filter(retired=False).exclude(pk=item.pk).exists()
    ):
        raise DiagnoseError(_("A survey needs at least one question that is still asked."))
    item.retired = retired
    item.save(update_fields=["retired"])
    return item
