"""Typer sub-commands, one module per domain, each with a ``register(app)`` function."""
