"""Faults a room meets, against the real server: every member-facing answer (issue, register,
cast) lost once on the way back, and the PostgreSQL server restarted in the middle of the
members' burst. Every member still casts exactly one ballot, by the client's own retries; no
request ever gets a 500 (a restarting database is a 503 the client waits out)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ballot.clients.voter import vote
from ballot.services import meetings, voting
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.support.web import ROSTER, free_port, make_web_meeting, running_server

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


def test_lost_answers_and_a_database_restart_mid_burst_lose_no_vote(tmp_path: Path) -> None:
    with private_postgres(tmp_path) as (url, ctl, data):
        app, meeting, inv = make_web_meeting(tmp_path, url)
        rt = app.extensions["ballot"]  # type: ignore[attr-defined]
        members = [name for name, _ in ROSTER]
        with rt.db() as s:
            ids = {x.name: x.id for x in s.scalars(select(m.Member))}
        with transaction(rt.db) as session:
            for name in members:
                meetings.set_present(session, meeting, ids[name], True)
            voting.open_round(session, meeting)
        rt.engine.dispose()
        with running_server(tmp_path, url) as base:
            proxy = LossyProxy(int(base.rsplit(":", 1)[1]))
            trackers: dict[str, str] = {}
            errors: list[str] = []
            finished: list[float] = []

            def one(name: str) -> None:
                try:
                    proxy_base = f"http://localhost:{proxy.port}"
                    trackers[name] = vote(proxy_base, inv[name].code, "a,a,x,o", delay=(0.5, 3))
                    finished.append(time.monotonic())
                except Exception as err:
                    errors.append(f"{name}: {err!r}")

            threads = [threading.Thread(target=one, args=(n,)) for n in members]
            for t in threads:
                t.start()
            time.sleep(1.0)  # the burst is under way: restart the database under it
            restarting = time.monotonic()
            subprocess.run(["runuser", "-u", "postgres", "--", str(ctl), "-D", str(data),
                            "-l", str(data / "log"), "-m", "fast", "-w", "restart"], check=True, capture_output=True,
                           timeout=120)  # fmt: skip
            restarted = time.monotonic()
            for t in threads:
                t.join(timeout=300)
            assert not errors, errors
            # the database went away while members were voting: some finished only after it
            assert max(finished) > restarted and min(finished) > restarting - 1.0
            assert sorted(trackers) == sorted(members)
            assert len(set(trackers.values())) == len(members)
            assert sorted(set(proxy.dropped)) == sorted(LOSSY)  # every kind of answer was lost
            assert len(proxy.dropped) == 3 * len(members)
            server_errors = [(p, s) for p, s in proxy.statuses if s >= 500 and s != 503]
            assert not server_errors, server_errors
        with rt.db() as s:
            ballots = s.scalar(select(func.count()).select_from(m.Ballot))
            issued = s.scalar(select(func.count()).select_from(m.Issuance))
        assert ballots == issued == len(members)  # exactly one each: the retries were safe
        rt.engine.dispose()
