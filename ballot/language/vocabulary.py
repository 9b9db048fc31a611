"""The domain's words, named once in both languages: roles, ballot kinds, the options on a
ballot, the states of meetings and rounds, and the engine's short names of the tiers.

A tier's full name is the regulation's own and comes from its profile (`Profile.tiers[…].name`,
e.g. Chongqing's 市长质量管理奖); `TIERS` holds the short names the engine's reasons use
("第 1 轮（质量奖投票）"), which the record carries and `ballot verify` re-derives, so they
never change with a profile.
"""

from __future__ import annotations

from collections.abc import Mapping

from ballot.language.text import Text

ROLES: Mapping[str, Text] = {
    "office": Text(zh="会务组", en="office"),
    "chair": Text(zh="主任", en="chair"),
    "member": Text(zh="委员", en="member"),
    "scrutineer": Text(zh="监票人", en="scrutineer"),
}

TIERS: Mapping[str, Text] = {
    "award": Text(zh="质量奖", en="award"),
    "nominee": Text(zh="提名奖", en="nominee award"),
    "innovation": Text(zh="创新奖", en="innovation award"),
    "excellence": Text(zh="优秀奖", en="excellence award"),
}

MOTION = Text(zh="复议", en="motion")

KINDS: Mapping[str, Text] = {
    "ballot": Text(zh="投票", en="ballot"),
    "revote": Text(zh="再投票", en="re-vote"),
    "motion": Text(zh="表决", en="vote"),
}

OPTIONS: Mapping[str, Text] = {
    "approve": Text(zh="同意", en="approve"),
    "oppose": Text(zh="不同意", en="oppose"),
    "abstain": Text(zh="弃权", en="abstain"),
}

MEETING_STATUSES: Mapping[str, Text] = {
    "setup": Text(zh="筹备中", en="being set up"),
    "ceremony": Text(zh="密钥仪式进行中", en="key ceremony under way"),
    "ready": Text(zh="待开始", en="ready to open"),
    "open": Text(zh="进行中", en="open"),
    "closed": Text(zh="已结束", en="closed"),
    "cancelled": Text(zh="已取消", en="cancelled"),
}

ROUND_STATUSES: Mapping[str, Text] = {
    "open": Text(zh="投票中", en="open"),
    "closed": Text(zh="已结束，待解密", en="closed, awaiting decryption"),
    "void": Text(zh="无效", en="void"),
    "counted": Text(zh="已计票", en="counted"),
}


def word(table: Mapping[str, Text], key: str) -> Text:
    """`key`'s words in `table`; an unknown key stands for itself in both languages."""
    return table.get(key) or Text(zh=key, en=key)
