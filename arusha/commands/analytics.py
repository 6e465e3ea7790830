"""`arusha data ...` and `arusha analyze` (quantification engine; being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the main CLI."""
