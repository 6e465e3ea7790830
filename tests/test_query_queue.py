"""The analysis's query queue: results in the order asked, errors where they are read, nothing left running."""

from __future__ import annotations

import threading
import time

import pytest

from arusha.backends import QueryQueue


@pytest.mark.parametrize("background", [True, False])
def test_results_come_back_in_order_and_errors_where_they_are_read(background: bool) -> None:
    ran: list[int] = []

    def step(i: int) -> int:
        ran.append(i)
        if i == 2:
            raise ValueError("query 2 failed")
        return i * 10

    with QueryQueue(background=background) as queue:
        futures = [queue.submit(lambda i=i: step(i)) for i in range(4)]
        assert futures[0].result() == 0 and futures[1].result() == 10
        with pytest.raises(ValueError, match="query 2 failed"):
            futures[2].result()
        assert futures[3].result() == 30  # an error stops nothing by itself: the caller decides
    assert ran == [0, 1, 2, 3]


def test_background_work_runs_one_piece_at_a_time_off_the_calling_thread() -> None:
    threads: set[int] = set()
    running = []

    def step() -> None:
        running.append(1)
        assert len(running) == 1, "two pieces at once"
        threads.add(threading.get_ident())
        time.sleep(0.01)
        running.pop()

    with QueryQueue() as queue:
        for future in [queue.submit(step) for _ in range(5)]:
            future.result()
    assert threads and threading.get_ident() not in threads


def test_closing_drops_what_has_not_started() -> None:
    started = threading.Event()
    release = threading.Event()
    queue = QueryQueue()
    first = queue.submit(lambda: (started.set(), release.wait(5))[1])
    later = queue.submit(lambda: "never")
    started.wait(5)
    release.set()
    queue.close()  # waits for the running piece, cancels the queued one
    assert first.result() is True
    assert later.cancelled()
