"""Private redis-server and PostgreSQL instances for tests, on free loopback ports.

Each service runs from the Debian binaries in a temporary directory of its own and is stopped and
removed afterwards; nothing touches a system-wide server. PostgreSQL refuses to run as root, so
as root the cluster is created and run as the `postgres` system user (via `runuser`).
`find_*` return None when a binary is missing so tests can skip with a visible reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
INSTALL_HINT = "install them with scripts/ci-services.sh (Debian: redis-server, postgresql)"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(
    port: int, timeout: float = 20.0, process: subprocess.Popen | None = None
) -> None:
    """Block until something accepts connections on 127.0.0.1:port, or raise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def find_redis_server() -> str | None:
    """Path of the redis-server binary, or None."""
    return shutil.which("redis-server")


def find_pg_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl (PATH first, then Debian's versioned dirs), or None."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    for bindir in sorted(glob.glob(PG_BIN_GLOB), reverse=True):
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    return None


def postgres_run_as() -> str | None:
    """The user to run PostgreSQL as: None for a non-root caller, else a system user that exists."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


@dataclass
class RedisService:
    """A running private redis-server."""

    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextlib.contextmanager
def redis_service() -> Iterator[RedisService]:
    """Start redis-server on a free port, no persistence; stop it on exit."""
    binary = find_redis_server()
    if binary is None:
        raise FileNotFoundError(f"redis-server not found; {INSTALL_HINT}")
    workdir = tempfile.mkdtemp(prefix="cleannews-redis-")
    port = free_port()
    command = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", workdir, "--daemonize", "no", "--loglevel", "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process=process)
        yield RedisService(port=port, process=process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class PostgresService:
    """A running private PostgreSQL cluster with one database, on TCP with trust auth."""

    port: int
    user: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"


def _as_user(command: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


@contextlib.contextmanager
def postgres_service(database: str = "cleannews") -> Iterator[PostgresService]:
    """initdb + pg_ctl a throwaway cluster on a free port, create `database`; remove it on exit."""
    bindir = find_pg_bindir()
    if bindir is None:
        raise FileNotFoundError(f"initdb/pg_ctl not found; {INSTALL_HINT}")
    run_as = postgres_run_as()
    # Not under pytest's tmp_path: its parents are private to root, and the cluster may run as
    # another user, who needs to reach the directory.
    workdir = Path(tempfile.mkdtemp(prefix="cleannews-pg-"))
    datadir = workdir / "data"
    if run_as:
        pw = pwd.getpwnam(run_as)
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
    port = free_port()
    superuser = "cleannews"
    try:
        subprocess.run(
            _as_user(
                [str(bindir / "initdb"), "-D", str(datadir), "-U", superuser, "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                run_as,
            ),
            check=True, capture_output=True, cwd=workdir,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            _as_user(
                [str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options,
                 "-l", str(workdir / "server.log"), "-w", "-t", "30", "start"],
                run_as,
            ),
            check=True, capture_output=True, cwd=workdir,
        )
        try:
            wait_for_port(port)
            import psycopg

            with psycopg.connect(
                f"postgresql://{superuser}@127.0.0.1:{port}/postgres", autocommit=True
            ) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            yield PostgresService(port=port, user=superuser, database=database)
        finally:
            subprocess.run(
                _as_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
                         run_as),
                capture_output=True, cwd=workdir,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
