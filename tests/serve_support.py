"""Shared parts of the service's tests: a real worker runner, a real database (SQLite in the data
folder, and a throwaway PostgreSQL cluster), the service app with two schools and a district, and
the books they upload.

PostgreSQL: ``CPDSHEETS_TEST_PG_URL`` (scripts/test.sh starts a cluster and sets it), else a cluster
started here from the Debian binaries (as the postgres user when run as root); the PostgreSQL
variants skip, with the reason, only when those binaries are missing.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service's libraries are missing: pip install -e '.[serve]'")

from conftest import CLI, run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
PASSWORD = "correct horse 1"


@pytest.fixture(scope="session")
def runner():
    from cpdsheets.doors.web.runner import make_runner

    r = make_runner(2, seconds=120)
    yield r
    r.close()


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server's maintenance database: the given one, or a throwaway cluster."""
    given = os.environ.get("CPDSHEETS_TEST_PG_URL")
    if given:
        yield given
        return
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL binaries (Debian postgresql) are not installed: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="cpdsheets-pg-"))
    as_pg: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(folder, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    subprocess.run([*as_pg, str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "cpdsheets", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://cpdsheets@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_pg_database(server: str) -> tuple[str, str]:
    """A new empty database on the server: (its URL, its name)."""
    import psycopg

    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name, name


def drop_pg_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """None (SQLite in the data folder) or a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("pg_server")
    url, name = fresh_pg_database(server)
    yield url
    drop_pg_database(server, name)


@dataclass
class Tokens:
    a: str  # school 甲 (青禾路小学's account)
    b: str  # school 乙
    district: str


def add_accounts(service) -> Tokens:
    store = service.store
    store.add_account("a", PASSWORD, "甲小学")
    store.add_account("b", PASSWORD, "乙小学")
    store.add_account("d", PASSWORD, "教师发展中心", district=True)
    return Tokens(store.new_token("a"), store.new_token("b"), store.new_token("d"))


def make_app(data: Path, db: str | None, runner, **settings):
    from cpdsheets.doors.web.app import create_app
    from cpdsheets.doors.web.settings import Settings

    return create_app(Settings(data=data, db=db, **settings), runner=runner)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def second_book(tmp_path_factory) -> Path:
    """Another school's book: a generated 15-teacher school."""
    from cpdsheets.samples.synthetic import generate

    return generate(tmp_path_factory.mktemp("books") / "乙校总表.xlsx", teachers=15, rows=600, seed=21)


class Server:
    """`cpdsheets serve` in its own process on a free port; ``start`` waits until it answers and returns
    what it printed."""

    def __init__(self, data: Path, *args: str):
        self.data, self.args = data, args
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.output = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        import httpx

        log = self.data.parent / f"serve-{self.port}-{time.monotonic_ns()}.log"
        self._log = open(log, "w+", encoding="utf-8")
        self.proc = subprocess.Popen([*CLI, "serve", "--data", str(self.data), "--port", str(self.port), *self.args],
                                     stdout=self._log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            assert self.proc.poll() is None, log.read_text(encoding="utf-8")
        else:
            raise AssertionError("the server did not start: " + log.read_text(encoding="utf-8"))
        self._log.flush()
        return log.read_text(encoding="utf-8")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


def add_account_cli(data: Path, user: str, school: str, *extra: str) -> str:
    """`accounts add` (password on stdin) and `accounts token`: the account's token."""
    done = subprocess.run([*CLI, "accounts", "add", user, "--school", school, "--data", str(data), "--password-stdin",
                           *extra],
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    token = run_cli("accounts", "token", user, "--data", data)
    assert token.returncode == 0, token.stderr
    return token.stdout.strip()
