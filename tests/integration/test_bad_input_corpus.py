"""The bad-input corpus (`hostile_corpus/`) against the real app, on SQLite and PostgreSQL.

Every case runs against a known seeded database, one at a time. After each: the answer is not a
5xx (and is among the statuses the case expects, when it names some), ``/healthz`` still answers
200, and the database holds what it should: a refused request changed nothing; an accepted one
changed only the tables its case names, and an accepted event is one whole event (one new row in
``events``, and only deliveries of that event beside it). Every case runs before the test fails,
so the failure lists all of them, with a tally.

The corpus, always the same cases in the same order, runs in ``PARTS`` consecutive slices, each on
a database seeded anew, so the slices run on different xdist workers (whole, the PostgreSQL run
took half a minute on one worker at the end of the suite).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import MetaData, text

from hookcast.app import create_app
from hookcast.runtime import ProcessRole, Runtime
from hookcast.services import api_tokens
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.fixtures import load_fixture
from tests.integration.database_state import TableChange, changes, database_state, reflect
from tests.integration.helpers import create_project, create_webhook
from tests.integration.hostile_corpus import Case, Seed, StreamedBody, corpus
from tests.integration.ui_helpers import ADMIN_PASSWORD, UiClient

PUSH = load_fixture("docs/push.json")
METRICS_TOKEN = "corpus-metrics-token-0123456789"
FEISHU_TOKEN = "corpus-feishu-verification"
LARK_TOKEN = "corpus-lark-verification"
MINIMUM_CASES = 150
PARTS = 4
COVERED_ROUTES = (
    "/hooks/gitlab",
    "/hooks/alertmanager",
    "/hooks/feishu/events",
    "/hooks/lark/events",
    "/api/v1/projects/{id}/events",
    "/metrics",
    "/healthz",
    "/ui/projects",
)


@dataclass
class Corpus:
    http: httpx.AsyncClient
    runtime: Runtime
    cases: list[Case]
    tables: MetaData


async def seed_state(http: httpx.AsyncClient, runtime: Runtime) -> Seed:
    project_a, token_a = await create_project(http, name="corpus-a")
    project_b, token_b = await create_project(http, name="corpus-b")
    webhook = await create_webhook(
        http,
        project_a,
        platform="slack",
        url="https://hooks.slack.com/services/T024BE7LD/B01ABCD2EFG/corpusSeedSecret00000000",
    )
    pushed = await http.post(
        "/hooks/gitlab",
        content=PUSH,
        headers={
            "X-Gitlab-Token": token_a,
            "X-Gitlab-Event": "Push Hook",
            "Content-Type": "application/json",
        },
    )
    assert pushed.status_code == 202, pushed.text
    [delivery] = (await http.get(f"/api/v1/projects/{project_a}/deliveries")).json()
    secret = await http.post(f"/api/v1/projects/{project_b}/signing-secret")
    assert secret.status_code == 200, secret.text
    person = await http.post("/api/v1/people", json={"name": "Seed Person", "gitlab_username": "seed"})
    assert person.status_code == 201, person.text
    for platform, keys in (
        ("feishu", {"verification_token": FEISHU_TOKEN, "encrypt_key": "corpus-encrypt-key"}),
        ("lark", {"verification_token": LARK_TOKEN}),
    ):
        saved = await http.put(f"/api/v1/feishu-bot/{platform}/keys", json=keys)
        assert saved.status_code == 200, saved.text
    async with runtime.sessions.begin() as session:
        token = await api_tokens.create(session, "corpus")
        token_id = token.row.id
    ui = UiClient(http)
    signed_in = await ui.sign_in(password=ADMIN_PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    await ui.get("/ui/projects")  # the form token of the new session
    return Seed(
        project_a=project_a,
        token_a=token_a,
        project_b=project_b,
        token_b=token_b,
        webhook_a=int(str(webhook["id"])),
        delivery_a=int(delivery["id"]),
        person=int(person.json()["id"]),
        api_token_id=token_id,
        admin_token=ADMIN_TOKEN,
        metrics_token=METRICS_TOKEN,
        session_cookie=http.cookies["hookcast_session"],
        csrf_cookie=http.cookies["hookcast_csrf"],
        csrf_token=ui.csrf,
        feishu_verification_token=FEISHU_TOKEN,
        lark_verification_token=LARK_TOKEN,
        signing_secret_b=secret.json()["signing_secret"],
    )


@pytest.fixture
async def seeded(database_url: str, tmp_path: Path) -> AsyncIterator[Corpus]:
    """hookcast serving HTTP only (no worker: nothing changes the database behind the cases)."""
    settings = make_settings(
        database_url, tmp_path, admin_password=ADMIN_PASSWORD, metrics_token=METRICS_TOKEN
    )
    app = create_app(settings, ProcessRole.API)
    async with app.router.lifespan_context(app):
        # An exception the app lets out is answered 500, as a real server does.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://hookcast.test",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as http:
            runtime: Runtime = app.state.runtime
            seed = await seed_state(http, runtime)
            http.cookies.clear()
            del http.headers["Authorization"]
            yield Corpus(http, runtime, corpus(app, seed, PUSH), await reflect(runtime.engine))


async def send(http: httpx.AsyncClient, case: Case) -> httpx.Response:
    body = case.body.chunks() if isinstance(case.body, StreamedBody) else case.body
    request = http.build_request(case.method, case.path, content=body, headers=list(case.headers))
    if isinstance(case.body, StreamedBody):
        request.headers.pop("content-length", None)
    return await http.send(request)


async def whole_event(runtime: Runtime, found: dict[str, TableChange]) -> str | None:
    """Why the writes of an accepted inbound request are not one whole event (None if they are)."""
    events = found.get("events")
    if events is None:
        return None if "deliveries" not in found else "deliveries without an event"
    if len(events.added) != 1 or events.removed or events.changed:
        return f"events: {events}"
    [event_key] = events.added
    deliveries = found.get("deliveries")
    if deliveries is not None and (deliveries.removed or deliveries.changed):
        return f"deliveries changed: {deliveries}"
    async with runtime.engine.connect() as connection:
        of_event = await connection.scalar(
            text("SELECT count(*) FROM deliveries WHERE event_id = :id"),
            {"id": event_key[0]},  # type: ignore[index]
        )
    added = len(deliveries.added) if deliveries is not None else 0
    return None if of_event == added else f"{added} deliveries added, {of_event} for the new event"


async def bot_settled(runtime: Runtime) -> None:
    """Wait until the assistant bot's runner has handled every event pushed so far: it writes
    to its tables in the background, and those writes belong to the case that pushed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    query = text("SELECT count(*) FROM feishu_bot_events WHERE state IN ('pending', 'sending')")
    while True:
        async with runtime.engine.connect() as connection:
            if not await connection.scalar(query):
                return
        if loop.time() > deadline:
            raise AssertionError("the bot runner never handled the events pushed")
        await asyncio.sleep(0.05)


