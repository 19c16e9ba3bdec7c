#!/usr/bin/env bash
# Install everything the tests need (Debian Chromium, the Python package with its test extras,
# the npm packages the browser tests load) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  bash scripts/install-chromium.sh  # waits for a held apt/dpkg lock, saying so
fi

echo "== installing the Python package and test tools into .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

echo "== installing npm packages (scorm-again, axe-core, @learninglocker/xapi-validation)"
npm ci --no-audit --no-fund --loglevel=error

# Ralph, the LRS the tests start (tests/lrs), pins fastapi, uvicorn and click exactly: it gets its own
# venv, rebuilt only when the marker (what was installed, for which Python) is missing or differs.
RALPH_SPEC="ralph-malph[cli,lrs]==5.1.0 requests"
RALPH_MARKER=".venv-ralph/.elearn-installed"
RALPH_WANTED="$RALPH_SPEC; $(python3 -c 'import sys; print(sys.version.split()[0])')"
if [ "$(cat "$RALPH_MARKER" 2>/dev/null)" != "$RALPH_WANTED" ]; then
  echo "== installing Ralph (the test LRS) into .venv-ralph"
  rm -rf .venv-ralph
  python3 -m venv .venv-ralph
  # shellcheck disable=SC2086 # the spec is a list of requirements
  if ! .venv-ralph/bin/python -m pip install -q $RALPH_SPEC >.venv-ralph/install.log 2>&1; then
    cat .venv-ralph/install.log >&2
    exit 1
  fi
  echo "$RALPH_WANTED" >"$RALPH_MARKER"
fi
export ELEARN_RALPH_PYTHON="$PWD/.venv-ralph/bin/python"

# The official XSDs live beside the repository, never in it; tests that need them skip without them.
if [ -z "${ELEARN_SCHEMAS:-}" ] && [ -d ../shared/schemas ]; then
  export ELEARN_SCHEMAS="$(cd ../shared/schemas && pwd)"
fi

echo "== running the tests"
exec .venv/bin/python -m pytest "$@"
