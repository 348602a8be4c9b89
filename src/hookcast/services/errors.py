"""Errors the use cases report; the web layer maps them to HTTP answers.

An error carries its English text (``message``, for the API, the CLI and logs) and what it was
made of: a message id and its parameters, so that the web UI can say it in the reader's language
through the catalog (``Translator.format(error.msgid, **error.params)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class Term(str):
    """A parameter that is itself a message id (a platform's name, say): the UI translates it too,
    where other parameters (a URL, a user's input) are shown as they are."""

    __slots__ = ()


class ServiceError(Exception):
    """Base class. ``field`` names the offending input where there is one.

    ``message`` is a message id with ``{name}`` placeholders filled from ``params``; without params
    it is shown as it is (then it must contain no braces meant as placeholders).
    """

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        english = message.format(**params) if params else message
        super().__init__(english)
        self.message = english
        self.msgid = message
        self.params: Mapping[str, object] = params
        self.field = field


class NotFound(ServiceError):
    pass


class Invalid(ServiceError):
    pass


class InvalidDocument(Invalid):
    """Input that is a whole document (an imported configuration): every problem, each with its
    path in the document (``webhooks[2].triggers[0]``); the first is the error's field and message."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        where, message = problems[0]
        super().__init__(message, field=where or None)
        self.problems = tuple(problems)


class Conflict(ServiceError):
    pass


class Busy(ServiceError):
    """Refused for now (too many at once, or too many failures): 429 with ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
