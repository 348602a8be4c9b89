"""Which project an inbound event lands in, and under which idempotency key (see README "One
token for many projects"). A project's token reaches its own project only, unless the admin
made the project a group / system hook receiver (``routes_other_projects``): otherwise any
token could post into another project's chats, or mark that project's real event ids as seen
(issue 13, High 1). Pure: the caller looks the projects up."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from hookcast.services.projects import in_scope
from hookcast.store.tables import Project

# The events table's column width; longer keys are stored as a readable head and a digest.
MAX_KEY_LENGTH = 200
_KEY_HEAD = 100


def target_project(
    submitter: Project, path: str, by_path: Mapping[str, Project], *, named_by_route: bool
) -> Project | None:
    """The project an event of GitLab project ``path`` goes to, or None when ``path`` is outside
    the submitter's scope (kept as ignored). A route that names the project
    (``named_by_route``) is never overruled by the body. Only a receiver of other projects'
    events hands an event on, to the project with exactly that path; every other event stays
    with its submitter."""
    if not in_scope(submitter.gitlab_path, path):
        return None
    if named_by_route or not submitter.routes_other_projects:
        return submitter
    return by_path.get(path, submitter)


def stored_key(key: str, submitter: Project, target: Project) -> str:
    """``key`` as stored for ``target``: prefixed by the submitter when it delivers into another
    project, so that its ids never collide with the target's own; hashed when too long for
    the column, so that two keys sharing a long prefix stay two events."""
    if target.id != submitter.id:
        key = f"via:{submitter.id}:{key}"
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[:_KEY_HEAD]}~sha256:{digest}"
