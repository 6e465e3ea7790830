"""Progress that moves while DuckDB works: a load reported 0 % for 24 s, then 100 %.

A load has few natural steps (read a file, write a table), and each can take a minute on a large
export. DuckDB knows how far its running query is (``query_progress()``, callable from another
thread); a watcher thread reads it twice a second and reports it within the range of the current
step, so a user watching the page sees the bar move with the work.

The caller's ``report`` is then called from the watcher thread too: a caller whose report writes to
a database must cope with being called from another thread (the web app's jobs close that thread's
connection after each write).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

import duckdb

Progress = Callable[[int, str], None]
INTERVAL_SECONDS: Final = 0.5


class StepReporter:
    """Reports ``start`` when a step begins, then DuckDB's progress mapped into ``[start, end)``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: Progress) -> None:
        self._con = con
        self._report = report
        self._lock = threading.Lock()
        self._range = (0, 0)
        self._message = ""
        self._best = 0.0  # never move back within a step (each query of a step starts at 0 %)
        self._shown = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching ``con`` (call ``stop()`` in a ``finally``)."""
        self._con.execute("SET enable_progress_bar = true")  # what query_progress() reads
        self._con.execute("SET enable_progress_bar_print = false")  # ... without drawing on the terminal
        self._thread = threading.Thread(target=self._watch, name="arusha-load-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(INTERVAL_SECONDS):
            self.poll()

    def step(self, start: int, end: int, message: str) -> None:
        with self._lock:
            self._range, self._message, self._best = (start, max(start, end)), message, 0.0
            self._shown = start
        self._report(start, message)

    def poll(self) -> None:
        """Report the running query's progress within the current step (called by the watcher)."""
        try:
            done = float(self._con.query_progress())
        except duckdb.Error:
            return
        if done < 0:
            return
        with self._lock:
            self._best = max(self._best, min(done, 99.0))
            start, end = self._range
            percent, message = start + int((end - start) * self._best / 100), self._message
            if percent <= self._shown:
                return
            self._shown = percent
        self._report(percent, message)
