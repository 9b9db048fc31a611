// The browser's protocol module against the shared vectors (docs/PROTOCOL.md §11) and the
// official RFC 9474 vectors, plus its refusals. Run: node --test tests/js/protocol.test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as protocol from "../../ballot/web/static/js/protocol.js";

const { GROUP, hexToBytes, bytesToHex } = protocol;
const subtle = globalThis.crypto.subtle;

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
const big = (hex) => BigInt(hex.startsWith("0x") ? hex : `0x${hex}`);
/** A `random` that replays the given hex scalars and fails if asked for more. */
const replay = (list) => {
  const values = list.map(big);
  return () => {
    assert.ok(values.length, "more randomness drawn than the vector lists");
    return values.shift();
  };
};
const contextOf = (c) => ({
  record: c.record,
  roundId: c.round_id,
  candidates: c.candidates,
  k: c.max_approvals,
});

function modInverse(a, m) {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1) {
    const t = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
  }
  return ((s0 % m) + m) % m;
}

async function ecdsaVerifies(publicKeyHex, message, signatureHex) {
  const key = await subtle.importKey(
    "raw",
    hexToBytes(publicKeyHex),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );
  return subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, hexToBytes(signatureHex), message);
}

/** Independent check of a credential signature: WebCrypto's RSA-PSS with salt length 48. */
async function webcryptoPssVerifies({ n, e }, prepared, signature) {
  const b64url = (x) =>
    Buffer.from(
      hexToBytes(x.toString(16).padStart(Math.ceil(x.toString(16).length / 2) * 2, "0")),
    ).toString("base64url");
  const key = await subtle.importKey(
    "jwk",
    { kty: "RSA", n: b64url(n), e: b64url(e) },
    { name: "RSA-PSS", hash: "SHA-384" },
    false,
    ["verify"],
  );
  return subtle.verify({ name: "RSA-PSS", saltLength: 48 }, key, signature, prepared);
}

// --- §3 hashing ------------------------------------------------------------------------------

test("every hashing vector: field encodings and H values", async () => {
  const v = load("hashing.json");
  const fields = {
    raw: protocol.bytesField(Uint8Array.of(0x00, 0x01, 0xff)),
    text_ascii: protocol.textField("ab"),
    text_chinese: protocol.textField("嘉禾电子"),
    element_g: protocol.elementField(GROUP.g),
    scalar_q_minus_1: protocol.scalarField(GROUP.q - 1n),
    u32: protocol.u32Field(5),
    seq: protocol.listField([protocol.u32Field(1), protocol.textField("x")]),
    seq_empty: protocol.listField([]),
  };
  assert.deepEqual(Object.keys(fields).sort(), Object.keys(v.fields).sort());
  for (const [name, bytes] of Object.entries(fields))
    assert.equal(bytesToHex(bytes), v.fields[name], name);
  assert.equal(v.hashes.length, 3);
  for (const h of v.hashes) {
    const got = await protocol.hashToScalar(
      h.tag,
      h.fields.map((name) => fields[name]),
    );
    assert.equal(got.toString(16), h.h, h.tag);
  }
  assert.equal(protocol.hashing.digest, protocol.digest);
});

test("field encoders refuse values outside their range", () => {
  assert.throws(() => protocol.elementField(GROUP.p), /element out of range/);
  assert.throws(() => protocol.scalarField(GROUP.q), /scalar out of range/);
  assert.throws(() => protocol.scalarField(-1n), /scalar out of range/);
  assert.throws(() => protocol.u32Field(2 ** 32), /u32 out of range/);
  assert.throws(() => protocol.textField("\ud800"), /well-formed/);
});

test("group membership: 1 < x < p and x^q = 1", () => {
  assert.ok(protocol.isGroupElement(GROUP.g));
  assert.ok(!protocol.isGroupElement(1n));
  assert.ok(!protocol.isGroupElement(0n));
  assert.ok(!protocol.isGroupElement(GROUP.p - 1n)); // order 2
  assert.ok(!protocol.isGroupElement(GROUP.p));
  assert.ok(!protocol.isGroupElement(2n)); // 2 generates far more than the subgroup
  assert.ok(!protocol.isGroupElement(5));
});

// --- §5–§6 the ballot ----------------------------------------------------------------------------

