"""Benchmark load, core indicators (engine, hand-written SQL, pandas) and full analyze.

Each step runs in its own process so that its peak RSS is measured alone. Results are printed as
a Markdown table row per size; copy them into bench/README.md.

Usage: python bench/run.py 500000 1000000 [--work var/bench]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

STEPS = {
    "load": (
        "from arusha.importing import load_sources; import sys; d=sys.argv[1]; "
        "load_sources([f'{d}/declarations.parquet', f'{d}/items.parquet', f'{d}/events.parquet'], f'{d}/s.duckdb')"
    ),
    "sql": (
        "import duckdb, sys; c=duckdb.connect(sys.argv[1] + '/s.duckdb', read_only=True); "
        f"c.sql(open('{HERE / 'baseline.sql'}').read()).to_arrow_table()"
    ),
    "pandas": (
        f"import sys; sys.path.insert(0, '{HERE}'); import baseline_pandas as b, pandas as pd; "
        "b.core_indicators(pd.read_parquet(sys.argv[1] + '/declarations.parquet'))"
    ),
    "engine_core": f"import sys; sys.path.insert(0, '{HERE}'); import core_engine; core_engine.main(sys.argv[1])",
    "analyze": (
        "from arusha.analysis import analyze_store; import sys; "
        "analyze_store(sys.argv[1] + '/s.duckdb', sys.argv[1] + '/out')"
    ),
}


TIMED = (
    "import resource, sys, time\n"
    "started = time.perf_counter()\n"
    "{code}\n"
    "print('RESULT', time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def _run(code: str, work: Path) -> tuple[float, float]:
    """Return (seconds, peak RSS in GB) of ``code`` in a fresh interpreter (imports included)."""
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(code=code.replace("; ", "\n")), str(work)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    _, seconds, rss_kb = out.strip().splitlines()[-1].split()
    return float(seconds), int(rss_kb) / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--work", type=Path, default=Path("var/bench"))
    args = parser.parse_args()
    print("| declarations | step | seconds | peak RSS GB |")
    print("|---:|---|---:|---:|")
    for n in args.sizes:
        work = args.work / str(n)
        if not (work / "declarations.parquet").exists():
            # In a child process: a child's peak RSS would otherwise include this process's.
            code = f"from arusha.synth import write_dataset; write_dataset({str(work)!r}, {n}, seed=1)"
            subprocess.run([sys.executable, "-c", code], check=True)
        (work / "s.duckdb").unlink(missing_ok=True)
        for step, code in STEPS.items():
            seconds, peak = _run(code, work)
            print(f"| {n:,} | {step} | {seconds:.1f} | {peak:.2f} |", flush=True)


if __name__ == "__main__":
    main()
