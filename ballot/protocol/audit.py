"""`ballot audit FILE`: check that the ballot page encrypted what the member chose (a Benaloh
challenge). On the review step the page can encrypt the choices and, instead of casting, hand
over everything that went in: the round's context, the election key, the choices and every
secret scalar drawn. Re-running the encryption here with those scalars must give the very
same ballot, byte for byte, and the same tracker. An audited ballot is never cast (its secrets
are out); casting always encrypts afresh, so a page cannot tell an audit from a real vote.

With `--record`, the key and the round's context are also checked against the published
record, so a page that encrypted under the wrong key or for another round is caught too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ballot.crypto.ballot import BallotContext, encrypt_ballot, tracker, validate_ballot
from ballot.crypto.codec import ballot_from_json, ballot_to_json
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Group, production_group
from ballot.crypto.randomness import SystemRandom
from ballot.language.text import Text

FORMAT = "ballot-audit"
CHOICES = ("approve", "oppose", "abstain")


class AuditError(Exception):
    def __init__(self, *, en: str, zh: str) -> None:
        super().__init__(en)
        self.text = Text(en=en, zh=zh)


class _Replay:
    """Hands the recorded secret scalars back in order (Group.random_scalar adds 1)."""

    def __init__(self, group: Group, scalars: Sequence[int]) -> None:
        self._q = int(group.q)
        self._left = list(scalars)

    @property
    def left(self) -> int:
        return len(self._left)

    def randbelow(self, n: int) -> int:
        if n != self._q - 1 or not self._left:
            raise AuditError(
                en="the audit file lists fewer secret scalars than the encryption draws",
                zh="审计文件中的随机数少于加密所需",
            )
        value = self._left.pop(0)
        if not 1 <= value < self._q:
            raise AuditError(en="a secret scalar is out of range", zh="随机数超出范围")
        return value - 1

    def randbits(self, k: int) -> int:
        raise AuditError(en="an encryption draws no random bits", zh="加密不应使用随机位")


@dataclass(frozen=True)
class AuditResult:
    round_id: str
    marks: list[tuple[str, str]]
    tracker: str
    checked_against_record: bool


def _hex_int(value: object, what: str) -> int:
    if not isinstance(value, str) or not value or len(value) > 1100:
        raise AuditError(en=f"{what} must be a hex string", zh=f"{what} 须为十六进制字符串")
    try:
        return int(value, 16)
    except ValueError:
        raise AuditError(
            en=f"{what} must be a hex string", zh=f"{what} 须为十六进制字符串"
        ) from None


def _context(doc: Mapping[str, Any]) -> BallotContext:
    c = doc.get("context")
    if not isinstance(c, Mapping):
        raise AuditError(en="the audit file has no context", zh="审计文件缺少轮次信息")
    try:
        record = bytes.fromhex(str(c["record"]))
        candidates = tuple(str(x) for x in c["candidates"])
        k = c["k"]
        if len(record) != 32 or not isinstance(k, int) or not candidates:
            raise ValueError
        return BallotContext(record, str(c["roundId"]), candidates, k)
    except (KeyError, TypeError, ValueError):
        raise AuditError(
            en="the context needs record (32 bytes hex), roundId, candidates and k",
            zh="轮次信息须含 record（32 字节十六进制）、roundId、candidates 与 k",
        ) from None


def _against_record(record: Mapping[str, Any], ctx: BallotContext, key: int) -> None:
    events = [e for e in record.get("events", []) if isinstance(e, Mapping)]
    ceremony = next((e["body"] for e in events if e.get("kind") == "ceremony"), None)
    if ceremony is None or int(str(ceremony.get("joint_key", "0")), 16) != key:
        raise AuditError(
            en="the page encrypted under a key that is not the record's joint key",
            zh="页面使用的公钥不是记录中的联合公钥",
        )
    for e in events:
        body = e.get("body", {})
        if e.get("kind") == "round-opened" and body.get("round_id") == ctx.round_id:
            if (
                list(body.get("candidates", [])) == list(ctx.candidates)
                and body.get("max_approvals") == ctx.max_approvals
                and body.get("record") == ctx.record.hex()
            ):
                return
            raise AuditError(
                en=f"the page's candidates, approval limit or record hash differ from what the "
                f"record says round {ctx.round_id} was opened with",
                zh=f"页面的候选名单、同意上限或记录哈希与记录中该轮开启时不同（{ctx.round_id}）",
            )
    raise AuditError(
        en=f"the record has no round {ctx.round_id}", zh=f"记录中没有轮次 {ctx.round_id}"
    )


def audit(doc: Mapping[str, Any], record: Mapping[str, Any] | None = None) -> AuditResult:
    """Re-encrypt with the disclosed scalars and compare; raise AuditError on any difference."""
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT or doc.get("version") != 1:
        raise AuditError(
            en="not a ballot audit file (format ballot-audit, version 1)",
            zh="不是选票审计文件（format ballot-audit，version 1）",
        )
    group = production_group()
    ctx = _context(doc)
    key_value = _hex_int(doc.get("key"), "key")
    choices = doc.get("choices")
    if (
        not isinstance(choices, list)
        or len(choices) != len(ctx.candidates)
        or any(c not in CHOICES for c in choices)
    ):
        raise AuditError(
            en="choices must list approve, oppose or abstain for each candidate",
            zh="choices 须为每个候选组织列出 approve、oppose 或 abstain",
        )
    scalars = doc.get("random")
    if not isinstance(scalars, list) or len(scalars) > 10_000:
        raise AuditError(en="random must list the secret scalars", zh="random 须列出随机数")
    try:
        if not group.is_element(group.backend.mpz(key_value)):
            raise AuditError(en="the key is not a group element", zh="公钥不是群元素")
        key = PublicKey(group, group.element(key_value, "the election key"))
        replay = _Replay(group, [_hex_int(x, "random") for x in scalars])
        again = encrypt_ballot(key, ctx, list(choices), replay)
        if replay.left:
            raise AuditError(
                en="the audit file lists more secret scalars than the encryption draws",
                zh="审计文件中的随机数多于加密所需",
            )
        claimed = ballot_from_json(doc.get("ballot"))
        validate_ballot(key, ctx, claimed, SystemRandom())
    except CryptoError as err:
        raise AuditError(en=err.text.en, zh=err.text.zh) from None
    if ballot_to_json(again) != ballot_to_json(claimed):
        raise AuditError(
            en="the ballot is NOT the encryption of these choices with these secrets: the page did "
            "not encrypt what was chosen — tell the chair and the scrutineers",
            zh="该选票并非用这些随机数对这些选择的加密：页面没有如实加密——请告知主任和监票人",
        )
    track = tracker(key, ctx, claimed).hex()
    if doc.get("tracker") != track:
        raise AuditError(
            en="the tracker the page showed is not this ballot's", zh="页面显示的回执不属于这张选票"
        )
    if record is not None:
        _against_record(record, ctx, key_value)
    return AuditResult(
        ctx.round_id, list(zip(ctx.candidates, choices, strict=True)), track, record is not None
    )
