"""Performance contracts: baselines from past months, targets, signature, amendments, scorecards.

Rules (``shared/domain/wco-integrity.md`` §9.6, Cameroon [P], editable defaults): the baseline is
the median of the monthly values over up to the 36 months before the contract; the target improves
it by 15 %; a signed version never changes, an amendment is a new version; the scorecard says month
by month whether each target was achieved.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha.metrics.catalogue import CATALOGUE
from arusha_web.accounts.models import User
from arusha_web.core.text_limits import NOTE

from .figures import figure
from .models import (
    AnalysisRun,
    Contract,
    ContractTarget,
    ContractVersion,
    IndicatorValue,
    ReviewNote,
    SubjectType,
)
from .selectors import manager_office, official_run

BY_CODE = {i.code: i for i in CATALOGUE}
BASELINE_MONTHS = 36
MAX_MONTHS = 24


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def subject_office(*, run: AnalysisRun, subject_type: str, subject_id: str) -> str:
    """The office of an officer or office in the run's data; ValidationError when the data does not know it."""
    rows = (
        IndicatorValue.objects.filter(run=run, entity_type=subject_type, entity_id=subject_id)
        .exclude(office_code="")
        .order_by()  # not .first(): ordering by id walks the whole table
        .values_list("office_code", flat=True)[:1]
    )
    row = next(iter(rows), None)
    if row is None:
        raise ValidationError(
            {"subject_id": _("%(id)s does not appear in the analysed data.") % {"id": subject_id}}
        )
    return row


def monthly_values(
    *, run: AnalysisRun, subject_type: str, subject_id: str, indicator: str
) -> dict[str, float]:
    rows = IndicatorValue.objects.filter(
        run=run, entity_type=subject_type, entity_id=subject_id, indicator=indicator, value__isnull=False
    ).exclude(period="all")
    return {r.period: r.value for r in rows if r.value is not None and len(r.period) == 7}


def baseline(values: dict[str, float], start: dt.date) -> float | None:
    first = month_key(add_months(start, -BASELINE_MONTHS))
    last = month_key(start)
    past = [v for k, v in values.items() if first <= k < last]
    return statistics.median(past) if past else None


def default_target(base: float | None, direction: str, improvement: int) -> float | None:
    if base is None:
        return None
    if direction == "higher_better":
        return base * (1 + improvement / 100)
    if direction == "higher_worse":
        return base * (1 - improvement / 100)
    return base


@transaction.atomic
def contract_create(
    *,
    run: AnalysisRun,
    subject_type: str,
    subject_id: str,
    period_start: dt.date,
    months: int,
    indicators: list[str],
    improvement: int,
    signatories: str,
    actor: User,
) -> Contract:
    """Draft a contract (version 1, unsigned) with baselines and default targets."""
    if subject_type not in SubjectType.values:
        raise ValidationError({"subject_type": _("Choose an officer or an office.")})
    unknown = [c for c in indicators if c not in BY_CODE]
    if unknown or not indicators:
        raise ValidationError({"indicators": _("Choose indicators from the catalogue.")})
    unmeasured = [c for c in indicators if subject_type not in BY_CODE[c].levels]
    if unmeasured:
        raise ValidationError(
            {
                "indicators": _(
                    "%(codes)s are measured for whole offices only: choose other indicators for an officer."
                )
                % {"codes": ", ".join(unmeasured)}
            }
        )
    without_direction = [c for c in indicators if BY_CODE[c].direction == "context"]
    if without_direction:
        raise ValidationError(
            {
                "indicators": _(
                    "%(codes)s describe the workload and have no better or worse: no target can be set on them."
                )
                % {"codes": ", ".join(without_direction)}
            }
        )
    office = subject_office(run=run, subject_type=subject_type, subject_id=subject_id)
    limited = manager_office(actor)
    if limited is not None and limited != office:
        raise ValidationError({"subject_id": _("You can only draft contracts for your own office.")})
    start = period_start.replace(day=1)
    contract = Contract.objects.create(
        subject_type=subject_type, subject_id=subject_id, office_code=office, run=run, created_by=actor
    )
    version = ContractVersion.objects.create(
        contract=contract,
        number=1,
        period_start=start,
        period_end=add_months(start, months) - dt.timedelta(days=1),
        signatories=signatories.strip(),
    )
    bases = {
        code: baseline(
            monthly_values(run=run, subject_type=subject_type, subject_id=subject_id, indicator=code), start
        )
        for code in indicators
    }
    if all(b is None for b in bases.values()):
        # Nothing to measure against: a start far past the analysed data, most often.
        raise ValidationError(
            {
                "period_start": _(
                    "The analysed data has no month before %(start)s for %(id)s, so no baseline can be "
                    "computed: start the contract within or just after the analysed months."
                )
                % {"start": month_key(start), "id": subject_id}
            }
        )
    for code in indicators:
        ind = BY_CODE[code]
        base = bases[code]
        ContractTarget.objects.create(
            version=version,
            indicator=code,
            baseline=base,
            target=default_target(base, ind.direction, improvement),
            direction=ind.direction,
        )
    return contract


