"""Where an analysis spends its time: the caller's stages and each query the engine thread ran.

Usage: python bench/phases.py var/bench/5000000/s.duckdb [OUT_DIR]

Prints the seconds since the start at which each progress message came (the analysis's own
stages, on the calling thread) and, for every piece of work queued on the engine thread
(``backends.QueryQueue``), when it started, how long it ran and what it returned. Where the engine
is busy all along, the engine is the bottleneck; a gap between its pieces means the calling
thread was (see bench/README.md).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from arusha import backends
from arusha.analysis import analyze_store

STARTED = time.perf_counter()
PIECES: list[tuple[float, float, str, str]] = []
_submit = backends.QueryQueue.submit


def _name(work: Callable[[], Any]) -> str:
    func = getattr(work, "func", work)  # functools.partial
    name = getattr(func, "__qualname__", repr(func))
    return name.replace("_queue_work.<locals>.<lambda>", "declarations count")


def _timed_submit(self: backends.QueryQueue, work: Callable[[], Any]) -> Future[Any]:
    def timed() -> Any:
        start = time.perf_counter()
        result = work()
        rows = getattr(result, "num_rows", None)
        if rows is None and hasattr(result, "shape"):
            rows = result.shape[0]
        PIECES.append(
            (
                start - STARTED,
                time.perf_counter() - start,
                _name(work),
                f"{rows:,} rows" if rows is not None else "",
            )
        )
        return result

    return _submit(self, timed)


def main() -> None:
    store = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="arusha-phases-")
    backends.QueryQueue.submit = _timed_submit  # type: ignore[method-assign]
    cpu = time.process_time()
    print("caller's stages (seconds from the start):")
    analyze_store(
        store, out, progress=lambda _p, m: print(f"  {time.perf_counter() - STARTED:7.2f}  {m}", flush=True)
    )
    wall = time.perf_counter() - STARTED
    print(f"  {wall:7.2f}  done ({time.process_time() - cpu:.1f} CPU-s in all)")
    print("engine thread (start, seconds, work, result):")
    for start, seconds, name, rows in PIECES:
        print(f"  {start:7.2f}  {seconds:5.2f}  {name:40s} {rows}")
    busy = sum(p[1] for p in PIECES)
    first = PIECES[0][0] if PIECES else wall
    print(f"engine thread busy {busy:.1f} s of the {wall - first:.1f} s after the facts")


if __name__ == "__main__":
    main()
