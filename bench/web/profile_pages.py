"""One request per Measure page, in process: time, SQL queries and the slowest query of each.

Finds what to fix before a load test says a page is slow. Usage::

    ARUSHA_VAR_DIR=/tmp/bw/var .venv/bin/python bench/web/profile_pages.py [--user integrity] [--sql]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="integrity")
    parser.add_argument("--sql", action="store_true", help="print the three slowest queries of each page")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha_web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load import PAGES

    from arusha_web.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    ids = {}
    leads = client.get("/measure/leads/").content
    ids["lead"] = re.search(rb"/measure/leads/(\d+)/", leads).group(1).decode()  # type: ignore[union-attr]
    office = client.get("/measure/offices/PORT1/").content
    ids["officer"] = re.search(rb"/measure/officers/([^/\"]+)/", office).group(1).decode()  # type: ignore[union-attr]
    contracts = client.get("/measure/contracts/").content
    ids["contract"] = re.search(rb"/measure/contracts/(\d+)/", contracts).group(1).decode()  # type: ignore[union-attr]
    ids.update(declarant="D-0001", importer="I-00001", page="1", code="TF5", trend="TF5")
    print(f"{'page':<20} {'status':>6} {'ms':>7} {'queries':>7} {'slowest query ms':>16}")
    for name, template in PAGES.items():
        path = template.format(**ids)
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t0) * 1000
        timed = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
        slowest = float(timed[0]["time"]) * 1000 if timed else 0.0
        print(f"{name:<20} {response.status_code:>6} {elapsed:>7.0f} {len(timed):>7} {slowest:>16.0f}")
        if args.sql:
            for q in timed[:3]:
                print(f"    {float(q['time']) * 1000:6.0f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
