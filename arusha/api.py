"""The engine's public entry points for other Python callers (the web app's background jobs, notebooks).

Each takes explicit arguments and an optional ``progress(percent, message)`` callback, and never
reads settings or the environment.
"""

from arusha.analysis import AnalyzeResult, NothingToAnalyse, analyze_store, analyze_tables, export_parquet
from arusha.importing import LoadError, LoadRejected, LoadResult, Mapping, load_mapping, load_sources
from arusha.metrics.catalogue import CATALOGUE, Indicator
from arusha.synth import write_dataset

__all__ = [
    "CATALOGUE",
    "AnalyzeResult",
    "Indicator",
    "LoadError",
    "LoadRejected",
    "LoadResult",
    "Mapping",
    "NothingToAnalyse",
    "analyze_store",
    "analyze_tables",
    "export_parquet",
    "load_mapping",
    "load_sources",
    "write_dataset",
]
