"""The one place that reads the clock: SOURCE_DATE_EPOCH when set, else the current time."""

from __future__ import annotations

import datetime as dt
import os

from .errors import UsageError


def now() -> dt.datetime:
    """Return "now" as an aware UTC datetime, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
