"""The user directory and the IM apps in the management API (admin bearer tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hookcast.delivery.egress import checking_session
from hookcast.directmessages import MESSENGERS
from hookcast.platforms.base import PlatformName
from hookcast.services import im_apps, people, people_csv
from hookcast.services.errors import Invalid
from hookcast.services.im_apps import ImAppInput, ImAppView
from hookcast.services.people import PersonInput, PersonPatch, PersonView
from hookcast.web.body import BodyTooLarge, read_limited
from hookcast.web.deps import RowId, RuntimeDep, SessionDep, require_admin

router = APIRouter(prefix="/api/v1", tags=["directory"], dependencies=[Depends(require_admin)])

MAX_CSV_BYTES = 5 * 1024 * 1024


class ImportRowError(BaseModel):
    line: int
    message: str


class ImportAnswer(BaseModel):
    created: int
    updated: int
    errors: list[ImportRowError]


# --- people ------------------------------------------------------------------------------


@router.get("/people", response_model=list[PersonView])
async def list_people(
    session: SessionDep, search: Annotated[str | None, Query(max_length=200)] = None
) -> list[PersonView]:
    return [people.view(row) for row in await people.list_all(session, search)]


@router.post("/people", status_code=201, response_model=PersonView)
async def create_person(data: PersonInput, session: SessionDep) -> PersonView:
    return people.view(await people.create(session, data))


@router.get(
    "/people/export",
    response_class=PlainTextResponse,
    summary="Export people as CSV",
    description="The directory in the import's columns (a <platform>_id column for each platform "
    "someone has an id on).",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_people(session: SessionDep) -> Response:
    return await people_download(session)


async def people_download(session: AsyncSession) -> Response:
    """The directory as a CSV file to save (the API's and the UI's export)."""
    return Response(
        people_csv.csv_text(await people.list_all(session)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="people.csv"'},
    )


@router.get("/people/{person_id}", response_model=PersonView)
async def get_person(person_id: RowId, session: SessionDep) -> PersonView:
    return people.view(await people.get(session, person_id))


@router.patch("/people/{person_id}", response_model=PersonView)
async def update_person(person_id: RowId, patch: PersonPatch, session: SessionDep) -> PersonView:
    return people.view(await people.update(session, person_id, patch))


@router.delete("/people/{person_id}", status_code=204)
async def delete_person(person_id: RowId, session: SessionDep) -> Response:
    await people.remove(session, person_id)
    return Response(status_code=204)


@router.post(
    "/people/import",
    response_model=ImportAnswer,
    summary="Import people from CSV",
    description="Body: the CSV itself (text/csv) or a multipart form with a 'file' field. Header "
    "line: some of name,email,mobile,gitlab_username,github_login (at least one of the last four) "
    "and optional <platform>_id columns (slack_id ...). People are matched by email, then mobile, "
    "then GitLab username, then GitHub login, and created or updated; every row that cannot be "
    "imported is reported with its line. The export's file imports unchanged.",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_people(request: Request, session: SessionDep) -> ImportAnswer:
    text = await _csv_text(request)
    report = await people_csv.import_csv(session, text)
    return ImportAnswer(
        created=report.created,
        updated=report.updated,
        errors=[ImportRowError(line=e.line, message=e.message) for e in report.errors],
    )


async def _csv_text(request: Request) -> str:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("send the CSV as the form field 'file'", field="file")
        raw = await upload.read(MAX_CSV_BYTES + 1)
        if len(raw) > MAX_CSV_BYTES:
            raise Invalid("the CSV is over {max} bytes", field="file", max=MAX_CSV_BYTES)
    else:
        try:
            raw = await read_limited(request, MAX_CSV_BYTES)
        except BodyTooLarge as exc:
            raise Invalid(str(exc), field="file") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the CSV must be UTF-8", field="file") from exc


# --- IM apps -----------------------------------------------------------------------------


@router.get("/im-apps", response_model=list[ImAppView])
async def list_im_apps(session: SessionDep) -> list[ImAppView]:
    rows = {row.platform: row for row in await im_apps.list_all(session)}
    return [im_apps.view(platform, rows.get(platform.value)) for platform in MESSENGERS]


@router.get("/im-apps/{platform}", response_model=ImAppView)
async def get_im_app(platform: PlatformName, session: SessionDep) -> ImAppView:
    name = im_apps.supported(platform)
    return im_apps.view(name, await im_apps.find(session, name))


@router.put("/im-apps/{platform}", response_model=ImAppView)
async def put_im_app(
    platform: PlatformName,
    data: ImAppInput,
    session: SessionDep,
    runtime: RuntimeDep,
    validate: Annotated[bool, Query(description="Fetch a token (check scopes) before saving.")] = True,
) -> ImAppView:
    """Save the app's settings; the credentials are checked against the platform first."""
    async with checking_session(runtime.settings.extra_allowed_hosts) as http:
        row = await im_apps.save(
            session,
            platform,
            data,
            box=runtime.box,
            http=http,
            validate=validate,
            extra_hosts=runtime.settings.extra_allowed_hosts,
        )
    return im_apps.view(im_apps.supported(platform), row)


@router.delete("/im-apps/{platform}", status_code=204)
async def delete_im_app(platform: PlatformName, session: SessionDep) -> Response:
    await im_apps.remove(session, platform)
    return Response(status_code=204)
