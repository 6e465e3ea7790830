"""Cleaning a reporter's file in a child process with a time limit and a memory limit.

Why a process: the parsers (libxml2 through lxml, qpdf through pikepdf, Pillow) run in C and
cannot be interrupted from Python; a thread cannot be stopped, a process can be killed. The
counts of clean_limits refuse the files known to be costly before the work starts; this is the
backstop for the ones nobody foresaw. Cleaning stays within the request, so the reporter learns
at once that a file was refused, and the raw file never waits on disk or in a job queue.

How: each web process starts, at its first upload, one *cleaning server*: a fresh interpreter
that imports the cleaners once, and that gets neither the web process's memory (other requests'
data), its open files and connections, its threads, nor its settings and keys (no ARUSHA_*
variable, no DATABASE_URL, no DJANGO_SETTINGS_MODULE). For each file the server forks a child,
which lowers its own limits (memory, CPU time, no core dump), cleans, sends the result back
and exits; the server kills it when its time is up. A child starts in a few milliseconds (a new
interpreter per file took a second here; multiprocessing's children would also run the
program's main script again, 120 ms under gunicorn); it ends after its one file, so whatever
memory a file made the parsers take is given back; it writes nothing to disk.

What this is not: a sandbox. The child runs as the same user as the web server; a flaw in a
parser that lets a file run code could do what that user can. It needs fork(), as on Linux and
macOS (the memory limit is Linux's).
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .clean_limits import CleaningLimits, refusal

T = TypeVar("T")
logger = logging.getLogger(__name__)

TOOK_TOO_LONG = ngettext_lazy(
    "“%(name)s” took longer than %(seconds)s second to check and was not accepted. Split it into "
    "smaller files, or save it as PDF, then send it again.",
    "“%(name)s” took longer than %(seconds)s seconds to check and was not accepted. Split it into "
    "smaller files, or save it as PDF, then send it again.",
    "seconds",
)
NEEDED_TOO_MUCH_MEMORY = _(
    "“%(name)s” needed more memory to check than is allowed (%(limit)s MB) and was not accepted. "
    "Split it into smaller files, or save it as PDF, then send it again."
)
CHECK_STOPPED = _(
    "“%(name)s” could not be checked: the check stopped before the end, and the file may be "
    "damaged. Open it and save it again (or save it as PDF), then send it again."
)

# Imported once by the server, so that each child starts with them loaded.
_PRELOAD = ["arusha_web.cases.clean_upload", "PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin"]
# Outcomes, from the child (the first four) or from the server about the child.
_DONE, _REFUSED, _OUT_OF_MEMORY, _FAILED = "done", "refused", "out of memory", "failed"
_TIMED_OUT, _DIED = "timed out", "died"
# How much longer than a file's time the web process waits for the server before it gives up on
# it (a server that is itself stuck is killed, and a new one started for the next file).
_SERVER_GRACE_SECONDS = 5.0

_lock = threading.Lock()  # one file at a time per web process: the server serves one
_server: tuple[subprocess.Popen[bytes], Connection] | None = None


def run_limited(target: Callable[..., T], *args: Any, name: str, limits: CleaningLimits) -> T:
    """Return `target(*args)` computed in a child process within `limits`.

    Raises the ValidationError that `target` raised, or one naming the file `name` when the
    child ran out of time or memory or died. `target` must be importable by name (a module-level
    function) and its arguments and result picklable.
    """
    with _lock:
        outcome, value = _ask_server((target, args, limits), limits.seconds + _SERVER_GRACE_SECONDS)
    if outcome == _DONE:
        return value
    if outcome == _REFUSED:
        raise value
    if outcome == _TIMED_OUT:
        raise refusal(TOOK_TOO_LONG, name, seconds=limits.seconds)
    if outcome == _OUT_OF_MEMORY:
        raise refusal(NEEDED_TOO_MUCH_MEMORY, name, limit=limits.memory_bytes // 1048576)
    if outcome == _FAILED:
        logger.error("cleaning an uploaded file failed:\n%s", value)
    else:
        logger.error("the process cleaning an uploaded file died (%s)", value)
    raise refusal(CHECK_STOPPED, name)


def _ask_server(job: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
    """Return the (outcome, value) of `job` from the cleaning server, started if need be."""
    global _server
    if _server is None or _server[0].poll() is not None:
        _server = _start_server()
    process, jobs = _server
    try:
        jobs.send(job)
        if jobs.poll(timeout):
            status, payload = jobs.recv()
            if status != _DONE:
                return status, payload
            try:
                return pickle.loads(payload)
            except Exception:  # a child that died half-way through writing
                return _DIED, "unreadable result"
    except (EOFError, OSError):
        pass
    # The server died or is stuck: it goes, and the next file starts a new one.
    _server = None
    process.kill()
    process.wait()
    jobs.close()
    return _DIED, f"cleaning server stopped, exit code {process.returncode}"


def _start_server() -> tuple[subprocess.Popen[bytes], Connection]:
    ours, theirs = socket.socketpair()
    # The web process's import path (its '' is the folder it started in), and nothing secret.
    path = [entry or os.getcwd() for entry in sys.path]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARUSHA_", "DATABASE_", "DJANGO_"))}
    env["PYTHONPATH"] = os.pathsep.join(path)
    command = [sys.executable, "-c", f"from {__name__} import serve; serve({theirs.fileno()})"]
    with theirs:
        # Nothing of the child reaches the web server's log: a parser's warning about a file would
        # be written there with the second a reporter sent it (what goes wrong is told to the
        # web process over the socket, which logs crashes without the file's words).
        process = subprocess.Popen(
            command,
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return process, Connection(ours.detach())


def serve(fd: int) -> None:
    """Serve the web process's jobs on the socket `fd` until it goes: one forked child per job."""
    jobs = Connection(fd)
    for module in _PRELOAD:
        importlib.import_module(module)
    _lower_limit("RLIMIT_CORE", 0)  # the server holds reporters' files in memory too
    while True:
        try:
            target, args, limits = jobs.recv()
        except (EOFError, OSError):
            return
        jobs.send(_run_in_child(target, args, limits, server_socket=fd))


