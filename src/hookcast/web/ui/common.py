"""Small helpers the UI pages share."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from hookcast.messages.i18n import N_, Translator
from hookcast.runtime import Runtime
from hookcast.services.errors import ServiceError, Term
from hookcast.services.people import GITHUB_LOGIN_ERROR
from hookcast.services.text_input import NUL_ERROR

Errors = dict[str, str]

# Pydantic's error types the forms can produce -> what the UI says (in the reader's language).
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("At most {max_length} characters."),
    "enum": N_("Choose one of the offered values."),
    "literal_error": N_("Choose one of the offered values."),
    "int_parsing": N_("Enter a whole number."),
    "bool_parsing": N_("Enter yes or no."),
    "url_parsing": N_("Enter a valid URL."),
    NUL_ERROR: N_("Remove the NUL character (U+0000): no field takes one."),
    GITHUB_LOGIN_ERROR: N_(
        "Not a GitHub login: letters, digits and single hyphens (not first or last), at most 39 characters."
    ),
}


class Problem(str):
    """An error message: its English text, plus the message id and parameters that let
    :func:`say` put it in the reader's language when the page is drawn."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: Mapping[str, object] | None = None) -> Problem:
        values = dict(params or {})
        made = super().__new__(cls, msgid.format(**values) if values else msgid)
        made.msgid = msgid
        made.params = values
        return made


def say(message: str, t: Translator) -> str:
    """A message in ``t``'s language: Problems through the catalog, other text as it is."""
    if not isinstance(message, Problem):
        return message
    if not message.params:
        return t.gettext(message.msgid)
    values = {k: t.gettext(v) if isinstance(v, Term) else v for k, v in message.params.items()}
    return t.format(message.msgid, **values)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (no resubmission on reload)."""
    return RedirectResponse(url, status_code=303)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def whole_number(raw: str) -> int | None:
    """A positive id from a query parameter or a form, or None (empty, or not a number)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


def texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def errors_of(exc: ValidationError | ServiceError) -> Errors:
    """Field name -> message (``""`` for errors that belong to no field). The messages are
    :class:`Problem` s: ``page`` draws them in the reader's language."""
    if isinstance(exc, ServiceError):
        return {exc.field or "": Problem(exc.msgid, dict(exc.params))}
    found: Errors = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        known = VALIDATION_MESSAGES.get(error["type"])
        context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int)}
        # A ValueError a validator raised says what is wrong itself: pydantic's prefix is noise.
        said = str(error["msg"]).removeprefix("Value error, ")
        message = Problem(known, context) if known else Problem(said)
        found.setdefault(location[0] if location else "", message)
    return found


def forget_project_tokens(runtime: Runtime) -> None:
    """Drop cached inbound tokens after a project's token changes or the project goes."""
    cache = getattr(runtime, "tokens", None)
    clear = getattr(cache, "clear", None)
    if callable(clear):
        clear()


def safe_next(target: str | None) -> str:
    """Only paths inside the UI are followed after signing in (no open redirects)."""
    if target and target.startswith("/ui") and not target.startswith("//"):
        return target
    return "/ui/projects"


def client_base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