def target_edit(*, target: ContractTarget, value: float, reason: str, actor: User) -> ContractTarget:
    if target.version.signed_at is not None:
        raise ValidationError(_("This version is signed: amend the contract to change a target."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the target differs from the default.")})
    if len(reason.strip()) > NOTE:
        raise ValidationError(
            {
                "reason": _("The reason has %(n)s characters; at most %(max)s.")
                % {"n": len(reason.strip()), "max": NOTE}
            }
        )
    target.target = value
    target.reason = reason.strip()
    target.save()
    return target


@transaction.atomic
def contract_sign(*, version: ContractVersion, actor: User) -> ContractVersion:
    """Sign (and thereby lock) a version."""
    if version.signed_at is not None:
        raise ValidationError(_("This version is already signed."))
    if not version.signatories.strip():
        raise ValidationError(_("Name the signatories before signing."))
    version.signed_at = timezone.now()
    version.signed_by = actor
    version.save()
    return version


@transaction.atomic
def contract_amend(
    *,
    contract: Contract,
    reason: str,
    actor: User,
    period_start: dt.date | None = None,
    months: int | None = None,
) -> ContractVersion:
    """Start a new (unsigned) version from the latest one; the signed versions stay as they were.

    The amendment may move or lengthen the period (``period_start``, ``months``; None keeps them).
    When the start moves, the baselines are recomputed (a baseline is, by definition, the median of
    the months before the contract); the targets are kept, since they are what was agreed, and can
    be changed in the new draft with a reason.

    Raises:
        ValidationError: no reason, a length outside 1–24 months, or the latest version not signed.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contract is amended.")})
    if months is not None and not 1 <= months <= MAX_MONTHS:
        raise ValidationError(
            {"months": _("A contract lasts from 1 to %(max)s months.") % {"max": MAX_MONTHS}}
        )
    latest = contract.versions.order_by("-number").first()
    if latest is None or latest.signed_at is None:
        raise ValidationError(_("Only a signed contract can be amended; edit the draft instead."))
    start = (period_start or latest.period_start).replace(day=1)
    length = months if months is not None else len(contract_months(latest))
    end = add_months(start, length) - dt.timedelta(days=1)
    number = (contract.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    new = ContractVersion.objects.create(
        contract=contract,
        number=number,
        period_start=start,
        period_end=end,
        signatories=latest.signatories,
        amendment_reason=reason.strip(),
    )
    moved = start != latest.period_start
    for t in latest.targets.all():
        base = t.baseline
        if moved:
            values = monthly_values(
                run=AnalysisRun.objects.get(pk=measured_on() or contract.run_id),
                subject_type=contract.subject_type,
                subject_id=contract.subject_id,
                indicator=t.indicator,
            )
            base = baseline(values, start)
        ContractTarget.objects.create(
            version=new,
            indicator=t.indicator,
            baseline=base,
            target=t.target,
            direction=t.direction,
            reason=t.reason,
        )
    return new


def note_add(*, contract: Contract, month: str, text: str, actor: User) -> ReviewNote:
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    return ReviewNote.objects.create(contract=contract, month=month, text=text.strip(), author=actor)


# ---- Scorecards


def achieved(value: float | None, target: float | None, direction: str) -> bool | None:
    if value is None or target is None or direction == "context":
        return None
    return value >= target if direction == "higher_better" else value <= target


@dataclass
class ScoreRow:
    indicator: str
    name: str
    unit: str
    direction: str
    baseline: float | None
    target: float | None
    months: list[tuple[str, float | None, bool | None]] = field(default_factory=list)

    @property
    def target_text(self) -> str:
        return fmt(self.target, self.indicator)

    @property
    def baseline_text(self) -> str:
        return fmt(self.baseline, self.indicator)

    @property
    def cells(self) -> list[tuple[str, str, bool | None]]:
        return [(m, fmt(v, self.indicator), ok) for m, v, ok in self.months]

    @property
    def achieved_count(self) -> int:
        return sum(1 for _m, _v, ok in self.months if ok)

    @property
    def measured_count(self) -> int:
        return sum(1 for _m, _v, ok in self.months if ok is not None)


def measured_on() -> int | None:
    """The analysis every signed contract's months are read from: the official one, so that a
    contract, the scorecard and the dashboards give one figure for one month (a contract used to
    read the analysis current when it was drafted, possibly someone's trial). None before any is
    published: each contract then reads the analysis it was drafted on."""
    official = official_run()
    return official.pk if official is not None else None


def fmt(value: float | None, code: str) -> str:
    """As on the dashboards and the scorecard (see ``figures.figure``)."""
    return figure(value, code)


def target_rows(version: ContractVersion, language: str = "en") -> list[dict[str, object]]:
    rows = []
    for t in version.targets.all():
        ind = BY_CODE.get(t.indicator)
        name = (ind.name_fr if language.startswith("fr") else ind.name_en) if ind else t.indicator
        rows.append(
            {
                "t": t,
                "name": name,
                "baseline": fmt(t.baseline, t.indicator),
                "target": fmt(t.target, t.indicator),
            }
        )
    return rows


def signed_version(contract: Contract) -> ContractVersion | None:
    """The latest signed version (from the prefetched versions when the caller prefetched them)."""
    signed = [v for v in contract.versions.all() if v.signed_at is not None]
    return max(signed, key=lambda v: v.number) if signed else None


def contract_months(version: ContractVersion) -> list[str]:
    months: list[str] = []
    day = version.period_start
    while day <= version.period_end:
        months.append(month_key(day))
        day = add_months(day, 1)
    return months


def scorecard(
    *,
    contract: Contract,
    version: ContractVersion,
    language: str = "en",
    values: dict[tuple[str, str], float | None] | None = None,
    only: set[str] | None = None,
) -> list[ScoreRow]:
    """Each target's monthly values over the contract period, achieved or not.

    ``values`` ((indicator, month) -> value) lets a list page load every contract's values in one
    query; ``only`` keeps the months of one quarter.
    """
    months = [m for m in contract_months(version) if only is None or m in only]
    targets = list(version.targets.all())
    if values is None:
        rows_qs = IndicatorValue.objects.filter(
            run_id=measured_on() or contract.run_id,
            entity_type=contract.subject_type,
            entity_id=contract.subject_id,
            period__in=months,
            indicator__in=[t.indicator for t in targets],
        )
        values = {(v.indicator, v.period): v.value for v in rows_qs}
    rows = []
    for t in targets:
        ind = BY_CODE.get(t.indicator)
        name = (ind.name_fr if language.startswith("fr") else ind.name_en) if ind else t.indicator
        row = ScoreRow(t.indicator, name, ind.unit if ind else "", t.direction, t.baseline, t.target)
        for m in months:
            value = values.get((t.indicator, m))
            row.months.append((m, value, achieved(value, t.target, t.direction)))
        rows.append(row)
    return rows


def quarter_of(month: str) -> str:
    """ "2024-05" → "2024-Q2"."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_months(quarter: str) -> list[str]:
    """ "2024-Q2" → ["2024-04", "2024-05", "2024-06"]; ValueError for anything else."""
    match = QUARTER.match(quarter)
    if match is None:
        raise ValueError(quarter)
    year, q = int(match.group(1)), int(match.group(2))
    return [f"{year:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def contract_quarters(contracts: list[Contract]) -> list[str]:
    """The quarters the signed contracts cover, newest first (the choices of the evaluation filter)."""
    found = {quarter_of(m) for c in contracts if (v := signed_version(c)) for m in contract_months(v)}
    return sorted(found, reverse=True)


def evaluation_ranking(
    *, contracts: list[Contract], quarter: str | None = None
) -> list[tuple[Contract, int, int]]:
    """Quarterly evaluation: signed contracts ranked by share of targets achieved, best first.

    With ``quarter`` ("2024-Q2") only that quarter's months count, and contracts not running in it
    are left out. One query for every contract's values (the list page must not grow with the
    number of contracts).
    """
    only = set(quarter_months(quarter)) if quarter else None
    signed = [
        (c, v)
        for c in contracts
        if (v := signed_version(c)) is not None and (only is None or only & set(contract_months(v)))
    ]
    if not signed:
        return []
    official = measured_on()
    where = Q()
    for c, v in signed:
        months = [m for m in contract_months(v) if only is None or m in only]
        run_id = official or c.run_id
        where |= Q(run_id=run_id, entity_type=c.subject_type, entity_id=c.subject_id, period__in=months)
    values: dict[tuple[int, str, str], dict[tuple[str, str], float | None]] = {}
    for iv in IndicatorValue.objects.filter(where).only(
        "run_id", "entity_type", "entity_id", "indicator", "period", "value"
    ):
        values.setdefault((iv.run_id, iv.entity_type, iv.entity_id), {})[(iv.indicator, iv.period)] = iv.value
    ranked = []
    for c, v in signed:
        rows = scorecard(
            contract=c,
            version=v,
            values=values.get((official or c.run_id, c.subject_type, c.subject_id), {}),
            only=only,
        )
        ranked.append((c, sum(r.achieved_count for r in rows), sum(r.measured_count for r in rows)))
    return sorted(ranked, key=lambda x: -(x[1] / x[2]) if x[2] else 0.0)
