"""Faults for the fault tests: a PostgreSQL server of the test's own (so it can be restarted
without disturbing any other) and a proxy that loses the first answer to each member request."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.web import free_port

LOSSY = ("/vote/issue", "/vote/anon/register", "/vote/anon/cast")


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@contextmanager
def private_postgres(folder: Path) -> Iterator[tuple[str, Path, Path]]:
    """A PostgreSQL server of this test's own (so it can be restarted without disturbing any
    other): (its URL, pg_ctl, its data folder)."""
    bin_dir = _pg_bin()
    if bin_dir is None or shutil.which("runuser") is None or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the fault test needs PostgreSQL's binaries and root (runuser) in CI")
        pytest.skip("needs PostgreSQL's server binaries and root")
    home = Path(tempfile.mkdtemp(prefix="ballot-pg-"))  # pytest's folders are root's alone
    home.chmod(0o755)
    data = home / "data"
    data.mkdir()
    shutil.chown(data, "postgres")
    port = free_port()

    def pg(*args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       capture_output=True, timeout=120)  # fmt: skip

    pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    ctl = bin_dir / "pg_ctl"
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    (home / "options").write_text(options)  # for database_down's start
    pg(str(ctl), "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ctl, data
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(ctl), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


class LossyProxy:
    """Forwards HTTP/1.1 requests to the server; the first answer to each distinct member
    request (path and body) is read from the server and then thrown away, as a dropped
    connection would. Records every status the server gave."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.seen: set[str] = set()
        self.dropped: list[str] = []
        self.statuses: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(client,), daemon=True).start()

    def _one(self, client: socket.socket) -> None:
        with client:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = client.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(body) < length:
                body += client.recv(65536)
            path = head.split(b" ")[1].decode()
            head = b"\r\n".join(
                x for x in head.split(b"\r\n") if not x.lower().startswith(b"connection:")
            )
            with socket.create_connection(("127.0.0.1", self.upstream)) as up:
                up.sendall(head + b"\r\nConnection: close\r\n\r\n" + body)
                answer = b""
                while chunk := up.recv(65536):
                    answer += chunk
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            key = path + hashlib.sha256(body).hexdigest()
            with self.lock:
                self.statuses.append((path, status))
                drop = path in LOSSY and status == 200 and key not in self.seen
                if drop:
                    self.seen.add(key)
                    self.dropped.append(path)
            if not drop:
                client.sendall(answer)


def restart(ctl: Path, data: Path) -> None:
    """Restart the private PostgreSQL server (fast: open connections are cut)."""
    subprocess.run(["runuser", "-u", "postgres", "--", str(ctl), "-D", str(data),
                    "-l", str(data / "log"), "-m", "fast", "-w", "restart"],
                   check=True, capture_output=True, timeout=120)  # fmt: skip


@contextmanager
def database_down(ctl: Path, data: Path) -> Iterator[None]:
    """The private PostgreSQL server stopped for the block, started again after it."""

    def pg(*args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(ctl), "-D", str(data), *args],
                       check=True, capture_output=True, timeout=120)  # fmt: skip

    pg("-m", "fast", "-w", "stop")
    try:
        yield
    finally:
        options = (data.parent / "options").read_text()
        pg("-o", options, "-l", str(data / "log"), "-w", "start")
