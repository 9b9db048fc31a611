"""Who signed each step of the record, as `ballot verify` prints it: for every round, the chair
who opened and closed it (with their member key's fingerprint), the scrutineers who accepted
it and whose shares counted it; who signed the final result; and the server's key, which only
chains the record (its checkpoints vouch for no fact). The checks (`chair`, `acceptances`,
`result-signatures`, `signatures`) say whether each signature holds; this says whose it is,
so an auditor can ask the people named."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ballot.protocol import result as result_of
from ballot.protocol import statements


def _fingerprint(key_hex: object) -> str | None:
    try:
        return statements.key_fingerprint(bytes.fromhex(str(key_hex)))
    except ValueError:
        return None


def signers(record: Mapping[str, Any]) -> dict[str, Any]:
    """The signers of `record`'s steps (see the module's doc), read from the record as it is:
    run the checks to know that the signatures hold."""
    events = [e for e in record.get("events", []) if isinstance(e, Mapping)]
    keys: dict[str, str] = {}  # member → member key in force (hex)
    rounds: dict[int, dict[str, Any]] = {}
    server_key = None
    checkpoints = 0
    signed_with: dict[tuple[Any, str], str | None] = {}
    for e in events:
        kind, body = e.get("kind"), e.get("body")
        if not isinstance(body, Mapping):
            continue
        number = body.get("round")
        if kind == "meeting-opened":
            raw = str(body.get("committee_key", ""))
            server_key = hashlib.sha256(raw.encode()).hexdigest()[:16] if raw else None
        elif kind == "member-key" and isinstance(body.get("member"), str):
            keys[body["member"]] = str(body.get("key"))
        elif kind == "member-key-replaced" and isinstance(body.get("member"), str):
            keys.pop(body["member"], None)
        elif kind == "checkpoint":
            checkpoints += 1
        elif kind in ("round-opened", "round-closed") and type(number) is int:
            chair = body.get("chair")
            step = rounds.setdefault(number, {"round": number, "accepted_by": [], "shares_by": []})
            step[kind.removeprefix("round-") + "_by"] = {
                "chair": chair,
                "member_key": _fingerprint(keys.get(chair)) if isinstance(chair, str) else None,
            }
            if kind == "round-opened":
                step["what"] = {"tier": body.get("tier"), "kind": body.get("kind")}
        elif kind == "round-accepted" and type(number) is int and number in rounds:
            rounds[number]["accepted_by"].append(body.get("scrutineer"))
        elif kind == "decryption-shares" and type(number) is int and number in rounds:
            rounds[number]["shares_by"].append(body.get("scrutineer"))
        elif kind == "counts" and type(number) is int and number in rounds:
            rounds[number]["counted_with"] = body.get("scrutineers")
        elif kind == result_of.KIND and body.get("role") == "chair":
            chair = body.get("chair")
            if isinstance(chair, str):  # (the key in force when they signed)
                signed_with[(body.get("answers"), chair)] = _fingerprint(keys.get(chair))
    found = result_of.standing(events)
    result: dict[str, Any] | None = None
    if found is not None:
        answers = events[found[0]].get("hash")
        signed = [
            e["body"]
            for e in events
            if e.get("kind") == result_of.KIND
            and isinstance(e.get("body"), Mapping)
            and e["body"].get("answers") == answers
        ]
        chair = next((b.get("chair") for b in signed if b.get("role") == "chair"), None)
        result = {
            "result": found[1],
            "chair": chair,
            "member_key": signed_with.get((answers, chair)) if isinstance(chair, str) else None,
            "scrutineers": sorted(
                b["scrutineer"]
                for b in signed
                if b.get("role") == "scrutineer" and type(b.get("scrutineer")) is int
            ),
        }
    return {
        "rounds": [rounds[n] for n in sorted(rounds)],
        "result": result,
        "server_key": server_key,
        "checkpoints": checkpoints,
    }


def signers_text(s: Mapping[str, Any]) -> list[str]:
    """The lines `ballot verify` prints (English | 中文)."""
    lines = ["who signed each step | 各步骤签署人:"]

    def chair(by: Any) -> str:
        if not isinstance(by, Mapping):
            return "nobody | 无人"
        return f"{by.get('chair')} (member key {by.get('member_key') or '—'})"

    for r in s["rounds"]:
        what = r.get("what") or {}
        accepted = ", ".join(map(str, r["accepted_by"])) or "none | 无"
        counted = r.get("counted_with")
        lines.append(
            f"  round {r['round']} ({what.get('tier')} {what.get('kind')}): opened by the chair "
            f"{chair(r.get('opened_by'))}; closed by {chair(r.get('closed_by'))}; accepted by "
            f"scrutineers {accepted}"
            + (f"; counted with the shares of {', '.join(map(str, counted))}" if counted else "")
            + f" | 第 {r['round']} 轮：主任签署开始与结束，监票人 {accepted} 确认"
        )
    res = s.get("result")
    if res is not None:
        scrutineers = ", ".join(map(str, res["scrutineers"])) or "none | 无"
        lines.append(
            f"  final result: signed by the chair {res['chair'] or 'nobody'} (member key "
            f"{res['member_key'] or '—'}) and scrutineers {scrutineers} | 最终结果：主任"
            f"{res['chair'] or '（未签署）'}与监票人 {scrutineers} 签署"
        )
    lines.append(
        f"  {s['checkpoints']} checkpoints: chained by the server's key ({s['server_key']}…), "
        "which vouches for no fact above | 检查点由服务器密钥串联，不代表任何一方证明上述事实"
    )
    return lines


__all__ = ["signers", "signers_text"]
