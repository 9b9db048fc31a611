"""`ballot demo --simulate`: a whole meeting under any of the five profiles, headless, through
the real services.

Five scrutineers hold the key (any three decrypt); the members check in; the award round has
a tie at the cut-off that a re-vote settles; the nominee round follows; the record is exported
for `ballot verify`. Votes are generated to reach chosen totals (seeded), then cast exactly as
a member's device would: blind credential, anonymous registration, encrypted ballot.

`prepare_meeting` (and `demo_meeting`, for `ballot serve --demo`) sets a meeting up for the web
app with the ceremony held here in one process, so this machine saw every share while it ran:
right for the demo and for trying the system, never for a real meeting (docs/threat-model.md),
where each scrutineer deals on their own machine (`ballot.services.setup.plan_meeting`).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ballot.crypto import blind_rsa, ceremony, keystore
from ballot.crypto.ballot import BallotContext
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import Group, RandomSource, production_group
from ballot.crypto.randomness import SystemRandom
from ballot.language.text import Text
from ballot.protocol.context import ceremony_id
from ballot.protocol.device import (
    MemberDevice,
    VoterDevice,
    scrutineer_result_signature,
    scrutineer_submission,
)
from ballot.services import (
    accounts,
    ceremonies,
    counting,
    meetings,
    member_keys,
    presence,
    record,
    results,
    setup,
    voting,
)
from ballot.services.chair import chair_of
from ballot.services.runtime import Runtime
from ballot.services.unit import Db, Session, open_database, reading, transaction
from ballot.storage.files import write_private
from ballot.tally.profile import resolve, separate_lists
from ballot.tally.profiles import load_profile, profile_ids
from ballot.tally.report import outcome_text

SECRET_NOTE = "demo only: a real server keeps this secret in keys/"
NAMES = [
    "嘉禾电子",
    "南湖纺织",
    "秀洲精工",
    "海盐装备",
    "平湖光电",
    "桐乡化纤",
    "嘉善木业",
    "海宁皮革",
    "月河食品",
    "乌镇软件",
    "梅湾医药",
    "南湖物流",
    "凤桥农业",
    "王江泾丝绸",
    "新塍陶瓷",
    "七星机床",
    "大桥电器",
    "洪合毛衫",
    "西塘黄酒",
    "濮院羊毛衫",
]
SURNAMES = "张李王赵陈刘杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"


def ballots_for(
    targets: dict[str, int], candidates: list[str], voters: int, k: int, rng: random.Random
) -> list[list[str]]:
    """Ballots (one choice per candidate) whose approvals reach `targets` exactly, with at most
    k approvals each; the other marks are oppose or abstain at random."""
    marks = [["" for _ in candidates] for _ in range(voters)]
    load = [0] * voters
    for c in sorted(candidates, key=lambda x: -targets.get(x, 0)):
        need = targets.get(c, 0)
        order = sorted(range(voters), key=lambda v: (load[v], rng.random()))
        chosen = [v for v in order if load[v] < k][:need]
        if len(chosen) < need:
            raise ValueError("targets cannot be reached with these voters")
        for v in chosen:
            marks[v][candidates.index(c)] = "approve"
            load[v] += 1
    for row in marks:
        for i, mark in enumerate(row):
            if not mark:
                row[i] = rng.choice(["oppose", "abstain", "abstain"])
    return marks


def local_ceremony(
    group: Group, params: ceremony.CeremonyParams, rng: RandomSource
) -> tuple[list[ceremony.CommitmentMessage], list[ceremony.ScrutineerShare], ceremony.CommitteeKey]:
    """Every scrutineer's side of a key ceremony, run in one process: the public messages,
    each scrutineer's secret share, and the committee's public keys."""
    begun = [ceremony.begin(group, params, i, rng) for i in range(1, params.n + 1)]
    messages = [msg for _, msg in begun]
    dealt = [x for d, _ in begun for x in ceremony.deal(group, params, d, messages, rng)]
    finished = [
        ceremony.finish(
            group, params, d, messages, [x for x in dealt if x.recipient == d.index], rng
        )
        for d, _ in begun
    ]
    return messages, [x for x, _ in finished], finished[0][1]


@dataclass(frozen=True)
class OpenRound:
    """What a member's device learns about an open round (loaded once per round)."""

    meeting_id: int
    number: int
    public_id: str
    round_id: str
    issuer_public: dict[str, Any]
    context: BallotContext
    key: PublicKey

    def device(self, rng: RandomSource) -> VoterDevice:
        """A member's device for this round (a fresh credential key)."""
        return VoterDevice(self.issuer_public, self.public_id, self.round_id, rng)


