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
python3 -m pip install -q --disable-pip-version-check -e ".[test,bench,serve]"
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
# The service's browser tests drive the Debian chromium (Playwright downloads no browser here) and its
# database tests run again on PostgreSQL: both from apt when missing.
pg_initdb() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1; }
if ! command -v chromium >/dev/null 2>&1 || [ -z "$(pg_initdb)" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium, fonts-noto-cjk and postgresql for the service's tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt_waiting update -qq >/dev/null
    apt_waiting install -y -qq chromium fonts-noto-cjk postgresql >/dev/null
  else
    echo "chromium or postgresql is missing and cannot be installed here (not root): those tests will be skipped." >&2
  fi
fi
# A throwaway PostgreSQL cluster on a free port for this run (unless CPDSHEETS_TEST_PG_URL is given):
# initdb in a temp folder, run as the postgres user when we are root (postgres refuses to run as root).
PG_DIR=""
stop_pg() {
  if [ -n "$PG_DIR" ]; then
    as_pg "$(dirname "$(pg_initdb)")/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ -z "${CPDSHEETS_TEST_PG_URL:-}" ] && [ -n "$(pg_initdb)" ]; then
  PG_BIN="$(dirname "$(pg_initdb)")"
  PG_DIR="$(mktemp -d /tmp/cpdsheets-pg.XXXXXX)"
  PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  [ "$(id -u)" = "0" ] && chown postgres "$PG_DIR"
  if as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U cpdsheets -E UTF8 >/dev/null \
     && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/data/server.log" -w \
          -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    export CPDSHEETS_TEST_PG_URL="postgresql+psycopg://cpdsheets@127.0.0.1:$PG_PORT/postgres"
  else
    echo "The throwaway PostgreSQL cluster did not start: the PostgreSQL tests will be skipped." >&2
  fi
fi
trap stop_pg EXIT
export XLWINGS_LICENSE_KEY="${XLWINGS_LICENSE_KEY:-noncommercial}"
# Types first: an error fails the run before the slower tests start ([tool.mypy] in pyproject.toml).
python3 -m mypy cpdsheets
python3 -m pytest -q "$@"  # not exec: the trap stops the PostgreSQL cluster afterwards
