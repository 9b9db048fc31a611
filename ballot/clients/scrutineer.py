"""`ballot scrutinise URL --code CODE --share FILE`: a scrutineer's side of counting, on their
own computer (docs/PROTOCOL.md §14, `round-accepted`). For each round that closes it downloads
the published record, checks it up to the close as `ballot verify` would (`verify.scrutiny`:
every presence, the chair's signatures, every issuance request, credential and ballot), computes
the round's encrypted totals from the published ballots itself, signs its acceptance of them
with its share key and sends that with its decryption shares of exactly those totals. It never
decrypts an open round, a single ballot, or a total it did not compute; a round it cannot
accept is reported with every reason, and nothing is sent for it.

Once the meeting's result is complete, `sign_result` runs every check of `ballot verify` on
the whole record (the award rules re-run included, and the election key pinned to the share
file's), and only if all pass signs the result as the record has it with the share key
(`result-signed`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ballot import verify
from ballot.clients.http import ClientError, HttpSession
from ballot.crypto.ceremony import ScrutineerShare
from ballot.crypto.group import production_group
from ballot.language.text import Text
from ballot.protocol import result as result_of
from ballot.protocol.device import scrutineer_result_signature, scrutineer_submission
from ballot.protocol.fingerprint import election_key_fingerprint
from ballot.verify.report import CHECKS
from ballot.verify.scrutiny import scrutinise


def _own_fingerprint(share: ScrutineerShare) -> str:
    if not share.transcript_digest:
        raise ClientError(
            "old-share-file",
            Text(
                en="this share file was written before 2026-12 and does not keep its ceremony's "
                "key: use the scrutineer's page",
                zh="此份额文件早于 2026-12，未保存仪式公钥：请使用监票页",
            ),
        )
    return election_key_fingerprint(
        production_group(), bytes.fromhex(share.transcript_digest), int(share.joint_key, 16)
    )


def run_scrutineer(
    base_url: str,
    code: str,
    share: ScrutineerShare,
    expect_key: str | None = None,
    say: Callable[[str], None] = print,
    once: bool = False,
    poll: float = 3.0,
    timeout: float = 6 * 3600,
    sign_result: bool = False,
) -> list[int]:
    """Watch the meeting and accept and decrypt each round as it closes; returns the rounds
    this scrutineer sent shares for. `once`: handle the rounds closed now and return.
    `sign_result`: once the result is complete, check the whole record and sign the result;
    without it, say that it waits for this scrutineer's signature."""
    fingerprint = _own_fingerprint(share)
    if expect_key is not None and fingerprint != expect_key:
        raise ClientError(
            "other-key",
            Text(
                en=f"this share file's election key is {fingerprint}, not {expect_key}",
                zh=f"此份额文件的选举公钥指纹为 {fingerprint}，而非 {expect_key}",
            ),
        )
    session = HttpSession(base_url)
    session.login(code)
    pending: dict[str, Any] = session.call_json(session.session, "/scrutineer/pending.json")
    if (
        pending["ceremony"]["ceremonyId"] != share.ceremony_id
        or pending["ceremony"]["index"] != share.index
    ):
        raise ClientError(
            "wrong-share-file",
            Text(
                en=f"this share file is scrutineer {share.index}'s of {share.ceremony_id}; this "
                f"login is scrutineer {pending['ceremony']['index']} of "
                f"{pending['ceremony']['ceremonyId']}",
                zh="此份额文件与本登录的监票人或会议不符",
            ),
        )
    say(
        f"election key fingerprint {fingerprint} (from your own share file) | "
        f"选举公钥指纹 {fingerprint}（取自本人份额文件）"
    )
    sent: list[int] = []
    deadline = time.monotonic() + timeout
    while True:
        for r in pending["rounds"]:
            if r["status"] != "closed" or r["mine"] or r["number"] in sent:
                continue
            _accept(session, pending["meeting"], r["number"], share, say)
            sent.append(r["number"])
        if pending["status"] == "closed" or once:
            pending = session.call_json(session.session, "/scrutineer/pending.json")
            _result(session, pending, share, fingerprint, sign_result, say)
        if once or pending["status"] in ("closed", "cancelled") or time.monotonic() > deadline:
            return sent
        time.sleep(poll)
        pending = session.call_json(session.session, "/scrutineer/pending.json")


def _accept(
    session: HttpSession,
    meeting: str,
    number: int,
    share: ScrutineerShare,
    say: Callable[[str], None],
) -> None:
    record = session.call_record(session.session, f"/m/{meeting}/record.json")
    checked = scrutinise(record, number, share.transcript_digest, share.joint_key, workers=2)
    if not checked.acceptable or checked.committee is None:
        raise ClientError(
            "round-not-accepted",
            Text(
                en=f"round {number} is NOT accepted and nothing was decrypted; tell the chair: "
                + "; ".join(checked.failures),
                zh=f"第 {number} 轮未予确认，未解密任何内容；请告知主持人："
                + "；".join(checked.failures),
            ),
        )
    body = scrutineer_submission(
        meeting,
        number,
        checked.record_hex,
        checked.closed,
        checked.aggregates,
        checked.committee,
        share,
        session.rng,
    )
    try:
        session.call_json(session.session, "/scrutineer/shares", body)
    except ClientError as err:
        if err.code != "already-submitted":  # (sent a moment ago; its answer was lost)
            raise
    say(
        f"round {number}: {checked.closed['ballots']} ballots checked, totals computed here, "
        f"accepted and decrypted | 第 {number} 轮：已核验 {checked.closed['ballots']} 张选票，"
        "本机计算总数，已确认并解密"
    )


def _result(
    session: HttpSession,
    pending: dict[str, Any],
    share: ScrutineerShare,
    fingerprint: str,
    sign: bool,
    say: Callable[[str], None],
) -> None:
    """The final result: signed after every check of the whole record passes (with `sign`)."""
    found = pending.get("result")
    if not found or share.index in found["scrutineers"]:
        return
    body = found["body"]
    lines = "; ".join(
        f"{tier}: {'、'.join(names) or '—'}" for tier, names in body["result"].items()
    )
    if not sign:
        say(
            f"the final result waits for your signature: {lines}; check it against the result "
            "announced, then run again with --sign-result | 最终结果等待您签署："
            + lines
            + "；请与宣布的结果核对后加 --sign-result 再次运行"
        )
        return
    record = session.call_record(session.session, f"/m/{pending['meeting']}/record.json")
    checks = verify.Verifier(record, workers=2, expect_key=fingerprint).run(
        only=tuple(name for name, _, _ in CHECKS if name != "result-signatures")
    )
    failed = [c for c in checks if not c.passed]
    events = record.get("events", [])
    standing = result_of.standing(events)
    expected = (
        None
        if standing is None
        else result_of.scrutineer_body(share.index, events[standing[0]]["hash"], standing[1])
    )
    if failed or expected is None or body != expected:
        why = "; ".join(f"{c.name}: {'; '.join(c.failures[:3])}" for c in failed) or (
            "the result to sign is not the record's"
        )
        raise ClientError(
            "result-not-signed",
            Text(
                en=f"the final result is NOT signed: the record does not verify ({why})",
                zh=f"未签署最终结果：记录未通过核验（{why}）",
            ),
        )
    signature = scrutineer_result_signature(pending["meeting"], body, share, session.rng)
    session.call_json(session.session, "/scrutineer/result", {"body": body, "signature": signature})
    say(
        f"the whole record verified; final result signed: {lines} | "
        f"全部记录核验通过，已签署最终结果：{lines}"
    )