test("ballot.json is reproduced byte for byte from its random list", async () => {
  const v = load("ballot.json");
  assert.equal(v.group, GROUP.name);
  const { ballot, tracker } = await protocol.encryptBallot({
    key: v.election_public_key,
    context: contextOf(v.context),
    choices: v.choices,
    random: replay(v.random),
  });
  assert.equal(JSON.stringify(ballot), JSON.stringify(v.ballot));
  assert.equal(tracker, v.tracker);
  assert.equal(bytesToHex(protocol.castMessage(hexToBytes(tracker))), v.cast_message);
});

test("every random scalar of ballot.json is drawn, none more", async () => {
  const v = load("ballot.json");
  let drawn = 0;
  const values = v.random.map(big);
  await protocol.encryptBallot({
    key: v.election_public_key,
    context: contextOf(v.context),
    choices: v.choices,
    random: () => values[drawn++],
  });
  assert.equal(drawn, v.random.length);
});

test("the vector's cast signature verifies under its credential key", async () => {
  const v = load("ballot.json");
  const message = hexToBytes(v.cast_message);
  assert.ok(await ecdsaVerifies(v.credential_public_key, message, v.credential_signature));
  message[message.length - 1] ^= 1;
  assert.ok(!(await ecdsaVerifies(v.credential_public_key, message, v.credential_signature)));
});

test("a ballot with real randomness differs each time and keeps the shape", async () => {
  const v = load("ballot.json");
  const args = { key: v.election_public_key, context: contextOf(v.context), choices: v.choices };
  const a = await protocol.encryptBallot(args);
  const b = await protocol.encryptBallot(args);
  assert.notEqual(a.tracker, b.tracker);
  assert.match(a.tracker, /^[0-9a-f]{64}$/);
  assert.equal(a.ballot.selections.length, v.context.candidates.length);
  assert.equal(a.ballot.total_proof.challenges.length, v.context.max_approvals + 1);
  for (const s of a.ballot.selections) {
    for (const x of [...s.approve, ...s.oppose]) assert.match(x, /^[1-9a-f][0-9a-f]*$/);
    assert.ok(protocol.isGroupElement(big(s.approve[0])));
  }
});

test("ballots the rules forbid are refused with a clear message", async () => {
  const v = load("ballot.json");
  const base = { key: v.election_public_key, context: contextOf(v.context) };
  const n = v.context.candidates.length;
  await assert.rejects(
    protocol.encryptBallot({ ...base, choices: Array(n).fill("approve") }),
    new RegExp(`${n} approvals; at most ${v.context.max_approvals} allowed`),
  );
  await assert.rejects(
    protocol.encryptBallot({ ...base, choices: ["approve"] }),
    /one choice per candidate/,
  );
  await assert.rejects(
    protocol.encryptBallot({ ...base, choices: ["yes", ...v.choices.slice(1)] }),
    /approve, oppose or abstain/,
  );
  await assert.rejects(
    protocol.encryptBallot({ ...base, key: (GROUP.p - 1n).toString(16), choices: v.choices }),
    /election key is not an element of the group/,
  );
  await assert.rejects(
    protocol.encryptBallot({
      ...base,
      context: { ...base.context, record: "abcd" },
      choices: v.choices,
    }),
    /32 bytes/,
  );
  await assert.rejects(
    protocol.encryptBallot({ ...base, choices: v.choices, random: () => GROUP.q }),
    /random: expected a BigInt in \[1, q\)/,
  );
});

// --- §10 decryption shares -------------------------------------------------------------------

test("decryption.json is reproduced (random = the proof u)", async () => {
  const v = load("decryption.json");
  const share = await protocol.decryptionShare({
    ceremonyId: v.ceremony.id,
    k: v.ceremony.k,
    n: v.ceremony.n,
    index: v.scrutineer,
    secret: v.secret_share,
    shareKey: v.ceremony.share_keys[String(v.scrutineer)],
    ciphertext: v.ciphertext,
    contextFields: v.context_fields.map((f) => hexToBytes(f)),
    random: replay(v.random),
  });
  assert.deepEqual(share, { index: v.scrutineer, value: v.share, proof: v.proof });
});

