"""Prepare a web database for the page-speed benchmark: accounts, the analysis, leads, contracts.

Usage (the analysis made with the CLI beforehand, see README.md)::

    ARUSHA_VAR_DIR=/tmp/bw/var .venv/bin/python bench/web/prepare.py /tmp/bw/store.duckdb /tmp/bw/analysis

Uses a var dir of its own (``ARUSHA_VAR_DIR``), so the demo database is not touched. Prints how long
importing the analysis into the web database took (the last step of every analysis job).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(store: Path, analysis: Path) -> None:
    if "ARUSHA_VAR_DIR" not in os.environ:
        sys.exit("Set ARUSHA_VAR_DIR to a folder of its own (the benchmark's web database goes there).")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha_web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from arusha_web.core.demo import demo_setup
    from arusha_web.measure import demo as measure_demo
    from arusha_web.measure import services

    users = {u.username: u for u in demo_setup(password="demo")}
    started = time.perf_counter()
    run = services.register_existing(
        name="Benchmark data", store=store, out_dir=analysis, user=users["analyst"]
    )
    print(f"analysis {run.pk}: {run.indicator_count:,} indicator values, {run.lead_count} leads")
    print(f"import into the web database: {time.perf_counter() - started:.1f} s")
    from arusha_web.measure.warm import warm_pages

    started = time.perf_counter()
    pages = warm_pages(run, progress=lambda _pct, _msg: None)  # the analysis job's last step
    print(f"{pages} office pages and scorecards drawn ahead: {time.perf_counter() - started:.1f} s")
    measure_demo._demo_rest(run=run, users=users, progress=print)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
