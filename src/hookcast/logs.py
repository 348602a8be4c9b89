"""Structured logs (JSON lines by default) through structlog, and what a log line may say of a
failure: ids and the kind of error, never the data (`error_fields`, `short_digest`)."""

from __future__ import annotations

import hashlib
import logging
import sys
import traceback
from pathlib import Path

import structlog

PACKAGE = Path(__file__).parent  # hookcast's own code, for `error_fields`


def configure(level: str = "INFO", json: bool = True) -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level.upper())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def short_digest(value: str) -> str:
    """A value that identifies a row without showing it (an idempotency key chosen by a sender):
    12 hex digits of its SHA-256, enough to find the row again by hashing the key one has."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def error_fields(error: BaseException) -> dict[str, str]:
    """What a log line says of an error: its type, the driver's error type and code for a database
    error, and where in hookcast it was raised, never its text. The text of a database error
    embeds the statement's parameters (events, message bodies, whatever secrets they carry), and
    any other exception may quote the input it choked on."""
    fields = {"error_type": type(error).__name__}
    driver = getattr(error, "orig", None)  # SQLAlchemy wraps the driver's exception
    if isinstance(driver, BaseException):
        fields["driver_error"] = type(driver).__name__
        for name in ("sqlstate", "pgcode", "sqlite_errorname"):
            code = getattr(driver, name, None)
            if isinstance(code, str) and code:
                fields["error_code"] = code
                break
        constraint = getattr(driver.__cause__, "constraint_name", None)  # asyncpg names it
        if isinstance(constraint, str) and constraint:
            fields["constraint"] = constraint
    where = _innermost_own_frame(error)
    if where is not None:
        fields["error_at"] = where
    return fields


def _innermost_own_frame(error: BaseException) -> str | None:
    """``services/intake.py:272`` for the deepest frame in hookcast's own code."""
    found = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(PACKAGE):
            found = f"{path.relative_to(PACKAGE).as_posix()}:{line}"
    return found