test("decryption shares refuse a ciphertext outside the group and a foreign secret", async () => {
  const v = load("decryption.json");
  const ceremony = {
    ceremonyId: v.ceremony.id,
    k: v.ceremony.k,
    n: v.ceremony.n,
    index: 1,
    secret: v.secret_share,
    meetingId: "m",
    number: 1,
    recordHex: "00".repeat(32),
  };
  const order2 = (GROUP.p - 1n).toString(16);
  await assert.rejects(
    protocol.decryptionShares({
      ...ceremony,
      aggregates: [{ approve: v.ciphertext, oppose: [order2, v.ciphertext[1]] }],
    }),
    /not a pair of group elements/,
  );
  await assert.rejects(
    protocol.decryptionShares({
      ...ceremony,
      shareKey: v.ceremony.share_keys["2"],
      aggregates: [],
    }),
    /does not match its public share key/,
  );
  await assert.rejects(
    protocol.decryptionShares({ ...ceremony, index: 4, aggregates: [] }),
    /not one of 1\.\.3/,
  );
  const shares = await protocol.decryptionShares({
    ...ceremony,
    aggregates: [{ approve: v.ciphertext, oppose: v.ciphertext }],
  });
  assert.deepEqual(Object.keys(shares[0]), ["approve", "oppose"]);
  assert.equal(shares[0].approve.value, v.share); // M = α^s whatever the context
});

// --- §9 credentials: RFC 9474 ----------------------------------------------------------------

const rfc = load("rfc9474-rsabssa.json");

for (const raw of rfc) {
  test(`RFC 9474 vector ${raw.name}`, async () => {
    const issuer = { n: big(raw.n), e: big(raw.e) };
    const d = big(raw.d);
    const saltLength = Number(big(raw.sLen));
    const prepared = new Uint8Array([...hexToBytes(raw.msg_prefix), ...hexToBytes(raw.msg)]);
    assert.equal(bytesToHex(prepared), raw.input_msg);
    const salt = hexToBytes(raw.salt);
    assert.equal(salt.length, saltLength);
    const modBits = issuer.n.toString(2).length;
    if (raw.encoded_msg !== undefined) {
      assert.equal(bytesToHex(await protocol.pssEncode(prepared, salt, modBits)), raw.encoded_msg);
    }
    const inv = big(raw.inv);
    const { blinded, inv: gotInv } = await protocol.blind(issuer, prepared, {
      salt,
      r: modInverse(inv, issuer.n),
    });
    assert.equal(bytesToHex(blinded), raw.blinded_msg);
    assert.equal(gotInv, inv);
    const blindSig = protocol.modPow(big(raw.blinded_msg), d, issuer.n);
    assert.equal(blindSig.toString(16).padStart(raw.blind_sig.length, "0"), raw.blind_sig);
    const sig = await protocol.finalize(issuer, prepared, hexToBytes(raw.blind_sig), inv, {
      saltLength,
    });
    assert.equal(bytesToHex(sig), raw.sig);
    // the product pins the salt length to 48: a PSSZERO signature is no credential here
    assert.equal(await protocol.pssVerify(issuer, prepared, sig), saltLength === 48);
    if (saltLength === 48) {
      assert.ok(await webcryptoPssVerifies(issuer, prepared, sig));
    } else {
      await assert.rejects(
        protocol.finalize(issuer, prepared, hexToBytes(raw.blind_sig), inv),
        /does not unblind/,
      );
    }
  });
}

test("RFC 9474 vectors: all four variants are present", () => {
  assert.deepEqual(rfc.map((v) => v.name).sort(), [
    "RSABSSA-SHA384-PSS-Deterministic",
    "RSABSSA-SHA384-PSS-Randomized",
    "RSABSSA-SHA384-PSSZERO-Deterministic",
    "RSABSSA-SHA384-PSSZERO-Randomized",
  ]);
});

// --- §9 a whole credential, against a blind signature made here with the vector's key -------

const hexBytes = (x) => {
  const h = x.toString(16);
  return h.length % 2 ? `0${h}` : h;
};
const vectorIssuer = rfc.find((v) => v.name === "RSABSSA-SHA384-PSS-Randomized");
const issuerKey = {
  scheme: "RSABSSA-SHA384-PSS-Randomized",
  n: hexBytes(big(vectorIssuer.n)),
  e: hexBytes(big(vectorIssuer.e)),
};
const blindSign = (blindedHex) => {
  const n = big(vectorIssuer.n);
  return protocol
    .modPow(big(blindedHex), big(vectorIssuer.d), n)
    .toString(16)
    .padStart(blindedHex.length, "0");
};

