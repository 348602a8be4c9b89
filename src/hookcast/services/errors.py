"""Errors the use cases report; the web layer maps them to HTTP answers."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class. ``field`` names the offending input where there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    pass


class Invalid(ServiceError):
    pass


class Conflict(ServiceError):
    pass
