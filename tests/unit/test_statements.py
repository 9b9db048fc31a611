"""The byte forms of what people sign (docs/PROTOCOL.md §14) refuse what is not a statement,
and no statement of one kind, member, round or event reads as another's."""

from __future__ import annotations

import pytest

from ballot.protocol import statements as st

KEY = b"\x04" + bytes(range(64))
M = "meeting-1"
H = bytes(range(32))  # the hash of the check-in a presence statement answers


def test_malformed_statements_are_refused() -> None:
    with pytest.raises(ValueError, match="65 bytes"):
        st.member_key(M, "委员乙", KEY[:-1])
    with pytest.raises(ValueError, match="65 bytes"):
        st.member_key(M, "委员乙", b"\x03" + KEY[1:])
    with pytest.raises(ValueError, match="present"):
        st.presence(M, "委员乙", "away", 1, H)
    with pytest.raises(ValueError, match="from 1"):
        st.presence(M, "委员乙", "present", 0, H)
    with pytest.raises(ValueError, match="32-byte"):
        st.presence(M, "委员乙", "present", 1, H[:-1])
    with pytest.raises(ValueError, match="floats"):
        st.attest(M, "chair", "round-closed", {"x": 0.5})


def test_every_field_changes_the_statement() -> None:
    blinded = bytes(512)
    body = {"round": 1, "ballots": []}
    statements = [
        st.member_key(M, "委员乙", KEY),
        st.member_key(M, "委员丙", KEY),
        st.member_key("meeting-2", "委员乙", KEY),
        st.presence(M, "委员乙", "present", 1, H),
        st.presence(M, "委员乙", "present", 2, H),
        st.presence(M, "委员乙", "left", 1, H),
        st.presence(M, "委员丙", "present", 1, H),
        st.presence(M, "委员乙", "present", 1, bytes(32)),
        st.issuance_request(M, "委员乙", f"{M}/round-1", blinded),
        st.issuance_request(M, "委员乙", f"{M}/round-2", blinded),
        st.issuance_request(M, "委员丙", f"{M}/round-1", blinded),
        st.issuance_request(M, "委员乙", f"{M}/round-1", b"\x01" + blinded[1:]),
        st.attest(M, "chair", "round-closed", body),
        st.attest(M, "chair", "round-opened", body),
        st.attest(M, st.scrutineer_role(1), "round-closed", body),
        st.attest(M, "chair", "round-closed", {**body, "round": 2}),
    ]
    assert len(set(statements)) == len(statements)
    # the body digest does not depend on key order (canonical JSON)
    assert st.attest(M, "chair", "x", {"a": 1, "b": 2}) == st.attest(
        M, "chair", "x", {"b": 2, "a": 1}
    )
