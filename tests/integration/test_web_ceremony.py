"""A real meeting's setup: the office creates it from the web form, three scrutineers run
`ballot ceremony` at the same time as separate processes against the served app, the meeting
opens by itself, and their share files decrypt a round's totals."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from ballot import verify
from ballot.clients.voter import HttpVoter
from ballot.crypto.randomness import SystemRandom
from ballot.devtools import demo
from ballot.services import meetings, overview, record, results
from ballot.services.runtime import Runtime
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app
from tests.support.members import cast_as, check_in, close_round, device_of, open_round
from tests.support.web import log_in, running_server

ROSTER = "姓名,角色\n主任甲,主任\n委员乙,委员\n委员丙,委员\n委员丁,委员\n委员戊,委员\n"
SLATE = (
    '{"profile": "jiaxing-2020", "candidates": ["甲公司", "乙公司", "丙公司"], "others": [],'
    ' "rules": {"tiers": [{"id": "award", "places": 1}, {"id": "nominee", "places": 1}]}}'
)


def _office(app: Flask, database_url: str) -> tuple[object, str]:
    made = subprocess.run(
        [sys.executable, "-m", "ballot", "office", "--database-url", database_url],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[made.stdout.split().index("会务组登录:") + 1]
    return log_in(app, code, then="/office/new")


def test_the_office_sets_up_and_the_scrutineers_hold_the_ceremony_on_their_own_machines(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "keys")})
    rt: Runtime = app.extensions["ballot"]
    office, token = _office(app, url)
    form = {
        "csrf_token": token,
        "committee": "质量奖评委会",
        "roster": ROSTER,
        "title": "二〇二六年评审会",
        "slate": SLATE,
        "scrutineers": "王监票\n李监票\n赵监票\n",
        "k": "2",
    }
    # bad input: said plainly, nothing created
    for field, value, words in (
        ("slate", "{not json", "not valid JSON"),
        ("k", "5", "threshold from 1 to their number"),
        ("k", "two", "whole number"),
        ("roster", "name\n", "roster"),
    ):
        r = office.post("/office/new", data=form | {field: value})  # type: ignore[attr-defined]
        assert r.status_code == 400, (field, value)
        page = r.get_data(as_text=True)
        assert words in page or "名单" in page, (field, page[-2000:])
        with rt.db() as s:
            assert s.scalar(select(func.count()).select_from(m.Meeting)) == 0
    page = office.post("/office/new", data=form).get_data(as_text=True)  # type: ignore[attr-defined]
    codes = dict(re.findall(r"<strong>([^<]+)</strong>.*?class=\"code\">([A-Z0-9-]+)<", page, re.S))
    assert set(codes) == {
        "主任甲",
        "委员乙",
        "委员丙",
        "委员丁",
        "委员戊",
        "王监票",
        "李监票",
        "赵监票",
    }
    assert "ballot ceremony" in page
    with rt.db() as s:
        meeting = s.scalars(select(m.Meeting)).one()
        assert meeting.status == "ceremony"
        meeting_id = meeting.id
    rt.engine.dispose()

    with running_server(tmp_path, url) as base:
        procs = []
        for i, name in enumerate(["王监票", "李监票", "赵监票"], start=1):
            secret = tmp_path / f"pass-{i}.txt"
            secret.write_text(f"correct horse battery {i}\n")
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "ballot",
                        "ceremony",
                        base,
                        "--code",
                        codes[name],
                        "--out",
                        str(tmp_path / f"share-{i}.json"),
                        "--passphrase-file",
                        str(secret),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, out + err
        digests = {re.search(r"transcript digest ([0-9a-f]{16})", o).group(1) for o, _ in outputs}  # type: ignore[union-attr]
        keys = {
            re.search(r"election key fingerprint (\d{4}( \d{4}){5})", o).group(1)
            for o, _ in outputs
        }  # type: ignore[union-attr]
        assert len(digests) == 1 and len(keys) == 1  # all three saw the same transcript and key
        for i in (1, 2, 3):
            mode = (tmp_path / f"share-{i}.json").stat().st_mode
            assert stat.S_IMODE(mode) == 0o600
        again = subprocess.run(
            [sys.executable, "-m", "ballot", "ceremony", base, "--code", codes["王监票"],
             "--out", str(tmp_path / "again.json"), "--passphrase-file", str(tmp_path / "pass-1.txt")],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert again.returncode == 1 and "not holding its key ceremony" in again.stderr

        app = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "keys")})
        rt = app.extensions["ballot"]
        with rt.db() as s:
            meeting = s.get(m.Meeting, meeting_id)
            assert meeting is not None and meeting.status == "open"
            assert keys == {overview.meeting_view(s, meeting_id).fingerprint}
            ids = {x.name: x.id for x in s.scalars(select(m.Member))}
        for name in ("主任甲", "委员乙", "委员丙", "委员丁"):
            check_in(rt.db, meeting_id, ids[name])
        with transaction(rt.db) as session:
            open_round(session, meeting_id)
        marks = {"委员乙": "a,o,x", "委员丙": "a,x,o", "委员丁": "o,a,x", "主任甲": "a,x,x"}
        for name, choices in marks.items():
            words = dict(a="approve", o="oppose", x="abstain")
            cast_as(base, codes[name], [words[c] for c in choices.split(",")])
        with transaction(rt.db) as session:
            closed = close_round(session, meeting_id, 1, rt.signer(session, meeting_id))
        assert not closed["void"]
        fingerprint = keys.pop()
        other = "0000 0000 0000 0000 0000 0000" if fingerprint[0] != "0" else "1" * 24

        def scrutinise(i: int, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "ballot", "scrutinise", base, "--code", codes[name],
                 "--share", str(tmp_path / f"share-{i}.json"),
                 "--passphrase-file", str(tmp_path / f"pass-{i}.txt"), "--once", *extra],
                capture_output=True, text=True, timeout=300,
            )  # fmt: skip

        refused = scrutinise(1, "王监票", "--expect-key", other)
        assert refused.returncode == 1 and f"election key is {fingerprint}" in refused.stderr
        for i, name in ((1, "王监票"), (3, "赵监票")):
            done = scrutinise(i, name, "--expect-key", fingerprint)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "round 1: 4 ballots checked, totals computed here" in done.stdout
        idle = scrutinise(2, "李监票")  # round 1 is counted: nothing waits for its shares
        assert idle.returncode == 0 and "no closed round was waiting" in idle.stdout
        with rt.db() as s:
            rnd = s.scalars(select(m.Round)).one()
            assert rnd.status == "counted"
            assert rnd.counts["approve"] == {"甲公司": 3, "乙公司": 1, "丙公司": 0}  # type: ignore[index]
            assert rnd.counts["oppose"] == {"甲公司": 1, "乙公司": 1, "丙公司": 1}  # type: ignore[index]

        # the rest of the procedure (everyone abstains: nobody more is chosen), each round
        # accepted and decrypted from the command line; then the result is signed
        def complete() -> bool:
            with rt.db() as s:
                return meetings.outcome(s, meeting_id).next is None

        number = 1
        while not complete():
            number += 1
            with transaction(rt.db) as session:
                assert open_round(session, meeting_id) == number
            for name in marks:
                voter = HttpVoter(base)
                voter.login(codes[name])
                rnd, who = voter.current_round()
                assert rnd is not None
                prepared = voter.prepare(rnd, ["abstain"] * len(rnd["candidates"]))
                signer = device_of(rnd["meeting"], who["name"])
                voter.issue(prepared, signer)
                voter.register(prepared)
                voter.cast(prepared)
            with transaction(rt.db) as session:
                close_round(session, meeting_id, number, rt.signer(session, meeting_id))
            for i, name in ((1, "王监票"), (3, "赵监票")):
                done = scrutinise(i, name)
                assert done.returncode == 0, done.stdout + done.stderr
        # without --sign-result the command line says the result waits for the signature
        assert "the final result waits for your signature" in done.stdout
        with transaction(rt.db) as session:
            shown = results.chair_result(session, meeting_id, None)["body"]
            signature = demo.chair_device(session, meeting_id, SystemRandom()).sign_result(shown)
            results.sign_as_chair(
                session, meeting_id, None, shown, signature, rt.signer(session, meeting_id)
            )
        for i, name in ((1, "王监票"), (3, "赵监票")):
            signed = scrutinise(i, name, "--sign-result")
            assert signed.returncode == 0, signed.stdout + signed.stderr
            assert "the whole record verified; final result signed" in signed.stdout
        with rt.db() as s:
            published = record.export(s, meeting_id)
        report = verify.Verifier(published, workers=1).run()
        assert all(c.passed for c in report), [c.as_dict() for c in report if not c.passed]
        rt.engine.dispose()
