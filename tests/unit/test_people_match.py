"""Who in the directory an event's person is (`services/people_match.py`): a GitHub event's
people by GitHub login first, then e-mail, then (directories filled before people had a GitHub
login) a GitLab username equal to the login on someone without a GitHub login; other events
as before, the GitHub login playing no part. For mentions (`mentions_for`) and direct messages
(`direct_recipients`: who is messaged; the worker finds them with the same rule)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hookcast.delivery.mentions import mentions_for, named_people
from hookcast.directmessages.recipients import direct_recipients
from hookcast.events import Event, EventKind, Person, RelatedUser, Role
from hookcast.preview import parse_source
from hookcast.services.people import PersonInput, clean_github_login
from hookcast.services.people_match import match
from hookcast.store.directory import PersonRow
from tests.fixtures import load_github


def row(id: int, name: str, **handles: str) -> PersonRow:
    return PersonRow(id=id, name=name, platform_ids={"feishu": f"ou_{name.lower()}"}, **handles)


def reviewed(source: str, *people: Person) -> Event:
    """A merge request (pull request) whose review was requested of ``people``."""
    return Event(
        kind=EventKind.MERGE_REQUEST,
        action="review_requested",
        source=source,
        related_users=tuple(RelatedUser(role=Role.REVIEWER, person=p) for p in people),
    )


def mentioned(event: Event, directory: list[PersonRow]) -> list[str]:
    return [mention.name for mention in mentions_for(named_people(event), directory, event.source)]


OCTOCAT = Person(name="The Octocat", username="OctoCat")


def test_a_github_login_finds_its_person_without_regard_to_case() -> None:
    directory = [row(1, "Ann", github_login="octocat"), row(2, "Bob", gitlab_username="bob")]
    assert mentioned(reviewed("github", OCTOCAT), directory) == ["Ann"]
    assert match(directory, OCTOCAT, "github") is directory[0]


def test_for_github_the_login_comes_before_the_email() -> None:
    by_email = row(1, "Ann", email="octo@example.com")
    by_login = row(2, "Bob", github_login="OCTOCAT")
    octocat = OCTOCAT.model_copy(update={"email": "Octo@Example.com"})
    assert match([by_email, by_login], octocat, "github") is by_login
    assert match([by_email], octocat, "github") is by_email, "no login match: the e-mail"


def test_a_gitlab_username_stands_in_only_for_someone_without_a_github_login() -> None:
    before_the_field = row(1, "Ann", gitlab_username="octocat")
    assert mentioned(reviewed("github", OCTOCAT), [before_the_field]) == ["Ann"]
    # Carl's GitHub account is carl-gh: another account that shares his GitLab name is not him.
    carl = row(2, "Carl", gitlab_username="octocat", github_login="carl-gh")
    assert mentioned(reviewed("github", OCTOCAT), [carl]) == []
    # The login of someone else wins over a GitLab username, whoever has the lower id.
    dana = row(3, "Dana", github_login="octocat")
    assert mentioned(reviewed("github", OCTOCAT), [before_the_field, dana]) == ["Dana"]


def test_gitlab_events_are_matched_as_before_and_never_by_github_login() -> None:
    directory = [row(1, "Ann", github_login="octocat"), row(2, "Bob", gitlab_username="OctoCat")]
    gitlab_user = Person(name="Octo", username="octocat")
    assert mentioned(reviewed("gitlab", gitlab_user), directory) == ["Bob"]
    assert mentioned(reviewed("gitlab", gitlab_user), directory[:1]) == []
    by_email = [row(3, "Cy", email="cy@example.com", gitlab_username="cy")]
    both = Person(username="someone-else", email="CY@example.com")
    assert mentioned(reviewed("gitlab", both), by_email) == ["Cy"], "e-mail first, as before"


def test_a_person_named_twice_is_mentioned_once() -> None:
    directory = [row(1, "Ann", github_login="octocat", email="ann@example.com")]
    event = reviewed("github", OCTOCAT, Person(name="Ann", email="ann@example.com"))
    assert mentioned(event, directory) == ["Ann"]


def test_a_github_reviewer_known_by_login_only_is_messaged_directly() -> None:
    event = parse_source(load_github("pull_request/review_requested.json"), "github", "pull_request")
    assert [(p.username, p.email) for p in direct_recipients(event)] == [("octocat", None)]
    twice = reviewed("github", OCTOCAT, Person(name="again", username="octocat"))
    assert [p.name for p in direct_recipients(twice)] == ["The Octocat"]


def test_a_gitlab_reviewer_without_email_or_mobile_is_not_messaged_directly() -> None:
    assert direct_recipients(reviewed("gitlab", Person(name="Octo", username="octocat"))) == ()
    with_email = Person(name="Octo", username="octocat", email="octo@example.com")
    assert direct_recipients(reviewed("gitlab", with_email)) == (with_email,)


@pytest.mark.parametrize("login", ["a", "octocat", "Octo-Cat", "a1-b2-c3", "x" * 39, "@octocat"])
def test_github_logins(login: str) -> None:
    assert clean_github_login(login) == login.lstrip("@")
    assert PersonInput(github_login=f"  {login} ").github_login == login.lstrip("@")


@pytest.mark.parametrize(
    "login", ["-octocat", "octocat-", "octo--cat", "octo_cat", "octo.cat", "x" * 40, "o c"]
)
def test_what_is_not_a_github_login(login: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PersonInput(github_login=login)
    [error] = caught.value.errors()
    assert error["type"] == "github_login" and "not a GitHub login" in error["msg"]
