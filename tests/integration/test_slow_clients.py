"""Connections that send half a request do not delay the members: `ballot serve` (gunicorn
with ballot's RoomWorker) serves every member's whole vote while forty such connections stay
open, and drops each of them once it has sent nothing for IO_TIMEOUT seconds."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from ballot.cli.worker import IO_TIMEOUT
from ballot.clients.voter import vote
from ballot.services.unit import transaction
from tests.support.members import open_round
from tests.support.web import check_in, make_web_meeting, running_server

HALF_REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: localhost\r\n",  # headers never finished
    b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\ncode=AB",  # body short
]

PASS = lambda _new: "member key passphrase"  # noqa: E731


def test_forty_half_sent_requests_do_not_delay_a_members_vote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slow.sqlite3'}"
    app, meeting, inv = make_web_meeting(tmp_path, url)
    rt = app.extensions["ballot"]  # type: ignore[attr-defined]
    voters = ("委员乙", "委员丙", "委员丁")
    check_in(rt.db, meeting, ["主任甲", *voters], browser=voters)
    with running_server(tmp_path, url) as base:
        for name in voters:  # their command lines confirm the check-in, then the round opens
            vote(base, inv[name].code, None, passphrase=PASS, key_file=tmp_path / f"{name}.key")
        with transaction(rt.db) as session:
            open_round(session, meeting)
        rt.engine.dispose()
        port = int(base.rsplit(":", 1)[1])
        slow = []
        for i in range(40):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(HALF_REQUESTS[i % 2])
            slow.append(s)
        time.sleep(0.5)  # every one of them has reached a worker thread
        started = time.monotonic()
        for name in ("委员乙", "委员丙", "委员丁"):
            tracker = vote(
                base,
                inv[name].code,
                "a,o,x,x",
                delay=(0, 0),
                passphrase=PASS,
                key_file=tmp_path / f"{name}.key",
            )
            assert len(tracker) == 64
        took = time.monotonic() - started
        # without the worker, the first request waited for as long as the slow ones stayed
        assert took < IO_TIMEOUT, f"three votes took {took:.1f} s beside half-sent requests"
        time.sleep(IO_TIMEOUT + 3)
        for s in slow:  # the server gave up on each: the connection is closed (or answered)
            s.settimeout(5)
            try:
                answer = s.recv(4096)
            except OSError:
                answer = b""
            assert answer == b"" or answer.startswith(b"HTTP/1.1 "), answer[:80]
            s.close()
