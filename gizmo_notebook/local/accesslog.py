"""Access-log lines without query strings: a download URL's ``?token=`` is a credential.

Anyone holding a pre-signed URL can fetch the export until it expires, so the token must not
land in a log file that other people (or a support ticket) get to read. uvicorn logs the path
*with* the query; this filter rewrites that one argument to the path alone.
"""

from __future__ import annotations

import logging

__all__ = ["QueryStringFilter", "hide_query_strings"]

ACCESS_LOGGER = "uvicorn.access"


class QueryStringFilter(logging.Filter):
    """Drops the ``?query`` from the path argument of uvicorn's access records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def hide_query_strings() -> None:
    """Install the filter on uvicorn's access logger (idempotent; call after uvicorn set up logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, QueryStringFilter) for f in logger.filters):
        logger.addFilter(QueryStringFilter())