test("createCredential → issuer → finish → signTracker round trip", async () => {
  const credential = await protocol.createCredential({
    issuerKey,
    meetingId: "jiaxing-2020/meeting-1",
    roundId: "jiaxing-2020/meeting-1/round-2",
  });
  assert.equal(credential.blindedHex.length, 2 * 512);
  assert.match(credential.publicKeyHex, /^04[0-9a-f]{128}$/);
  const registered = await credential.finish(blindSign(credential.blindedHex));
  assert.deepEqual(Object.keys(registered).sort(), [
    "prepared_hex",
    "public_key_hex",
    "signature_hex",
  ]);
  assert.equal(registered.public_key_hex, credential.publicKeyHex);
  const message = protocol.credentialMessage(
    "jiaxing-2020/meeting-1",
    "jiaxing-2020/meeting-1/round-2",
    hexToBytes(credential.publicKeyHex),
  );
  const prepared = hexToBytes(registered.prepared_hex);
  assert.equal(prepared.length, 32 + message.length);
  assert.equal(bytesToHex(prepared.subarray(32)), bytesToHex(message));
  const issuer = protocol.decodeIssuerKey(issuerKey);
  const signature = hexToBytes(registered.signature_hex);
  assert.equal(signature.length, 512);
  assert.ok(await protocol.pssVerify(issuer, prepared, signature));
  assert.ok(await webcryptoPssVerifies(issuer, prepared, signature));

  const tracker = "ab".repeat(32);
  const sig = await credential.signTracker(tracker);
  assert.match(sig, /^[0-9a-f]{128}$/);
  assert.ok(
    await ecdsaVerifies(credential.publicKeyHex, protocol.castMessage(hexToBytes(tracker)), sig),
  );
  await assert.rejects(credential.signTracker("ab"), /a tracker is 32 bytes/);
});

test("finish refuses a blind signature that does not unblind to a credential", async () => {
  const credential = await protocol.createCredential({
    issuerKey,
    meetingId: "m",
    roundId: "m/round-1",
  });
  const blinded = hexToBytes(credential.blindedHex);
  blinded[blinded.length - 1] ^= 1; // the issuer signed something else
  await assert.rejects(
    credential.finish(blindSign(bytesToHex(blinded))),
    /does not unblind to a valid signature/,
  );
  await assert.rejects(credential.finish("00"), /must be 512 bytes/);
  await assert.rejects(credential.finish("ff".repeat(512)), /not below the modulus/);
});

test("issuer keys other than the pinned scheme and canonical form are refused", async () => {
  const args = { meetingId: "m", roundId: "m/round-1" };
  const cases = [
    [
      { ...issuerKey, scheme: "RSABSSA-SHA384-PSSZERO-Randomized" },
      /scheme must be RSABSSA-SHA384-PSS-Randomized/,
    ],
    [{ ...issuerKey, extra: 1 }, /exactly the fields/],
    [{ ...issuerKey, n: issuerKey.n.toUpperCase() }, /canonical lowercase hex/],
    [{ ...issuerKey, e: "00010001" }, /canonical lowercase hex/],
    [{ ...issuerKey, n: "ff".repeat(256) }, /odd and of 3072 to 8192 bits/],
    [{ ...issuerKey, e: "03" }, /public exponent must be 65537/],
    [{ ...issuerKey, e: "010000" }, /public exponent/],
  ];
  for (const [key, message] of cases)
    await assert.rejects(protocol.createCredential({ issuerKey: key, ...args }), message);
});

// --- §10.1 the election key's fingerprint -----------------------------------------------------

test("decryption.json's fingerprint and key are reproduced from its transcript", async () => {
  const { transcriptKey } = await import("../../ballot/web/static/js/ceremony.js");
  const v = load("decryption.json").ceremony;
  const params = { ceremonyId: v.id, k: v.k, n: v.n };
  const found = await transcriptKey(params, v.messages);
  assert.deepEqual(found, { transcriptDigest: v.transcript_digest, jointKey: v.joint_key });
  const fingerprint = await protocol.electionKeyFingerprint(v.transcript_digest, v.joint_key);
  assert.equal(fingerprint, v.fingerprint);
  assert.match(fingerprint, /^\d{4}( \d{4}){5}$/);
  // another digest (another meeting's ceremony id among them) or another key: another fingerprint
  const other = (k) => (big(k) * 2n % GROUP.p).toString(16);
  const { transcriptDigest: elsewhere } = await transcriptKey({ ...params, ceremonyId: "other/ceremony" }, v.messages);
  for (const [digest, key] of [
    [elsewhere, v.joint_key],
    ["00".repeat(32), v.joint_key],
    [v.transcript_digest, other(v.joint_key)],
  ]) assert.notEqual(await protocol.electionKeyFingerprint(digest, key), v.fingerprint);
});

