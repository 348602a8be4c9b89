"""Migration 0007 on SQLite and PostgreSQL, with real rows: ``webhooks.secret_sealed`` and
``keyword`` move into the ``settings`` JSON column (the sealed secret as the token it was), the
delivery still signs with the migrated secret (checked by the fake Feishu bot), and a downgrade
gives the two columns back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.crypto import SecretBox
from hookcast.secret_keys import KEY_FILE_NAME, KeySource
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.migrations import migrate_to

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

SECRET = "SEC-migrated-signing-secret"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


async def insert_webhooks(engine: AsyncEngine, box: SecretBox, url: str) -> dict[str, int]:
    """Three webhooks as revision 0006 stored them: secret and keyword, keyword only, neither."""
    metadata = sa.MetaData()
    async with engine.begin() as connection:
        await connection.run_sync(metadata.reflect, only=["projects", "webhooks"])
        projects, webhooks = metadata.tables["projects"], metadata.tables["webhooks"]
        project_id = (
            await connection.execute(
                projects.insert()
                .values(
                    name="app", token_digest="d" * 64, protected_branches="", created_at=NOW, updated_at=NOW
                )
                .returning(projects.c.id)
            )
        ).scalar_one()
        common: dict[str, Any] = {
            "project_id": project_id,
            "platform": "feishu",
            "url_sealed": box.seal(url),
            "url_redacted": "https://redacted/***",
            "url_digest": "u" * 64,
            "active": True,
            "language": "en",
            "triggers": ["push"],
            "notify_only_broken_pipelines": False,
            "branches_to_be_notified": "all",
            "labels_to_be_notified": "",
            "labels_to_be_notified_behavior": "match_any",
            "direct_messages": False,
            "direct_only": False,
            "mention_people": False,
            "consecutive_failures": 0,
            "created_at": NOW,
            "updated_at": NOW,
        }
        ids: dict[str, int] = {}
        for name, secret, keyword in (
            ("both", box.seal(SECRET), "deploy"),
            ("keyword", None, "ship"),
            ("neither", None, None),
        ):
            row = {**common, "name": name, "secret_sealed": secret, "keyword": keyword}
            ids[name] = (
                await connection.execute(webhooks.insert().values(**row).returning(webhooks.c.id))
            ).scalar_one()
    return ids


async def columns_of(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(
            lambda c: [col["name"] for col in sa.inspect(c).get_columns("webhooks")]
        )
    return set(names)


async def rows(engine: AsyncEngine, *columns: str) -> dict[str, tuple[Any, ...]]:
    table = sa.table(
        "webhooks",
        sa.column("name"),
        *(sa.column(c, sa.JSON() if c == "settings" else None) for c in columns),
    )
    async with engine.connect() as connection:
        found = (await connection.execute(sa.select(table))).all()
    return {row[0]: tuple(row[1:]) for row in found}


async def test_the_settings_move_into_one_column_and_back(engine: AsyncEngine, tmp_path: Path) -> None:
    box = SecretBox(KeySource(None, tmp_path / KEY_FILE_NAME).load_or_create())
    await migrate_to(engine, "0006")
    await insert_webhooks(engine, box, "https://open.feishu.cn/open-apis/bot/v2/hook/abc")
    await migrate_to(engine, "0007")

    assert {"secret_sealed", "keyword"}.isdisjoint(await columns_of(engine))
    moved = {name: values[0] for name, values in (await rows(engine, "settings")).items()}
    assert moved["both"]["plain"] == {"keyword": "deploy"}
    assert box.open(moved["both"]["sealed"]["secret"]) == SECRET
    assert moved["keyword"] == {"plain": {"keyword": "ship"}, "sealed": {}}
    assert moved["neither"] == {"plain": {}, "sealed": {}}

    await migrate_to(engine, "0006", down=True)
    back = await rows(engine, "secret_sealed", "keyword")
    assert "settings" not in await columns_of(engine)
    assert box.open(back["both"][0]) == SECRET and back["both"][1] == "deploy"
    assert back["keyword"] == (None, "ship") and back["neither"] == (None, None)


async def test_delivery_signs_with_the_migrated_secret(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    box = SecretBox(KeySource(None, tmp_path / KEY_FILE_NAME).load_or_create())
    async with FakePlatformServer() as fake:
        bot = fake.add_bot("feishu", secret=SECRET, keyword="deploy")
        await migrate_to(engine, "0006")
        ids = await insert_webhooks(engine, box, bot.url)
        async with running_client(make_settings(database_url, tmp_path)) as client:  # migrates to head
            shown = (await client.get(f"/api/v1/webhooks/{ids['both']}")).json()
            assert shown["settings"] == {"secret": "set", "keyword": "deploy"}
            answer = await client.post(f"/api/v1/webhooks/{ids['both']}/test")
            assert answer.status_code == 200, answer.text
            assert answer.json()["ok"] is True, answer.json()
        assert len(bot.received) == 1
