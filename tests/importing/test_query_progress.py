"""A load's progress moves while DuckDB works, within the step it belongs to, and never back."""

from __future__ import annotations

import time

import duckdb

from arusha.importing import query_progress
from arusha.importing.query_progress import StepReporter


class FakeConnection:
    def __init__(self) -> None:
        self.done = -1.0

    def query_progress(self) -> float:
        return self.done

    def execute(self, _sql: str) -> None:
        return None


def test_the_running_query_moves_the_bar_within_its_step() -> None:
    seen: list[tuple[int, str]] = []
    con = FakeConnection()
    steps = StepReporter(con, lambda p, m: seen.append((p, m)))  # type: ignore[arg-type]
    steps.step(60, 80, "writing declarations")
    con.done = 50.0
    steps.poll()
    con.done = 25.0  # the step's next query starts at 0 %: the bar does not go back
    steps.poll()
    con.done = -1.0  # no query running between two
    steps.poll()
    con.done = 100.0  # the step is over only when the next one starts
    steps.poll()
    steps.step(100, 100, "loaded 2 rows")
    assert seen == [(60, "writing declarations"), (70, "writing declarations"), (79, "writing declarations"),
                    (100, "loaded 2 rows")]  # fmt: skip


def test_a_long_query_reports_progress_from_the_watcher(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(query_progress, "INTERVAL_SECONDS", 0.02)
    seen: list[int] = []
    con = duckdb.connect()
    steps = StepReporter(con, lambda p, _m: seen.append(p))
    steps.start()
    try:
        steps.step(10, 90, "reading")
        started = time.perf_counter()
        while time.perf_counter() - started < 20 and not any(10 < p < 90 for p in seen):
            con.execute("SELECT count(DISTINCT hash(i) % 100000) FROM range(100000000) t(i)").fetchall()
    finally:
        steps.stop()
    assert any(10 < p < 90 for p in seen), seen
    assert seen == sorted(seen)
