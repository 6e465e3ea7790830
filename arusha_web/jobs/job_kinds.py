"""Job kinds of the jobs app itself: a system check that shows a job running end to end."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .registry import JobContext, job_kind

# Each step is quick; the pause lets a person watch the progress bar move (tests set it to 0).
STEP_PAUSE_SECONDS = 0.6
# Below this much free space under var/ uploads and the SQLite database start failing.
MIN_FREE_BYTES = 1024**3
# A file every page needs: if it is missing, pages show unstyled.
STATIC_PROBE = "arusha/arusha.css"

Check = tuple[bool, str]


def _check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, _("%(vendor)s answers") % {"vendor": connection.vendor}


def _check_migrations() -> Check:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        message = ngettext(
            "%(count)d migration not applied: run migrate",
            "%(count)d migrations not applied: run migrate",
            len(pending),
        )
        return False, message % {"count": len(pending)}
    return True, _("all applied")


def _check_static_files() -> Check:
    if staticfiles_storage.exists(STATIC_PROBE):
        return True, _("collected in %(path)s") % {"path": settings.STATIC_ROOT}
    if getattr(settings, "WHITENOISE_USE_FINDERS", False) and finders.find(STATIC_PROBE):
        return True, _("served from the application directories")
    return False, _("%(file)s not found: run collectstatic") % {"file": STATIC_PROBE}


def _check_disk_space() -> Check:
    usage = shutil.disk_usage(settings.VAR_DIR)
    detail = _("%(free).1f GiB free of %(total).1f GiB") % {
        "free": usage.free / 1024**3,
        "total": usage.total / 1024**3,
    }
    return usage.free >= MIN_FREE_BYTES, detail


@job_kind("system.selfcheck", label=gettext_lazy("System check"), manual=True)
def system_selfcheck(job: JobContext) -> dict[str, Any]:
    """Check the database, migrations, static files and disk space, one step at a time."""
    steps: list[tuple[str, Callable[[], Check]]] = [
        (_("Database reachable"), _check_database),
        (_("Migrations applied"), _check_migrations),
        (_("Static files present"), _check_static_files),
        (_("Disk space under var/"), _check_disk_space),
    ]
    checks = []
    for number, (name, check) in enumerate(steps):
        job.report(100 * number / len(steps), _("Checking: %(step)s") % {"step": name})
        time.sleep(STEP_PAUSE_SECONDS)
        try:
            ok, detail = check()
        except Exception as exc:  # a failed check is a finding, not a failed job
            ok, detail = False, str(exc)
        checks.append({"name": name, "ok": ok, "detail": detail})
    problems = sum(not c["ok"] for c in checks)
    if problems:
        summary = ngettext(
            "%(count)d of %(total)d checks found a problem",
            "%(count)d of %(total)d checks found problems",
            problems,
        ) % {"count": problems, "total": len(checks)}
    else:
        summary = _("All %(total)d checks passed") % {"total": len(checks)}
    job.report(100, summary)
    return {"checks": checks, "problems": problems}
