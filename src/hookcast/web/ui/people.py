"""The user directory (``/ui/people``): list with search, add, edit, delete, CSV import with
every bad row reported by its line, and CSV export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from hookcast.platforms import PLATFORMS
from hookcast.services import people, people_csv
from hookcast.services.errors import Invalid, ServiceError
from hookcast.services.people import HANDLES, PersonInput, PersonPatch
from hookcast.services.people_csv import CSV_COLUMNS, ID_SUFFIX, ImportReport
from hookcast.web.deps import RowId
from hookcast.web.directory import MAX_CSV_BYTES, people_download
from hookcast.web.ui import csrf
from hookcast.web.ui.common import Errors, errors_of, redirect, text
from hookcast.web.ui.sessions import DbDep, UserDep
from hookcast.web.ui.templating import page

router = APIRouter()
CsrfDep = Depends(csrf.verify)
FIELDS = ("name", *HANDLES)
CSV_HEADER = ",".join([*CSV_COLUMNS, *(f"{p.value}{ID_SUFFIX}" for p in PLATFORMS)])


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        **{name: text(form, name) for name in FIELDS},
        "platform_ids": {p.value: text(form, f"id_{p.value}") for p in PLATFORMS},
    }


def _values_of(person: people.PersonView) -> dict[str, Any]:
    return {
        **{name: getattr(person, name) or "" for name in FIELDS},
        "platform_ids": {p.value: person.platform_ids.get(p.value, "") for p in PLATFORMS},
    }


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The service's input: empty handles are none, empty platform ids left out."""
    return {
        **{name: values[name] or None for name in FIELDS},
        "name": values["name"],
        "platform_ids": {k: v for k, v in values["platform_ids"].items() if v},
    }


async def _people_page(
    request: Request,
    session: DbDep,
    *,
    errors: Errors | None = None,
    form: dict[str, Any] | None = None,
    report: ImportReport | None = None,
    import_error: str | None = None,
    status_code: int = 200,
) -> Response:
    search = request.query_params.get("search", "").strip()[:200]
    listed = [people.view(row) for row in await people.list_all(session, search or None)]
    context: dict[str, Any] = {
        "people": listed,
        "search": search,
        "platforms": list(PLATFORMS.values()),
        "errors": errors or {},
        "form": form or {"platform_ids": {}},
        "report": report,
        "import_error": import_error,
        "csv_header": CSV_HEADER,
        "notice": request.query_params.get("notice", ""),
    }
    return page(request, "people.html", context, status_code=status_code)


@router.get("/ui/people", response_class=HTMLResponse)
async def people_list(request: Request, session: DbDep, _user: UserDep) -> Response:
    return await _people_page(request, session)


@router.post("/ui/people", dependencies=[CsrfDep])
async def person_create(request: Request, session: DbDep, _user: UserDep) -> Response:
    values = _form_values(await request.form())
    try:
        await people.create(session, PersonInput(**_fields(values)))
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        return await _people_page(request, session, errors=errors_of(exc), form=values, status_code=422)
    return redirect("/ui/people?notice=added")


@router.post("/ui/people/import", dependencies=[CsrfDep])
async def people_import(request: Request, session: DbDep, _user: UserDep) -> Response:
    try:
        report = await people_csv.import_csv(session, await _csv_text(await request.form()))
        await session.commit()
    except ServiceError as exc:
        await session.rollback()
        return await _people_page(request, session, import_error=exc.message, status_code=422)
    return await _people_page(request, session, report=report)


@router.get("/ui/people/export.csv")
async def people_export(session: DbDep, _user: UserDep) -> Response:
    return await people_download(session)


def _person_page(
    request: Request,
    person: people.PersonView,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    context = {"person": person, "form": values, "errors": errors, "platforms": list(PLATFORMS.values())}
    return page(request, "person.html", context, status_code=status_code)


@router.get("/ui/people/{person_id}", response_class=HTMLResponse)
async def person_show(person_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    person = people.view(await people.get(session, person_id))
    return _person_page(request, person, _values_of(person), {})


@router.post("/ui/people/{person_id}", dependencies=[CsrfDep])
async def person_update(person_id: RowId, request: Request, session: DbDep, _user: UserDep) -> Response:
    values = _form_values(await request.form())
    try:
        await people.update(session, person_id, PersonPatch(**_fields(values)))
        await session.commit()
    except (ValidationError, ServiceError) as exc:
        await session.rollback()
        person = people.view(await people.get(session, person_id))
        return _person_page(request, person, values, errors_of(exc), status_code=422)
    return redirect("/ui/people?notice=saved")


@router.post("/ui/people/{person_id}/delete", dependencies=[CsrfDep])
async def person_delete(person_id: RowId, session: DbDep, _user: UserDep) -> Response:
    await people.remove(session, person_id)
    await session.commit()
    return redirect("/ui/people?notice=deleted")


async def _csv_text(form: FormData) -> str:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid("choose a CSV file", field="file")
    raw = await upload.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise Invalid("the CSV is over {max} bytes", field="file", max=MAX_CSV_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the CSV must be UTF-8", field="file") from exc
