"""Functions that misbehave, for clean_process's tests: the cleaning server imports them by name.

They import no model, like the cleaners: the server has no Django settings.
"""

from __future__ import annotations

import os
import signal
import time

from django.core.exceptions import ValidationError


def echo(value: bytes) -> bytes:
    return value


def sleep_forever() -> None:
    time.sleep(3600)


def fill_memory() -> None:
    blocks = []
    while True:
        blocks.append(bytearray(16 * 1024 * 1024))


def crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def refuse(name: str) -> None:
    raise ValidationError("“%(name)s” is refused.", params={"name": name})


def fail(quoted: str) -> None:
    raise KeyError(quoted)  # as a parser's error can quote the file
