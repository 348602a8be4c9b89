"""podman, driven the way scripts/image.sh drives it: the image built (or reused) by that script,
containers started on the host's network, stopped with a signal, always removed.

``podman --runtime runc`` with ``contrib/podman/containers.conf`` (cgroupfs, no default ulimits)
is what works on VMs like the CI machines; a podman that cannot run a container at all is
reported as unavailable (a failure under CI=true), never as a pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SCRIPT = ROOT / "scripts" / "image.sh"
CANNOT_RUN = 3  # scripts/image.sh's exit status when podman or debootstrap is missing
USER_ID = 10001  # the image's user (Containerfile)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(ROOT / "contrib" / "podman" / "containers.conf"))
    return env


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    runtime = ["--runtime", "runc"] if shutil.which("runc") else []
    done = subprocess.run(
        ["podman", *runtime, *args], env=environment(), capture_output=True, text=True, timeout=timeout
    )
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])} … failed ({done.returncode}):\n{done.stderr}")
    return done


def build_image() -> str:
    """The image for this checkout, on the local Debian base (made once per machine); built when
    its inputs changed since the last build on this machine, else reused."""
    if shutil.which("podman") is None:
        unavailable(
            "podman is not installed (make test's set-up installs it as root: scripts/image.sh tools)"
        )
    base = subprocess.run(
        ["bash", str(IMAGE_SCRIPT), "base"], env=environment(), capture_output=True, text=True, timeout=900
    )
    if base.returncode == CANNOT_RUN:
        unavailable(base.stderr.strip())
    assert base.returncode == 0, f"scripts/image.sh base failed:\n{base.stderr}"
    probe = podman("run", "--rm", "--network", "host", base.stdout.strip(), "true", check=False)
    if probe.returncode != 0:
        unavailable(f"podman cannot run a container here: {probe.stderr.strip()}")
    built = subprocess.run(
        ["bash", str(IMAGE_SCRIPT), "build", "local"],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, f"scripts/image.sh build failed:\n{built.stderr}"
    print(built.stderr)  # what was built or reused, how long it took, the size (shown with -s / -rP)
    return built.stdout.strip().splitlines()[-1]


class Container:
    """One container of the image, started detached on the host's network (so it reaches the
    fakes and databases on 127.0.0.1, and the test reaches its port)."""

    def __init__(self, image: str, command: tuple[str, ...], env: dict[str, str], volume: str | None) -> None:
        self.name = f"hookcast-test-{uuid.uuid4().hex[:10]}"
        mounts = ["--volume", f"{volume}:/var/lib/hookcast"] if volume else []
        settings = [item for key, value in env.items() for item in ("--env", f"{key}={value}")]
        podman(
            "run", "--detach", "--name", self.name, "--network", "host", *mounts, *settings, image, *command
        )

    def logs(self) -> str:
        done = podman("logs", self.name, check=False)
        return (done.stdout + done.stderr)[-6000:]

    def running(self) -> bool:
        return self.inspect("{{.State.Running}}") == "true"

    def inspect(self, template: str) -> str:
        return podman("inspect", "--format", template, self.name).stdout.strip()

    def terminate(self, timeout: float) -> int:
        """SIGTERM to the container's PID 1, as ``docker stop`` / ``podman stop`` send it; then
        wait (never escalating to SIGKILL: a container that ignores it fails the test). Its exit
        status."""
        podman("kill", "--signal", "SIGTERM", self.name)
        try:
            waited = podman("wait", self.name, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not stop on SIGTERM:\n{self.logs()}") from None
        return int(waited.stdout.strip())

    def remove(self) -> None:
        podman("rm", "--force", "--volumes", "--time", "0", self.name, check=False)


class Volume:
    """A named volume for the data directory, as users mount it; removed afterwards."""

    def __init__(self) -> None:
        self.name = f"hookcast-test-{uuid.uuid4().hex[:10]}"
        podman("volume", "create", self.name)

    def path(self) -> Path:
        return Path(podman("volume", "inspect", "--format", "{{.Mountpoint}}", self.name).stdout.strip())

    def remove(self) -> None:
        podman("volume", "rm", "--force", self.name, check=False)