def open_round_view(db: Db, meeting_id: int, number: int) -> OpenRound:
    with reading(db) as s:
        info = voting.ballot_round(s, meeting_id, number)
    return OpenRound(
        meeting_id,
        number,
        info.public_id,
        info.round_id,
        info.issuer_public,
        info.context(),
        info.election_key(),
    )


# the simulated members' devices: each member's key for a meeting, made and enrolled once
_member_devices: dict[tuple[str, int], MemberDevice] = {}


class MeetingRef(Protocol):
    @property
    def meeting_id(self) -> int: ...
    @property
    def public_id(self) -> str: ...


@dataclass(frozen=True)
class Meeting:
    """A meeting as a member's device knows it before any round (its row id and public id)."""

    meeting_id: int
    public_id: str


def check_in(db: Db, meeting_id: int, member_id: int, rng: RandomSource) -> MemberDevice:
    """The chair checks the member in and the member's own device confirms it (its key enrolled
    first if it is not yet), as the ballot page does when it sees the check-in."""
    with transaction(db) as session:
        meetings.set_present(session, meeting_id, member_id, True)
        public_id = meetings.public_id(session, meeting_id)
    device = member_device(db, Meeting(meeting_id, public_id), member_id, rng)
    confirm_presence(db, meeting_id, member_id, device)
    return device


def confirm_presence(db: Db, meeting_id: int, member_id: int, device: MemberDevice) -> None:
    """The member's device signs the presence statement the server says it wants, if any."""
    with transaction(db) as session:
        now = presence.of(session, meeting_id, member_id)
        wanted = now.wanted()
        if wanted is not None and now.answers is not None:
            n = now.statements + 1
            signature = device.sign_presence(wanted, n, now.answers)
            presence.confirm(session, meeting_id, member_id, wanted, n, signature, now.answers)


def chair_device(session: Session, meeting_id: int, rng: RandomSource) -> MemberDevice:
    """The committee chair's own device (their member key: the one kept here, or made and
    enrolled now in `session` if none is enrolled yet)."""
    meeting = record.meeting(session, meeting_id)
    chair = chair_of(session, meeting, None)
    enrolled = member_keys.enrolled_key(session, meeting_id, chair.id)
    found = _member_devices.get((meeting.public_id, chair.id))
    if found is not None and found.public_key_hex == enrolled:
        return found
    if enrolled is not None:
        raise ValueError(f"{chair.name}'s key is enrolled from a device this process does not hold")
    found = MemberDevice.generate(meeting.public_id, chair.name, rng)
    enrolment = found.enrolment()
    member_keys.enrol(
        session, meeting_id, chair.id, enrolment["public_key_hex"], enrolment["signature_hex"]
    )
    _member_devices[(meeting.public_id, chair.id)] = found
    return found


def chair_opens(
    session: Session,
    meeting_id: int,
    rng: RandomSource,
    motion: str | None = None,
    device: MemberDevice | None = None,
) -> int:
    """The chair opens the round the procedure asks for (or a review vote on `motion`), signing
    what the console shows them (with `device`, else the chair's device kept here)."""
    body = voting.round_opening(session, meeting_id, motion=motion)
    signer = device or chair_device(session, meeting_id, rng)
    signature = signer.attest("round-opened", body)
    return voting.open_round(session, meeting_id, signature, body, motion=motion)


def chair_closes(
    session: Session,
    meeting_id: int,
    number: int,
    sign: Callable[[bytes], bytes],
    rng: RandomSource,
) -> dict[str, Any]:
    """The chair closes round `number`, signing what the console shows them."""
    body = counting.round_closing(session, meeting_id, number)
    signature = chair_device(session, meeting_id, rng).attest("round-closed", body)
    return counting.close_round(session, meeting_id, number, sign, signature, body)


