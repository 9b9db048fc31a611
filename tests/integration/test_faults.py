"""Faults a room meets, against the real server: every member-facing answer (issue, register,
cast) lost once on the way back, and the PostgreSQL server restarted in the middle of the
members' burst. Every member still casts exactly one ballot, by the client's own retries; no
request ever gets a 500 (a restarting database is a 503 the client waits out)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from ballot.clients.voter import vote
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.support.faults import LOSSY, LossyProxy, database_down, private_postgres, restart
from tests.support.members import key_file_device, open_round
from tests.support.web import (
    ROSTER,
    check_in,
    log_in,
    make_web_meeting,
    running_server,
)

PASS = lambda _new: "member key passphrase"  # noqa: E731


def test_lost_answers_and_a_database_restart_mid_burst_lose_no_vote(tmp_path: Path) -> None:
    with private_postgres(tmp_path) as (url, ctl, data):
        app, meeting, inv = make_web_meeting(tmp_path, url)
        rt = app.extensions["ballot"]  # type: ignore[attr-defined]
        members = [name for name, _ in ROSTER]
        check_in(rt.db, meeting, members, browser=tuple(members))
        with running_server(tmp_path, url) as base:
            for name in members:  # their command lines confirm the check-in; the round opens
                vote(base, inv[name].code, None, passphrase=PASS, key_file=tmp_path / f"{name}.key")
            chair = key_file_device(tmp_path / "主任甲.key", PASS(False))
            with transaction(rt.db) as session:
                open_round(session, meeting, chair)
            proxy = LossyProxy(int(base.rsplit(":", 1)[1]))
            trackers: dict[str, str] = {}
            errors: list[str] = []
            finished: list[float] = []

            def one(name: str) -> None:
                try:
                    proxy_base = f"http://localhost:{proxy.port}"
                    trackers[name] = vote(
                        proxy_base,
                        inv[name].code,
                        "a,a,x,o",
                        delay=(0.5, 3),
                        passphrase=PASS,
                        key_file=tmp_path / f"{name}.key",
                    )
                    finished.append(time.monotonic())
                except Exception as err:
                    errors.append(f"{name}: {err!r}")

            threads = [threading.Thread(target=one, args=(n,)) for n in members]
            for t in threads:
                t.start()
            time.sleep(1.0)  # the burst is under way: restart the database under it
            restarting = time.monotonic()
            restart(ctl, data)
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


def test_a_logged_in_page_with_the_database_down_is_a_503_that_says_to_wait(
    tmp_path: Path,
) -> None:
    # the error page names who is logged in; with the database away that lookup failed too,
    # and the refusal became a 500 (no retry) instead of the 503 every client waits out
    with private_postgres(tmp_path) as (url, ctl, data):
        app, _, inv = make_web_meeting(tmp_path, url)
        rt = app.extensions["ballot"]  # type: ignore[attr-defined]
        member, _ = log_in(app, inv["委员乙"].code, then="/vote/")  # type: ignore[arg-type]
        rt.engine.dispose()
        with database_down(ctl, data):
            page = member.get("/vote/")
            assert page.status_code == 503
            said = page.get_data(as_text=True)
            assert "数据库暂时不可用" in said and "重复提交是安全的" in said
            polled = member.get("/vote/round.json")
            assert polled.status_code == 503
            assert polled.get_json()["error"] == "database-unavailable"
        rt.engine.dispose()
        assert member.get("/vote/").status_code == 200  # the same session, once it is back
        rt.engine.dispose()
