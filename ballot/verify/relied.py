"""What `ballot verify` relied on, printed for people to compare: the meeting, the election key
and the transcript it comes from, the record's fingerprint (the hash of its last event, as the
results page and the printed result show it), the server's and the issuer's keys, and the
result per tier as the record leaves it. A record fabricated whole for the same meeting (same
id, roster and keys, other scrutineers) passes every check that has nothing to compare with;
these are what differ, so they are shown, and `--expect-key` / `--expect-digest` pin them.

Also the settings that are legal but weak (warnings, never failures): one scrutineer alone can
decrypt (k = 1), no quorum rule, a member key the office replaced during the meeting."""

from __future__ import annotations

import hashlib
from typing import Any

from ballot.protocol import result as result_of
from ballot.protocol import statements
from ballot.verify.evidence import Evidence


def _short(hex_text: object) -> str | None:
    """A key's name: SHA-256 of its hex text, first 16 hex digits in groups of four."""
    if not isinstance(hex_text, str) or not hex_text:
        return None
    d = hashlib.sha256(hex_text.encode("ascii", "replace")).hexdigest()[:16]
    return " ".join(d[i : i + 4] for i in range(0, 16, 4))


def relied_on(v: Evidence) -> dict[str, Any]:
    """The facts above, from the verified record (None where a check could not establish one)."""
    events = v.events
    ceremony: dict[str, Any] = next((e["body"] for e in events if e.get("kind") == "ceremony"), {})
    opened: dict[str, Any] = next(
        (e["body"] for e in events if e.get("kind") == "meeting-opened"), {}
    )
    issuer: dict[str, Any] = opened.get("issuer_key") or {}
    if not isinstance(issuer, dict):
        issuer = {}
    standing = None
    try:
        standing = result_of.standing(events)
    except (KeyError, TypeError, ValueError, AttributeError):
        standing = None
    tiers = []
    if standing is not None and hasattr(v, "rules"):
        for tier in v.rules.tiers:
            tiers.append(
                {
                    "tier": tier.id,
                    "name": {"zh": tier.name_zh(), "en": tier.name_en()},
                    "winners": list(standing[1].get(tier.id, [])),
                }
            )
    committee = getattr(v, "committee", None)
    scrutineer_keys = (
        {str(i + 1): _short(format(int(k), "x")) for i, k in enumerate(committee.share_keys)}
        if committee is not None
        else None
    )
    member_keys = {
        name: statements.key_fingerprint(key)
        for name, key in sorted(getattr(v, "member_keys", {}).items())
    }
    return {
        "meeting": v.record.get("meeting") if isinstance(v.record, dict) else None,
        "election_key_fingerprint": getattr(v, "fingerprint", None),
        "transcript_digest": ceremony.get("transcript_digest"),
        "scrutineers": {"k": ceremony.get("k"), "n": ceremony.get("n")},
        "record_fingerprint": events[-1].get("hash") if events else None,
        "events": len(events),
        "server_key": _short(opened.get("committee_key")),
        "issuer_key": {
            "fingerprint": _short(issuer.get("n")),
            "bits": _bits(issuer.get("n")),
        },
        "scrutineer_keys": scrutineer_keys,
        "member_keys": member_keys,
        "result": tiers if standing is not None else None,
    }


def _bits(n_hex: object) -> int | None:
    try:
        return int(str(n_hex), 16).bit_length()
    except ValueError:
        return None


def warnings(v: Evidence) -> list[dict[str, str]]:
    """Legal settings that weaken what the record proves, each with what it means."""
    out = []
    ceremony: dict[str, Any] = next(
        (e["body"] for e in v.events if e.get("kind") == "ceremony"), {}
    )
    if ceremony.get("k") == 1:
        out.append(
            {
                "warning": "k-is-1",
                "en": "k = 1: one scrutineer alone could decrypt every ballot; ask the "
                "committee why no second scrutineer was needed",
                "zh": "k = 1：一名监票人即可解密全部选票；请向委员会询问为何不需要第二名监票人",
            }
        )
    if hasattr(v, "rules") and v.rules.quorum.get() is None:
        out.append(
            {
                "warning": "no-quorum",
                "en": "no quorum rule: rounds counted however few members were present",
                "zh": "未设法定人数：到会人数再少也计票",
            }
        )
    for e in v.events:
        if e.get("kind") == "member-key-replaced":
            member = e["body"].get("member")
            out.append(
                {
                    "warning": "key-replaced",
                    "en": f"event {e.get('seq')}: the office replaced the member key of "
                    f"{member} during the meeting; ask them whether their device was lost",
                    "zh": f"第 {e.get('seq')} 项：会议期间会务组更换了 {member} 的成员密钥，"
                    "请向本人核实设备是否遗失",
                }
            )
    return out


def relied_text(facts: dict[str, Any]) -> list[str]:
    """`relied_on` as lines for the terminal, English | Chinese."""
    k = facts["scrutineers"]
    lines = [
        f"meeting | 会议: {facts['meeting']}",
        f"election key fingerprint | 选举公钥指纹: {facts['election_key_fingerprint']}",
        f"ceremony transcript digest | 密钥仪式记录摘要: {facts['transcript_digest']} "
        f"(k = {k['k']} of n = {k['n']} scrutineers | {k['n']} 名监票人中 {k['k']} 名可解密)",
        f"record fingerprint (hash of the last event) | 记录指纹（最后一条记录的哈希）: "
        f"{facts['record_fingerprint']} ({facts['events']} events | 条记录)",
        f"server key | 服务器密钥: {facts['server_key']}; issuer key | 发证密钥: "
        f"{facts['issuer_key']['fingerprint']} (RSA {facts['issuer_key']['bits']} bits)",
    ]
    if facts["scrutineer_keys"]:
        keys = "; ".join(f"{i}: {fp}" for i, fp in facts["scrutineer_keys"].items())
        lines.append(f"scrutineers' share keys | 监票人份额公钥: {keys}")
    if facts["member_keys"]:
        keys = "; ".join(f"{name} {fp}" for name, fp in facts["member_keys"].items())
        lines.append(f"member keys | 成员密钥: {keys}")
    if facts["result"] is None:
        lines.append("result | 结果: none in the record | 记录中无最终结果")
    else:
        for tier in facts["result"]:
            names = "、".join(tier["winners"]) or "none | 无"
            lines.append(f"result | 结果 {tier['name']['en']} | {tier['name']['zh']}: {names}")
    return lines
