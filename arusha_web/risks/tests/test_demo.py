"""The demo register: populated, replayable, and idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from arusha_web.org.models import Office
from arusha_web.risks.demo import DEMO_REGISTER, demo_setup
from arusha_web.risks.models import Control, RatingChange, Risk
from arusha_web.risks.selectors import dashboard, rated_risks


def test_demo_fills_the_register_once(personas, org):
    for code in ("AIRPT", "BORDS", "PORT5"):
        Office.objects.create(administration=org["administration"], code=code, name=code)
    users = {"integrity": personas["ingrid"], "manager": personas["marc"]}
    demo_setup(users=users, progress=lambda _m: None)
    counts = (Risk.objects.count(), Control.objects.count(), RatingChange.objects.count())
    demo_setup(users=users, progress=lambda _m: None)
    assert (Risk.objects.count(), Control.objects.count(), RatingChange.objects.count()) == counts
    assert counts[0] == len(DEMO_REGISTER)
    ctx = dashboard(viewer=personas["ingrid"])
    assert ctx["without_controls"] and ctx["without_actions"] and ctx["overdue"] and ctx["top"]
    # Three months ago the residual ratings were not yet agreed for the recently re-rated risks.
    past = rated_risks(risks=Risk.objects.all(), at=timezone.localdate() - dt.timedelta(days=90))
    now = rated_risks(risks=Risk.objects.all())
    assert sum(1 for r in past if r.residual_score) < sum(1 for r in now if r.residual_score)


def test_demo_risks_with_indicators_sit_on_offices_of_the_demo_clearance_data():
    """Else their pages show no office trend and no office lead: no live evidence in the demo."""
    from arusha.synth import OFFICE_CODES
    from arusha_web.risks.seed import TYPICAL_RISKS

    for index, office, *_rest in DEMO_REGISTER:
        if TYPICAL_RISKS[index]["indicators"] and office is not None:
            assert office in OFFICE_CODES, (TYPICAL_RISKS[index]["title_en"], office)
