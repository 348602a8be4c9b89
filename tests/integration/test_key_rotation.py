"""Rotating the key that seals secrets at rest (``hookcast keys rotate|retire``), on SQLite and
PostgreSQL: every kind of sealed value is re-sealed, a rotation stopped half way is finished by a
second run, the older key goes only once nothing needs it, and a running process keeps reading."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from hookcast.cli import app
from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.secret_keys import KEY_FILE_NAME, KeySource, replace_key_file
from hookcast.services import key_rotation, webhook_settings
from hookcast.settings import get_settings
from hookcast.store import migrate
from hookcast.store.db import session_factory
from hookcast.store.directory import ImAppRow
from hookcast.store.feishu_chats import FeishuBotKeys, FeishuBotMessage, FeishuChat
from hookcast.store.sealed import Sealed, sealed_tables
from hookcast.store.tables import Base, Project, Webhook
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook

runner = CliRunner()
Location = tuple[str, str, str, str]  # table.column, row key, setting name ("" for a whole cell)


@pytest.fixture(autouse=True)
def cli_settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings the ``hookcast`` command reads (those of the instance the test made)."""
    monkeypatch.setenv("HOOKCAST_DATABASE_URL", database_url)
    monkeypatch.setenv("HOOKCAST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HOOKCAST_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def hookcast(*args: str, code: int = 0) -> Result:
    """Run the command in a thread (it runs its own event loop), as an administrator would."""
    get_settings.cache_clear()
    result = await asyncio.to_thread(runner.invoke, app, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


def key_file(tmp_path: Path) -> list[bytes]:
    return KeySource(None, tmp_path / KEY_FILE_NAME).read()


async def seal_every_kind(sessions: async_sessionmaker[AsyncSession], box: SecretBox) -> None:
    """Rows holding each kind of sealed value (several of each, so batches of two cross rows)."""
    now = utcnow()
    async with sessions.begin() as session:
        for n in range(3):
            project = Project(
                name=f"p{n}",
                token_digest=f"{n:064d}",
                signing_secret_sealed=box.seal(f"signing-{n}") if n != 1 else None,
                created_at=now,
                updated_at=now,
            )
            session.add(project)
            await session.flush()
            settings = {"plain": {"keyword": "kw"}, "sealed": {"secret": box.seal(f"secret-{n}")}}
            session.add(
                Webhook(
                    project_id=project.id,
                    platform="feishu",
                    url_sealed=box.seal(f"https://open.feishu.cn/open-apis/bot/v2/hook/{n}"),
                    url_redacted="…",
                    url_digest=f"{n:064d}",
                    settings=settings,
                    triggers=["push"],
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add(
                FeishuChat(
                    platform="feishu",
                    chat_id=f"oc_{n}",
                    token_sealed=box.seal(f"chat-{n}"),
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add(
                FeishuBotMessage(
                    platform="feishu",
                    receive_id_type="chat_id",
                    receive_id=f"oc_{n}",
                    purpose="help",
                    card_sealed=box.seal(json.dumps({"card": n})),
                    uuid=f"u{n}",
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
        session.add(
            ImAppRow(
                platform="slack",
                credentials_sealed=box.seal(json.dumps({"bot_token": "xoxb-1"})),
                created_at=now,
                updated_at=now,
            )
        )
        for platform in ("feishu", "lark"):
            session.add(
                FeishuBotKeys(
                    platform=platform,
                    verification_token_sealed=box.seal(f"verify-{platform}"),
                    encrypt_key_sealed=box.seal(f"encrypt-{platform}"),
                    updated_at=now,
                )
            )


async def sealed_values(sessions: async_sessionmaker[AsyncSession]) -> dict[Location, str]:
    """Every sealed value in the database, as stored, by where it is."""
    found: dict[Location, str] = {}
    async with sessions() as session:
        for where in sealed_tables(Base.metadata):
            for column, kind in where.columns:
                rows = (await session.execute(select(where.key, column))).all()
                for key, value in rows:
                    if value is None:
                        continue
                    named = {"": value} if kind is Sealed.VALUE else webhook_settings.sealed_values(value)
                    for name, token in named.items():
                        found[(f"{where.table.name}.{column.name}", str(key), name, "")] = token
    return found


def opened(values: dict[Location, str], box: SecretBox) -> dict[Location, str]:
    return {where: box.open(token) for where, token in values.items()}


@pytest.fixture
async def instance(
    engine: AsyncEngine, tmp_path: Path
) -> tuple[async_sessionmaker[AsyncSession], dict[Location, str]]:
    """A migrated database with its key file, holding sealed values of every kind; and those
    values in clear."""
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    box = SecretBox(KeySource(None, tmp_path / KEY_FILE_NAME).load_or_create())
    await seal_every_kind(sessions, box)
    clear = opened(await sealed_values(sessions), box)
    columns = {where[0] for where in clear}
    declared = {f"{t.table.name}.{c.name}" for t in sealed_tables(Base.metadata) for c, _ in t.columns}
    assert columns == declared, "the test seals a value in every sealed column"
    return sessions, clear


async def test_rotate_reseals_every_secret_with_a_new_key_and_retire_drops_the_old(
    instance: tuple[async_sessionmaker[AsyncSession], dict[Location, str]], tmp_path: Path
) -> None:
    sessions, clear = instance
    (old,) = key_file(tmp_path)
    rotated = await hookcast("keys", "rotate", "--batch-size", "2")
    new, kept = key_file(tmp_path)
    assert kept == old and new != old
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert opened(await sealed_values(sessions), SecretBox([new])) == clear  # the new key alone
    assert re.search(r"^webhooks.url_sealed +3 re-sealed, 0 already on the newest key$", rotated.stdout, re.M)
    assert "webhooks.settings" in rotated.stdout and "projects.signing_secret_sealed" in rotated.stdout
    assert new.decode() not in rotated.output and old.decode() not in rotated.output

    again = await hookcast("keys", "rotate")  # everything is on the newest key: a new rotation
    newer, *older = key_file(tmp_path)
    assert older == [new, old]
    assert "new key written first" in again.stdout
    assert opened(await sealed_values(sessions), SecretBox([newer])) == clear

    retired = await hookcast("keys", "retire")
    assert key_file(tmp_path) == [newer]
    assert "2 older key(s) removed" in retired.stdout
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert opened(await sealed_values(sessions), SecretBox([newer])) == clear
    assert "nothing to retire" in (await hookcast("keys", "retire")).stdout


class CrashingBox(SecretBox):
    """Fails in the middle of a batch after ``seals`` values, as a lost connection would."""

    def __init__(self, keys: list[bytes], seals: int) -> None:
        super().__init__(keys)
        self.seals = seals

    def seal(self, plaintext: str) -> str:
        if self.seals == 0:
            raise ConnectionError("lost")
        self.seals -= 1
        return super().seal(plaintext)


async def test_a_rotation_stopped_half_way_is_finished_by_running_it_again(
    instance: tuple[async_sessionmaker[AsyncSession], dict[Location, str]], tmp_path: Path
) -> None:
    sessions, clear = instance
    (old,) = key_file(tmp_path)
    new = Fernet.generate_key()
    replace_key_file(tmp_path / KEY_FILE_NAME, [new, old])  # what 'rotate' writes first
    with pytest.raises(ConnectionError):
        await key_rotation.reseal(sessions, CrashingBox([new, old], seals=5), batch_size=2)
    half = await key_rotation.survey(sessions, SecretBox([new, old]))
    assert half.older and sum(c.current for c in half.columns.values())
    assert opened(await sealed_values(sessions), SecretBox([new, old])) == clear  # nothing torn

    refused = await hookcast("keys", "retire", code=1)
    assert f"{half.older} value(s) still need an older key" in refused.stderr
    assert key_file(tmp_path) == [new, old]

    finished = await hookcast("keys", "rotate")
    assert "no new key was made" in finished.stdout
    assert key_file(tmp_path) == [new, old]  # the rotation was finished, not started again
    assert (await key_rotation.survey(sessions, SecretBox([new, old]))).older == 0
    assert opened(await sealed_values(sessions), SecretBox([new])) == clear
    await hookcast("keys", "retire")
    assert key_file(tmp_path) == [new]


async def test_with_the_setting_the_administrator_adds_the_key_and_hookcast_reseals(
    instance: tuple[async_sessionmaker[AsyncSession], dict[Location, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HOOKCAST_SECRET_KEY cannot be written by hookcast: it says how, then does the re-sealing."""
    sessions, clear = instance
    (old,) = key_file(tmp_path)
    (tmp_path / KEY_FILE_NAME).unlink()
    monkeypatch.setenv("HOOKCAST_SECRET_KEY", old.decode())
    told = await hookcast("keys", "rotate", code=2)
    assert "first in it, comma-separated (NEW,OLD)" in told.stderr
    new = (await hookcast("keys", "generate")).stdout.strip().encode()
    monkeypatch.setenv("HOOKCAST_SECRET_KEY", f"{new.decode()},{old.decode()}")
    await hookcast("keys", "rotate")
    assert opened(await sealed_values(sessions), SecretBox([new])) == clear
    retired = await hookcast("keys", "retire")
    assert "set HOOKCAST_SECRET_KEY to its first key alone" in retired.stdout
    assert not (tmp_path / KEY_FILE_NAME).exists()


async def test_a_running_process_reads_what_a_rotation_resealed(
    database_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    """No outage: the server started with the old key alone still sends through a webhook whose
    URL and secret the rotation re-sealed (it reads the key file again), and seals with the new
    key from then on."""
    async with running_client(make_settings(database_url, tmp_path)) as client:
        project_id, _ = await create_project(client)
        bot = fake.add_bot("feishu", secret="rotation-secret")
        webhook = await create_webhook(
            client, project_id, platform="feishu", url=bot.url, settings={"secret": "rotation-secret"}
        )
        await hookcast("keys", "rotate")
        tested = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()
        assert tested["ok"] is True, tested
        assert len(bot.received) == 1
        later = await create_webhook(client, project_id, platform="feishu", url=fake.add_bot("feishu").url)
        box = SecretBox(key_file(tmp_path)[:1])
        async with session_factory(client.app.state.runtime.engine)() as session:  # type: ignore[attr-defined]
            row = await session.get(Webhook, later["id"])
            assert row is not None and box.is_current(row.url_sealed)


class EditingBox(SecretBox):
    """While the rotation re-seals project p0's signing secret, another connection tries to
    change that row, as the API could; what happened to it is kept in ``edit``."""

    def __init__(self, keys: list[bytes], edit: Callable[[], str]) -> None:
        super().__init__(keys)
        self._edit = edit
        self.edit: str | None = None

    def seal(self, plaintext: str) -> str:
        if plaintext == "signing-0" and self.edit is None:
            with ThreadPoolExecutor(1) as other:  # another connection, another thread
                self.edit = other.submit(self._edit).result()
        return super().seal(plaintext)


def concurrent_edit(database_url: str) -> Callable[[], str]:
    """Renames project p0 from another connection, waiting at most a moment for its lock."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]

        def edit_sqlite() -> str:
            connection = sqlite3.connect(path, timeout=0.3)
            try:
                connection.execute("UPDATE projects SET name = 'edited' WHERE name = 'p0'")
                connection.commit()
            except sqlite3.OperationalError as exc:
                return f"waited: {exc}"
            finally:
                connection.close()
            return "written"

        return edit_sqlite

    async def edit_postgres() -> str:
        connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute("SET lock_timeout = '300ms'")
            await connection.execute("UPDATE projects SET name = 'edited' WHERE name = 'p0'")
        except asyncpg.LockNotAvailableError as exc:
            return f"waited: {exc}"
        finally:
            await connection.close()
        return "written"

    return lambda: asyncio.run(edit_postgres())


async def test_rows_being_resealed_are_locked_against_a_concurrent_edit(
    instance: tuple[async_sessionmaker[AsyncSession], dict[Location, str]], tmp_path: Path, database_url: str
) -> None:
    """Without the lock, the edit would land between the rotation's read and its write, and be
    overwritten by (or overwrite) the row the rotation wrote back."""
    sessions, clear = instance
    (old,) = key_file(tmp_path)
    new = Fernet.generate_key()
    box = EditingBox([new, old], concurrent_edit(database_url))
    await key_rotation.reseal(sessions, box, batch_size=2)
    assert box.edit is not None and box.edit.startswith("waited"), box.edit
    assert opened(await sealed_values(sessions), SecretBox([new])) == clear
    assert await asyncio.to_thread(concurrent_edit(database_url)) == "written"  # once it is done
