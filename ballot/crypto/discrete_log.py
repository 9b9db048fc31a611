"""Small discrete logarithms: totals never exceed the committee size, so a table suffices."""

from __future__ import annotations

from ballot.crypto.errors import refuse
from ballot.crypto.group import Group


class DiscreteLog:
    """m from g^m for 0 ≤ m ≤ limit."""

    def __init__(self, group: Group, limit: int) -> None:
        self.limit = limit
        table: dict[int, int] = {}
        x: int = 1
        for m in range(limit + 1):
            table[int(x)] = m
            x = x * group.g % group.p
        self.table = table

    def __call__(self, power: int) -> int:
        m = self.table.get(int(power))
        if m is None:
            raise refuse(
                "no-small-log",
                en=f"the decrypted total is not between 0 and {self.limit}",
                zh=f"解密所得总数不在 0 到 {self.limit} 之间",
            )
        return m
