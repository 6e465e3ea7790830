"""A figure reads the same on the scorecard, the contract and the exports (issue 18, item 7)."""

from __future__ import annotations

from django.utils import translation

from arusha_web.measure import contracts, dashboards
from arusha_web.measure.figures import figure


def test_the_scorecard_and_the_contract_write_one_value_alike() -> None:
    # 5.55 % and 2.65 %: Django's number_format cut them to 5.5 and 2.6, the contract said 5.6 and 2.7.
    for value, shown in ((0.0555, "5.6 %"), (0.0265, "2.7 %"), (0.0554, "5.5 %")):
        assert dashboards.fmt(value, "BP1") == contracts.fmt(value, "BP1") == figure(value, "BP1") == shown


def test_figures_are_written_in_the_readers_notation() -> None:
    with translation.override("fr"):
        assert figure(0.0555, "BP1") == "5,6 %"
        assert figure(12345.5, "VOL_DECL") == "12\xa0346"
    assert figure(12345.5, "VOL_DECL") == "12,346" and figure(None, "BP1") == "—"
