"""Preparing a meeting for the web app on this server: the committee and its roster, the
slate, the scrutineers' key ceremony (held here in one process, each share sealed at once in
its own passphrase-protected file), the meeting's keys, and everyone's access code.

Holding the ceremony in one process means this machine saw every share while it ran: right
for the demo and for trying the system, not for a real meeting (docs/threat-model.md), where
each scrutineer runs their side on their own machine (`ballot ceremony`, to come)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ballot import models as m
from ballot.crypto import blind_rsa, ceremony, keystore
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.group import production_group
from ballot.demo import NAMES, SURNAMES, local_ceremony
from ballot.protocol import ceremony_id
from ballot.services import accounts, meetings, voting
from ballot.web.runtime import Runtime, client_hashes, write_private

WORDS = [
    "apple",
    "bamboo",
    "cedar",
    "delta",
    "ember",
    "falcon",
    "garnet",
    "harbor",
    "island",
    "jasmine",
    "kettle",
    "lantern",
    "meadow",
    "nickel",
    "orchid",
    "pepper",
    "quartz",
    "river",
    "saddle",
    "tundra",
    "velvet",
    "willow",
    "yonder",
    "zephyr",
]


@dataclass(frozen=True)
class Invitation:
    """One person's way in: role, name, access code, and for scrutineers their share file."""

    role: str
    name: str
    code: str
    share_file: Path | None = None
    passphrase: str | None = None


def passphrase() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(5))


def prepare_meeting(
    rt: Runtime,
    committee_name: str,
    roster: list[tuple[str, str]],
    title: str,
    slate: dict[str, Any],
    k: int,
    n: int,
    shares_folder: Path,
    issuer_bits: int = 3072,
    scrypt: keystore.ScryptParams | None = None,
) -> tuple[int, list[Invitation]]:
    """Everything up to an open meeting with nobody checked in; returns the meeting's id and
    the invitations to hand out (codes are not stored anywhere else)."""
    now = datetime.now(UTC)
    committee = meetings.create_committee(rt.db, committee_name, roster, now)
    meeting = meetings.create_meeting(rt.db, committee, title, slate, now)
    with rt.db.begin() as s:
        row = s.get(m.Meeting, meeting)
        assert row is not None
        public_id = row.public_id
        for i in range(1, n + 1):
            s.add(m.Scrutineer(meeting_id=meeting, index=i, name=f"监票人 {i}"))
        members = list(
            s.scalars(
                select(m.Member).where(m.Member.committee_id == committee).order_by(m.Member.id)
            )
        )
        people = [(x.id, x.name, x.role) for x in members]
    group = production_group()
    params = ceremony.CeremonyParams(ceremony_id(public_id), k, n)
    messages, shares, _ = local_ceremony(group, params, rt.rng)
    voting.record_ceremony(
        rt.db, meeting, k, n, [commitment_message_json(x) for x in messages], rt.rng
    )
    invitations = [
        Invitation("office", "会务组", accounts.create_account(rt.db, "office", "会务组")[1])
    ]
    for member_id, name, role in people:
        _, code = accounts.create_account(
            rt.db, role, name, committee_id=committee, member_id=member_id
        )
        invitations.append(Invitation(role, name, code))
    for share in shares:
        words = passphrase()
        path = shares_folder / f"scrutineer-{share.index}.json"
        sealed = keystore.seal_share(share, words, rt.rng, **({"scrypt": scrypt} if scrypt else {}))
        write_private(path, sealed)
        name = f"监票人 {share.index}"
        _, code = accounts.create_account(
            rt.db, "scrutineer", name, meeting_id=meeting, scrutineer_index=share.index
        )
        invitations.append(Invitation("scrutineer", name, code, path, words))
    voting.open_meeting(
        rt.db,
        meeting,
        blind_rsa.generate_issuer_key(issuer_bits),
        rt.server_secret,
        rt.rng,
        rt.new_committee_key(public_id),
        client_hashes(),
    )
    return meeting, invitations


def demo_meeting(rt: Runtime, shares_folder: Path) -> tuple[int, list[Invitation]]:
    """The demo committee: 15 members (the first chairs), 5 scrutineers of whom any 3 decrypt,
    and a Jiaxing slate of 8 candidates (5 award places, then 2 nominee places)."""
    roster = [(SURNAMES[i] + f"委员{i + 1}", "chair" if i == 0 else "member") for i in range(15)]
    slate = {
        "profile": "jiaxing-2020",
        "candidates": NAMES[:8],
        "others": [],
        "rules": {"tiers": [{"id": "award", "places": 5}, {"id": "nominee", "places": 2}]},
    }
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return prepare_meeting(
        rt,
        f"嘉兴市市长质量奖评委会（演示 {stamp}）",
        roster,
        "质量奖评审会议（演示）",
        slate,
        3,
        5,
        shares_folder,
    )
