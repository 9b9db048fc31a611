"""The command-line voter: what the ballot page's ES module does, from Python, over the same
HTTP routes (`ballot vote URL --code CODE --choices …`). The session is used only to get the
credential blind-signed; registration and the ballot go over fresh connections with no cookie.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from ballot.clients.http import ClientError, HttpSession
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.language.text import Text
from ballot.language.vocabulary import OPTIONS
from ballot.protocol.context import ballot_context
from ballot.protocol.device import VoterDevice

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

    def current_round(self) -> dict[str, Any] | None:
        doc = self.call_json(self.session, "/vote/round.json")
        if doc.get("issued"):
            raise ClientError(
                "already-issued",
                Text(en="you already have this round's ballot", zh="您已领取本轮选票"),
            )
        found: dict[str, Any] | None = doc.get("round")
        return found

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

    def issue(self, p: Prepared) -> None:
        answer = self.call_json(
            self.session,
            "/vote/issue",
            {
                "meeting": p.round["meeting"],
                "round": p.round["number"],
                "blinded": p.device.blinded_hex,
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
    base_url: str, code: str, choices_text: str, delay: tuple[float, float] = (1.5, 5.0)
) -> str:
    """The whole turn; returns the tracker."""
    voter = HttpVoter(base_url)
    voter.login(code)
    rnd = voter.current_round()
    if rnd is None:
        raise ClientError("no-round", Text(en="no round is open", zh="目前没有正在进行的投票"))
    prepared = voter.prepare(rnd, parse_choices(choices_text, len(rnd["candidates"])))
    voter.issue(prepared)
    low, high = delay
    time.sleep(low + (high - low) * secrets.randbelow(1000) / 1000)
    voter.register(prepared)
    return voter.cast(prepared)
