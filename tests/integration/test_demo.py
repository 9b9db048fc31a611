"""`ballot demo --simulate` runs a whole meeting through the services and its record verifies."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ballot import verify
from ballot.cli import serve
from ballot.crypto import keystore
from ballot.devtools import demo
from ballot.devtools.demo import SETTING_LINES
from ballot.services import meetings, record
from ballot.services.unit import reading
from ballot.storage import models as m
from ballot.tally.profile import resolve
from ballot.tally.profiles import load_profile, profile_ids
from tests.support import ROOT
from tests.support.web import (
    cast_with_client,
    chair_acts,
    confirm_presence,
    log_in,
    scrutineer_sends,
    scrutineer_signs_result,
)


def run_demo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ballot demo --simulate ARGS` in `folder`, as a user runs it from a fresh shell."""
    return subprocess.run(
        [sys.executable, "-m", "ballot", "demo", "--simulate", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_the_demo_meeting_completes_with_a_tie_revote_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    proc = run_demo(
        tmp_path, "--members", "7", "--present", "6", "--candidates", "5", "--seed", "7",
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "程序完成 / The procedure is complete." in proc.stdout
    record = json.loads(out.read_text("utf-8"))
    kinds = [e["kind"] for e in record["events"]]
    opened = [e["body"] for e in record["events"] if e["kind"] == "round-opened"]
    assert [(r["tier"], r["kind"]) for r in opened] == [
        ("award", "ballot"),
        ("award", "revote"),
        ("nominee", "ballot"),
    ]
    # the chair and three scrutineers signed the result: the record ends with their signatures
    assert kinds.index("meeting-closed") < kinds.index("result-signed")
    assert kinds[-2:] == ["result-signed", "checkpoint"] and kinds.count("result-signed") == 4
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0 and "ALL CHECKS PASSED" in proc.stdout, proc.stdout


def test_the_demo_refuses_impossible_settings() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "demo", "--simulate", "--present", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "--present" in proc.stderr


@pytest.mark.parametrize("profile", profile_ids())
def test_the_demo_simulates_a_whole_meeting_under_each_profile_and_it_verifies(
    profile: str, tmp_path: Path
) -> None:
    """`ballot demo --simulate --profile ID`: the five regulations, each with the committee
    settings the demo states where its text is silent; every record passes every check."""
    out = tmp_path / "record.json"
    args = ["--profile", profile, "--members", "9", "--present", "7", "--out", str(out)]
    proc = run_demo(tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "程序完成 / The procedure is complete." in proc.stdout
    silent = [s.name for s in resolve(load_profile(profile), {}).settings() if s.unstated]
    for key in ("quorum", "threshold"):  # what the regulation leaves open is said, in both
        assert (key in silent) == (SETTING_LINES[key].en in proc.stdout), (key, proc.stdout)
    record = json.loads(out.read_text("utf-8"))
    report = verify.Verifier(record, workers=1).run()
    assert all(c.passed for c in report), [c.as_dict() for c in report if not c.passed]
    manifest = record["events"][0]["body"]
    opened = [e["body"] for e in record["events"] if e["kind"] == "round-opened"]
    if profile in ("chongqing-2015", "jiangyin-draft"):  # each tier its own candidate list
        second = {c["name"] for c in manifest["candidates"] if c["list"] != "award"}
        assert second and not second & set(opened[0]["candidates"])
    else:
        assert all("list" not in c for c in manifest["candidates"])


def test_all_tiers_at_the_defaults_puts_a_tie_in_every_tier(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    done = demo.simulate(out=out, all_tiers=True, say=lambda _line: None)
    assert done["complete"]
    opened = [e["body"] for e in done["record"]["events"] if e["kind"] == "round-opened"]
    assert [(r["tier"], r["kind"]) for r in opened] == [
        (tier, kind) for tier in ("award", "nominee", "innovation") for kind in ("ballot", "revote")
    ]


def test_the_demo_refuses_an_unknown_profile_in_both_languages() -> None:
    for command in (["demo", "--simulate"], ["serve", "--demo"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ballot", *command, "--profile", "beijing"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 2, proc.stderr
        assert "--profile must be one of" in proc.stderr and "须为" in proc.stderr
        assert "jiaxing-2020" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("profile", profile_ids())
def test_serve_demo_holds_a_whole_meeting_under_each_profile_over_the_web(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ballot serve --demo --profile ID` prepares the meeting; the chair checks members in
    and opens every round the procedure asks for, members cast through the ballot routes,
    three scrutineers send their shares: the meeting completes and its record verifies."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    said: list[str] = []
    app, invitations, folder = serve.prepare(True, None, None, said.append, profile)
    assert folder is not None and f"profile 办法: {profile}" in said
    rt = app.extensions["ballot"]
    with rt.db() as s:
        (meeting,) = s.scalars(select(m.Meeting)).all()
        mid, public_id = meeting.id, meeting.public_id
        ids = {x.name: x.id for x in s.scalars(select(m.Member))}
        needed = meetings.outcome(s, mid).quorum.needed or 1  # 10 of 15; Chongqing > 2/3: 11
    people = [x for x in invitations if x.role in ("chair", "member")]
    chair, csrf = log_in(app, next(x for x in people if x.role == "chair").code)
    present = people[:needed]
    for person in present:
        r = chair.post(
            f"/chair/{mid}/attendance",
            data={"csrf_token": csrf, "member": str(ids[person.name]), "present": "1"},
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
    voters = [log_in(app, x.code) for x in present]
    for c, token in voters:  # each member's own device confirms the check-in
        confirm_presence(c, token)
    scrutineers = [x for x in invitations if x.role == "scrutineer"][:3]
    shares = {
        x.name: keystore.open_share((x.share_file or Path()).read_text("utf-8"), x.passphrase or "")
        for x in scrutineers
    }
    logged = {x.name: log_in(app, x.code) for x in scrutineers}
    early = chair.get(f"/chair/{mid}/result.json")  # nothing to sign before the result
    assert early.status_code == 409 and early.get_json()["error"] == "result-not-ready"
    held: list[dict[str, Any]] = []
    for number in range(1, 20):
        with reading(rt.db) as s:
            if meetings.outcome(s, mid).next is None:
                break
        assert chair_acts(chair, csrf, mid, "open").status_code == 200
        for c, token in voters:  # each approves the first k on the ballot: no tie, no re-vote
            rnd = c.get("/vote/round.json").get_json()["round"]
            choices = [
                "approve" if i < rnd["k"] else "abstain" for i in range(len(rnd["candidates"]))
            ]
            cast_with_client(app, c, token, choices)
        held.append(rnd)
        r = chair_acts(chair, csrf, mid, "close", round=number)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        for name, (c, token) in logged.items():
            body = scrutineer_sends(rt.db, mid, number, shares[name])
            r = c.post("/scrutineer/shares", json=body, headers={"X-CSRFToken": token})
            assert r.status_code == 200, r.get_json()
    # the result is complete: the chair's console and three scrutineers' pages sign it
    with reading(rt.db) as s:
        unsigned = {c.name for c in verify.Verifier(record.export(s, mid), workers=1).run()
                    if not c.passed}  # fmt: skip
    assert unsigned == {"result-signatures"}
    page = chair.get(f"/m/{public_id}/").get_data(as_text=True)  # the public result says so
    assert "（尚未签署）" in page and "签署完成前，记录不能通过核验" in page
    shown = chair.get(f"/chair/{mid}/result.json").get_json()
    assert shown["kind"] == "result-signed" and shown["signed"] is False
    bad = chair.post(
        f"/chair/{mid}/result",
        json={"body": shown["body"], "signature_hex": "00" * 64},
        headers={"X-CSRFToken": csrf},
    )
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad-result-signature"
    assert "member key" in bad.get_json()["en"] and "成员密钥" in bad.get_json()["zh"]
    assert chair_acts(chair, csrf, mid, "result").status_code == 200
    assert chair.get(f"/chair/{mid}/result.json").get_json()["signed"] is True
    for name, (c, token) in logged.items():
        shown = c.get("/scrutineer/pending.json").get_json()["result"]["body"]
        other = {**shown, "result": {t: [] for t in shown["result"]}}  # not the result
        r = scrutineer_signs_result(c, token, shares[name], other)
        assert r.status_code == 409 and r.get_json()["error"] == "result-changed"
        forged = {**shown, "scrutineer": shown["scrutineer"] % 5 + 1}  # another's number
        r = scrutineer_signs_result(c, token, shares[name], forged)
        assert r.status_code == 409, r.get_json()
        r = scrutineer_signs_result(c, token, shares[name])
        assert r.status_code == 200, r.get_json()
        again = scrutineer_signs_result(c, token, shares[name])  # a lost answer: asked again
        assert again.status_code == 200
    with reading(rt.db) as s:
        final = meetings.outcome(s, mid)
        exported = record.export(s, mid)
    assert final.complete and held, final.result()
    report = verify.Verifier(exported, workers=1).run()
    assert all(c.passed for c in report), [c.as_dict() for c in report if not c.passed]
    kinds = [e["kind"] for e in exported["events"]]
    assert kinds.count("result-signed") == 4 and kinds[-2] == "result-signed"
    page = chair.get(f"/m/{public_id}/").get_data(as_text=True)
    assert "（尚未签署）" not in page and "签署完成前" not in page
    chair_name = next(x for x in people if x.role == "chair").name
    signers = "、".join(str(i) for i in sorted(int(n.split()[-1]) for n in logged))
    assert f"主任 {chair_name}" in page and f"监票人 {signers}" in page
    if profile in ("chongqing-2015", "jiangyin-draft"):
        manifest = exported["events"][0]["body"]
        second = {c["name"] for c in manifest["candidates"] if c["list"] != "award"}
        assert second and not second & set(held[0]["candidates"])
    rt.engine.dispose()
