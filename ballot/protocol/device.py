"""What a member's device and a scrutineer's client compute, for the command line and the tests.
It follows docs/PROTOCOL.md exactly as the browser's ES module does: a fresh credential key
per round, blind issuance, anonymous registration, encryption with proofs, and a signature."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ballot.crypto import blind_rsa, ceremony, decryption
from ballot.crypto.ballot import BallotContext, cast_message, encrypt_ballot, tracker
from ballot.crypto.codec import ballot_to_json, decryption_share_json
from ballot.crypto.credential import credential_message
from ballot.crypto.elgamal import Ciphertext, PublicKey
from ballot.crypto.group import RandomSource, production_group
from ballot.crypto.signature import CredentialKey
from ballot.protocol import acceptance, result, share_signing, statements
from ballot.protocol.context import OPTIONS, decryption_context


class MemberDevice:
    """A member's own signing key for one meeting (docs/PROTOCOL.md §14): it enrols itself and
    signs what only the member can say: that they are present, and the request for a round's
    credential."""

    def __init__(self, meeting_id: str, member: str, key: CredentialKey) -> None:
        self.meeting_id, self.member, self.key = meeting_id, member, key

    @staticmethod
    def generate(meeting_id: str, member: str, rng: RandomSource) -> MemberDevice:
        return MemberDevice(meeting_id, member, CredentialKey.generate(rng))

    @property
    def public_key_hex(self) -> str:
        return self.key.public_bytes().hex()

    @property
    def fingerprint(self) -> str:
        return statements.key_fingerprint(self.key.public_bytes())

    def enrolment(self) -> dict[str, str]:
        """What `POST /vote/enrol` takes besides the meeting: the key and its own signature."""
        public = self.key.public_bytes()
        message = statements.member_key(self.meeting_id, self.member, public)
        return {"public_key_hex": public.hex(), "signature_hex": self.key.sign(message).hex()}

    def sign_presence(self, state: str, n: int, answers_hex: str) -> str:
        """The member's signature on their n-th presence statement ("present" or "left"),
        answering the check-in (or check-out) event whose hash is `answers_hex`."""
        message = statements.presence(
            self.meeting_id, self.member, state, n, bytes.fromhex(answers_hex)
        )
        return self.key.sign(message).hex()

    def attest(self, event_kind: str, body: Mapping[str, Any], role: str = "chair") -> str:
        """The signature vouching for an event of the record (a round the chair opens or
        closes), over its body as `statements.attested` gives it."""
        message = statements.attest(self.meeting_id, role, event_kind, statements.attested(body))
        return self.key.sign(message).hex()

    def sign_result(self, body: Mapping[str, Any]) -> str:
        """The chair's signature of the final result (`protocol.result.chair_body`)."""
        return self.key.sign(result.statement(self.meeting_id, body)).hex()

    def sign_issuance(self, round_id: str, blinded_hex: str) -> str:
        """The member's signature on the request for `round_id`'s credential."""
        message = statements.issuance_request(
            self.meeting_id, self.member, round_id, bytes.fromhex(blinded_hex)
        )
        return self.key.sign(message).hex()


class VoterDevice:
    """One member's device for one round."""

    def __init__(
        self, issuer_public: Mapping[str, Any], meeting_id: str, round_id: str, rng: RandomSource
    ) -> None:
        self.issuer = blind_rsa.decode_public_key(issuer_public)
        self.rng = rng
        self.key = CredentialKey.generate(rng)
        message = credential_message(meeting_id, round_id, self.key.public_bytes())
        self.prepared = blind_rsa.prepare(message, rng)
        blinded, self._inv = blind_rsa.blind(self.issuer, self.prepared, rng)
        self.blinded_hex = blinded.hex()
        self.signature: bytes | None = None

    def finish_issuance(self, blind_signature_hex: str) -> dict[str, str]:
        """Unblind the issuer's answer; returns what to register (anonymously)."""
        self.signature = blind_rsa.finalize(
            self.issuer, self.prepared, bytes.fromhex(blind_signature_hex), self._inv
        )
        return {
            "public_key_hex": self.key.public_bytes().hex(),
            "prepared_hex": self.prepared.hex(),
            "signature_hex": self.signature.hex(),
        }

    def vote(
        self, key: PublicKey, ctx: BallotContext, choices: Sequence[str]
    ) -> tuple[dict[str, Any], str, str, str]:
        """(ballot JSON, credential key hex, signature hex, tracker hex to keep)."""
        ballot = encrypt_ballot(key, ctx, choices, self.rng)
        track = tracker(key, ctx, ballot)
        return (
            ballot_to_json(ballot),
            self.key.public_bytes().hex(),
            self.key.sign(cast_message(track)).hex(),
            track.hex(),
        )


def decryption_shares(
    meeting_id: str,
    number: int,
    record_hex: str,
    aggregates: Sequence[Mapping[str, Sequence[str]]],
    committee: ceremony.CommitteeKey,
    share: ceremony.ScrutineerShare,
    rng: RandomSource,
) -> list[dict[str, Any]]:
    """A scrutineer's decryption shares for every total of a closed round, with proofs."""
    group = production_group()
    items = []
    for i, total in enumerate(aggregates):
        for option in OPTIONS:
            alpha, beta = (group.received_hex(x) for x in total[option])
            items.append(
                (
                    Ciphertext(alpha, beta),  # (checked when the share is computed)
                    decryption_context(meeting_id, number, record_hex, option, i),
                )
            )
    results = decryption.partial_decrypt_many(group, committee, share, items, rng)
    return [
        {option: decryption_share_json(results[2 * i + j]) for j, option in enumerate(OPTIONS)}
        for i in range(len(aggregates))
    ]


def scrutineer_submission(
    meeting_id: str,
    number: int,
    record_hex: str,
    closed: Mapping[str, Any],
    aggregates: Sequence[Mapping[str, Sequence[str]]],
    committee: ceremony.CommitteeKey,
    share: ceremony.ScrutineerShare,
    rng: RandomSource,
) -> dict[str, Any]:
    """What a scrutineer sends for a closed round (`POST /scrutineer/shares`): its signed
    acceptance of the ballot and credential lists the round closed on (`closed`: the
    round-closed body) with `aggregates`, the totals it computed from those ballots itself, and
    its decryption shares of exactly those totals."""
    body = acceptance.accepted(
        number,
        share.index,
        int(closed["ballots"]),
        str(closed["ballot_list"]),
        str(closed["credential_list"]),
        aggregates,
    )
    return {
        "round": number,
        "accepted": body,
        "signature": acceptance.sign(production_group(), share.secret, meeting_id, body, rng),
        "shares": decryption_shares(
            meeting_id, number, record_hex, aggregates, committee, share, rng
        ),
    }


def scrutineer_result_signature(
    meeting_id: str,
    body: Mapping[str, Any],
    share: ceremony.ScrutineerShare,
    rng: RandomSource,
) -> dict[str, str]:
    """A scrutineer's signature of the final result (`protocol.result.scrutineer_body`),
    made with their share key (`POST /scrutineer/result`)."""
    message = result.statement(meeting_id, body)
    return share_signing.sign(production_group(), share.secret, message, rng)