test("transcriptKey refuses a transcript that is short of a scrutineer or has a key out of range", async () => {
  const { transcriptKey } = await import("../../ballot/web/static/js/ceremony.js");
  const v = load("decryption.json").ceremony;
  const params = { ceremonyId: v.id, k: v.k, n: v.n };
  await assert.rejects(transcriptKey(params, v.messages.slice(1)), /2 commitment messages/);
  const bad = JSON.parse(JSON.stringify(v.messages));
  bad[0].coefficients[0].value = GROUP.p.toString(16);
  await assert.rejects(transcriptKey(params, bad), /not an element of the group/);
});

// --- §14 the statements people sign ---------------------------------------------------------

test("statements.json is reproduced, and its member-key signature verifies in WebCrypto", async () => {
  const v = load("statements.json");
  const { statements, canonicalJson } = protocol;
  const hex = (bytes) => bytesToHex(bytes);
  const publicKey = hexToBytes(v.public_key);
  assert.equal(hex(statements.memberKey(v.meeting, v.member_key.member, publicKey)), v.member_key.message);
  for (const p of v.presence) assert.equal(hex(statements.presence(v.meeting, p.member, p.state, p.n, hexToBytes(p.answers))), p.message);
  const r = v.issuance_request;
  assert.equal(hex(statements.issuanceRequest(v.meeting, r.member, r.round_id, hexToBytes(r.blinded))), r.message);
  for (const a of v.attest) assert.equal(hex(await statements.attest(v.meeting, a.role, a.event_kind, a.body)), a.message);
  for (const c of v.canonical_json) assert.equal(hex(canonicalJson(c.value)), c.bytes);
  const key = await subtle.importKey("raw", publicKey, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const ok = await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, hexToBytes(v.signature), hexToBytes(v.member_key.message));
  assert.ok(ok);
  // what the byte form refuses
  const answers = new Uint8Array(32);
  assert.throws(() => statements.presence(v.meeting, "x", "away", 1, answers), /present or left/);
  assert.throws(() => statements.presence(v.meeting, "x", "present", 0, answers), /counted from 1/);
  assert.throws(() => statements.presence(v.meeting, "x", "present", 1, answers.slice(1)), /32-byte hash/);
  assert.throws(() => canonicalJson({ a: 1.5 }), /floats/);
  assert.throws(() => canonicalJson([2 ** 53]), /2\^53/);
  // the texts with no canonical form are refused as Python refuses them (JSON.parse alone
  // would read 1.0 as 1 and pass a lone surrogate on)
  for (const r of v.canonical_json_refused) {
    assert.throws(() => canonicalJson(protocol.parseRecordJson(r.text)), /floats|2\^53|lone surrogate/, r.why);
  }
  assert.deepEqual(protocol.parseRecordJson('{"e":"1.0e5","n":[10,true,false]}'), { e: "1.0e5", n: [10, true, false] });
  assert.equal(hex(canonicalJson(["\ud83d\ude00"])), "5b22f09f9880225d"); // a pair is fine
});

// --- §7 validating a ballot (the scrutineer's page) ---------------------------------------------

test("validateBallot accepts the vector's ballot and gives its tracker", async () => {
  const v = load("ballot.json");
  const tracker = await protocol.validateBallot({
    key: v.election_public_key, context: contextOf(v.context), ballot: v.ballot,
  });
  assert.equal(tracker, v.tracker);
});

