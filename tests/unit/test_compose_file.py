"""compose.yaml, the Containerfile and the README's container sections name only what hookcast has.

compose.yaml cannot run here (no PostgreSQL or Redis image can be pulled), so it is read instead:
every hookcast service runs a real command of the CLI, every ``HOOKCAST_*`` variable it sets is a
setting (or a listening option's variable), every port it publishes is the one the image listens
on, and the README's "Scale out with compose" section names the same settings. The image's own
facts (user, volume, port, health check, init) are read from the Containerfile the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer import _click as click  # Typer's own copy of Click, whose types its groups use
from typer.core import TyperGroup

from hookcast.cli import app
from hookcast.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
CONTAINERFILE = (ROOT / "Containerfile").read_text()
README = (ROOT / "README.md").read_text()
COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, TyperGroup)
CLI: TyperGroup = COMMAND
ROLES = {"serve", "api", "worker", "migrate"}
VARIABLE = re.compile(r"\bHOOKCAST_[A-Z_]+\b")
INTERPOLATED = re.compile(r"\$\{([A-Z_]+)")


def listening_variables() -> set[str]:
    """The variables of ``serve``'s and ``api``'s options (``--host`` / ``--port``)."""
    found: set[str] = set()
    for role in ("serve", "api"):
        command = CLI.get_command(click.Context(CLI), role)
        assert command is not None
        for param in command.params:
            envvar = getattr(param, "envvar", None)
            found |= {envvar} if isinstance(envvar, str) else set(envvar or ())
    return found


SETTINGS = {f"HOOKCAST_{name.upper()}" for name in Settings.model_fields}
HOOKCAST_VARIABLES = SETTINGS | listening_variables()


def instruction(name: str) -> list[str]:
    """The arguments of each ``NAME …`` line of the Containerfile's final stage (the image that
    runs), continuations joined."""
    final = CONTAINERFILE.rsplit("\nFROM ", 1)[1]
    joined = final.replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.+)$", joined, re.MULTILINE)]


def image_env() -> dict[str, str]:
    (env,) = instruction("ENV")
    return dict(re.findall(r"(\w+)=(\S+)", env))


def hookcast_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in COMPOSE["services"].items()
        if str(service.get("image", "")).startswith("localhost/hookcast")
    }


def readme_section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def test_the_listening_options_read_their_variables() -> None:
    assert listening_variables() == {"HOOKCAST_HOST", "HOOKCAST_PORT"}


def test_the_image_runs_hookcast_under_tini_as_an_unprivileged_user_with_its_data_in_a_volume() -> None:
    env = image_env()
    assert set(VARIABLE.findall(" ".join(env))) <= HOOKCAST_VARIABLES
    assert instruction("VOLUME") == [env["HOOKCAST_DATA_DIR"]]
    assert instruction("EXPOSE") == [env["HOOKCAST_PORT"]]
    (user,) = instruction("USER")
    assert not user.startswith(("0", "root")), "not root"
    assert instruction("ENTRYPOINT") == ['["/usr/local/bin/tini", "--", "hookcast"]']
    assert instruction("CMD") == ['["serve"]']
    (check,) = instruction("HEALTHCHECK")
    assert "/healthz" in check and "HOOKCAST_PORT" in check
    assert env["HOOKCAST_HOST"] == "0.0.0.0"  # noqa: S104 (inside the container: every interface)


def test_compose_runs_migrate_two_apis_and_two_workers_of_the_image() -> None:
    services = hookcast_services()
    commands = {name: service["command"] for name, service in services.items()}
    for name, command in commands.items():
        assert command[0] in CLI.list_commands(click.Context(CLI)), f"{name}: no command {command[0]}"
        assert command[0] in ROLES, f"{name}: {command[0]} is no role"
    apis = [name for name, command in commands.items() if command == ["api"]]
    workers = sum(
        services[name].get("deploy", {}).get("replicas", 1)
        for name, command in commands.items()
        if command == ["worker"]
    )
    assert len(apis) == 2 and workers == 2
    made = re.search(r"^IMAGE_REPO=(\S+)$", (ROOT / "scripts" / "image.sh").read_text(), re.MULTILINE)
    assert made and {service["image"] for service in services.values()} == {f"{made[1]}:latest"}
    assert [name for name, command in commands.items() if command == ["migrate"]] == ["migrate"]
    for name in [*apis, "worker"]:
        needs = services[name]["depends_on"]
        assert needs["migrate"] == {"condition": "service_completed_successfully"}, name


@pytest.mark.parametrize("name", sorted(hookcast_services()))
def test_every_variable_compose_gives_hookcast_is_one_it_has(name: str) -> None:
    environment = hookcast_services()[name]["environment"]
    unknown = set(environment) - HOOKCAST_VARIABLES
    assert unknown == set(), f"{name} sets variables hookcast does not read"


def test_compose_asks_only_for_hookcasts_variables_and_the_database_password() -> None:
    asked = set(INTERPOLATED.findall((ROOT / "compose.yaml").read_text()))
    assert asked - HOOKCAST_VARIABLES == {"POSTGRES_PASSWORD"}


def test_the_urls_point_at_the_services_of_the_file() -> None:
    environment = hookcast_services()["api-1"]["environment"]
    database = re.match(
        r"postgresql\+asyncpg://(\w+):[^@]+@(\w+)/(\w+)$", environment["HOOKCAST_DATABASE_URL"]
    )
    assert database, environment["HOOKCAST_DATABASE_URL"]
    db = COMPOSE["services"][database[2]]["environment"]
    assert (db["POSTGRES_USER"], db["POSTGRES_DB"]) == (database[1], database[3])
    redis = re.match(r"redis://(\w+):6379/0$", environment["HOOKCAST_REDIS_URL"])
    assert redis and redis[1] in COMPOSE["services"]


def test_published_ports_and_health_checks_are_the_images_port() -> None:
    port = image_env()["HOOKCAST_PORT"]
    for name, service in hookcast_services().items():
        for mapping in service.get("ports", []):
            assert mapping.rsplit(":", 1)[1] == port, name
        check = service.get("healthcheck", {})
        if service["command"] == ["api"]:
            assert f"127.0.0.1:{port}/healthz" in " ".join(check["test"]), name
        else:
            assert check == {"disable": True}, f"{name} serves no HTTP: the image's check cannot pass"
    published = [m.split(":")[0] for s in hookcast_services().values() for m in s.get("ports", [])]
    assert len(published) == len(set(published)), "each API on its own host port"


def test_the_readme_scale_out_section_names_the_settings_compose_gives() -> None:
    section = readme_section("Scale out with compose")
    given = {key for service in hookcast_services().values() for key in service["environment"]}
    assert set(VARIABLE.findall(section)) == given
    for asked in INTERPOLATED.findall((ROOT / "compose.yaml").read_text()):
        assert f"`{asked}`" in section, f"the .env table lacks {asked}"


def test_the_readme_image_table_names_real_settings_with_the_images_values() -> None:
    section = readme_section("Run with Docker / Podman")
    rows = dict(re.findall(r"^\| `(HOOKCAST_\w+)` \| ([^|]+) \|", section, re.MULTILINE))
    assert set(rows) <= HOOKCAST_VARIABLES
    for variable, value in image_env().items():
        if variable.startswith("HOOKCAST_"):
            assert f"`{value}`" in rows[variable], variable
    assert set(VARIABLE.findall(section)) <= HOOKCAST_VARIABLES