def member_device(db: Db, view: MeetingRef, member_id: int, rng: RandomSource) -> MemberDevice:
    """The member's signing key for the meeting, as their device keeps it (enrolled once)."""
    found = _member_devices.get((view.public_id, member_id))
    with transaction(db) as session:
        enrolled = member_keys.enrolled_key(session, view.meeting_id, member_id)
        if found is None or enrolled != found.public_key_hex:
            # (a key kept for a meeting of the same id in another database is not this one's)
            name = meetings.member_name(session, view.meeting_id, member_id)
            found = found if found is not None and enrolled is None else None
            found = found or MemberDevice.generate(view.public_id, name, rng)
            enrolment = found.enrolment()
            member_keys.enrol(
                session,
                view.meeting_id,
                member_id,
                enrolment["public_key_hex"],
                enrolment["signature_hex"],
            )
    _member_devices[(view.public_id, member_id)] = found
    return found


def cast_as_member(
    db: Db,
    view: OpenRound,
    member_id: int,
    choices: list[str],
    server_secret: str,
    rng: RandomSource,
) -> str:
    """One member's whole turn, as the device and the server do it: the member key (enrolled
    on first use), blind issuance on a request it signs, anonymous registration, encryption
    with proofs, signature, cast. Returns the tracker."""
    member = member_device(db, view, member_id, rng)
    device = view.device(rng)
    with transaction(db) as session:
        blind = voting.issue_credential(
            session,
            view.meeting_id,
            view.number,
            member_id,
            device.blinded_hex,
            member.sign_issuance(view.round_id, device.blinded_hex),
            server_secret,
            rng,
        )
    with transaction(db) as session:
        voting.register_credential(
            session, view.meeting_id, view.number, **device.finish_issuance(blind)
        )
    ballot, pub, sig, track = device.vote(view.key, view.context, choices)
    voting.cast_ballot(db, view.meeting_id, view.number, ballot, pub, sig, rng)
    return track


def final_complete(db: Db, meeting_id: int) -> bool:
    """Whether the procedure is complete and the result is there to sign."""
    with reading(db) as s:
        return results.signatures(s, meeting_id) is not None


def sign_result(
    db: Db,
    meeting_id: int,
    shares: list[ceremony.ScrutineerShare],
    sign: Callable[[bytes], bytes],
    rng: RandomSource,
) -> None:
    """The chair and these scrutineers sign the final result, as the chair's console and the
    scrutineers' pages do once it is complete (each signs what they are shown)."""
    with transaction(db) as session:
        shown = results.chair_result(session, meeting_id, None)["body"]
        signature = chair_device(session, meeting_id, rng).sign_result(shown)
        results.sign_as_chair(session, meeting_id, None, shown, signature, sign)
    for share in shares:
        with transaction(db) as session:
            found = results.scrutineer_result(session, meeting_id, share.index)
            assert found is not None
            public_id = meetings.public_id(session, meeting_id)
            signed = scrutineer_result_signature(public_id, found["body"], share, rng)
            results.sign_as_scrutineer(
                session, meeting_id, share.index, found["body"], signed, sign, rng
            )


# What the demo's committee decides where a regulation leaves a setting open (RULES.md §4: a
# committee may set one before the meeting). The same values as Jiaxing's text, so the five
# demos differ only where the regulations do. Printed by the demo, listed in docs/tally.md.
COMMITTEE_SETTINGS: dict[str, Any] = {
    "quorum": {"fraction": "2/3", "inclusive": True},
    "threshold": {"fraction": "1/2", "inclusive": True, "base": "members"},
}
SETTING_LINES = {
    "quorum": Text(
        en="quorum: at least 2/3 of all members present",
        zh="法定人数：到会不少于全体成员的 2/3",
    ),
    "threshold": Text(
        en="approval: at least 1/2 of all members approve",
        zh="入选票数：同意票不少于全体成员的 1/2",
    ),
    "innovation": Text(en="innovation award: 2 places", zh="创新奖：2 个名额"),
}


@dataclass(frozen=True)
class DemoSlate:
    """A demo meeting's committee, title and slate under one profile, and the settings the
    demo's committee chose because the regulation leaves them open."""

    committee: str
    title: str
    slate: dict[str, Any]
    settings: tuple[Text, ...]


