"""The verifier's named checks and its report: each check PASS or FAIL with what failed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CHECKS = [
    (
        "record-format",
        "the file is a ballot record: every event's fields and types as the grammar gives",
        "文件为投票记录：每个事件的字段与类型符合语法",
    ),
    (
        "lifecycle",
        "events in the order the meeting's and each round's life allow",
        "事件顺序符合会议与每轮的流程",
    ),
    ("hash-chain", "every event follows the one before it", "事件哈希链完整"),
    (
        "record-digest",
        "the record is the one whose fingerprint was given (--expect-digest)",
        "记录指纹与指定的一致（--expect-digest）",
    ),
    (
        "signatures",
        "the server's key chained every checkpoint up to the close",
        "服务器密钥串联了直到结束的每个检查点",
    ),
    ("manifest", "roster, slate and rules are usable", "名单、候选与规则可用"),
    (
        "member-keys",
        "every member key signed its own enrolment, one per member",
        "每个成员密钥签署了自己的登记，每人一个",
    ),
    ("ceremony", "scrutineers' proofs and the joint key", "监票人密钥仪式与联合公钥"),
    (
        "election-key",
        "the election key is the one the scrutineers read out (--expect-key)",
        "选举公钥与监票人宣读的指纹一致（--expect-key）",
    ),
    (
        "attendance-quorum",
        "presence each member confirmed, and the quorum at every open and close",
        "委员本人确认的到会与法定人数",
    ),
    (
        "chair",
        "the chair's own key signed every round's opening and close",
        "主任本人密钥签署每轮开始与结束",
    ),
    (
        "issuance",
        "every credential was asked for by its member's own key",
        "每份凭证均由成员本人密钥签名申请",
    ),
    ("credentials", "blind-signed credentials, once each, no more than issued", "匿名凭证"),
    ("ballots", "every ballot's proofs, signature and credential", "每张选票的证明、签名与凭证"),
    ("aggregates", "each round's totals are the product of its ballots", "各轮密文合计"),
    (
        "acceptances",
        "k scrutineers checked each round's ballots and totals before decrypting",
        "至少 k 名监票人解密前核验了每轮选票与总数",
    ),
    ("decryption", "decryption shares and the counts they give", "解密份额与计票结果"),
    (
        "procedure",
        "the award rules re-run give every round, decision and result",
        "按评审规则重算的每一轮、每个决定与结果",
    ),
    (
        "result-signatures",
        "the chair and k scrutineers signed the final result",
        "主任与至少 k 名监票人签署最终结果",
    ),
]


@dataclass
class Check:
    name: str
    en: str
    zh: str
    items: int = 0
    failures: list[str] = field(default_factory=list)
    ran: bool = False
    skipped: str = ""  # why the check had nothing to compare with (not a failure, not a pass)

    @property
    def passed(self) -> bool:
        return self.ran and not self.failures

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "title": {"en": self.en, "zh": self.zh},
            "result": "SKIP"
            if self.skipped and not self.failures
            else ("PASS" if self.passed else "FAIL"),
            "items": self.items,
            "failures": self.failures if self.ran else ["the check could not run"],
            **({"skipped": self.skipped} if self.skipped and not self.failures else {}),
        }


def summary(checks: Iterable[Check]) -> dict[str, Any]:
    items = [c.as_dict() for c in checks]
    return {"ok": all(i["result"] in ("PASS", "SKIP") for i in items), "checks": items}
