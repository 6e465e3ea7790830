"""Export -> mapping -> validation -> DuckDB store (or quarantine)."""

from arusha.importing.load import DEFAULT_STORE, LoadError, LoadRejected, LoadResult, load_sources
from arusha.importing.mapping import Mapping, MappingError, load_mapping

__all__ = [
    "DEFAULT_STORE",
    "LoadError",
    "LoadRejected",
    "LoadResult",
    "Mapping",
    "MappingError",
    "load_mapping",
    "load_sources",
]
