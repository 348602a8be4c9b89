"""Where the shared test payloads live, and how to read them.

The GitLab fixtures are in ``<repo>/../shared/fixtures/gitlab`` (``index.json`` lists each file with
the ``X-Gitlab-Event`` header GitLab sends with it); set ``HOOKCAST_FIXTURES`` to use another folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"


def gitlab_fixtures_dir() -> Path:
    override = os.environ.get("HOOKCAST_FIXTURES")
    if override:
        return Path(override)
    return REPO_ROOT.parent / "shared" / "fixtures" / "gitlab"


def gitlab_index() -> list[dict[str, str | None]]:
    entries: list[dict[str, str | None]] = json.loads((gitlab_fixtures_dir() / "index.json").read_text())
    return entries


def gitlab_fixtures() -> list[tuple[str, str, bytes]]:
    """Every GitLab fixture as (file relative to the fixtures folder, X-Gitlab-Event header, body)."""
    return [
        (str(entry["file"]), str(entry["x_gitlab_event"]), load_fixture(str(entry["file"])))
        for entry in gitlab_index()
    ]


def load_fixture(name: str) -> bytes:
    """The bytes of one GitLab fixture, e.g. ``load_fixture("docs/push.json")``."""
    return (gitlab_fixtures_dir() / name).read_bytes()


def load_fixture_json(name: str) -> dict[str, object]:
    payload: dict[str, object] = json.loads(load_fixture(name))
    return payload


def load_test_data(relative: str) -> bytes:
    """A file under ``tests/data`` (e.g. ``alertmanager/firing.json``)."""
    return (TEST_DATA / relative).read_bytes()