def demo_slate(profile_id: str, candidates: int, all_tiers: bool, label: str) -> DemoSlate:
    """The slate a demo votes on under `profile_id`: the profile's own tiers (Jiaxing: 5 award
    and up to 3 nominee places, the innovation award with `all_tiers`), each tier's own
    candidate list where the regulation has one (重庆, 江阴), and the committee settings above
    wherever the text is silent."""
    if profile_id not in profile_ids():
        raise ValueError(
            f"--profile must be one of {', '.join(profile_ids())}, got {profile_id!r} | "
            f"--profile 须为 {', '.join(profile_ids())} 之一"
        )
    if not 4 <= candidates <= len(NAMES) - 3:
        raise ValueError(
            f"--candidates must be between 4 and {len(NAMES) - 3} | "
            f"--candidates 须在 4 到 {len(NAMES) - 3} 之间"
        )
    profile = load_profile(profile_id)
    rules: dict[str, Any] = {}
    chosen: list[Text] = []
    if profile.id == "jiaxing-2020":
        award = min(5, candidates - 2)
        tiers: list[dict[str, Any]] = [
            {"id": "award", "places": award},
            {"id": "nominee", "places": min(3, candidates - award - 1)},
        ]
        if all_tiers:
            tiers.append({"id": "innovation", "places": 2})
            chosen.append(SETTING_LINES["innovation"])
        rules["tiers"] = tiers
    resolved = resolve(profile, rules)
    for key in ("quorum", "threshold"):
        if getattr(resolved, key).unstated:
            rules[key] = COMMITTEE_SETTINGS[key]
            chosen.append(SETTING_LINES[key])
    resolved = resolve(profile, rules)
    uses_others = any(t.pool.value in ("others", "remaining+others") for t in resolved.tiers)
    names = NAMES[:candidates]
    slate_candidates: list[Any] = list(names)
    heads = separate_lists(profile)
    if heads:  # the first list's share: its `top` (重庆: 5), else one more than its places
        first = (profile.slate_lists.value or [{}])[0]
        award_places = resolved.tiers[0].places.require()
        size = min(int(first.get("top") or award_places + 1), candidates - 1)
        slate_candidates = [
            {"name": n, "list": heads[0] if i < size else heads[1]} for i, n in enumerate(names)
        ]
    return DemoSlate(
        committee=f"{profile.title.zh} {profile.body.zh}（演示 {label}）",
        title=f"{profile.title.zh} 评审会议（演示）",
        slate={
            "profile": profile.id,
            "candidates": slate_candidates,
            "others": NAMES[candidates : candidates + 3] if all_tiers and uses_others else [],
            "rules": rules,
        },
        settings=tuple(chosen),
    )


