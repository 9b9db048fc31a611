"""The command-line voter: what the ballot page's ES module does, from Python, over the same
HTTP routes (`ballot vote URL --code CODE --choices …`). The session is used only to get the
credential blind-signed; registration and the ballot go over fresh connections with no cookie.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ballot.clients.http import ClientError, HttpSession
from ballot.crypto import ceremony, keystore
from ballot.crypto.codec import commitment_message_from_json
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.signature import CredentialKey
from ballot.language.text import Text
from ballot.language.vocabulary import OPTIONS
from ballot.protocol import statements
from ballot.protocol.context import ballot_context, round_id
from ballot.protocol.device import MemberDevice, VoterDevice
from ballot.protocol.fingerprint import election_key_fingerprint

# a / o / x, or an option's word in either language
CHOICES = {"a": "approve", "o": "oppose", "x": "abstain"} | {
    w: option for option, text in OPTIONS.items() for w in (option, text.zh)
}


def parse_choices(text: str, count: int) -> list[str]:
    """'a,o,x,…' or full words (approve/oppose/abstain, 同意/不同意/弃权), one per candidate."""
    items = [x.strip() for x in text.split(",")] if text.strip() else []
    if len(items) != count:
        raise ClientError(
            "choices",
            Text(
                en=f"{count} choices are needed (one per candidate, in ballot order), got {len(items)}",
                zh=f"需要 {count} 个选择（每个候选组织一个，按选票顺序），收到 {len(items)} 个",
            ),
        )
    out = []
    for item in items:
        if item.lower() not in CHOICES and item not in CHOICES:
            raise ClientError(
                "choices",
                Text(
                    en=f"{item!r} is not a choice: use a (approve), o (oppose) or x (abstain)",
                    zh=f"{item!r} 不是有效选择：请用 a（同意）、o（不同意）或 x（弃权）",
                ),
            )
        out.append(CHOICES.get(item.lower(), CHOICES.get(item, "")))
    return out


# How the voter gets the member key file's passphrase: asked with whether the file is new (a
# new file's passphrase is asked twice on a terminal).
Passphrase = Callable[[bool], str]


def _key_file_error(path: Path, err: OSError) -> ClientError:
    return ClientError(
        "member-key-file",
        Text(
            en=f"cannot use the member key file {path}: {err.strerror}; nothing was sent",
            zh=f"无法使用成员密钥文件 {path}：{err.strerror}；未发送任何内容",
        ),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise _key_file_error(path, OSError(0, str(err))) from None


def _write_new(path: Path, text: str) -> None:
    """Create the key file readable by its owner only, never over an existing one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise _key_file_error(path, err) from None
    except ValueError as err:  # (a name the file system cannot hold, e.g. with a NUL)
        raise _key_file_error(path, OSError(0, str(err))) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def default_key_file(meeting_id: str, member: str) -> Path:
    """Where `ballot vote` keeps a member's key for a meeting when not told (this folder)."""
    return Path(f"ballot-member-key-{meeting_id[:12]}-{member}.json")


@dataclass
class Prepared:
    device: VoterDevice
    round: dict[str, Any]
    ballot: dict[str, Any]
    public_key_hex: str
    signature_hex: str
    tracker: str
    credential: dict[str, str] | None = None


