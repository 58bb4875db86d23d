"""Log records that carry the request they belong to, as plain text or one JSON object a
line (LOG_FORMAT=json) for a log collector. Standard library only; no Django imports, as
settings build LOGGING from here before the apps load."""

import contextvars
import json
import logging
from datetime import UTC, datetime

# Set by programs.middleware.RequestIdMiddleware for the length of one request; each
# thread and each asyncio task has its own value.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request's id, "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Django's request logs carry the status; a collector filters on it.
        if isinstance(getattr(record, "status_code", None), int):
            entry["status_code"] = record.status_code
        return json.dumps(entry, default=str)


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler in the chosen format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
