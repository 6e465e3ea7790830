"""Keep the public reporting pages out of the logs, except for server errors.

Django logs every 4xx answer as a warning ("Forbidden (CSRF cookie not set.): /report/",
"Not Found: /report/…"), and the log's time stamp then records the second at which a
reporter acted, which the channel keeps only to the day. Errors (5xx) are still logged:
administrators must see a broken page, and such an entry names no report and no address.
"""

from __future__ import annotations

import logging

from django.urls import reverse


def _reporting_prefix() -> str | None:
    try:
        return reverse("report:index")
    except Exception:  # a log call must never fail, even with a broken URLconf
        return None


class ReportingChannelWarnings(logging.Filter):
    """Drop records below ERROR about a request to the public reporting pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        path = getattr(getattr(record, "request", None), "path", None)
        if not isinstance(path, str):
            return True
        prefix = _reporting_prefix()
        return prefix is None or not path.startswith(prefix)