class HttpVoter(HttpSession):
    """One member's device talking to a ballot server."""

    def current_round(self) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The open round (or None) and who the server says this member is."""
        doc = self.call_json(self.session, "/vote/round.json")
        if doc.get("issued"):
            raise ClientError(
                "already-issued",
                Text(en="you already have this round's ballot", zh="您已领取本轮选票"),
            )
        found: dict[str, Any] | None = doc.get("round")
        member = doc.get("member")
        member = dict(member) if isinstance(member, dict) else {}
        # (the meeting and this member's presence ride along with who they are)
        member["meeting"], member["presence"] = doc.get("meeting"), doc.get("presence")
        return found, member

    def confirm_presence(self, device: MemberDevice, presence: Any) -> str | None:
        """Sign the presence statement the server says this member's device owes ("present"
        once checked in, "left" once checked out), if any; returns what was signed."""
        if not isinstance(presence, dict):
            return None
        wanted, done = presence.get("wanted"), presence.get("statements")
        answers = presence.get("answers")
        if wanted not in statements.PRESENCE or type(done) is not int or done < 0:
            return None
        if not isinstance(answers, str) or not re.fullmatch(r"[0-9a-f]{64}", answers):
            raise ClientError(
                "bad-round",
                Text(
                    en="the server did not say which check-in to confirm: do not vote with it",
                    zh="服务器未说明要确认哪一次签到：请勿使用它投票",
                ),
            )
        n = done + 1
        try:
            self.call_json(
                self.session,
                "/vote/presence",
                {
                    "meeting": device.meeting_id,
                    "state": wanted,
                    "n": n,
                    "answers": answers,
                    "signature_hex": device.sign_presence(wanted, n, answers),
                },
            )
        except ClientError as err:
            if err.code not in ("stale-presence", "already-confirmed"):
                raise  # (else another device or an earlier attempt of this one signed it)
        return str(wanted)

    def check_key(self, rnd: dict[str, Any], expect_key: str | None) -> str:
        """The key the round says to encrypt under must be the one the recorded ceremony
        gives (its transcript checked here in full: shape, elements, every proof), and its
        fingerprint the one the member was told (`--expect-key`) when given. Returns the
        fingerprint, for the member to compare with the projector's."""
        meeting = rnd.get("meeting")
        if not isinstance(meeting, str) or not meeting:
            raise ClientError(
                "bad-round",
                Text(
                    en="the server's round names no meeting: do not vote with it",
                    zh="服务器提供的投票轮次未注明会议：请勿使用它投票",
                ),
            )
        if rnd.get("roundId") != round_id(meeting, rnd.get("number")):  # type: ignore[arg-type]
            # every signature and proof names the round id: it is this round's, worked out here
            raise ClientError(
                "bad-round",
                Text(
                    en="the server's round id does not match its round number: do not vote "
                    "with it, and tell the chair",
                    zh="服务器提供的轮次编号与其内容不符：请勿使用它投票，并告知主任",
                ),
            )
        doc = self.call_json(self.session, f"/m/{quote(meeting, safe='')}/ceremony.json")
        group = production_group()
        try:
            params = ceremony.CeremonyParams(doc["ceremonyId"], doc["k"], doc["n"])
            messages = [commitment_message_from_json(x) for x in doc["messages"]]
            committee = ceremony.verify_transcript(group, params, messages, self.rng)
        except CryptoError as err:
            raise ClientError(err.code, err.text) from None
        except (KeyError, TypeError):
            raise ClientError(
                "bad-transcript",
                Text(
                    en="the server's ceremony transcript is malformed: do not vote with it",
                    zh="服务器提供的密钥仪式记录格式有误：请勿使用它投票",
                ),
            ) from None
        if params.ceremony_id != f"{meeting}/ceremony" or format(
            int(committee.joint_key), "x"
        ) != str(rnd.get("key", "")).lower().lstrip("0"):
            raise ClientError(
                "key-mismatch",
                Text(
                    en="the key this server gives for encrypting is not the one the "
                    "scrutineers' key ceremony made: do not vote with it, and tell the chair",
                    zh="服务器提供的加密公钥不是监票人密钥仪式产生的公钥：请勿用它投票，并告知主任",
                ),
            )
        found = election_key_fingerprint(
            group,
            ceremony.transcript_digest(group, params, messages),
            int(committee.joint_key),
        )
        if expect_key is not None and found != expect_key:
            raise ClientError(
                "key-mismatch",
                Text(
                    en=f"the election key fingerprint is {found}, not the expected {expect_key}: "
                    "nothing was sent; do not vote with this server, and tell the chair",
                    zh=f"选举公钥指纹为 {found}，不是指定的 {expect_key}：未发送任何内容；"
                    "请勿在此服务器投票，并告知主任",
                ),
            )
        return found

    def member_key(
        self,
        meeting: str,
        member: dict[str, Any],
        key_file: Path | None,
        passphrase: Passphrase,
    ) -> MemberDevice:
        """This member's key for the meeting: opened from its sealed file, or made and sealed
        into a new one; enrolled with the server on first use (docs/PROTOCOL.md §14)."""
        name, enrolled = member.get("name"), member.get("key")
        if not isinstance(name, str) or not name or not isinstance(meeting, str) or not meeting:
            raise ClientError(
                "bad-round",
                Text(
                    en="the server did not say which member you are: do not vote with it",
                    zh="服务器未说明您是哪位委员：请勿使用它投票",
                ),
            )
        path = key_file or default_key_file(meeting, name)
        if path.exists():
            try:
                held = keystore.open_member_key(_read(path), passphrase(False))
            except CryptoError as err:
                raise ClientError(err.code, err.text) from None
            if (held.meeting_id, held.member) != (meeting, name):
                raise ClientError(
                    "member-key-file",
                    Text(
                        en=f"{path} holds {held.member}'s key for meeting {held.meeting_id[:12]}…, "
                        f"not {name}'s for this one: give --member-key another file",
                        zh=f"{path} 保存的是 {held.member} 在会议 {held.meeting_id[:12]}… 的密钥，"
                        f"不是 {name} 在本次会议的：请用 --member-key 指定另一个文件",
                    ),
                )
            device = MemberDevice(meeting, name, CredentialKey.from_private_bytes(held.private))
        else:
            if enrolled:
                raise self._elsewhere(name, enrolled)
            device = MemberDevice.generate(meeting, name, self.rng)
            try:
                sealed = keystore.seal_member_key(
                    keystore.MemberKeyFile(meeting, name, device.key.private_bytes()),
                    passphrase(True),
                    self.rng,
                )
            except CryptoError as err:  # (an empty passphrase)
                raise ClientError(err.code, err.text) from None
            _write_new(path, sealed)  # kept before it is sent: a retry sends the same key
        self.enrol(device, enrolled)
        return device

    def enrol(self, device: MemberDevice, enrolled: str | None) -> None:
        """Enrol the device's key unless the server already has it (`enrolled`: the key the
        server gives for this member, or None); another device's key is refused here."""
        if enrolled and enrolled != device.public_key_hex:
            raise self._elsewhere(device.member, enrolled)
        if enrolled:
            return
        try:
            self.call_json(
                self.session, "/vote/enrol", {"meeting": device.meeting_id, **device.enrolment()}
            )
        except ClientError as err:
            if err.code == "key-withdrawn":
                raise ClientError(
                    "key-withdrawn",
                    Text(
                        en="the office withdrew the key in this member key file (a device "
                        "reported lost): move the file away, or give --member-key a new file, "
                        "and run ballot vote again to enrol a new key; if you reported no lost "
                        "device, tell the chair",
                        zh="会务组已撤销此成员密钥文件中的密钥（有人报告设备遗失）：请移走该文件或用 "
                        "--member-key 指定新文件，再运行 ballot vote 登记新密钥；如您没有报告设备遗失，请告知主任",
                    ),
                ) from None
            if err.code != "key-enrolled":
                raise
            raise self._elsewhere(device.member, None, sent=True) from None

    @staticmethod
    def _elsewhere(name: str, enrolled: str | None, sent: bool = False) -> ClientError:
        which = f" ({statements.key_fingerprint(bytes.fromhex(enrolled))})" if enrolled else ""
        which_zh = f"（{statements.key_fingerprint(bytes.fromhex(enrolled))}）" if enrolled else ""
        said = "the server refused this key" if sent else "nothing was sent"
        said_zh = "服务器拒绝了此密钥" if sent else "未发送任何内容"
        return ClientError(
            "key-enrolled",
            Text(
                en=f"{name}'s member key for this meeting is on another device{which}: vote "
                f"from that device, or give --member-key its key file; {said}",
                zh=f"{name} 本次会议的成员密钥在另一台设备上{which_zh}：请用那台设备投票，"
                f"或用 --member-key 指定其密钥文件；{said_zh}",
            ),
        )

    def prepare(self, rnd: dict[str, Any], choices: list[str]) -> Prepared:
        """Everything on the device before anything is sent: key, encryption, proofs,
        signature (so a failure here costs nothing)."""
        device = VoterDevice(rnd["issuer"], rnd["meeting"], rnd["roundId"], self.rng)
        group = production_group()
        try:
            key = PublicKey(group, group.element(int(rnd["key"], 16), "the election key"))
        except (CryptoError, ValueError):
            raise ClientError(
                "bad-key",
                Text(
                    en="the server's election key is not a group element: do not vote with it",
                    zh="服务器提供的选举公钥不是群元素：请勿使用它投票",
                ),
            ) from None
        ctx = ballot_context(
            rnd["meeting"], rnd["number"], rnd["record"], rnd["candidates"], rnd["k"]
        )
        ballot, public_key, signature, tracker = device.vote(key, ctx, choices)
        return Prepared(device, rnd, ballot, public_key, signature, tracker)

    def issue(self, p: Prepared, member: MemberDevice) -> None:
        answer = self.call_json(
            self.session,
            "/vote/issue",
            {
                "meeting": p.round["meeting"],
                "round": p.round["number"],
                "blinded": p.device.blinded_hex,
                "signature_hex": member.sign_issuance(p.round["roundId"], p.device.blinded_hex),
            },
        )
        p.credential = p.device.finish_issuance(answer["blind_signature"])

    def register(self, p: Prepared) -> None:
        assert p.credential is not None
        try:
            self.call_json(
                self.anonymous,
                "/vote/anon/register",
                {"meeting": p.round["meeting"], "round": p.round["number"], **p.credential},
            )
        except ClientError as err:
            if err.code != "credential-registered":  # (an earlier attempt landed)
                raise

    def cast(self, p: Prepared) -> str:
        try:
            answer = self.call_json(
                self.anonymous,
                "/vote/anon/cast",
                {
                    "meeting": p.round["meeting"],
                    "round": p.round["number"],
                    "ballot": p.ballot,
                    "public_key_hex": p.public_key_hex,
                    "signature_hex": p.signature_hex,
                },
            )
        except ClientError as err:
            # only this device holds the credential's key: an earlier attempt landed
            if err.code != "already-cast":
                raise
            return p.tracker
        if answer.get("tracker") != p.tracker:
            raise ClientError(
                "tracker-mismatch",
                Text(
                    en="the server's tracker differs from this device's", zh="服务器回执与本机不符"
                ),
            )
        return p.tracker


