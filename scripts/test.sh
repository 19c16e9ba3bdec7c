#!/usr/bin/env bash
# Install everything the tests need (Debian Chromium, the Python package with its test extras,
# the npm packages the browser tests load) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== installing the Python package and test tools into .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

echo "== installing npm packages (scorm-again, axe-core)"
npm ci --no-audit --no-fund --loglevel=error

# The official XSDs live beside the repository, never in it; tests that need them skip without them.
if [ -z "${ELEARN_SCHEMAS:-}" ] && [ -d ../shared/schemas ]; then
  export ELEARN_SCHEMAS="$(cd ../shared/schemas && pwd)"
fi

echo "== running the tests"
exec .venv/bin/python -m pytest "$@"
