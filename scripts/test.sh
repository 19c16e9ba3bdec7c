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

# Programs the tests start that pin their own dependencies each get their own venv, rebuilt only when the
# marker (what was installed, for which Python) is missing or differs: Ralph, the LRS (tests/lrs), pins
# fastapi, uvicorn and click exactly; scormhost and wagtail-lms are the real LMSs (tests/reallms).
PYTHON_VERSION="$(python3 -c 'import sys; print(sys.version.split()[0])')"
own_venv() {  # own_venv DIR LABEL REQUIREMENTS...
  local dir="$1" label="$2"; shift 2
  local wanted="$*; $PYTHON_VERSION"
  if [ "$(cat "$dir/.elearn-installed" 2>/dev/null)" != "$wanted" ]; then
    echo "== installing $label into $dir"
    rm -rf "$dir"
    python3 -m venv "$dir"
    if ! "$dir/bin/python" -m pip install -q "$@" >"$dir/install.log" 2>&1; then
      cat "$dir/install.log" >&2
      exit 1
    fi
    echo "$wanted" >"$dir/.elearn-installed"
  fi
}
own_venv .venv-ralph "Ralph (the test LRS)" "ralph-malph[cli,lrs]==5.1.0" requests
own_venv .venv-scormhost "scormhost (a real LMS)" "scormhost==0.1.*"
own_venv .venv-wagtail-lms "wagtail-lms (a real LMS)" "wagtail-lms==0.11.*" "wagtail==8.0.*" "django==5.2.*"
export ELEARN_RALPH_PYTHON="$PWD/.venv-ralph/bin/python"
export ELEARN_SCORMHOST_PYTHON="$PWD/.venv-scormhost/bin/python"
export ELEARN_WAGTAIL_PYTHON="$PWD/.venv-wagtail-lms/bin/python"

# The official XSDs live beside the repository, never in it; tests that need them skip without them.
if [ -z "${ELEARN_SCHEMAS:-}" ] && [ -d ../shared/schemas ]; then
  export ELEARN_SCHEMAS="$(cd ../shared/schemas && pwd)"
fi

echo "== running the tests"
exec .venv/bin/python -m pytest "$@"
