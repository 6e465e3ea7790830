"""Re-score the declarations with the saved risk model before an analysis.

Why before each analysis: expected versus found (``arusha.detection``) compares what each officer
found with what the model expected of the declarations they inspected. Declarations loaded since
the last scoring have no score and would count as "unscored"; scoring the store first covers them.

A missing model is normal (the installation has not trained one): the analysis runs without
expected versus found. A model file that cannot be read or used is reported on the run page, and
the analysis still runs; it then uses whatever scores the store already holds, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

Progress = Callable[[int, str], None]


def model_path() -> Path:
    """Where the saved risk model is (setting ``ARUSHA_RISK_MODEL``, default ``var/risk-model.json``)."""
    default = Path(settings.VAR_DIR) / "risk-model.json"
    return Path(getattr(settings, "ARUSHA_RISK_MODEL", default) or default)


@dataclass(frozen=True)
class Scoring:
    """What the re-scoring did: the model used ("" when none) and a note for the run page."""

    model_id: str
    note: str


def rescore(*, store: str, date_from: object, date_to: object, progress: Progress) -> Scoring:
    """Score the store's declarations (of the run's window) with the saved model, if there is one."""
    from arusha.model.bundle import ModelBundle
    from arusha.model.score import score_store

    path = model_path()
    if not path.exists():
        return Scoring(
            "", _("No risk model is saved (%(path)s), so declarations were not scored.") % {"path": path}
        )
    try:
        bundle = ModelBundle.load(path)
    except Exception as exc:  # not JSON, another format, missing keys: all mean "cannot use it"
        return Scoring(
            "", _("The risk model %(path)s could not be read (%(error)s).") % {"path": path, "error": exc}
        )
    progress(2, _("Scoring the declarations with the risk model %(model)s") % {"model": bundle.model_id})
    try:
        score_store(store, bundle, date_from=date_from, date_to=date_to, explanations=False)  # type: ignore[arg-type]
    except Exception as exc:  # the store lacks what the model needs, or the engine failed
        return Scoring(
            "",
            _("The risk model %(model)s could not score this data (%(error)s).")
            % {"model": bundle.model_id, "error": exc},
        )
    return Scoring(bundle.model_id, "")


def models_in_store(store: str) -> list[str]:
    """The model ids of the scores the store holds (what expected versus found actually used)."""
    import duckdb

    if not Path(store).exists():
        return []
    con = duckdb.connect(store, read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT model_id FROM risk_scores WHERE model_id IS NOT NULL ORDER BY 1"
        ).fetchall()
    except duckdb.Error:  # no risk_scores table: never scored
        return []
    finally:
        con.close()
    return [str(r[0]) for r in rows]
