"""Two finished analyses side by side: what they were run on, headline figures, leads, movers.

Why: an analyst re-runs an analysis after loading a new month or a corrected export, and needs
to see what changed before acting on it: which leads are new, which went away, which indicators
moved most. Everything is read from the web database (indicator values and leads were imported
there by the analysis job), narrowed to what the viewer may see, exactly as the run and lead
pages narrow it: office managers see their office, analysts see pseudonyms for officers when the
installation asks for it, leads only for the roles that triage them.

Indicators are compared on each run's whole-window value (period ``all``) per officer and office
(and the administration); traders are left out (their pages compare them month by month).
"""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from arusha import formula_safe
from arusha_web.accounts.models import User

from . import lead_records, selectors
from .dashboards import fmt, indicator_name
from .kinds import about_label, kind_label
from .models import AnalysisRun, Dataset, IndicatorValue, Lead, LeadStatus, RunStatus

LEVELS = ("administration", "office", "officer")
PER_ENTITY = 3  # indicators shown per entity: the ones that moved most
SHOWN_MOVERS = 60
WINDOW = "all"
MATERIAL = 0.1  # see _movers


def _about(entity_type: str, entity: str) -> str:
    """Who or what a row is about, in words ("Officer O-PORT1-03"), as the lead pages say it."""
    return _("The administration") if entity_type == "administration" else about_label(entity_type, entity)


class CompareRefused(Exception):
    """The two runs cannot be compared; the message says why, in words for the analyst."""


def finished_runs(viewer: User) -> list[AnalysisRun]:
    """The finished analyses ``viewer`` may open (trials only for those who may see them)."""
    return list(selectors.visible_runs(viewer).order_by("-created_at", "-pk"))


def run_label(run: AnalysisRun) -> str:
    when = run.finished_at or run.created_at
    return f"#{run.pk} · {run.dataset.name} · {when:%Y-%m-%d %H:%M}"


def default_pair(
    viewer: User, *, dataset: Dataset | None = None, after: AnalysisRun | None = None
) -> tuple[int, int] | None:
    """(before, after) ids to start with, always of one dataset (comparing two different data sets
    by default showed differences of data as if they were changes): a run and the finished run of
    its dataset just before it; else the newest two of ``dataset``; else the official analysis and
    the one before it in its dataset; else the newest two of the newest dataset that has two.
    None when there is no such pair."""
    done = selectors.visible_runs(viewer).order_by("-created_at", "-pk")
    if after is not None:
        earlier = (
            done.filter(dataset=after.dataset, created_at__lte=after.created_at).exclude(pk=after.pk).first()
        )
        return (earlier.pk, after.pk) if earlier else None
    if dataset is not None:
        pair = list(done.filter(dataset=dataset)[:2])
        return (pair[1].pk, pair[0].pk) if len(pair) == 2 else None
    official = selectors.official_run()
    if official is not None and done.filter(pk=official.pk).exists():
        found = default_pair(viewer, after=official)
        if found:
            return found
    seen: set[int] = set()
    for run in done:
        if run.dataset_id in seen:
            continue
        seen.add(run.dataset_id)
        pair = list(done.filter(dataset_id=run.dataset_id)[:2])
        if len(pair) == 2:
            return pair[1].pk, pair[0].pk
    return None


def pick(viewer: User, a: int, b: int) -> tuple[AnalysisRun, AnalysisRun]:
    """The two runs, older first; refused when they are the same or one is not finished.

    Raises:
        CompareRefused: the same run twice, or a run not finished.
        Http404: a run that does not exist.
    """
    if a == b:
        raise CompareRefused(_("Pick two different analyses: both sides are analysis #%(n)s.") % {"n": a})
    visible = set(selectors.visible_runs(viewer).filter(pk__in=[a, b]).values_list("pk", flat=True))
    runs = {r.pk: r for r in AnalysisRun.objects.filter(pk__in=[a, b]).select_related("dataset")}
    for pk in (a, b):
        run = runs.get(pk)
        # A trial the viewer may not see is answered as if it did not exist (no probing).
        if run is None or (pk not in visible and not selectors.may_see_trials(viewer)):
            raise Http404("no such analysis")
        if run.status != RunStatus.DONE:
            raise CompareRefused(
                _("Analysis #%(n)s is not finished (%(status)s): only finished analyses can be compared.")
                % {"n": pk, "status": run.get_status_display()}
            )
    first, second = runs[a], runs[b]
    if (second.created_at, second.pk) < (first.created_at, first.pk):
        first, second = second, first
    return first, second