def _run_in_child(
    target: Callable[..., Any], args: tuple[Any, ...], limits: CleaningLimits, *, server_socket: int
) -> tuple[str, Any]:
    """Return (_DONE, pickled outcome) of `target(*args)` run in a forked child, or (_TIMED_OUT | _DIED, detail)."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(readable)
        os.close(server_socket)  # so that the web process sees at once a server that died
        _child(writable, target, args, limits)
    os.close(writable)
    try:
        payload = _read_until(readable, time.monotonic() + limits.seconds)
    finally:
        os.close(readable)
    if payload is None:
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    if payload is None:
        return _TIMED_OUT, None
    if not payload:
        return _DIED, f"exit status {status}"
    return _DONE, payload


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Return everything written to `fd` until it is closed, or None at the deadline."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not wait([fd], timeout=left):
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(writable: int, target: Callable[..., Any], args: tuple[Any, ...], limits: CleaningLimits) -> None:
    """Clean in the forked child, write the pickled outcome, and exit without Python's clean-up."""
    code = 1
    try:
        _lower_limit("RLIMIT_CPU", math.ceil(limits.seconds) + 1)  # if the server dies first
        start = _address_space()
        if start is not None:
            # Address space, not resident memory (Linux enforces no limit on the latter): the
            # child starts with the server's (about 60 MB) and may add `memory_bytes`.
            _lower_limit("RLIMIT_AS", start + limits.memory_bytes)
        payload = pickle.dumps(_outcome(target, args))
        with os.fdopen(writable, "wb") as out:
            out.write(payload)
        code = 0
    finally:
        os._exit(code)  # the inherited pipes, atexit handlers and buffers are the server's


def _outcome(target: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return _DONE, target(*args)
    except ValidationError as exc:
        return _REFUSED, exc
    except MemoryError:
        return _OUT_OF_MEMORY, None
    except Exception as exc:  # a parser's error or a bug: the web process logs it and refuses
        # The frames and the type only: a parser's message can quote the reporter's file.
        return _FAILED, "".join(traceback.format_tb(exc.__traceback__)) + type(exc).__qualname__


def _lower_limit(name: str, value: int) -> None:
    """Lower the soft resource limit `name` to `value`, where the platform has it."""
    import resource

    limit = getattr(resource, name)
    _soft, hard = resource.getrlimit(limit)
    resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def _address_space() -> int | None:
    """Return this process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
