"""The election key's fingerprint (docs/PROTOCOL.md §10.1): the shipped vector follows the
byte rule by hand, every input moves it, typed forms parse, and a scrutineer's share file keeps
what their own ceremony gave (so their page fingerprints the key from it, not from the
server)."""

from __future__ import annotations

import hashlib
import json

import pytest

from ballot.crypto import ceremony
from ballot.crypto import keystore as ks
from ballot.crypto.codec import commitment_message_from_json
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.seeded import SeededRandom
from ballot.protocol.fingerprint import election_key_fingerprint, parse_fingerprint
from tests.support import ROOT

FAST = ks.ScryptParams(n=2**10, r=8, p=1)


def vector() -> dict:  # type: ignore[type-arg]
    return json.loads((ROOT / "tests" / "vectors" / "decryption.json").read_text("utf-8"))[
        "ceremony"
    ]


def test_the_vector_fingerprint_follows_the_byte_rule_by_hand() -> None:
    v = vector()
    tag = b"ballot/v1/election-key-fingerprint"
    preimage = b"\x02" + len(tag).to_bytes(4, "big") + tag
    preimage += b"\x01" + (32).to_bytes(4, "big") + bytes.fromhex(v["transcript_digest"])
    preimage += b"\x03" + int(v["joint_key"], 16).to_bytes(512, "big")
    d = hashlib.sha256(preimage).digest()
    digits = str(int.from_bytes(d[:16], "big") % 10**24).zfill(24)
    assert v["fingerprint"] == " ".join(digits[i : i + 4] for i in range(0, 24, 4))


def test_the_vector_transcript_gives_its_digest_key_and_fingerprint() -> None:
    v = vector()
    g = production_group()
    params = ceremony.CeremonyParams(v["id"], v["k"], v["n"])
    messages = [commitment_message_from_json(x) for x in v["messages"]]
    committee = ceremony.verify_transcript(g, params, messages, SystemRandom())
    digest = ceremony.transcript_digest(g, params, messages)
    assert (digest.hex(), format(int(committee.joint_key), "x")) == (
        v["transcript_digest"],
        v["joint_key"],
    )
    assert election_key_fingerprint(g, digest, int(committee.joint_key)) == v["fingerprint"]


def test_the_fingerprint_names_the_meeting_through_the_transcript() -> None:
    """Nothing the server picks goes into the fingerprint: the meeting is named by the
    ceremony id inside the transcript digest, so the same commitments under another meeting's
    ceremony id give another fingerprint."""
    v = vector()
    g = production_group()
    messages = [commitment_message_from_json(x) for x in v["messages"]]
    key = int(v["joint_key"], 16)
    fps = {
        election_key_fingerprint(
            g, ceremony.transcript_digest(g, ceremony.CeremonyParams(cid, 2, 3), messages), key
        )
        for cid in (v["id"], "another-meeting/ceremony")
    }
    assert len(fps) == 2 and v["fingerprint"] in fps


def test_every_input_moves_the_fingerprint() -> None:
    v = vector()
    g = production_group()
    digest, key = bytes.fromhex(v["transcript_digest"]), int(v["joint_key"], 16)
    fp = election_key_fingerprint(g, digest, key)
    others = {
        election_key_fingerprint(g, bytes(32), key),
        election_key_fingerprint(g, digest, key * int(g.g) % int(g.p)),
    }
    assert fp not in others and len(others) == 2


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("7269 7571 9624 2618 8088 7144", "7269 7571 9624 2618 8088 7144"),
        ("726975719624261880887144", "7269 7571 9624 2618 8088 7144"),
        (" 7269-7571-9624-2618-8088-7144 ", "7269 7571 9624 2618 8088 7144"),
        ("7269 7571 9624 2618 8088 714", None),  # 23 digits
        ("7269 7571 9624 2618 8088 71444", None),  # 25
        ("7269 7571 9624 2618 8088 714x", None),
        ("７２６９ 7571 9624 2618 8088 7144", None),  # full-width digits are not ASCII
        ("", None),
    ],
)
def test_a_typed_fingerprint_parses_to_its_canonical_grouping(
    typed: str, canonical: str | None
) -> None:
    assert parse_fingerprint(typed) == canonical


def _small_share() -> tuple[ceremony.ScrutineerShare, ceremony.CommitteeKey, bytes]:
    g = production_group()
    params = ceremony.CeremonyParams("m-1/ceremony", 1, 2)
    rng = SeededRandom("fingerprint-share")
    begun = [ceremony.begin(g, params, i, rng) for i in (1, 2)]
    messages = [m for _, m in begun]
    dealt = [s for d, _ in begun for s in ceremony.deal(g, params, d, messages, rng)]
    mine = [s for s in dealt if s.recipient == 2]
    share, committee = ceremony.finish(g, params, begun[1][0], messages, mine, rng)
    return share, committee, ceremony.transcript_digest(g, params, messages)


def test_a_share_file_keeps_the_digest_and_key_its_own_ceremony_gave() -> None:
    share, committee, digest = _small_share()
    assert share.transcript_digest == digest.hex()
    assert share.joint_key == format(int(committee.joint_key), "x")
    opened = ks.open_share(ks.seal_share(share, "pw", SeededRandom(1), scrypt=FAST), "pw")
    assert opened == share


def test_a_share_file_from_before_fingerprints_still_opens() -> None:
    share, _, _ = _small_share()
    old = ceremony.ScrutineerShare(
        share.ceremony_id, share.index, share.secret, share.transport_private
    )
    text = ks.seal_share(old, "pw", SeededRandom(1), scrypt=FAST)
    opened = ks.open_share(text, "pw")
    assert opened == old and opened.transcript_digest == "" and opened.joint_key == ""


@pytest.mark.parametrize(
    "own",
    [
        {"transcript_digest": "ab" * 32},  # a digest without its key
        {"joint_key": "1f"},  # a key without its digest
        {"transcript_digest": "AB" * 32, "joint_key": "1f"},  # not lowercase
        {"transcript_digest": "ab" * 31, "joint_key": "1f"},
        {"transcript_digest": "ab" * 32, "joint_key": "01f"},  # a leading zero
        {"transcript_digest": 5, "joint_key": "1f"},
        {"transcript_digest": None, "joint_key": None},  # present is not absent
    ],
)
def test_a_share_file_with_a_malformed_own_ceremony_is_refused(own: dict) -> None:  # type: ignore[type-arg]
    share, _, _ = _small_share()
    payload = {
        "ceremony_id": share.ceremony_id,
        "index": share.index,
        "secret": format(share.secret, "x"),
        "transport_private": share.transport_private.hex(),
        **own,
    }
    text = ks.seal(
        json.dumps(payload).encode(), "pw", ks.PURPOSE_SHARE, SeededRandom(1), scrypt=FAST
    ).to_json()
    with pytest.raises(CryptoError) as err:
        ks.open_share(text, "pw")
    assert err.value.code == "keystore-format"
