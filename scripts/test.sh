#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check -e ".[test,bench]"
if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing LibreOffice (libreoffice-calc-nogui, python3-uno) for the real-office tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui python3-uno >/dev/null
  else
    echo "LibreOffice is missing and cannot be installed here (not root): its tests will be skipped." >&2
  fi
fi
export XLWINGS_LICENSE_KEY="${XLWINGS_LICENSE_KEY:-noncommercial}"
# Types first: an error fails the run before the slower tests start ([tool.mypy] in pyproject.toml).
python3 -m mypy cpdsheets
exec python3 -m pytest -q "$@"
