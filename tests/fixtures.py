"""The test payloads, all inside this repository, and how to read them.

GitLab bodies come from two places, both named the way the golden files know them:

- ``docs/<file>``: GitLab's documentation examples, which ship in the package as samples
  (``src/hookcast/samples/gitlab/``, read through ``hookcast.samples``);
- ``go-gitlab/<file>``: go-gitlab's test data, kept for the tests only (``tests/data/gitlab/go-gitlab``).

Alertmanager bodies are the package's Alertmanager samples plus the test-only ones in
``tests/data/alertmanager``.

GitHub bodies are GitHub's documented examples (``tests/data/github/<event>/<name>.json``) and
the variants derived from them (``tests/data/github/derived/``); see that folder's README.
"""

from __future__ import annotations

import json
from pathlib import Path

from hookcast.samples import SampleSource, catalogue, read_file

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"
GO_GITLAB = TEST_DATA / "gitlab" / "go-gitlab"
GITHUB = TEST_DATA / "github"
# GitHub's examples of events hookcast does not notify about (answered 202 ignored).
GITHUB_IGNORED = frozenset({"ping/example.json", "star/created.json"})

DOCS = "docs/"
GO = "go-gitlab/"
SAMPLE_ORIGIN_DOCS = "gitlab-docs"


def _docs_entries() -> list[dict[str, str | None]]:
    """One entry per documentation file; the first sample naming a file gives its header (the
    confidential samples reuse the public bodies under another header)."""
    entries: dict[str, dict[str, str | None]] = {}
    for sample in catalogue():
        if sample.origin != SAMPLE_ORIGIN_DOCS or sample.file in entries:
            continue
        entries[sample.file] = {
            "file": DOCS + sample.file.removeprefix("gitlab/"),
            "x_gitlab_event": sample.header,
        }
    return list(entries.values())


def _go_gitlab_entries() -> list[dict[str, str | None]]:
    entries: list[dict[str, str | None]] = json.loads((GO_GITLAB / "index.json").read_text())
    return [{**entry, "file": GO + str(entry["file"])} for entry in entries]


def gitlab_index() -> list[dict[str, str | None]]:
    """Every GitLab body as ``{"file": "docs/push.json", "x_gitlab_event": "Push Hook", ...}``."""
    return _docs_entries() + _go_gitlab_entries()


def gitlab_fixtures() -> list[tuple[str, str, bytes]]:
    """Every GitLab body as (name like ``docs/push.json``, X-Gitlab-Event header, body)."""
    return [
        (str(entry["file"]), str(entry["x_gitlab_event"]), load_fixture(str(entry["file"])))
        for entry in gitlab_index()
    ]


def load_fixture(name: str) -> bytes:
    """The bytes of one GitLab body, e.g. ``load_fixture("docs/push.json")``."""
    if name.startswith(DOCS):
        return read_file("gitlab/" + name.removeprefix(DOCS))
    if name.startswith(GO):
        return (GO_GITLAB / name.removeprefix(GO)).read_bytes()
    raise KeyError(f"no GitLab fixture {name!r}: names start with {DOCS!r} or {GO!r}")


def load_fixture_json(name: str) -> dict[str, object]:
    payload: dict[str, object] = json.loads(load_fixture(name))
    return payload


def alertmanager_payloads() -> dict[str, bytes]:
    """Every Alertmanager body by file stem (``firing``, ``resolved``, ...), sorted by stem."""
    found = {
        Path(sample.file).stem: sample.body()
        for sample in catalogue()
        if sample.source is SampleSource.ALERTMANAGER
    }
    found |= {path.stem: path.read_bytes() for path in (TEST_DATA / "alertmanager").glob("*.json")}
    return dict(sorted(found.items()))


def load_alertmanager(stem: str) -> bytes:
    """One Alertmanager body, e.g. ``load_alertmanager("firing")``."""
    return alertmanager_payloads()[stem]


def github_fixtures(*, ignored: bool = False) -> list[tuple[str, str, bytes]]:
    """Every GitHub body as (name like ``pull_request/opened.json``, X-GitHub-Event header, body),
    sorted by name; the event is the folder's name. ``ignored``: the ones hookcast ignores
    instead of the ones it notifies about."""
    found = []
    for path in sorted(GITHUB.rglob("*.json")):
        name = path.relative_to(GITHUB).as_posix()
        if (name in GITHUB_IGNORED) == ignored:
            found.append((name, path.parent.name, path.read_bytes()))
    return found


def load_github(name: str) -> bytes:
    """One GitHub body, e.g. ``load_github("pull_request/opened.json")``."""
    return (GITHUB / name).read_bytes()
