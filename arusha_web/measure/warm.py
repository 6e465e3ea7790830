"""Draw the pages' charts and tables of a new analysis before anyone asks for them.

The first view of an officer's scorecard draws its first charts with matplotlib (50–100 ms each
on a quiet core, several times that on a busy server), and an office page builds its officer
table: whoever comes first pays. At 5 M declarations that made a first scorecard take over a
second under load. So the analysis job, once the analysis is imported (its pages already usable),
draws them into the shared cache (``charts`` and ``dashboards.run_memo``, the very keys the
pages read), in every language of the installation, reporting its progress.

Only what a page draws with it: the scorecard's first ``INLINE_CHARTS`` charts and each office's
tables and charts. The other scorecard charts are fetched one at a time when scrolled into view;
drawing them all (some twenty per officer and language) would take longer than the analysis and
crowd the cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from . import dashboards as d
from .models import AnalysisRun, IndicatorValue

Progress = Callable[[int, str], None]


def warm_pages(run: AnalysisRun, *, progress: Progress, start: int = 90, end: int = 100) -> int:
    """Draw the office pages and the officers' scorecards of ``run``; returns how many pages."""
    from .views_dash import INLINE_CHARTS, _scorecard_context

    offices = sorted(
        IndicatorValue.objects.filter(run=run, entity_type="office")
        .exclude(entity_id="")
        .values_list("entity_id", flat=True)
        .distinct()
    )
    officers = sorted(
        IndicatorValue.objects.filter(run=run, entity_type="officer")
        .values_list("entity_id", flat=True)
        .distinct()
    )
    languages = [code for code, _name in settings.LANGUAGES]
    pages = [(lang, "office", code) for lang in languages for code in offices]
    pages += [(lang, "officer", code) for lang in languages for code in officers]
    for k, (lang, kind, code) in enumerate(pages):
        with translation.override(lang):
            if kind == "office":
                _office_page(run, code)
            else:
                _scorecard_context(run, code, charts=INLINE_CHARTS)
            if k % 20 == 0:
                progress(
                    start + (end - start) * k // max(len(pages), 1),
                    _("Drawing the dashboards' charts: %(done)s of %(total)s pages")
                    % {"done": k, "total": len(pages)},
                )
    return len(pages)


def _office_page(run: AnalysisRun, code: str) -> None:
    """What ``views_dash.office`` computes before rendering: the officer table, the Time Release
    Study and their charts."""
    from .views_dash import office_charts

    table, used = d.run_memo(run, "officers", (code,), lambda: d.officers_table(run, office=code))
    trs = d.run_memo(run, "trs", (code,), lambda: d.time_release_study(run, office=code))
    office_charts(table, used, trs)
