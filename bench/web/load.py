"""Page-speed load test: N logged-in users requesting the main Measure pages at the same time.

Standard library only (threads + urllib), so it needs nothing beyond the project. Each virtual
user logs in with its own session, then requests every page of ``PAGES`` in a shuffled order,
round after round, with no pause or ``--think`` seconds (a closed loop: at most N requests in
flight, a bounded load); each request is about an officer, lead, trader or drill-down page picked
at random among those the pages link to. Two times per request: the latency the user waits (measured here, includes waiting in the queue
when all gunicorn workers are busy) and, with ``--access-log``, the server time gunicorn logs (from
the moment a worker takes the request to the response, ``%(D)s``). Prints, per page: requests,
errors, median and p95 of both, in milliseconds.

Usage (gunicorn as ``arusha serve`` runs it, plus an access log of path and duration only)::

    ARUSHA_VAR_DIR=/tmp/bw/var .venv/bin/gunicorn arusha_web.wsgi --bind 127.0.0.1:8104 --workers 2 \
        --timeout 120 --access-logfile /tmp/bw/access.log --access-logformat '%(U)s %(q)s %(D)s'
    .venv/bin/python bench/web/load.py http://127.0.0.1:8104 --users 20 --rounds 10 \
        --access-log /tmp/bw/access.log

Accounts: the demo ones (``bench/web/prepare.py`` creates them; password "demo").
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

# name -> path; {officer}, {contract}, {declarant}, {importer} are found on the pages themselves.
PAGES = {
    "measure home": "/measure/",
    "administration": "/measure/administration/",
    "office": "/measure/offices/PORT1/",
    "officer scorecard": "/measure/officers/{officer}/",
    # A chart the scorecard page fetches when it is scrolled into view.
    "scorecard chart": "/measure/officers/{officer}/chart/{code}/",
    "anti-gaming": "/measure/anti-gaming/",
    "leads inbox": "/measure/leads/",
    "lead": "/measure/leads/{lead}/",
    "contracts": "/measure/contracts/",
    "contract": "/measure/contracts/{contract}/",
    "declarant": "/measure/traders/declarant/{declarant}/",
    "importer": "/measure/traders/importer/{importer}/",
    # A chart a declarant page fetches when it is scrolled into view (its shares, a monthly series).
    "trader chart": "/measure/traders/declarant/{declarant}/chart/{trend}/",
    # A different page each time (1–100): the drill-down keeps pages it has read, so one fixed
    # page would measure the cache, not the store.
    "declarations": "/measure/declarations/?by=office_code&id=PORT1&page={page}",
}
# Who the virtual users are (every page above is open to both roles).
ACCOUNTS = ("integrity", "analyst")


class Session:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self, username: str, password: str) -> None:
        _status, body = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token is None:
            sys.exit("No CSRF token on the login page: is the server running?")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/accounts/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            if "/accounts/login/" in response.url:
                sys.exit(f"Login as {username} failed.")


def discover(session: Session) -> dict[str, list[str]]:
    """Identifiers to fill the page templates, taken from the pages as a user would click, so that
    each request can be about another officer, lead, contract or trader (a scorecard drawn once is
    kept: always the same officer would measure the cache, not the page)."""
    _s, leads = session.get("/measure/leads/")
    _s, office = session.get("/measure/offices/PORT1/")
    _s, contracts = session.get("/measure/contracts/")
    found = {
        "lead": _all(rb"/measure/leads/(\d+)/", leads),
        "officer": _all(rb"/measure/officers/([^/\"?]+)/", office),
        "contract": _all(rb"/measure/contracts/(\d+)/", contracts),
        # The generator's identifiers (arusha.synth): 3,000 declarants and 55,000 importers at 1 M.
        "declarant": [f"D-{k:04d}" for k in range(1, 301)],
        "importer": [f"I-{k:05d}" for k in range(1, 2001)],
        "page": [str(k) for k in range(1, 101)],
        "code": ["TF1", "TF2", "TF4", "TF5", "BP1", "BP2", "AFTER_HOURS", "RED_NO_INSP"],
        "trend": ["shares", "VOL_DECL", "TF5", "BP1"],
    }
    return found


def _all(pattern: bytes, body: bytes) -> list[str]:
    found = sorted({m.decode() for m in re.findall(pattern, body)})
    if not found:
        sys.exit(f"Nothing matches {pattern!r}: is the benchmark database prepared?")
    return found


def fill(template: str, ids: dict[str, list[str]], rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(ids[m.group(1)]), template)


def page_of(path: str) -> str | None:
    """Which page of PAGES a requested path is (for the access log)."""
    for name, template in PAGES.items():
        pattern = re.escape(template.split("?")[0]).replace(r"\{", "{").replace(r"\}", "}")
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", pattern), path.split("?")[0]):
            return name
    return None


def _p95(sample: list[float]) -> float:
    return sample[max(0, int(round(0.95 * len(sample))) - 1)]


def _server_times(log: str, start: int) -> dict[str, list[float]]:
    """Milliseconds per page from the access-log lines written during the run."""
    found: dict[str, list[float]] = defaultdict(list)
    with open(log, encoding="utf-8") as fh:
        fh.seek(start)
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            path, micros = parts[0], parts[-1]
            name = page_of(path)
            if name is not None and micros.isdigit():
                found[name].append(int(micros) / 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base", help="e.g. http://127.0.0.1:8104")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10, help="times each user requests every page")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a user pauses between pages")
    parser.add_argument("--access-log", help="gunicorn access log with '%%(U)s %%(q)s %%(D)s' lines")
    args = parser.parse_args()

    first = Session(args.base)
    first.login(ACCOUNTS[0], args.password)
    ids = discover(first)
    warm_rng = random.Random(0)
    sessions = []
    for k in range(args.users):
        session = Session(args.base)
        session.login(ACCOUNTS[k % len(ACCOUNTS)], args.password)
        sessions.append(session)
    for session in sessions[:1]:  # warm each gunicorn worker's caches and imports once
        for template in PAGES.values():
            session.get(fill(template, ids, warm_rng))

    log_start = os.path.getsize(args.access_log) if args.access_log and os.path.exists(args.access_log) else 0
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    start = threading.Barrier(args.users)

    def user(session: Session, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        for _round in range(args.rounds):
            names = list(PAGES)
            rng.shuffle(names)
            for name in names:
                t0 = time.perf_counter()
                path = fill(PAGES[name], ids, rng)
                status, _body = session.get(path)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    times[name].append(elapsed)
                    if status != 200:
                        errors[name] += 1
                if args.think:
                    time.sleep(rng.uniform(0.5, 1.5) * args.think)

    threads = [threading.Thread(target=user, args=(s, k)) for k, s in enumerate(sessions)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began

    server = _server_times(args.access_log, log_start) if args.access_log else {}
    results = []
    print(
        f"{args.users} users × {args.rounds} rounds × {len(PAGES)} pages in {wall:.0f} s (think {args.think} s)"
    )
    print(
        f"{'page':<20} {'requests':>8} {'errors':>6} {'wait med':>9} {'wait p95':>9} "
        f"{'server med':>11} {'server p95':>11}"
    )
    for name in PAGES:
        sample = sorted(times[name])
        served = sorted(server.get(name, []))
        row = {
            "page": name,
            "path": PAGES[name],
            "requests": len(sample),
            "errors": errors[name],
            "latency_median_ms": round(statistics.median(sample)),
            "latency_p95_ms": round(_p95(sample)),
            "server_median_ms": round(statistics.median(served)) if served else None,
            "server_p95_ms": round(_p95(served)) if served else None,
        }
        results.append(row)
        print(
            f"{name:<20} {row['requests']:>8} {row['errors']:>6} {row['latency_median_ms']:>9} "
            f"{row['latency_p95_ms']:>9} {row['server_median_ms']!s:>11} {row['server_p95_ms']!s:>11}"
        )
    total = sum(len(v) for v in times.values())
    print(f"throughput: {total / wall:.1f} requests/s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {"users": args.users, "rounds": args.rounds, "wall_s": wall, "pages": results}, fh, indent=2
            )


if __name__ == "__main__":
    main()
