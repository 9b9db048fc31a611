"""Batched decryption shares: the same answers as one-by-one checks, and a bad share named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ballot.crypto import ceremony, decryption
from ballot.crypto import hashing as h
from ballot.crypto.elgamal import PublicKey, encrypt
from ballot.crypto.errors import CryptoError
from ballot.devtools.demo import local_ceremony
from ballot.devtools.seeded import SeededRandom
from tests.support.small_group import small_group


def setup():  # type: ignore[no-untyped-def]
    g = small_group()
    rng = SeededRandom("batch")
    params = ceremony.CeremonyParams("batch-test", 2, 3)
    _, shares, committee = local_ceremony(g, params, rng)
    key = PublicKey(g, committee.joint_key)
    cts = [encrypt(key, m, 100 + m) for m in range(6)]
    items = [(ct, [h.text("round"), h.u32(i)]) for i, ct in enumerate(cts)]
    return g, rng, committee, shares, items


def test_batched_shares_verify_and_decrypt() -> None:
    g, rng, committee, shares, items = setup()
    made = {
        s.index: decryption.partial_decrypt_many(g, committee, s, items, rng) for s in shares[:2]
    }
    for index in made:
        decryption.verify_shares(
            g,
            committee,
            [(ct, sh, ctx) for (ct, ctx), sh in zip(items, made[index], strict=True)],
            rng,
        )
    for i, (ct, ctx) in enumerate(items):
        power = decryption.combine(g, committee, ct, [made[1][i], made[2][i]], ctx)
        assert power == g.pow_g(i)


@pytest.mark.parametrize("field", ["value", "challenge", "response", "commitment_g"])
def test_one_bad_share_in_a_batch_is_refused_and_named(field: str) -> None:
    g, rng, committee, shares, items = setup()
    made = decryption.partial_decrypt_many(g, committee, shares[2], items, rng)
    bad = made[4]
    if field == "value":
        bad = replace(bad, value=bad.value * g.g % g.p)
    elif field == "commitment_g":
        bad = replace(
            bad, proof=replace(bad.proof, commitment_g=bad.proof.commitment_g * g.g % g.p)
        )
    else:
        proof = replace(bad.proof, **{field: (getattr(bad.proof, field) + 1) % int(g.q)})
        bad = replace(bad, proof=proof)
    made[4] = bad
    with pytest.raises(CryptoError) as err:
        decryption.verify_shares(
            g, committee, [(ct, sh, ctx) for (ct, ctx), sh in zip(items, made, strict=True)], rng
        )
    assert err.value.code == "bad-proof" and "scrutineer 3" in err.value.text.en


def test_a_ciphertext_outside_the_group_is_refused_before_the_secret_is_used() -> None:
    g, rng, committee, shares, items = setup()
    ct, ctx = items[0]
    items[0] = (replace(ct, alpha=g.p - 1), ctx)
    with pytest.raises(CryptoError) as err:
        decryption.partial_decrypt_many(g, committee, shares[0], items, rng)
    assert err.value.code == "not-in-group"
