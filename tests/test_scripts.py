"""scripts/: test.sh's Chromium step waits for a held apt/dpkg lock instead of failing at once.

The test holds the real dpkg front-end lock the way apt and dpkg do (an fcntl write lock: flock(1) would not
block them) for a few seconds and runs scripts/install-chromium.sh, the step test.sh runs when `chromium` is
missing. Chromium is installed and the package lists know it here, so the step needs no network: apt-get
finds the package up to date once it has the lock.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCK = Path("/var/lib/dpkg/lock-frontend")
HOLD_SECONDS = 4
HOLDER = f"""
import fcntl, os, sys, time
fd = os.open({str(LOCK)!r}, os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep({HOLD_SECONDS})
"""

needs_apt = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("apt-get") or not LOCK.exists() or not shutil.which("chromium"),
    reason="needs root, apt-get, the dpkg lock file and an installed chromium (so that no download is needed)")


def install_step(timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "ELEARN_APT_LOCK_TIMEOUT": "60"}
    return subprocess.run(["bash", str(REPO / "scripts" / "install-chromium.sh")], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_test_sh_installs_chromium_through_the_step_that_waits():
    text = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "bash scripts/install-chromium.sh" in text and "apt-get" not in text


@needs_apt
def test_the_chromium_step_waits_for_a_held_dpkg_lock_and_passes():
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = install_step()
        waited = time.monotonic() - started
        holder_done = holder.poll() is not None
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "another apt or dpkg process holds the package lock: waiting up to 60 s" in result.stdout
    assert holder_done, f"the step ended after {waited:.1f} s while the lock was still held"
    assert "== chromium: " in result.stdout


@needs_apt
def test_without_a_held_lock_the_step_says_nothing_about_waiting():
    result = install_step()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "waiting" not in result.stdout