test("validateBallot refuses every kind of altered ballot, naming what is wrong", async () => {
  const v = load("ballot.json");
  const args = (ballot, context = contextOf(v.context)) => ({ key: v.election_public_key, context, ballot });
  const copy = () => JSON.parse(JSON.stringify(v.ballot));
  const refused = async (ballot, pattern, context) =>
    assert.rejects(protocol.validateBallot(args(ballot, context)), pattern);
  // a ciphertext swapped between candidates: the proofs are bound to their position
  const swapped = copy();
  [swapped.selections[0].approve, swapped.selections[1].approve] = [swapped.selections[1].approve, swapped.selections[0].approve];
  await refused(swapped, /the proof of candidate 1 does not match its challenge/);
  // a vote doubled: the approve ciphertext squared (encrypts 2 if it encrypted 1)
  const doubled = copy();
  const P = GROUP.p;
  const sq = (h) => ((BigInt("0x" + h) ** 2n) % P).toString(16);
  doubled.selections[2].approve = doubled.selections[2].approve.map(sq);
  await refused(doubled, /the proof of candidate 3/);
  // an element outside the group (p − 1 has order 2)
  const outside = copy();
  outside.selections[0].oppose[0] = (P - 1n).toString(16);
  await refused(outside, /candidate 1's oppose ciphertext is not an element of the group/);
  // a response changed: the challenge still matches, an equation does not
  const response = copy();
  response.selections[1].proof.responses[0] = (BigInt("0x" + response.selections[1].proof.responses[0]) ^ 1n).toString(16);
  await refused(response, /the proof of candidate 2 is invalid/);
  // the total proof for another limit, and another round's context
  const total = copy();
  total.total_proof.challenges.pop();
  await refused(total, /the proof of the number of approvals is malformed/);
  await refused(copy(), /the proof of candidate 1 does not match its challenge/, { ...contextOf(v.context), roundId: "other" });
  const short = copy();
  short.selections.pop();
  await refused(short, /one selection for each of the 4 candidates/);
});

test("decryption.json's acceptance is reproduced: totals digest, statement, signature", async () => {
  const { acceptedBody, signAcceptance, totalsOf } = await import("../../ballot/web/static/js/scrutiny.js");
  const v = load("decryption.json");
  const a = v.acceptance;
  const closed = { ballots: 3, ballot_list: "ab".repeat(32), credential_list: "cd".repeat(32) };
  assert.deepEqual(await acceptedBody(1, 1, closed, a.aggregates), a.body);
  const message = await protocol.statements.attest(a.meeting, "scrutineer 1", "round-accepted", a.body);
  assert.equal(bytesToHex(message), a.message);
  const signature = await signAcceptance(a.meeting, v.secret_share, a.body, BigInt("0x" + a.random[0]));
  assert.deepEqual(signature, a.signature);
  // the totals of §12: per candidate and option the product of the ballots' ciphertexts
  const one = { selections: [{ approve: ["2", "3"], oppose: ["5", "7"] }] };
  assert.deepEqual(totalsOf([one, one], 1), [{ approve: ["4", "9"], oppose: ["19", "31"] }]);
});

test("prevalidate counts only ballots valid under the record's own key and round, with their tracker", async () => {
  const { prevalidate } = await import("../../ballot/web/static/js/scrutiny.js");
  const v = load("ballot.json");
  const opened = { round: 1, ...v.context };
  const record = (start) => ({
    events: [
      { kind: "ceremony", body: { joint_key: v.election_public_key } },
      { kind: "round-opened", body: start },
    ],
  });
  const good = { tracker: v.tracker, ballot: v.ballot };
  assert.equal(await prevalidate(record(opened), 1, [good]), 1);
  // the server's list cannot make a ballot count: another tracker, an altered ballot, another
  // round's context (the same bytes checked before under round 1 are checked again), no round
  assert.equal(await prevalidate(record(opened), 1, [{ ...good, tracker: "00".repeat(32) }]), 0);
  const altered = JSON.parse(JSON.stringify(v.ballot));
  altered.selections[0].proof.responses[0] = "1";
  assert.equal(await prevalidate(record(opened), 1, [{ ...good, ballot: altered }]), 0);
  assert.equal(await prevalidate(record({ ...opened, round_id: "other" }), 1, [good]), 0);
  assert.equal(await prevalidate(record(opened), 2, [good]), 0);
});

test("decryption shares of totals computed here are the same shares, out-of-range values still refused", async () => {
  const v = load("decryption.json");
  const args = {
    ceremonyId: v.ceremony.id, k: v.ceremony.k, n: v.ceremony.n, index: v.scrutineer,
    secret: v.secret_share, meetingId: "m", number: 1, recordHex: "00".repeat(32),
    aggregates: [{ approve: v.ciphertext, oppose: v.ciphertext }],
  };
  const fixed = () => { let i = 1n; return () => (i += 7n); };
  const checked = await protocol.decryptionShares({ ...args, random: fixed() });
  const here = await protocol.decryptionShares({ ...args, random: fixed(), computedHere: true });
  assert.deepEqual(here, checked);
  await assert.rejects(
    protocol.decryptionShares({ ...args, computedHere: true, aggregates: [{ approve: ["1", "2"], oppose: v.ciphertext }] }),
    /not a pair of group elements/,
  );
});

test("decryption.json's result signature is reproduced: statement and signature", async () => {
  const { signResult } = await import("../../ballot/web/static/js/scrutiny.js");
  const v = load("decryption.json");
  const r = v.result;
  const message = await protocol.statements.attest(r.meeting, "scrutineer 1", "result-signed", r.body);
  assert.equal(bytesToHex(message), r.message);
  assert.deepEqual(await signResult(r.meeting, v.secret_share, r.body, BigInt("0x" + r.random[0])), r.signature);
});
