"""Where an inbound event lands and under which key (`hookcast.services.inbound_scope`)."""

from __future__ import annotations

import pytest

from hookcast.services.inbound_scope import MAX_KEY_LENGTH, stored_key, target_project
from hookcast.store.tables import Project


def project(project_id: int, path: str | None, *, routes: bool = False) -> Project:
    return Project(id=project_id, name=f"p{project_id}", gitlab_path=path, routes_other_projects=routes)


APP = project(2, "team/app")
BY_PATH = {"team/app": APP}


@pytest.mark.parametrize("path", ["team/app", "someone/else", ""])
def test_a_default_project_keeps_every_event(path: str) -> None:
    own = project(1, None)
    assert target_project(own, path, BY_PATH, named_by_route=False) is own


def test_a_receiver_hands_on_inside_its_scope_only() -> None:
    group = project(1, "team", routes=True)
    assert target_project(group, "team/app", BY_PATH, named_by_route=False) is APP
    assert target_project(group, "team/unlisted", BY_PATH, named_by_route=False) is group
    assert (
        target_project(group, "other/app", {"other/app": project(3, "other/app")}, named_by_route=False)
        is None
    )


def test_a_system_receiver_hands_on_any_path_but_never_on_a_named_route() -> None:
    system = project(1, None, routes=True)
    assert target_project(system, "team/app", BY_PATH, named_by_route=False) is APP
    assert target_project(system, "team/app", BY_PATH, named_by_route=True) is system


def test_a_scoped_project_without_the_flag_keeps_its_scope_and_its_events() -> None:
    group = project(1, "team")
    assert target_project(group, "team/app", BY_PATH, named_by_route=False) is group
    assert target_project(group, "other/x", BY_PATH, named_by_route=True) is None


def test_keys_are_the_submitters_and_never_cut() -> None:
    own = project(1, None, routes=True)
    assert stored_key("abc", own, own) == "abc"
    assert stored_key("abc", own, APP) == "via:1:abc"
    one, two = ("k" * MAX_KEY_LENGTH + suffix for suffix in ("-one", "-two"))
    assert stored_key(one, own, own) != stored_key(two, own, own)
    assert all(len(stored_key(k, own, APP)) <= MAX_KEY_LENGTH for k in (one, two))
    assert stored_key(one, own, own) == stored_key(one, own, own)
    assert stored_key(one, own, APP) != stored_key(one, own, own)
