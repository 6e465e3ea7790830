"""The background worker: django-tasks-db's `db_worker`, plus a heartbeat that /healthz reads.

Examples:
    manage.py arusha_worker                      # run until stopped (Ctrl+C finishes the current job)
    manage.py arusha_worker --batch              # run what is queued, then exit
    manage.py arusha_worker --worker-id web1-w1  # a stable id per process in a pool
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from arusha_web.jobs.services import jobs_fail_abandoned, worker_heartbeat, worker_heartbeats_prune

logger = logging.getLogger(__name__)

# Well under ARUSHA_WORKER_STALE_SECONDS (120 by default), so one missed beat is not an alarm.
HEARTBEAT_INTERVAL_SECONDS = 10.0
_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]


class Command(db_worker.Command):
    help = (
        "Run the background worker that executes queued jobs, recording a heartbeat for /healthz. "
        "Takes db_worker's options; --batch runs what is queued, then exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat-interval",
            type=db_worker.valid_interval,
            default=HEARTBEAT_INTERVAL_SECONDS,
            help="Seconds between heartbeats (default: %(default)r)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id: str = options["worker_id"]
        heartbeat_interval: float = options.pop("heartbeat_interval")
        if options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only restarts the child, which runs this command
            # again and beats for itself.
            super().handle(*args, **options)
            return
        worker_heartbeats_prune()
        # Jobs left "running" by a worker that was killed (this one's previous run, or another's).
        jobs_fail_abandoned()
        worker_heartbeat(worker_id=worker_id)
        stop = threading.Event()
        beating = threading.Thread(
            target=_beat, args=(worker_id, heartbeat_interval, stop), name="arusha-heartbeat", daemon=True
        )
        beating.start()
        # db_worker installs its own signal handlers; put back the caller's (a test run's).
        previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            beating.join(timeout=5)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _beat(worker_id: str, interval: float, stop: threading.Event) -> None:
    """Touch this worker's heartbeat every `interval` seconds until `stop` is set, and fail the
    jobs of workers that died meanwhile."""
    try:
        while not stop.wait(interval):
            try:
                worker_heartbeat(worker_id=worker_id)
                jobs_fail_abandoned()
            except Exception:
                # A database hiccup must not kill the thread: the next beat may succeed.
                logger.exception("Could not record the worker heartbeat")
    finally:
        connections.close_all()  # this thread's own connections