def simulate(
    members: int = 15,
    present: int = 12,
    candidates: int = 8,
    seed: int = 2020,
    out: Path | None = None,
    say: Callable[[str], None] = print,
    database_url: str | None = None,
    all_tiers: bool = False,
    timings: list[dict[str, Any]] | None = None,
    profile: str = "jiaxing-2020",
    rounds: int | None = None,
) -> dict[str, Any]:
    """Run the meeting under `profile`; `all_tiers` puts a tie at the cut-off in every tier
    (and, for Jiaxing, adds the innovation award over the slate's remaining candidates and
    three other evaluated organisations: six rounds). With `rounds`, stop after that many
    counted rounds (the meeting is left mid-procedure, as a room sees it between rounds)."""
    if not 3 <= members <= 60:
        raise ValueError("--members must be between 3 and 60 | --members 须在 3 到 60 之间")
    if not 0 <= present <= members:
        raise ValueError(
            "--present must be between 0 and --members | --present 须在 0 到 --members 之间"
        )
    rng, sysrng = random.Random(seed), SystemRandom()
    demo = demo_slate(profile, candidates, all_tiers, str(seed))
    slate = demo.slate
    for line in demo.settings:
        say(
            f"committee setting (the regulation is silent): {line.en} | 评委会设定（办法未规定）：{line.zh}"
        )
    folder = Path(tempfile.mkdtemp(prefix="ballot-demo-"))
    engine, db = open_database(database_url or f"sqlite:///{folder / 'demo.sqlite3'}")
    now = datetime.now(UTC)
    roster = [
        (SURNAMES[i % len(SURNAMES)] + f"委员{i + 1}", "chair" if i == 0 else "member")
        for i in range(members)
    ]
    with transaction(db) as session:
        committee = meetings.create_committee(session, demo.committee, roster, now)
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, demo.title, slate, now)
    with reading(db) as s:
        public_id = meetings.public_id(s, meeting)
        member_ids = meetings.member_ids(s, committee)

    say("key ceremony: 5 scrutineers, any 3 decrypt | 密钥仪式：5 名监票人，任意 3 名可解密")
    group = production_group()
    params = ceremony.CeremonyParams(ceremony_id(public_id), 3, 5)
    messages, shares, committee_key = local_ceremony(group, params, sysrng)
    with transaction(db) as session:
        ceremonies.record_ceremony(
            session, meeting, 3, 5, [commitment_message_json(x) for x in messages], sysrng
        )
    signing = keystore.new_committee_key(sysrng)
    secret = f"{SECRET_NOTE} {rng.random()}"
    with transaction(db) as session:
        voting.open_meeting(
            session,
            meeting,
            blind_rsa.generate_issuer_key(3072),
            secret,
            sysrng,
            keystore.committee_public_key(signing),
        )

    def sign(message: bytes) -> bytes:
        return keystore.sign(signing, message)

    for member in member_ids[:present]:  # each member's own device confirms the check-in
        check_in(db, meeting, member, sysrng)
    say(f"attendance: {present} of {members} present | 应到 {members} 人，实到 {present} 人")

    voters = member_ids[:present]
    with reading(db) as s:
        outcome = meetings.outcome(s, meeting)
    if not outcome.quorum.met:
        say(outcome.quorum.reason.en + " | " + outcome.quorum.reason.zh)
        return {"complete": False}
    threshold = outcome.next_threshold or 1

    def plan(tier: str, kind: str, names: list[str], places: int) -> dict[str, int]:
        if kind == "revote":  # the first tied candidates win the re-vote
            t = {
                n: present // 2 + 1 - i if i < places else max(0, present // 2 - 2 - i)
                for i, n in enumerate(names)
            }
            return fit(t, places * present)
        tie_fits = (places + 1) * threshold <= places * present
        if (
            (tier == "award" or all_tiers) and len(names) > places and tie_fits
        ):  # a tie at the cut-off
            t = {
                n: min(present, threshold + places - 1 - i)
                for i, n in enumerate(names[: places - 1])
            }
            if sum(t.values()) + 2 * threshold > places * present:
                # too few ballots to put any place clear of the tie: all places+1 tie
                t = {n: threshold for n in names[: places - 1]}
            t.update({names[places - 1]: threshold, names[places]: threshold})
            t.update({n: max(0, threshold - 3 - i) for i, n in enumerate(names[places + 1 :])})
            return fit(t, places * present)
        t = {
            n: threshold + (1 if i == 0 else 0) if i < places else max(0, threshold - 2 - i)
            for i, n in enumerate(names)
        }
        return fit(t, places * present)

    def fit(t: dict[str, int], most: int) -> dict[str, int]:
        """Lower totals until the ballots can carry them: first those below the threshold,
        then those above it (never to the threshold, which would change the tie)."""
        while sum(t.values()) > most:
            low = sorted((n for n in t if 0 < t[n] < threshold), key=lambda n: t[n])
            high = sorted((n for n in t if t[n] > threshold + 1), key=lambda n: -t[n])
            if low:
                t[low[-1]] -= 1
            elif high:
                t[high[0]] -= 1
            else:
                raise ValueError("too few members present to simulate this meeting")
        return t

    decided: dict[str, Any] | None = None
    held = 0  # rounds held
    while True:
        with reading(db) as s:
            outcome = meetings.outcome(s, meeting)
        if outcome.next is None or (rounds is not None and held >= rounds):
            break
        held += 1
        nxt = outcome.next
        with transaction(db) as session:
            number = chair_opens(session, meeting, sysrng)
        kind = "re-vote | 再投票" if nxt.kind == "revote" else "ballot | 投票"
        say(
            f"round {number}: {nxt.tier} {kind}, {len(nxt.candidates)} candidates for "
            f"{nxt.places} places | 第 {number} 轮"
        )
        targets = plan(nxt.tier, nxt.kind, list(nxt.candidates), nxt.places)
        papers = ballots_for(targets, list(nxt.candidates), len(voters), nxt.max_approvals, rng)
        view = open_round_view(db, meeting, number)
        for member, choices in zip(voters, papers, strict=True):
            cast_as_member(db, view, member, choices, secret, sysrng)
        started = time.perf_counter()
        with transaction(db) as session:
            closed = chair_closes(session, meeting, number, sign, sysrng)
        record_hex = view.context.record.hex()
        for index in sorted(rng.sample(range(1, 6), 3)):
            # (each scrutineer here accepts the totals the close computed; `ballot scrutinise`
            # and the scrutineer's page recompute them from the published ballots first)
            sent = scrutineer_submission(
                public_id,
                number,
                record_hex,
                closed,
                closed["aggregates"],
                committee_key,
                shares[index - 1],
                sysrng,
            )
            with transaction(db) as session:
                decided = (
                    counting.submit_decryption_shares(
                        session,
                        meeting,
                        number,
                        index,
                        sent["shares"],
                        sign,
                        sysrng,
                        accepted=sent["accepted"],
                        signature=sent["signature"],
                    )
                    or decided
                )
        if timings is not None:  # close → published counts, the 3 scrutineers' shares included
            timings.append(
                {
                    "round": number,
                    "candidates": len(nxt.candidates),
                    "ballots": closed["ballots"],
                    "close_to_counts_s": round(time.perf_counter() - started, 3),
                }
            )
        say(f"  {closed['ballots']} ballots cast and counted | 收回选票 {closed['ballots']} 张")
    if final_complete(db, meeting):
        sign_result(db, meeting, [shares[i - 1] for i in (1, 2, 3)], sign, sysrng)
        say(
            "the chair and scrutineers 1, 2, 3 signed the final result | 主任与监票人 1、2、3 签署最终结果"
        )
    with reading(db) as s:
        exported = record.export(s, meeting)
        final = meetings.outcome(s, meeting)
    engine.dispose()
    if out is not None:
        out.write_text(json.dumps(exported, ensure_ascii=False) + "\n", "utf-8")
    say("")
    say(outcome_text(final))
    return {"complete": final.complete, "result": final.result(), "record": exported}


