"""The `arusha` command line.

The analytics commands (``arusha data ...``, ``arusha analyze``) work on files alone. The
platform commands (``demo``, ``serve``, ``worker``, ``createadmin``, ``audit``) need the web
application, so they import Django inside the command: importing this module stays free of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from arusha.commands import analytics
from arusha.commands.model import model_app

app = typer.Typer(
    no_args_is_help=True,
    help="Arusha: integrity management and analytics for Customs administrations.",
    rich_markup_mode=None,
    # Locals in tracebacks could print a password or a token.
    pretty_exceptions_show_locals=False,
)
audit_app = typer.Typer(no_args_is_help=True, help="Check the tamper-evident audit trail.")
app.add_typer(audit_app, name="audit")
app.add_typer(model_app, name="model")
analytics.register(app)


def _django() -> None:
    """Set up Django for the commands that need the web application."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha_web.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


@app.command()
def demo(
    *,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    force: Annotated[
        bool, typer.Option("--force", help="Allow demo mode with DEBUG off (never in production).")
    ] = False,
    setup_only: Annotated[
        bool, typer.Option("--setup-only", help="Prepare the demo data, then exit without serving.")
    ] = False,
    declarations: Annotated[
        int, typer.Option(help="How many clearance declarations to generate and analyse (0: none).")
    ] = 60_000,
) -> None:
    """Create the demo administration and accounts, then serve the app with a worker.

    Safe to run again: nothing is duplicated. Demo passwords come from ARUSHA_DEMO_PASSWORD.

    Example: ARUSHA_DEBUG=1 arusha demo --port 8000
    """
    _port_free_or_exit(host, port)
    _django()
    from django.conf import settings

    if not settings.DEBUG and not force:
        typer.echo(
            "Refusing demo mode: DEBUG is off, so this looks like a production setting.\n"
            "Demo accounts have known passwords. Set ARUSHA_DEBUG=1, or pass --force if you are sure.",
            err=True,
        )
        raise typer.Exit(2)
    from arusha_web.core.demo import demo_setup

    typer.echo("Preparing the database…")
    _manage("migrate", "--no-input", "--verbosity", "0")
    accounts = demo_setup(password=settings.ARUSHA_DEMO_PASSWORD, progress=typer.echo)
    if declarations > 0:
        from arusha_web.core.demo_data import demo_clearance

        outputs = demo_clearance(declarations=declarations, progress=typer.echo)
        typer.echo(
            f"Analysis written to {outputs['analysis']} (report.html, signals.csv, indicators.parquet)."
        )
    from arusha_web.core.demo import demo_modules

    demo_modules(users={account.username: account for account in accounts}, progress=typer.echo)
    url = f"http://{host}:{port}/"
    lines = [f"  {a.username:<16} {a.role_label}" for a in accounts]
    banner = (
        "\nArusha demo is ready.\n"
        f"Open {url} and log in with one of these accounts "
        f"(password: the value of ARUSHA_DEMO_PASSWORD, default 'demo'):\n" + "\n".join(lines) + "\n"
    )
    if setup_only:
        typer.echo(banner)
        return
    _serve_with_worker(host=host, port=port, banner=banner)


