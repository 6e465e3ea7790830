"""Benchmark load, core indicators (engine, hand-written SQL, pandas) and full analyze.

Each step runs in its own process so that its peak RSS is measured alone. For each step the table
gives the wall time of the whole process (interpreter start and imports included), the wall and CPU
time of the work alone (after the imports), the peak RSS and the machine's 1-minute load average
when the step started: the machine is shared, so ratios measured in the same run are what hold.
Results are printed as Markdown; copy them into bench/README.md.

Usage: python bench/run.py 500000 1000000 [--work var/bench] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent

# step -> (imports, work); both run in a fresh interpreter with sys.argv[1] = the data directory.
# Ibis loads its DuckDB backend module on first use (0.3 s): the engine's steps load it with their
# imports, as the sql step imports duckdb, so that no step's timed work includes an import.
IBIS_BACKEND = "import ibis\nibis.duckdb"
STEPS: dict[str, tuple[str, str]] = {
    "load": (
        "from arusha.importing import load_sources",
        "d = sys.argv[1]\n"
        "load_sources([f'{d}/declarations.parquet', f'{d}/items.parquet', f'{d}/events.parquet'], f'{d}/s.duckdb')",
    ),
    "load_rewrite": (
        "from arusha.importing import load_sources",
        "d = sys.argv[1]\n"
        "import pathlib\n"
        "pathlib.Path(f'{d}/rewrite.duckdb').unlink(missing_ok=True)\n"
        "load_sources([f'{d}/declarations.parquet', f'{d}/items.parquet', f'{d}/events.parquet'], f'{d}/rewrite.duckdb', keep_parquet=False)",
    ),
    "sql": (
        "import duckdb",
        f"c = duckdb.connect(sys.argv[1] + '/s.duckdb', read_only=True)\n"
        f"c.sql(open({str(HERE / 'baseline.sql')!r}).read()).to_arrow_table()",
    ),
    "pandas": (
        f"sys.path.insert(0, {str(HERE)!r})\nimport baseline_pandas as b\nimport pandas as pd",
        "b.core_indicators(pd.read_parquet(sys.argv[1] + '/declarations.parquet'))",
    ),
    "engine_core": (
        f"sys.path.insert(0, {str(HERE)!r})\nimport core_engine\n{IBIS_BACKEND}",
        "core_engine.main(sys.argv[1])",
    ),
    "analyze": (
        f"from arusha.analysis import analyze_store\n{IBIS_BACKEND}",
        "analyze_store(sys.argv[1] + '/s.duckdb', sys.argv[1] + '/out')",
    ),
    # The same over the store that load_rewrite wrote (DuckDB's own storage, as the web app loads).
    "analyze_rewrite": (
        f"from arusha.analysis import analyze_store\n{IBIS_BACKEND}",
        "analyze_store(sys.argv[1] + '/rewrite.duckdb', sys.argv[1] + '/out_rewrite')",
    ),
}

TIMED = """import resource, sys, time
{imports}
started, cpu = time.perf_counter(), time.process_time()
{work}
usage = resource.getrusage(resource.RUSAGE_SELF)
print('RESULT', time.perf_counter() - started, time.process_time() - cpu, usage.ru_maxrss)
"""


@dataclass
class Timing:
    """One step's measurements."""

    wall: float  # whole process, start-up and imports included
    work: float  # wall time of the work alone
    cpu: float  # CPU time of the work (all threads)
    rss_gb: float
    load: float  # 1-minute load average when the step started


def run_step(step: str, work_dir: Path) -> Timing:
    """Run ``step`` on the data in ``work_dir`` in a fresh interpreter and measure it."""
    imports, work = STEPS[step]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(imports=imports, work=work), str(work_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wall = time.perf_counter() - started
    _, seconds, cpu, rss_kb = out.strip().splitlines()[-1].split()
    return Timing(wall, float(seconds), float(cpu), int(rss_kb) / 1024**2, load)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--work", type=Path, default=Path("var/bench"))
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of the steps")
    args = parser.parse_args()
    steps = args.steps.split(",")
    print("| declarations | step | wall s (with start-up) | work s | work CPU s | peak RSS GB | load avg |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        work_dir = args.work / str(n)
        if not (work_dir / "declarations.parquet").exists():
            # In a child process: a child's peak RSS would otherwise include this process's.
            code = f"from arusha.synth import write_dataset; write_dataset({str(work_dir)!r}, {n}, seed=1)"
            subprocess.run([sys.executable, "-c", code], check=True)
        if "load" in steps:
            for name in ("s.duckdb", "s.duckdb.wal"):
                (work_dir / name).unlink(missing_ok=True)
            shutil.rmtree(work_dir / "s.parts", ignore_errors=True)  # the Parquet files the store kept
        timings: dict[str, Timing] = {}
        for step in steps:
            t = run_step(step, work_dir)
            timings[step] = t
            print(
                f"| {n:,} | {step} | {t.wall:.1f} | {t.work:.1f} | {t.cpu:.1f} | {t.rss_gb:.2f} | {t.load:.1f} |",
                flush=True,
            )
        for step in ("load", "load_rewrite"):
            if step in timings:
                print(f"<!-- {n:,}: {step} {n / timings[step].work:,.0f} declarations/s (work) -->")
        if "sql" in timings:
            base = timings["sql"]
            for step in ("engine_core", "pandas", "analyze", "analyze_rewrite"):
                if step in timings:
                    t = timings[step]
                    print(
                        f"<!-- {n:,}: {step} / sql = {t.wall / base.wall:.1f}x wall, "
                        f"{t.work / base.work:.1f}x work, {t.cpu / max(base.cpu, 1e-9):.1f}x CPU -->"
                    )


if __name__ == "__main__":
    main()
