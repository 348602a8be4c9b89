"""Silences in the UI: every silence (or those reaching one project), in force / to come /
expired, the ones ending within a day marked; a form to make one (pre-filled from the query, which
is what an alert card's "Silence 1 h" button links to: the person signs in and confirms here, the
link carries no secret); expire and delete buttons."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from hookcast.clock import utcnow
from hookcast.events import EventKind
from hookcast.messages.i18n import N_
from hookcast.messages.render import kind_label
from hookcast.services import projects, silences
from hookcast.services.errors import ServiceError
from hookcast.services.silences import SilenceInput
from hookcast.silencing import parse_duration
from hookcast.web.deps import RowId
from hookcast.web.ui import csrf
from hookcast.web.ui.common import Errors, Problem, errors_of, redirect, text, texts, whole_number
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import language_of, page

router = APIRouter()
CsrfDep = Depends(csrf.verify)
DEFAULT_DURATION = "2h"
# The form's list fields (the `EventMatch` field names): one value a line, or comma-separated
# where no value has a comma (alert label matchers may: one a line only).
LISTS_BY_LINE = ("alert_labels",)
LISTS = (
    "actions",
    "refs",
    "labels_any",
    "labels_all",
    "labels_none",
    "paths",
    "actors",
    "actors_not",
    "projects",
    "workflow_status",
    "workflow_stage",
)
# The form's one choice about bots (``bots``): the `EventMatch` flag each value sets.
BOT_CHOICES = {"exclude": "exclude_bots", "only": "only_bots"}
_SPLIT = re.compile(r"[,\n]")


def _match_of(form: FormData) -> dict[str, Any]:
    found: dict[str, Any] = {}
    kinds = texts(form, "kinds")
    if kinds:
        found["kinds"] = kinds
    for name in LISTS_BY_LINE:
        values = [line.strip() for line in text(form, name).splitlines() if line.strip()]
        if values:
            found[name] = values
    for name in LISTS:
        values = [part.strip() for part in _SPLIT.split(text(form, name)) if part.strip()]
        if values:
            found[name] = values
    flag = BOT_CHOICES.get(text(form, "bots"))
    if flag is not None:
        found[flag] = True
    return found


async def _page(
    request: Request,
    session: DbDep,
    *,
    project_id: int | None,
    form: dict[str, Any],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    language = language_of(request)
    every_project = await projects.list_all(session)
    listed = await silences.list_visible(session, project_id, now)
    context = {
        "project_id": project_id,
        "projects": {p.id: p for p in every_project},
        "groups": [(status.value, [s for s in listed if s.status is status]) for status in silences.STATUSES],
        "kinds": [(kind.value, kind_label(kind, language)) for kind in EventKind],
        "form": form,
        "errors": errors or {},
        "created": whole_number(request.query_params.get("created", "")),
    }
    return page(request, "silences.html", context, status_code=status_code)


@router.get("/ui/silences", response_class=HTMLResponse)
async def silence_list(
    request: Request, session: DbDep, _user: UserDep, project: str = "", duration: str = "", comment: str = ""
) -> Response:
    """``project`` narrows the list to that project's silences and the instance-wide ones and
    chooses it in the form; ``match`` (repeatable: Alertmanager label matchers), ``kind``,
    ``duration`` and ``comment`` pre-fill the form."""
    project_id = whole_number(project)
    if project_id is not None:
        await projects.get(session, project_id)
    form = {
        "scope": str(project_id or ""),
        "alert_labels": "\n".join(request.query_params.getlist("match")),
        "kinds": request.query_params.getlist("kind"),
        "duration": duration or DEFAULT_DURATION,
        "comment": comment,
    }
    return await _page(request, session, project_id=project_id, form=form)


@router.post("/ui/silences", dependencies=[CsrfDep])
async def silence_create(request: Request, session: DbDep, user: UserDep) -> Response:
    form = await request.form()
    scope = whole_number(text(form, "scope"))
    shown: dict[str, Any] = {
        name: text(form, name) for name in (*LISTS_BY_LINE, *LISTS, "bots", "duration", "comment")
    }
    shown["scope"] = str(scope or "")
    shown["kinds"] = texts(form, "kinds")
    try:
        minutes = int(parse_duration(text(form, "duration")).total_seconds() // 60)
    except ValueError:
        errors: Errors = {"duration": Problem(N_("Enter a duration like 30m, 1h, 1h30m or 2d."))}
        return await _page(request, session, project_id=scope, form=shown, errors=errors, status_code=422)
    try:
        data = SilenceInput.model_validate(
            {"match": _match_of(form), "duration_minutes": minutes, "comment": text(form, "comment")}
        )
        made = await silences.create(session, scope, data, author=user.username, now=utcnow())
        await session.commit()
    except (ValidationError, ServiceError) as error:
        await session.rollback()
        return await _page(
            request, session, project_id=scope, form=shown, errors=errors_of(error), status_code=422
        )
    where = f"project={scope}&" if scope is not None else ""
    return redirect(f"/ui/silences?{where}created={made.id}")


@router.post("/ui/silences/{silence_id}/expire", dependencies=[CsrfDep])
async def silence_expire(silence_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    row = await silences.get(session, silence_id)
    await silences.expire(session, row, utcnow())
    await session.commit()
    return redirect(_back(request))


@router.post("/ui/silences/{silence_id}/delete", dependencies=[CsrfDep])
async def silence_delete(silence_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    await silences.remove(session, await silences.get(session, silence_id))
    await session.commit()
    return redirect(_back(request))


def _back(request: Request) -> str:
    project_id = whole_number(request.query_params.get("project", ""))
    return f"/ui/silences?project={project_id}" if project_id is not None else "/ui/silences"
