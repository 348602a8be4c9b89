"""Small helpers the UI pages share."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from hookcast.runtime import Runtime
from hookcast.services.errors import ServiceError

Errors = dict[str, str]


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (no resubmission on reload)."""
    return RedirectResponse(url, status_code=303)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


def texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def errors_of(exc: ValidationError | ServiceError) -> Errors:
    """Field name -> message (``""`` for errors that belong to no field)."""
    if isinstance(exc, ServiceError):
        return {exc.field or "": exc.message}
    found: Errors = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        found.setdefault(location[0] if location else "", error["msg"])
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
