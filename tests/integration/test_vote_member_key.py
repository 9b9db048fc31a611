"""`ballot vote`'s member key: made and sealed in a key file on first use, enrolled, and the
signer of the issuance request the record keeps; a key file of another member, a wrong
passphrase or a key enrolled from another device is refused with nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ballot.cli.main import main
from ballot.clients.http import ClientError
from ballot.clients.voter import HttpVoter
from ballot.crypto import keystore
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import CredentialKey, verify
from ballot.protocol import statements
from ballot.services import meetings, record
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.support.members import open_round
from tests.support.web import (
    FAST_SCRYPT,
    check_in,
    enrolled_member_key,
    log_in,
    make_web_meeting,
    running_server,
)


def test_the_command_line_voter_keeps_its_member_key_and_signs_its_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'vote.sqlite3'}"
    app, meeting, inv = make_web_meeting(tmp_path, url)
    rt = app.extensions["ballot"]  # type: ignore[attr-defined]
    everyone = ["主任甲", "委员乙", "委员丙", "委员丁", "委员戊", "委员己"]
    # 乙, 丙 and 丁 vote from the command line: their own key files confirm their check-in
    check_in(rt.db, meeting, everyone, browser=("委员乙", "委员丙", "委员丁"))
    rt.engine.dispose()
    words = tmp_path / "passphrase"
    words.write_text("right passphrase\n", "utf-8")
    wrong = tmp_path / "wrong"
    wrong.write_text("wrong passphrase\n", "utf-8")

    def counts() -> tuple[int, int, int]:
        with rt.db() as s:
            return tuple(  # type: ignore[return-value]
                s.scalar(select(func.count()).select_from(t)) or 0
                for t in (m.MemberKey, m.Issuance, m.Event)
            )

    with running_server(tmp_path, url) as base:

        def vote(name: str, key: Path, passphrase: Path) -> int:
            return main(["vote", base, "--code", inv[name].code, "--choices", "a,o,x,x",
                         "--member-key", str(key), "--passphrase-file", str(passphrase)])  # fmt: skip

        mine = tmp_path / "yi.key"
        # before the round opens, without --choices: the key is made and enrolled and the
        # member's presence confirmed (3 confirmed of 6 became 4: the quorum)
        assert main(["vote", base, "--code", inv["委员乙"].code, "--member-key", str(mine),
                     "--passphrase-file", str(words)]) == 0  # fmt: skip
        said = capsys.readouterr().out
        assert "your presence is confirmed" in said and "nothing cast (no --choices)" in said
        with rt.db() as s:
            assert meetings.outcome(s, meeting).quorum.met
        with transaction(rt.db) as session:
            open_round(session, meeting)
        assert vote("委员乙", mine, words) == 0
        said = capsys.readouterr().out
        assert mine.stat().st_mode & 0o777 == 0o600  # the key file is its owner's alone
        held = keystore.open_member_key(mine.read_text("utf-8"), "right passphrase")
        assert (held.member, len(held.private)) == ("委员乙", 32)
        public = CredentialKey.from_private_bytes(held.private).public_bytes()
        assert f"fingerprint {statements.key_fingerprint(public)} (signed as 委员乙)" in said
        with rt.db() as s:
            events = record.events(s, meeting)
        enrolled = [
            e["body"]
            for e in events
            if e["kind"] == "member-key" and e["body"]["member"] == "委员乙"
        ]
        assert enrolled == [
            {"member": "委员乙", "key": public.hex(), "signature": enrolled[0]["signature"]}
        ]
        (issued,) = [e["body"] for e in events if e["kind"] == "credential-issued"]
        request = statements.issuance_request(
            held.meeting_id,
            "委员乙",
            f"{held.meeting_id}/round-1",
            bytes.fromhex(issued["blinded"]),
        )
        verify(public, request, bytes.fromhex(issued["signature"]))  # the member's own request

        # another member's key file, a wrong passphrase: refused, nothing sent
        before = counts()
        assert vote("委员丙", mine, words) == 1
        assert "holds 委员乙's key" in capsys.readouterr().err
        theirs = tmp_path / "ding.key"
        sealed = keystore.seal_member_key(
            keystore.MemberKeyFile(
                held.meeting_id, "委员丁", CredentialKey.generate(SystemRandom()).private_bytes()
            ),
            "right passphrase",
            SystemRandom(),
            scrypt=FAST_SCRYPT,
        )
        theirs.write_text(sealed, "utf-8")
        assert vote("委员丁", theirs, wrong) == 1
        assert "passphrase" in capsys.readouterr().err
        assert counts() == before
        assert vote("委员丁", theirs, words) == 0  # the right one: enrolled and cast
        capsys.readouterr()
        # an empty passphrase is named, not a traceback; a round whose id is not its number's
        # is refused before anything is signed
        empty = tmp_path / "empty"
        empty.write_text("\n", "utf-8")
        assert vote("委员丙", tmp_path / "bing-empty.key", empty) == 1
        assert "passphrase is empty" in capsys.readouterr().err
        voter = HttpVoter(base)
        voter.login(inv["委员丙"].code)
        served, _ = voter.current_round()
        assert served is not None
        with pytest.raises(ClientError) as refused:
            voter.check_key({**served, "roundId": f"{served['meeting']}/round-2"}, None)
        assert refused.value.code == "bad-round"
        # a key enrolled from another device (his browser): no file is made, nothing sent
        browser, csrf = log_in(app, inv["委员丙"].code, then="/vote/")
        who = browser.get("/vote/round.json").get_json()
        enrolled_member_key(browser, csrf, who["round"]["meeting"], who["member"])
        before = counts()
        fresh = tmp_path / "bing.key"
        assert vote("委员丙", fresh, words) == 1
        assert "on another device" in capsys.readouterr().err
        assert not fresh.exists() and counts() == before
    rt.engine.dispose()
