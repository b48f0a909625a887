"""One writer per database: an exclusive, non-blocking OS file lock on `<database>.lock`.

Every command that writes a database takes it: a crawl (the `crawler.lock.RunLock` extension,
taken before Scrapy starts), `reclean`. The kernel drops the lock when its process ends, however it
ends, so a stale lock file never blocks the next run; the holder's pid is written in the file.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyRunning(RuntimeError):
    """Another process holds the run lock of the same database."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(
            f"another crawl (pid {holder}) holds {path}; "
            "this run exits without touching the database"
        )
        self.path = path
        self.holder = holder


# Locks this process holds, by path: `scrapy crawl` takes the lock before Scrapy starts (so a
# refusal is one log line) and the RunLock extension adopts it (a second flock on the same file
# from the same process would fail against the first).
HELD: dict[Path, FileLock] = {}


class FileLock:
    """An exclusive, non-blocking `flock` on a file, held until `release()` or process exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    @classmethod
    def held_or_new(cls, path: Path) -> FileLock:
        """The lock this process already holds on `path`, or a new (not yet taken) one."""
        return HELD.get(path.resolve()) or cls(path)

    def acquire(self) -> None:
        """Take the lock or raise `AlreadyRunning` at once (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Opened without truncating: the holder's pid stays readable until we own the lock.
        stream = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            stream.seek(0)
            holder = stream.read().strip() or "unknown"
            stream.close()
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AlreadyRunning(self.path, holder) from exc
            raise
        stream.seek(0)
        stream.truncate()
        stream.write(f"{os.getpid()}\n")
        stream.flush()
        self._file = stream
        HELD[self.path.resolve()] = self

    def release(self) -> None:
        """Drop the lock (the file stays: removing it would race with a starting run)."""
        if self._file is not None:
            self._file.truncate(0)  # while still held: the pid must not outlive the run
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
            HELD.pop(self.path.resolve(), None)

    @property
    def held(self) -> bool:
        return self._file is not None