async def problems_of(corpus_run: Corpus, case: Case) -> tuple[int, list[str]]:
    """The answer's status and what is wrong with it."""
    await bot_settled(corpus_run.runtime)
    before = await database_state(corpus_run.runtime.engine, corpus_run.tables)
    answer = await send(corpus_run.http, case)
    found = changes(before, await database_state(corpus_run.runtime.engine, corpus_run.tables))
    problems: list[str] = []
    if answer.status_code >= 500:
        problems.append(f"{answer.status_code}: {answer.text[:200]}")
    elif case.expect is not None and answer.status_code not in case.expect:
        problems.append(f"{answer.status_code}, expected {sorted(case.expect)}: {answer.text[:200]}")
    if found and (answer.status_code >= 400 or not case.may_write):
        problems.append(f"{answer.status_code} but wrote {sorted(found)}: {found}")
    elif found:
        if set(found) - case.may_write:
            problems.append(f"wrote outside {sorted(case.may_write)}: {sorted(found)}")
        elif "events" in case.may_write and (broken := await whole_event(corpus_run.runtime, found)):
            problems.append(broken)
    health = await corpus_run.http.get("/healthz")
    if health.status_code != 200:
        problems.append(f"/healthz answered {health.status_code} after it")
    return answer.status_code, problems


def describe(case: Case) -> str:
    return f"{case.method} {case.path[:80]} [{case.description}]"


def part_of(cases: list[Case], part: int) -> list[Case]:
    """The ``part``-th of ``PARTS`` consecutive slices of the corpus (together: every case once)."""
    return cases[len(cases) * part // PARTS : len(cases) * (part + 1) // PARTS]


@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part{part + 1}of{PARTS}")
async def test_no_bad_input_is_a_5xx_or_half_written(seeded: Corpus, part: int) -> None:
    assert len(seeded.cases) >= MINIMUM_CASES
    covered = {re.sub(r"/-?\d+(?=/|$|\?)", "/{id}", case.path.split("?")[0]) for case in seeded.cases}
    for route in COVERED_ROUTES:
        assert route in covered, route
    assert [case for n in range(PARTS) for case in part_of(seeded.cases, n)] == seeded.cases  # each once
    cases = part_of(seeded.cases, part)
    server_errors = 0
    failures: list[str] = []
    for case in cases:
        status, problems = await problems_of(seeded, case)
        server_errors += status >= 500
        failures += [f"{describe(case)}: {problem}" for problem in problems]
    tally = (
        f"corpus part {part + 1} of {PARTS}: tried {len(cases)}, clean {len(cases) - server_errors},"
        f" 5xx {server_errors}"
    )
    print(tally)
    assert not failures, tally + "\n" + "\n".join(failures)
