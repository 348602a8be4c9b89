"""A key rotation re-seals the columns the tables declare sealed: a sealed column left
undeclared, or a table the rotation does not load, would keep needing the old key (and be lost
when it is retired)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import hookcast
from hookcast.services import key_rotation
from hookcast.store.sealed import Sealed, sealed_tables
from hookcast.store.tables import Base

EVERY_TABLE = {"projects", "webhooks", "im_apps", "feishu_chats", "feishu_bot_keys", "feishu_bot_messages"}


def test_every_sealed_column_is_declared_so() -> None:
    declared = {(t.table.name, c.name): kind for t in sealed_tables(Base.metadata) for c, kind in t.columns}
    named = {
        (t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns if c.name.endswith("_sealed")
    }
    assert named <= set(declared)
    assert declared[("webhooks", "settings")] is Sealed.SETTINGS
    assert {table for table, _ in declared} == EVERY_TABLE


def test_the_rotation_alone_knows_every_sealed_table() -> None:
    """In a fresh interpreter, as 'hookcast keys rotate' runs: nothing else imported the tables."""
    code = (
        "import json, hookcast.services.key_rotation as k;"
        "print(json.dumps([t.table.name for t in k.sealed()]))"
    )
    source = str(Path(hookcast.__file__).parents[1])  # this checkout's code, not an installed one
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": source},
    )
    assert set(json.loads(done.stdout)) == EVERY_TABLE
    assert {t.table.name for t in key_rotation.sealed()} == EVERY_TABLE