# --- a meeting for the web app, its ceremony held here ----------------------------------------


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
) -> tuple[int, list[setup.Invitation]]:
    """Everything up to an open meeting with nobody checked in, the ceremony held here, in one
    transaction; returns the meeting's id and the invitations to hand out (codes are not
    stored anywhere else)."""
    names = [f"监票人 {i}" for i in range(1, n + 1)]
    sealed: dict[str, tuple[Path, str]] = {}
    with transaction(rt.db) as session:
        committee = meetings.create_committee(session, committee_name, roster, datetime.now(UTC))
        meeting, public_id, people = setup.meeting_with_logins(
            session, committee, title, slate, names
        )
        params = ceremony.CeremonyParams(ceremony_id(public_id), k, n)
        messages, shares, _ = local_ceremony(production_group(), params, rt.rng)
        ceremonies.record_ceremony(
            session, meeting, k, n, [commitment_message_json(x) for x in messages], rt.rng
        )
        for share in shares:
            words = setup.passphrase()
            path = shares_folder / f"scrutineer-{share.index}.json"
            sealing = {"scrypt": scrypt} if scrypt else {}
            write_private(path, keystore.seal_share(share, words, rt.rng, **sealing))
            sealed[names[share.index - 1]] = (path, words)
        _, office_code = accounts.create_account(session, "office", "会务组")
        setup.open_with_fresh_keys(session, rt, meeting, public_id, issuer_bits)
    invitations = [setup.Invitation("office", "会务组", office_code)] + [
        replace(x, share_file=sealed[x.name][0], passphrase=sealed[x.name][1])
        if x.role == "scrutineer"
        else x
        for x in people
    ]
    return meeting, invitations


def demo_meeting(
    rt: Runtime, shares_folder: Path, profile: str = "jiaxing-2020"
) -> tuple[int, list[setup.Invitation], tuple[Text, ...]]:
    """The demo committee: 15 members (the first chairs), 5 scrutineers of whom any 3 decrypt,
    and a slate of 8 candidates under `profile` (Jiaxing: 5 award places, then 2 nominee
    places); also the settings the demo's committee chose where the regulation is silent."""
    roster = [(SURNAMES[i] + f"委员{i + 1}", "chair" if i == 0 else "member") for i in range(15)]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    demo = demo_slate(profile, 8, False, stamp)
    meeting, invitations = prepare_meeting(
        rt, demo.committee, roster, demo.title, demo.slate, 3, 5, shares_folder
    )
    return meeting, invitations, demo.settings