@dataclass
class LeadRow:
    change: str  # "new", "gone" or "still"
    entity_type: str
    entity: str  # as the viewer may see it
    kind: str
    before: Lead | None
    after: Lead | None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def about(self) -> str:
        return _about(self.entity_type, self.entity)

    @property
    def lead(self) -> Lead:
        return self.after or self.before  # type: ignore[return-value]


@dataclass
class Mover:
    entity_type: str
    entity: str
    office: str
    indicator: str
    before: float | None
    after: float | None
    change: float
    size: float  # how far it moved, in spreads among peers (see _movers)

    @property
    def name(self) -> str:
        return indicator_name(self.indicator)

    @property
    def about(self) -> str:
        return _about(self.entity_type, self.entity)

    @property
    def before_shown(self) -> str:
        return fmt(self.before, self.indicator)

    @property
    def after_shown(self) -> str:
        return fmt(self.after, self.indicator)

    @property
    def change_shown(self) -> str:
        text = fmt(abs(self.change), self.indicator)
        return ("+" if self.change > 0 else "−" if self.change < 0 else "") + text


@dataclass
class Headline:
    label: str
    before: float | None
    after: float | None
    kind: str = ""  # set on the "leads of this kind" rows

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass
class Comparison:
    before: AnalysisRun
    after: AnalysisRun
    office: str | None
    show_leads: bool
    parameters: list[tuple[str, str, str]] = field(default_factory=list)
    headline: list[Headline] = field(default_factory=list)
    leads: list[LeadRow] = field(default_factory=list)
    movers: list[Mover] = field(default_factory=list)

    def leads_of(self, change: str) -> list[LeadRow]:
        return [row for row in self.leads if row.change == change]

    @property
    def new(self) -> list[LeadRow]:
        return self.leads_of("new")

    @property
    def gone(self) -> list[LeadRow]:
        return self.leads_of("gone")

    @property
    def still(self) -> list[LeadRow]:
        return self.leads_of("still")


def _period(run: AnalysisRun) -> str:
    text = run.period_label
    if run.date_from or run.date_to:
        text += f" · {run.date_from or '…'} – {run.date_to or '…'}"
    return text


def _parameters(before: AnalysisRun, after: AnalysisRun) -> list[tuple[str, str, str]]:
    def of(run: AnalysisRun) -> list[str]:
        return [
            run.dataset.name,
            _period(run),
            run.data_version_text or "—",
            str(len(run.data_files)) if run.data_files else "—",
            run.software_version or "—",
            run.risk_model_text or _("none"),
            f"{(run.finished_at or run.created_at):%Y-%m-%d %H:%M}",
        ]

    labels = [
        _("Dataset"),
        _("Period"),
        _("Data version"),
        _("Files loaded"),
        _("Software version"),
        _("Risk model"),
        _("Finished"),
    ]
    rows = list(zip(labels, of(before), of(after), strict=True))
    if before.data_files or after.data_files:
        # What one analysis read and the other did not (by content, so a renamed file is the same).
        old = {f.get("sha256") for f in before.data_files}
        new = {f.get("sha256") for f in after.data_files}
        only_before = sorted({f["name"] for f in before.data_files if f.get("sha256") not in new})
        only_after = sorted({f["name"] for f in after.data_files if f.get("sha256") not in old})
        rows.append(
            (
                _("Files only this analysis read"),
                ", ".join(only_before) or _("none"),
                ", ".join(only_after) or _("none"),
            )
        )
    return rows


