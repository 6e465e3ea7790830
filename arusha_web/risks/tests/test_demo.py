"""The demo register: populated, replayable, and idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from arusha_web.org.models import Office
from arusha_web.risks.demo import DEMO_REGISTER, demo_setup
from arusha_web.risks.models import Control, RatingChange, Risk
from arusha_web.risks.selectors import dashboard, rated_risks


def test_demo_fills_the_register_once(personas, org):
    for code in ("BORDN", "BORDS", "INLD1"):
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