def vote(
    base_url: str,
    code: str,
    choices_text: str | None,
    delay: tuple[float, float] = (1.5, 5.0),
    expect_key: str | None = None,
    say: Callable[[str], None] = lambda _line: None,
    *,
    passphrase: Passphrase,
    key_file: Path | None = None,
) -> str | None:
    """The whole turn; returns the tracker. Nothing is sent before the election key is checked
    against the ceremony (and against `expect_key`, a fingerprint in canonical grouping). The
    member key is `key_file` (else `default_key_file`), sealed under `passphrase`; the device
    first confirms the member's presence if the chair has checked them in. Without
    `choices_text` it only does that (before a round opens) and returns None."""
    voter = HttpVoter(base_url)
    voter.login(code)
    rnd, member = voter.current_round()
    if rnd is not None:
        found = voter.check_key(rnd, expect_key)
        say(
            f"election key fingerprint {found}"
            + (" (as expected)" if expect_key else ": compare it with the projector's")
            + f" | 选举公钥指纹 {found}"
            + ("（与指定一致）" if expect_key else "：请与投影屏核对")
        )
    prepared = None
    if rnd is not None and choices_text is not None:
        prepared = voter.prepare(rnd, parse_choices(choices_text, len(rnd["candidates"])))
    meeting = rnd["meeting"] if rnd is not None else member.get("meeting")
    signer = voter.member_key(
        meeting if isinstance(meeting, str) else "", member, key_file, passphrase
    )
    say(
        f"your member key's fingerprint {signer.fingerprint} (signed as {signer.member}) | "
        f"您的成员密钥指纹 {signer.fingerprint}（以 {signer.member} 签名）"
    )
    signed = voter.confirm_presence(signer, member.get("presence"))
    here = member.get("presence")
    checked_in = isinstance(here, dict) and here.get("checked_in") is True
    if not checked_in and prepared is not None:
        raise ClientError(
            "not-present",
            Text(
                en="you are not checked in: check in with the chair, then run this again "
                "(nothing was cast)",
                zh="您尚未签到：请到主任处签到后再运行（未投票）",
            ),
        )
    _say_presence(signed, checked_in, say)
    if prepared is None:
        if choices_text is not None:
            raise ClientError(
                "no-round",
                Text(
                    en="no round is open: run this again when the chair opens it",
                    zh="目前没有正在进行的投票：请在主任开始投票后再运行",
                ),
            )
        return None
    voter.issue(prepared, signer)
    low, high = delay
    time.sleep(low + (high - low) * secrets.randbelow(1000) / 1000)
    voter.register(prepared)
    return voter.cast(prepared)


def _say_presence(signed: str | None, checked_in: bool, say: Callable[[str], None]) -> None:
    if signed == "left":
        say("you are checked out: your device signed that you left | 已离会：设备已签名声明离会")
    elif checked_in:
        say("your presence is confirmed, signed by your member key | 已确认到会（成员密钥签名）")
    else:
        say(
            "you are not checked in: check in with the chair, then run this again | "
            "您尚未签到：请到主任处签到后再运行"
        )
