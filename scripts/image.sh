#!/usr/bin/env bash
# hookcast's container image with podman: the tools, a local Debian base, the build, all idempotent.
#
#   scripts/image.sh tools            install podman, runc and debootstrap when missing (root + apt)
#   scripts/image.sh base             make the local Debian base image when missing; print its name
#   scripts/image.sh build [BASE]     build the image when its inputs changed; print its name
#                                     BASE: auto (default), local, or an image name
#
# The image is tagged by a hash of what goes into it (the build context, as .dockerignore
# selects it, and the base image's id), so an unchanged checkout reuses the image already built
# on this machine: CI's fresh clones included. `auto` tries the Containerfile's default base (the
# slim official Python image) and falls back to the local base when no registry answers.
#
# On VMs like the CI machines podman needs runc, cgroupfs and no default ulimits: this script uses
# `podman --runtime runc` and points CONTAINERS_CONF at contrib/podman/containers.conf unless it is
# set already. Timings and the size go to stderr; the image name alone to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/contrib/podman/containers.conf}"
IMAGE_REPO=localhost/hookcast
BASE_REPO=localhost/hookcast-base
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What the local base holds: python3 (3.11 in bookworm) with venv, CA certificates, tini.
BASE_PACKAGES=python3,python3-venv,ca-certificates,tini,passwd
DEFAULT_BASE=$(sed -n 's/^ARG BASE=//p' Containerfile)
# Builds made before these many newer ones are untagged (their layers freed).
KEEP_BUILDS=3
LOCK_FILE=/var/tmp/hookcast-image.lock
CANNOT_RUN=3 # exit status: podman cannot run here (a test reports it as such, not as a bug)

say() { echo "image: $*" >&2; }

CLEANUP=()
trap 'rm -rf "${CLEANUP[@]}"' EXIT

podman_() {
  if command -v runc >/dev/null 2>&1; then podman --runtime runc "$@"; else podman "$@"; fi
}

cmd_tools() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]} (install them: the container test cannot run without them)"
    return 0
  fi
  say "installing Debian's ${missing[*]} for the container image"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || say "could not install ${missing[*]}"
}

need_podman() {
  if ! command -v podman >/dev/null 2>&1; then
    say "podman is not installed (as root, 'scripts/image.sh tools' installs it; make test does)"
    exit "$CANNOT_RUN"
  fi
}

base_name() {
  local recipe
  recipe="$SUITE minbase $BASE_PACKAGES trimmed:doc,man,info,locale,apt-lists v1"
  echo "$BASE_REPO:$SUITE-$(echo "$recipe" | sha256sum | cut -c1-12)"
}

cmd_base() {
  need_podman
  local name started dir
  name=$(base_name)
  if ! podman_ image exists "$name"; then
    if ! command -v debootstrap >/dev/null 2>&1; then
      say "debootstrap is not installed (as root, 'scripts/image.sh tools' installs it)"
      exit "$CANNOT_RUN"
    fi
    started=$(date +%s)
    dir=$(mktemp -d /var/tmp/hookcast-base.XXXXXX)
    CLEANUP+=("$dir" "$dir.log")
    say "making the local base $name (debootstrap $SUITE from $MIRROR)"
    debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$dir" "$MIRROR" >"$dir.log" 2>&1 ||
      { tail -20 "$dir.log" >&2; rm -f "$dir.log"; say "debootstrap failed"; exit 1; }
    rm -f "$dir.log"
    # What a slim image leaves out: package caches and lists, documentation, translations.
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* \
      "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
    tar -C "$dir" -c . | podman_ import --quiet - "$name" >/dev/null
    say "made $name in $(($(date +%s) - started)) s"
  fi
  echo "$name"
}

# The build context exactly as .dockerignore lets it through, from the files git knows
# (tracked or new, not ignored), into $1.
stage_context() {
  local into=$1 name
  git ls-files -z --cached --others --exclude-standard -- Containerfile .dockerignore pyproject.toml \
    README.md requirements/run.txt src |
    while IFS= read -r -d '' name; do
      [ -f "$name" ] || continue # deleted but not yet staged
      case "$name" in *__pycache__* | *.pyc | src/*.egg-info/*) continue ;; esac
      mkdir -p "$into/$(dirname "$name")"
      cp -p "$name" "$into/$name"
    done
}

cmd_build() {
  need_podman
  local base=${1:-auto} started context base_id digest name size secret=()
  case "$base" in
    local) base=$(cmd_base) ;;
    auto)
      if podman_ image exists "$DEFAULT_BASE" || podman_ pull --quiet "$DEFAULT_BASE" >/dev/null 2>&1; then
        base=$DEFAULT_BASE
      else
        say "no registry answers for $DEFAULT_BASE: using the local Debian base"
        base=$(cmd_base)
      fi
      ;;
  esac
  base_id=$(podman_ image inspect --format '{{.Id}}' "$base")
  context=$(mktemp -d)
  CLEANUP+=("$context")
  stage_context "$context"
  digest=$( (cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum && echo "$base_id") |
    sha256sum | cut -c1-16)
  name="$IMAGE_REPO:build-$digest"
  if podman_ image exists "$name"; then
    say "$name is up to date (its inputs are unchanged)"
  else
    started=$(date +%s)
    # A proxy that re-signs TLS (as on the CI machines) is trusted through the host's CA bundle.
    [ -s /etc/ssl/certs/ca-certificates.crt ] &&
      secret=(--secret id=ca-certificates,src=/etc/ssl/certs/ca-certificates.crt)
    say "building $name on $base"
    podman_ build --quiet --format docker --network host --build-arg BASE="$base" "${secret[@]}" \
      --label org.opencontainers.image.title=hookcast --tag "$name" "$context" >/dev/null
    say "built $name in $(($(date +%s) - started)) s"
    prune_builds
  fi
  podman_ tag "$name" "$IMAGE_REPO:latest"
  size=$(podman_ image inspect --format '{{.Size}}' "$name")
  say "size $((size / 1000000)) MB"
  echo "$name"
}

# Untag the builds older than the newest KEEP_BUILDS, when they are more than an hour old: another
# suite on this machine may be about to run the one it just built. An image a container still uses
# is not removed (no --force).
prune_builds() {
  local keep old
  keep=$(podman_ images --filter "reference=$IMAGE_REPO:build-*" --format '{{.Repository}}:{{.Tag}}' |
    grep ':build-' | head -n "$KEEP_BUILDS" || true)
  old=$(podman_ images --filter "reference=$IMAGE_REPO:build-*" --filter until=1h \
    --format '{{.Repository}}:{{.Tag}}' | grep ':build-' || true)
  comm -23 <(sort <<<"$old") <(sort <<<"$keep") | grep . | xargs -r podman rmi >/dev/null 2>&1 || true
}

main() {
  local command=${1:-build}
  shift || true
  case "$command" in
    tools) cmd_tools ;;
    base | build)
      # One build at a time on a machine: concurrent suites share the base and the layers.
      exec 9>"$LOCK_FILE"
      flock 9
      "cmd_$command" "$@"
      ;;
    *)
      echo "usage: scripts/image.sh tools | base | build [auto|local|IMAGE]" >&2
      exit 2
      ;;
  esac
}

main "$@"