def _declarations(run: AnalysisRun, office: str | None) -> float | None:
    entity = ("administration", "ALL") if office is None else ("office", office)
    return (
        IndicatorValue.objects.filter(
            run=run, entity_type=entity[0], entity_id=entity[1], period=WINDOW, indicator="VOL_DECL"
        )
        .values_list("value", flat=True)
        .first()
    )


def _indicator_rows(run: AnalysisRun, office: str | None) -> int:
    if office is None:
        return run.indicator_count
    return IndicatorValue.objects.filter(run=run, office_code=office).count() if office else 0


def _lead_index(leads: list[Lead]) -> dict[tuple[str, str, str], Lead]:
    index: dict[tuple[str, str, str], Lead] = {}
    for lead in leads:
        key = (lead.entity_type, lead.entity_id, lead.kind)
        if key not in index or lead.score > index[key].score:
            index[key] = lead
    return index


def _lead_rows(before: list[Lead], after: list[Lead], viewer: User) -> list[LeadRow]:
    old, new = _lead_index(before), _lead_index(after)
    mask = selectors.officer_mask(viewer)
    rows: list[LeadRow] = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        change = "still" if a and b else "new" if b else "gone"
        shown = b or a
        assert shown is not None
        # A referred lead shows the real identifier on the lead pages; so does its row here.
        referred = any(x is not None and x.status == LeadStatus.REFERRED for x in (a, b))
        entity = shown.entity_id if referred else lead_records.identifier(shown.record, mask)
        rows.append(LeadRow(change, key[0], entity, key[2], a, b))
    order = {"new": 0, "still": 1, "gone": 2}
    rows.sort(key=lambda r: (order[r.change], -r.lead.score))
    return rows


def _values(run: AnalysisRun, office: str | None) -> dict[tuple[str, str, str], tuple[float | None, str]]:
    qs = IndicatorValue.objects.filter(run=run, period=WINDOW, value__isnull=False)
    if office is None:
        qs = qs.filter(entity_type__in=LEVELS)
    else:
        qs = qs.filter(entity_type__in=("office", "officer"), office_code=office)
    return {
        (et, eid, ind): (value, oc)
        for et, eid, ind, value, oc in qs.values_list(
            "entity_type", "entity_id", "indicator", "value", "office_code"
        ).iterator(chunk_size=5000)
    }


