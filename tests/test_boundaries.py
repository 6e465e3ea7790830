"""The library never imports Django or PySpark at import time (one-way dependency arusha_web -> arusha)."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "arusha",
    "arusha.contract",
    "arusha.backends",
    "arusha.importing",
    "arusha.metrics",
    "arusha.leads",
    "arusha.analysis",
    "arusha.api",
    "arusha.report",
    "arusha.synth",
    "arusha.worldgen",
    "arusha.commands.analytics",
]


def test_library_does_not_import_django_or_spark() -> None:
    code = (
        f"import sys, {', '.join(MODULES)}; assert not {{'django', 'pyspark'}} & set(sys.modules), "
        "sorted({'django', 'pyspark'} & set(sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
