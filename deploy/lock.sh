#!/usr/bin/env bash
# Pin every dependency, with hashes, from pyproject.toml:
#   deploy/requirements.lock      what the image installs (the postgres, slack and discord extras)
#   deploy/requirements-dev.lock  what CI installs before the README's test command
# `deploy/lock.sh` rewrites both; `deploy/lock.sh --check` fails if either is out of step with
# pyproject.toml (CI runs it). Resolution ignores anything published after EXCLUDE_NEWER, so the
# same pyproject.toml always gives the same lock; move the date forward to take newer releases.
set -euo pipefail
cd "$(dirname "$0")/.."
EXCLUDE_NEWER=2026-12-01T00:00:00Z

compile() {  # $1 output, then extras
  local out=$1; shift
  local extras=()
  for extra in "$@"; do extras+=(--extra "$extra"); done
  uv pip compile pyproject.toml "${extras[@]}" --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --exclude-newer "$EXCLUDE_NEWER" --generate-hashes --no-header --quiet -o "$out"
}

if [[ ${1:-} == --check ]]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  compile "$tmp/requirements.lock" postgres slack discord
  compile "$tmp/requirements-dev.lock" dev
  status=0
  for lock in requirements.lock requirements-dev.lock; do
    if ! diff -q "deploy/$lock" "$tmp/$lock" >/dev/null; then
      echo "deploy/$lock is out of step with pyproject.toml: run deploy/lock.sh and commit the result" >&2
      status=1
    fi
  done
  exit $status
fi
compile deploy/requirements.lock postgres slack discord
compile deploy/requirements-dev.lock dev
echo "wrote deploy/requirements.lock and deploy/requirements-dev.lock"
