#!/usr/bin/env bash
# Install Debian's chromium (test.sh calls this when `chromium` is missing). When another apt or dpkg
# process (an unattended upgrade, another install) holds the package lock, wait for it, saying so,
# instead of failing at once: apt's DPkg::Lock::Timeout, ELEARN_APT_LOCK_TIMEOUT seconds (600).
set -euo pipefail

TIMEOUT="${ELEARN_APT_LOCK_TIMEOUT:-600}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
APT=($SUDO apt-get -o "DPkg::Lock::Timeout=$TIMEOUT" -q)

lock_held() {  # true when another process holds the dpkg front-end lock (apt and dpkg take it with fcntl)
  python3 - /var/lib/dpkg/lock-frontend <<'EOF' 2>/dev/null
import fcntl, os, struct, sys
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
except OSError:
    sys.exit(1)
# F_GETLK asks who would block a write lock without taking it (a read-only descriptor can ask).
answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
sys.exit(0 if struct.unpack("hhqqi", answer)[0] != fcntl.F_UNLCK else 1)
EOF
}

echo "== installing Debian chromium"
if lock_held; then
  echo "== another apt or dpkg process holds the package lock: waiting up to ${TIMEOUT} s for it"
fi
# The package lists are fetched only when they do not know chromium yet (a fresh image has none).
policy="$(apt-cache policy chromium 2>/dev/null || true)"
if ! grep -q "Candidate: [0-9]" <<<"$policy"; then
  "${APT[@]}" update
fi
# --no-upgrade: an installed chromium is left as it is (the test of this step must not upgrade it)
DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y --no-upgrade chromium >/dev/null
command -v chromium >/dev/null
echo "== chromium: $(command -v chromium)"
