"""The job kinds the worker can run, and the context a running job reports progress through.

Each app declares its kinds in a `job_kinds.py` module, which `JobsConfig.ready()` imports, so
the web process and the worker know the same kinds::

    @job_kind("datasets.import", label=gettext_lazy("Import a dataset"))
    def import_dataset(job: JobContext, *, dataset_id: int) -> dict[str, Any]:
        job.report(10, gettext("Reading the file"))
        ...
        return {"rows": 1234}
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import OperationalError, connection
from django.utils import timezone
from django.utils.functional import Promise

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .models import Job

# The page polls once a second; writing more often than this only adds database load.
REPORT_INTERVAL_SECONDS = 0.5
MESSAGE_MAX_LENGTH = 500


# def fn(job: JobContext, **params) -> dict | None; the params are the kind's own keywords.
JobFunction = Callable[..., dict[str, Any] | None]
# def hook(params: dict, message: str) -> None: keeps an app's own records in step with the job.
JobHook = Callable[[dict[str, Any], str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    func: JobFunction
    # Offered on the jobs page as a button; such kinds must take no parameters.
    manual: bool = False
    # Called when the job is marked failed without its function running to the end (its worker
    # was killed), with the job's params and the message users see.
    on_abandoned: JobHook | None = None
    # Called when a failed job is queued again (Retry), before the worker picks it up.
    on_retry: JobHook | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    label: str | Promise,
    manual: bool = False,
    on_abandoned: JobHook | None = None,
    on_retry: JobHook | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the job kind `name`.

    Args:
        name: Dotted name stored on each `Job`, e.g. "system.selfcheck".
        label: What the pages call it (wrap it in `gettext_lazy`).
        manual: Whether users may start it from the jobs page, without parameters.
        on_abandoned: Called with (params, message) when the job's worker died mid-run.
        on_retry: Called with (params, "") when a failed job is queued again.
    """

    def decorator(func: JobFunction) -> JobFunction:
        existing = _KINDS.get(name)
        # Re-importing the same module (autoreload, tests) registers the same function again.
        if existing is not None and _qualified(existing.func) != _qualified(func):
            raise ValueError(f"job kind {name!r} is already registered by {_qualified(existing.func)}")
        _KINDS[name] = JobKind(
            name=name, label=label, func=func, manual=manual, on_abandoned=on_abandoned, on_retry=on_retry
        )
        return func

    return decorator


def _qualified(func: JobFunction) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def get_kind(name: str) -> JobKind:
    """Return the registered kind `name`; KeyError if there is none."""
    return _KINDS[name]


def has_kind(name: str) -> bool:
    return name in _KINDS


def kind_label(name: str) -> str:
    """Return the label of kind `name`, or the name itself for a kind no longer registered."""
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name


def manual_kinds() -> list[JobKind]:
    """Return the kinds users may start from the jobs page, by label."""
    return sorted((k for k in _KINDS.values() if k.manual), key=lambda k: str(k.label))


class JobContext:
    """What a running job function gets: its row, its parameters and `report()`."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.progress = job.progress
        self.message = job.message
        self._last_write = 0.0
        self._thread = threading.get_ident()

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def report(self, percent: float, message: str | Promise = "") -> None:
        """Record progress (0-100) and a short message for the page that watches the job.

        Writes at most every REPORT_INTERVAL_SECONDS, except for 100 %, with one UPDATE of
        two columns, so a job can call it inside a tight loop.
        """
        from .models import Job

        self.progress = max(0, min(100, int(percent)))
        self.message = str(message)[:MESSAGE_MAX_LENGTH]
        now = time.monotonic()
        if self.progress < 100 and now - self._last_write < REPORT_INTERVAL_SECONDS:
            return
        self._last_write = now
        # Reporting progress is also a sign of life (see services.job_run's heartbeat).
        try:
            Job.objects.filter(pk=self.job.pk).update(
                progress=self.progress, message=self.message, heartbeat_at=timezone.now()
            )
        except OperationalError:
            # A database busy elsewhere (SQLite locks the table while the page that watches the job
            # reads it) must not fail the work itself: progress is advice, the next report writes it.
            logger.info("Job %s: progress not written (database busy)", self.job.pk)
            self._last_write = 0.0
        finally:
            # The library may report from a watcher thread (a load's DuckDB progress): that thread's
            # database connection is closed here, or each load would leave one open.
            if threading.get_ident() != self._thread:
                connection.close()
