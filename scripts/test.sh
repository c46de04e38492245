#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# apt-get, waiting (up to APT_LOCK_WAIT seconds) while another apt/dpkg (unattended-upgrades, a
# second CI job) holds its locks instead of failing. DPkg::Lock::Timeout covers the dpkg lock;
# `apt-get update` ignores it for the package-lists lock, so that one is retried here.
APT_LOCK_WAIT="${APT_LOCK_WAIT:-300}"
apt_waiting() {
  local deadline=$((SECONDS + APT_LOCK_WAIT)) err
  err="$(mktemp)"
  until apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" "$@" 2>"$err"; do
    if ! grep -q "Could not get lock\|Unable to lock\|Unable to acquire" "$err" || [ "$SECONDS" -ge "$deadline" ]; then
      cat "$err" >&2; rm -f "$err"; return 1
    fi
    echo "apt is busy (another apt/dpkg holds its lock); waiting..." >&2
    sleep 5
  done
  rm -f "$err"
}
python3 -m pip install -q --disable-pip-version-check -e ".[test,bench]"
if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1 \
   || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing LibreOffice (libreoffice-calc-nogui, python3-uno) and poppler-utils for the real-office tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt_waiting update -qq >/dev/null
    apt_waiting install -y -qq libreoffice-calc-nogui python3-uno poppler-utils >/dev/null
  else
    echo "LibreOffice is missing and cannot be installed here (not root): its tests will be skipped." >&2
  fi
fi
export XLWINGS_LICENSE_KEY="${XLWINGS_LICENSE_KEY:-noncommercial}"
# Types first: an error fails the run before the slower tests start ([tool.mypy] in pyproject.toml).
python3 -m mypy cpdsheets
exec python3 -m pytest -q "$@"
