"""How one service runs: where its data lives, its database, its workers and its limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..limits import limit

DEFAULT_DATA = Path("cpdsheets-data")


@dataclass(slots=True)
class Settings:
    data: Path = DEFAULT_DATA  # blobs/, tmp/, secret.key and (by default) cpdsheets.db
    db: str | None = None  # a SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; None: SQLite in data
    workers: int | None = None  # worker processes for jobs; None: one per CPU core
    max_upload_mb: int = 20
    job_seconds: float = 0.0  # one job's time limit; 0: the batch limit FILE_SECONDS
    memory_mb: int | None = None  # one job's memory ceiling; None: the batch limit WORKER_MEMORY_MB
    secure_cookies: bool = False  # set behind a TLS proxy: the session cookie is then sent over https only

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        if not self.job_seconds:
            self.job_seconds = limit("FILE_SECONDS")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb << 20
