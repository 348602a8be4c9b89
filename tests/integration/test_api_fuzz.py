"""Property-based fuzzing of every operation in the OpenAPI document (schemathesis), against
hookcast served by uvicorn on 127.0.0.1, on SQLite and PostgreSQL: with an API token and without
one, no answer may be a server error, and with one every answer follows the schema. Examples per
operation are bounded so the module takes about a minute; the corpus (test_bad_input_corpus.py)
holds the hand-picked cases.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from hookcast.app import create_app
from hookcast.runtime import ProcessRole, Runtime
from hookcast.services import api_tokens, projects
from hookcast.services.projects import ProjectInput
from tests.conftest import fresh_postgres_database, make_settings

# Per operation (36 of them), on two databases: the bound that keeps the module under a minute.
AUTHENTICATED_EXAMPLES = 6
STRANGER_EXAMPLES = 2
STARTUP_SECONDS = 60.0


@dataclass
class LiveApi:
    """hookcast on a real port, in a thread of its own, and an API token for it."""

    base_url: str = ""
    token: str = ""
    http: requests.Session = field(default_factory=requests.Session)  # one connection, kept alive
    failure: BaseException | None = None
    started: threading.Event = field(default_factory=threading.Event)
    server: uvicorn.Server | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def sqlite_database(data_dir: Path) -> Any:
    yield f"sqlite+aiosqlite:///{data_dir / 'hookcast.db'}"


async def serve(live: LiveApi, database: AbstractAsyncContextManager[str], data_dir: Path) -> None:
    async with database as url:
        app = create_app(make_settings(url, data_dir), ProcessRole.API)
        port = free_port()
        live.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        serving = asyncio.create_task(live.server.serve())
        while not live.server.started:
            if serving.done():
                serving.result()  # raises what stopped it
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        runtime: Runtime = app.state.runtime
        async with runtime.sessions.begin() as session:
            live.token = (await api_tokens.create(session, "fuzz")).token
            await projects.create(session, ProjectInput(name="fuzzed"))  # ids to find
        live.base_url = f"http://127.0.0.1:{port}"
        live.started.set()
        await serving


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    database = sqlite_database(data_dir) if request.param == "sqlite" else fresh_postgres_database()
    live = LiveApi()

    def run() -> None:
        try:
            asyncio.run(serve(live, database, data_dir))
        except BaseException as exc:  # reported to the test, which is in another thread
            live.failure = exc
            live.started.set()

    thread = threading.Thread(target=run, name=f"hookcast-fuzz-{request.param}", daemon=True)
    thread.start()
    live.started.wait(STARTUP_SECONDS)
    if live.failure is not None:
        if isinstance(live.failure, pytest.skip.Exception):
            raise live.failure
        raise RuntimeError("hookcast did not start") from live.failure
    yield live
    assert live.server is not None
    live.http.close()
    live.server.should_exit = True
    thread.join(STARTUP_SECONDS)


def openapi_document() -> dict[str, Any]:
    """The app's own document (building the app touches no database; serving it does)."""
    document: dict[str, Any] = create_app(make_settings("sqlite+aiosqlite://", Path("."))).openapi()
    return document


# Loaded when the module is: schemathesis' lazy loader (from_fixture) does not run under pytest 9.
schema = schemathesis.openapi.from_dict(openapi_document())


def fuzz(examples: int, *, boundaries: bool) -> settings:
    """``examples`` generated cases per operation; ``boundaries``: schemathesis' coverage phase
    too (each field's edges and wrong types, a few dozen cases more per operation)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples on every run: a failure can be run again
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate] if boundaries else [Phase.generate],
    )


@schema.parametrize()
@fuzz(AUTHENTICATED_EXAMPLES, boundaries=True)
def test_no_operation_is_a_server_error_with_a_token(case: Any, live_api: LiveApi) -> None:
    case.call_and_validate(
        base_url=live_api.base_url,
        session=live_api.http,
        headers={"Authorization": f"Bearer {live_api.token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@pytest.mark.parametrize("live_api", ["sqlite"], indirect=True)  # what refuses them is the same
@schema.parametrize()
@fuzz(STRANGER_EXAMPLES, boundaries=False)
def test_no_operation_is_a_server_error_without_one(case: Any, live_api: LiveApi) -> None:
    """Strangers are refused before their body is read: a few examples say all there is."""
    case.call_and_validate(base_url=live_api.base_url, session=live_api.http, checks=[not_a_server_error])