def _port_free_or_exit(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            typer.echo(
                f"Cannot serve on {host}:{port}: {exc.strerror}. Another program is using this port.\n"
                f"Stop it, or choose another port (make demo PORT=8001, or arusha demo --port 8001).",
                err=True,
            )
            raise typer.Exit(2) from exc


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve_with_worker(*, host: str, port: int, banner: str) -> None:
    """Run the worker and the web server as child processes until Ctrl-C."""
    python = sys.executable
    manage = [python, "-m", "django"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "arusha_web.settings"}
    # A SIGTERM to this process (a service manager, `kill`) must stop the children too.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    worker = subprocess.Popen([*manage, "arusha_worker"], env=env)
    server = subprocess.Popen(_server_command(host=host, port=port, workers=web_workers()), env=env)
    time.sleep(2)
    typer.echo(banner)
    typer.echo("Press Ctrl-C to stop.")
    try:
        while server.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (server, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (server, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if server.returncode not in (0, None, -signal.SIGTERM):
        raise typer.Exit(server.returncode or 1)


def web_workers(cpus: int | None = None) -> int:
    """Gunicorn worker processes for this machine: two per processor and one more (gunicorn's own
    advice), at most 9.

    Why: with two workers, 20 people working at once waited for a free worker (p95 333-760 ms while
    each page took 31 ms of server time); a sync worker blocks on the database and DuckDB as much as
    it computes. Nine caps the memory (about 150 MB each) on a large machine.

    Example:
        >>> web_workers(1), web_workers(2), web_workers(16)
        (3, 5, 9)
    """
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))  # the processors this process may use (containers)
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
    return min(2 * max(cpus, 1) + 1, 9)


def _server_command(*, host: str, port: int, workers: int) -> list[str]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return [
        gunicorn,
        "arusha_web.wsgi",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        # The access log is off: a reporter's address must never land in a log file.
        "--access-logfile",
        "/dev/null",
    ]


@app.command()
def serve(
    *,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Number of gunicorn worker processes (default: two per processor and one, at most 9)."
        ),
    ] = None,
) -> None:
    """Serve the web application with gunicorn (static files through WhiteNoise).

    Run `python manage.py migrate` after each upgrade first; start `arusha worker` beside it.

    Example: arusha serve --host 0.0.0.0 --port 8000 --workers 4
    """
    _port_free_or_exit(host, port)
    _django()
    from django.conf import settings

    if not settings.WHITENOISE_USE_FINDERS:
        _manage("collectstatic", "--no-input", "--verbosity", "0")
    command = _server_command(host=host, port=port, workers=workers or web_workers())
    os.execv(command[0], command)


@app.command()
def worker(
    *,
    batch: Annotated[bool, typer.Option("--batch", help="Run the queued jobs, then exit.")] = False,
) -> None:
    """Run the background worker that carries out imports, analyses and other long jobs.

    Example: arusha worker
    """
    _django()
    args: list[Any] = ["arusha_worker"]
    if batch:
        args.append("--batch")
    _manage(*args)


@app.command()
def createadmin(
    username: Annotated[str, typer.Argument(help="Login name of the new administrator.")],
    *,
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ARUSHA_ADMIN_PASSWORD",
            help="Password (asked for when not given; or set ARUSHA_ADMIN_PASSWORD).",
        ),
    ],
) -> None:
    """Create an administrator account, or reset its password if it exists.

    Example: arusha createadmin alice --email alice@customs.example
    """
    _django()
    from django.core.exceptions import ValidationError

    from arusha_web.accounts.services import administrator_create

    try:
        user, created = administrator_create(username=username, email=email, password=password)
    except ValidationError as exc:
        typer.echo("Password refused: " + " ".join(exc.messages), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Administrator {user.username} {'created' if created else 'updated'}.")


@audit_app.command("verify")
def audit_verify(
    *,
    expect: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FINGERPRINT",
            help="A fingerprint printed earlier; it must still be in the trail (repeatable).",
        ),
    ] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="File of fingerprints kept earlier, one per line; each must still match."
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="When intact, add the latest entry to the --checkpoints file.")
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option(
            metavar="CSV", help="Check a CSV exported from the audit trail page instead of the database."
        ),
    ] = None,
) -> None:
    """Walk the audit trail's chain (fingerprints, seals, checkpoints) and report the first broken entry.

    Exits with status 1 when the chain is broken, so monitoring can alert on it. Prints the
    latest fingerprint as a checkpoint line: keep it (--record appends it to the file).

    Example: arusha audit verify --checkpoints /srv/audit-checkpoints.txt --record
    """
    _django()
    args = [f"--expect={value}" for value in expect or []]
    args += [f"--checkpoints={checkpoints}"] if checkpoints else []
    args += ["--record"] if record else []
    args += [f"--export={export}"] if export else []
    from django.core.management.base import CommandError

    try:
        _manage("audit_verify", *args)
    except CommandError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    except SystemExit as exc:
        raise typer.Exit(int(exc.code or 0)) from exc
