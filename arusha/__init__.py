"""Arusha analytics library: clearance data in, indicators and integrity-risk signals out.

This package never imports Django (a test pins it), so the same code runs in the CLI, in
notebooks, in the web app's worker and on a Spark cluster.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
