"""`ballot ceremony URL --code CODE --out FILE`: one scrutineer's side of the key ceremony
(docs/PROTOCOL.md §10), run on their own computer. The polynomial and the transport key exist
only in this process; the server relays public commitments and shares encrypted to each
recipient; what is kept at the end is the share file, sealed under the scrutineer's passphrase.

All scrutineers run it at the same time (at the meeting or before): it waits for the others'
commitments, prints the transcript digest to compare aloud, deals, waits for the shares
addressed to it, checks each against its sender's commitments and writes the file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ballot.clients.http import ClientError, HttpSession
from ballot.crypto import ceremony, keystore
from ballot.crypto.codec import (
    commitment_message_from_json,
    commitment_message_json,
    encrypted_share_from_json,
    encrypted_share_json,
)
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.language.text import Text
from ballot.protocol.fingerprint import election_key_fingerprint
from ballot.storage.files import write_private


def _wait(
    session: HttpSession,
    ready: Callable[[dict[str, Any]], bool],
    waiting: Callable[[dict[str, Any]], str],
    say: Callable[[str], None],
    timeout: float,
    poll: float,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        state: dict[str, Any] = session.call_json(session.session, "/scrutineer/ceremony.json")
        if ready(state):
            return state
        line = waiting(state)
        if line != last:
            say(line)
            last = line
        if time.monotonic() > deadline:
            raise ClientError(
                "ceremony-timeout",
                Text(
                    en=f"gave up after {int(timeout)} s: {line}",
                    zh=f"等待 {int(timeout)} 秒后放弃：{line}",
                ),
            )
        time.sleep(poll)


def run_ceremony(
    base_url: str,
    code: str,
    out: Path,
    passphrase: str,
    say: Callable[[str], None] = print,
    timeout: float = 3600,
    poll: float = 1.0,
) -> str:
    """Returns the election key's fingerprint (protocol/fingerprint.py, 24 digits) once the
    share file is written."""
    if len(passphrase) < 8:
        raise ClientError(
            "weak-passphrase",
            Text(en="the passphrase needs at least 8 characters", zh="口令至少需要 8 个字符"),
        )
    if out.exists():
        raise ClientError(
            "file-exists",
            Text(en=f"{out} exists: choose another --out", zh=f"{out} 已存在：请换一个 --out"),
        )
    group = production_group()
    session = HttpSession(base_url)
    session.login(code)
    state = session.call_json(session.session, "/scrutineer/ceremony.json")
    if state["status"] != "ceremony" or state["k"] is None:
        raise ClientError(
            "no-ceremony",
            Text(
                en="this meeting is not holding its key ceremony now (it has finished, or has not "
                "been set up by the office)",
                zh="本会议目前不在进行密钥仪式（已完成，或会务组尚未设置）",
            ),
        )
    index, n = int(state["index"]), int(state["n"])
    if any(x.get("sender") == index for x in state["messages"]):
        raise ClientError(
            "already-published",
            Text(
                en=f"scrutineer {index} has published already, and that process's secrets are "
                "gone: the office must set the meeting up again",
                zh=f"监票人 {index} 已发布，而那次运行的秘密已不存在：需由会务组重新设置会议",
            ),
        )
    params = ceremony.CeremonyParams(state["ceremonyId"], int(state["k"]), n)
    try:
        dealing, message = ceremony.begin(group, params, index, session.rng)
        session.call_json(
            session.session,
            "/scrutineer/ceremony/commitments",
            {"message": commitment_message_json(message)},
        )
        say(f"scrutineer {index}: commitments published | 监票人 {index}：承诺已发布")
        state = _wait(
            session,
            lambda s: len(s["messages"]) == n,
            lambda s: (
                f"waiting for the commitments of scrutineers "
                f"{_missing(n, [x['sender'] for x in s['messages']])} | 等待其他监票人发布承诺"
            ),
            say,
            timeout,
            poll,
        )
        messages = [commitment_message_from_json(x) for x in state["messages"]]
        digest = ceremony.transcript_digest(group, params, messages).hex()
        say(
            f"transcript digest {digest[:16]} — read it aloud: every scrutineer must see the "
            f"same | 记录摘要 {digest[:16]}：请大声核对，每名监票人看到的必须相同"
        )
        dealt = ceremony.deal(group, params, dealing, messages, session.rng)
        session.call_json(
            session.session,
            "/scrutineer/ceremony/shares",
            {"shares": [encrypted_share_json(x) for x in dealt]},
        )
        say(f"scrutineer {index}: shares dealt | 监票人 {index}：份额已分发")
        state = _wait(
            session,
            lambda s: len(s["shares"]) == n,
            lambda s: (
                f"waiting for the shares of scrutineers {_missing(n, s['dealt'])} "
                f"| 等待其他监票人分发份额"
            ),
            say,
            timeout,
            poll,
        )
        mine = [encrypted_share_from_json(x) for x in state["shares"]]
        share, committee = ceremony.finish(group, params, dealing, messages, mine, session.rng)
    except CryptoError as err:
        raise ClientError(err.code, err.text) from None
    write_private(out, keystore.seal_share(share, passphrase, session.rng))
    fingerprint = election_key_fingerprint(
        group,
        bytes.fromhex(share.transcript_digest),
        int(committee.joint_key),
    )
    say(
        f"share file written to {out} (keep it and its passphrase; it is needed to decrypt) | "
        f"份额文件已写入 {out}（请保管好文件和口令，解密时需要）"
    )
    say(
        f"election key fingerprint {fingerprint} — read it aloud: the projector and every "
        f"member's ballot page must show exactly this | 选举公钥指纹 {fingerprint}：请大声宣读，"
        "投影屏和每位委员的选票页必须与此完全一致"
    )
    return fingerprint


def _missing(n: int, present: list[int]) -> str:
    return ", ".join(str(i) for i in range(1, n + 1) if i not in present) or "—"
