#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml (run after changing a pin there):
#   requirements/run.txt   what `make run` installs: hookcast's dependencies, transitive ones too
#   requirements/test.txt  what `make test` installs: the above plus the `test` extra
# Both carry every file hash PyPI lists for each pinned version (pip installs them with
# --require-hashes) and markers for other platforms (--universal), so one lock serves Linux, macOS
# and Windows. The test lock is resolved under the run lock, so the packages they share have the
# same version in both. uv is pinned here; it lives in a throwaway venv, never in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
PYTHON=${PYTHON:-python3}

tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
"$PYTHON" -m venv "$tool/venv"
"$tool/venv/bin/python" -m pip install --quiet "uv==$UV_VERSION"
uv=("$tool/venv/bin/uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes
  --no-cache --custom-compile-command "bash scripts/lock.sh")

"${uv[@]}" pyproject.toml requirements/tooling.in -o requirements/run.txt
"${uv[@]}" pyproject.toml requirements/tooling.in --extra test -c requirements/run.txt \
  -o requirements/test.txt
echo "lock: wrote requirements/run.txt and requirements/test.txt"
