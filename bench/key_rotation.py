"""How long ``hookcast keys rotate`` takes, and what watching the key file costs a seal.

Fills a fresh database (SQLite in a temporary folder, or the PostgreSQL database given with
``--database-url``: it must be empty) with ``--webhooks`` webhooks, each with a sealed URL and a
sealed signing secret, then re-seals them all with a new key as the command does. Printed: values
re-sealed per second, and microseconds per ``SecretBox.seal`` with and without the key-file
watch (the ``stat`` a running process makes before each seal).

    .venv/bin/python bench/key_rotation.py
    .venv/bin/python bench/key_rotation.py --webhooks 20000 --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import timeit
from pathlib import Path

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.secret_keys import KEY_FILE_NAME, KeySource, new_key, replace_key_file
from hookcast.services import key_rotation
from hookcast.store import migrate
from hookcast.store.db import create_engine, session_factory
from hookcast.store.tables import Project, Webhook


async def rotate(database_url: str, folder: Path, webhooks: int, batch_size: int) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        old = new_key()
        box = SecretBox([old])
        now = utcnow()
        async with sessions.begin() as session:
            project = Project(name="bench", token_digest="0" * 64, created_at=now, updated_at=now)
            session.add(project)
            await session.flush()
            for n in range(webhooks):
                session.add(
                    Webhook(
                        project_id=project.id,
                        platform="feishu",
                        url_sealed=box.seal(f"https://open.feishu.cn/open-apis/bot/v2/hook/{n:036d}"),
                        url_redacted="…",
                        url_digest=f"{n:064d}",
                        settings={"plain": {}, "sealed": {"secret": box.seal(f"secret-{n}")}},
                        triggers=["push"],
                        created_at=now,
                        updated_at=now,
                    )
                )
        keys = [new_key(), old]
        replace_key_file(folder / KEY_FILE_NAME, keys)
        started = time.perf_counter()
        tally = await key_rotation.reseal(sessions, SecretBox(keys), batch_size=batch_size)
        took = time.perf_counter() - started
        print(f"re-sealed {tally.older} values in {took:.2f} s: {tally.older / took:,.0f} values/s")
    finally:
        await engine.dispose()


def seal_cost(folder: Path) -> None:
    replace_key_file(folder / KEY_FILE_NAME, [new_key()])
    source = KeySource(None, folder / KEY_FILE_NAME)
    plain = SecretBox(source.read())
    watched = SecretBox(source.read(), watch=source.watch())
    for name, box in (("without watch", plain), ("with watch", watched)):
        runs = 20000
        seconds = min(
            timeit.repeat(lambda b=box: b.seal("https://example.test/hook/token"), number=runs, repeat=5)
        )
        print(f"seal {name}: {seconds / runs * 1e6:.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=key_rotation.BATCH_SIZE)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or f"sqlite+aiosqlite:///{folder / 'hookcast.db'}"
        asyncio.run(rotate(url, folder, args.webhooks, args.batch_size))
        seal_cost(folder)


if __name__ == "__main__":
    main()