def _spreads(values: dict[tuple[str, str, str], tuple[float | None, str]]) -> dict[tuple[str, str], float]:
    """Standard deviation of each indicator across the entities of a level (3 or more entities)."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (entity_type, _entity, indicator), (value, _office) in values.items():
        if value is not None:
            groups[(entity_type, indicator)].append(value)
    return {key: statistics.pstdev(vals) for key, vals in groups.items() if len(vals) >= 3}


def _movers(before: AnalysisRun, after: AnalysisRun, office: str | None, viewer: User) -> list[Mover]:
    """Each entity's indicators that changed most, ranked by how far they moved in units of the
    indicator's spread among peers (its standard deviation across the level's entities before).

    Why not the relative change: a share going from 1 % to 0 % is a 100 % change and would bury
    a release time that doubled; measured against the spread among peers, both rank as what they
    mean for the entity. The spread is floored at a tenth of the value, so that among very alike
    peers (five offices' median release times) a change of minutes does not top the list. A level
    with fewer than three entities (the administration, a manager's one office) has no spread: its
    relative change (0..1) stands in.
    """
    old, new = _values(before, office), _values(after, office)
    spreads = _spreads(old)
    masked = selectors.pseudonymised(viewer)
    per_entity: dict[tuple[str, str], list[Mover]] = defaultdict(list)
    for key, (value_after, office_code) in new.items():
        found = old.get(key)
        if found is None or found[0] is None or value_after is None:
            continue
        value_before = found[0]
        change = value_after - value_before
        if change == 0:
            continue
        entity_type, entity_id, indicator = key
        level = max(abs(value_before), abs(value_after))
        spread = spreads.get((entity_type, indicator))
        # A change smaller than a tenth of the value itself is never "large", however alike peers are.
        size = abs(change) / (max(spread, MATERIAL * level) if spread else level)
        shown = selectors.pseudonym(entity_id) if masked and entity_type == "officer" else entity_id
        per_entity[(entity_type, entity_id)].append(
            Mover(entity_type, shown, office_code, indicator, value_before, value_after, change, size)
        )
    movers: list[Mover] = []
    for rows in per_entity.values():
        rows.sort(key=lambda m: -m.size)
        movers += rows[:PER_ENTITY]
    movers.sort(key=lambda m: (-m.size, m.entity_type, m.entity, m.indicator))
    return movers


def comparison(*, viewer: User, before: AnalysisRun, after: AnalysisRun) -> Comparison:
    """Everything the compare page and its CSV show, narrowed to what ``viewer`` may see."""
    office = selectors.manager_office(viewer)
    show_leads = viewer.can("measure.leads")
    result = Comparison(before, after, office, show_leads)
    result.parameters = _parameters(before, after)
    result.headline = [
        Headline(_("Declarations"), _declarations(before, office), _declarations(after, office)),
        Headline(_("Indicator values"), _indicator_rows(before, office), _indicator_rows(after, office)),
    ]
    if show_leads:
        leads_before = list(selectors.leads_for_viewer(viewer=viewer, run=before))
        leads_after = list(selectors.leads_for_viewer(viewer=viewer, run=after))
        result.headline.append(Headline(_("Leads"), len(leads_before), len(leads_after)))
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for side, leads in enumerate((leads_before, leads_after)):
            for lead in leads:
                counts[lead.kind][side] += 1
        for kind in sorted(counts, key=lambda k: kind_label(k).lower()):
            result.headline.append(Headline(kind_label(kind), counts[kind][0], counts[kind][1], kind))
        result.leads = _lead_rows(leads_before, leads_after, viewer)
    result.movers = _movers(before, after, office, viewer)
    return result


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def csv_response(cmp: Comparison) -> HttpResponse:
    """One flat CSV of the comparison (a ``section`` column says which part each row belongs to),
    with a byte-order mark so that Excel reads it as UTF-8."""
    out = io.StringIO("\ufeff")
    out.seek(0, io.SEEK_END)
    writer = formula_safe.csv_writer(out)
    writer.writerow(["section", "entity_type", "entity_id", "code", "label", "before", "after", "change"])
    writer.writerow(["run", "", "", "", "analysis", cmp.before.pk, cmp.after.pk, ""])
    for label, was, now in cmp.parameters:
        writer.writerow(["parameter", "", "", "", label, was, now, ""])
    for head in cmp.headline:
        change = "" if head.change is None else _number(head.change)
        writer.writerow(
            ["headline", "", "", head.kind, head.label, _number(head.before), _number(head.after), change]
        )
    for row in cmp.leads:
        a = row.before.score if row.before else None
        b = row.after.score if row.after else None
        change = "" if a is None or b is None else _number(b - a)
        writer.writerow(
            [
                f"lead_{row.change}",
                row.entity_type,
                row.entity,
                row.kind,
                row.kind_label,
                _number(a),
                _number(b),
                change,
            ]
        )
    for m in cmp.movers:
        writer.writerow(
            [
                "indicator",
                m.entity_type,
                m.entity,
                m.indicator,
                m.name,
                _number(m.before),
                _number(m.after),
                _number(m.change),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"measure-compare-{cmp.before.pk}-{cmp.after.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def run_choices(viewer: User) -> list[tuple[int, str]]:
    return [(r.pk, run_label(r)) for r in finished_runs(viewer)]
