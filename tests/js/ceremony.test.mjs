// Tests of the browser key-ceremony module (ballot/web/static/js/ceremony.js) under Node 20:
//   node --test tests/js/ceremony.test.mjs
// A 2-of-3 ceremony held entirely in JavaScript reaches one joint key; any 2 shares interpolate
// to its secret; every tampering is refused with the scrutineer at fault named. The mixed
// JavaScript/Python ceremony and byte-for-byte comparisons are in tests/browser/test_js_ceremony.py.

import assert from "node:assert/strict";
import { test } from "node:test";

import { begin, deal, finish, transcriptDigest } from "../../ballot/web/static/js/ceremony.js";
import { openShareFile, sealShareFile } from "../../ballot/web/static/js/keystore.js";
import { GROUP, modPow, powG } from "../../ballot/web/static/js/protocol.js";

const { p: P, q: Q } = GROUP;
const params = { ceremonyId: "js-test/meeting-1", k: 2, n: 3 };
const big = (hex) => BigInt("0x" + hex);
const copy = (x) => JSON.parse(JSON.stringify(x));

/** Every scrutineer's `begin` (its state passed through JSON, as a page or the driver keeps it). */
async function begun(p = params) {
  const out = [];
  for (let i = 1; i <= p.n; i++) out.push(copy(await begin({ ...p, index: i })));
  return out;
}

async function dealAll(p, all, messages) {
  const dealt = [];
  for (const { dealing } of all) dealt.push(await deal({ params: p, dealing, messages }));
  return dealt;
}

const addressedTo = (dealt, ell) => dealt.map((shares) => shares.find((s) => s.recipient === ell));

/** Rejects with ceremony.py's code and a message containing `text` (both languages). */
async function refused(promise, code, text) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, / \| /);
    assert.ok(err.message.includes(text), `${err.message} should say "${text}"`);
    return true;
  });
}

const modInverse = (a) => modPow(a, Q - 2n, Q); // q is prime

/** s = Σ λ_ℓ s_ℓ over the given shares: the joint secret when there are at least k. */
function interpolate(shares) {
  let s = 0n;
  for (const { index: l, secret } of shares) {
    let [num, den] = [1n, 1n];
    for (const { index: m } of shares) {
      if (m !== l) [num, den] = [(num * BigInt(m)) % Q, (den * BigInt(m - l)) % Q];
    }
    const lambda = (num * modInverse(((den % Q) + Q) % Q)) % Q;
    s = (s + lambda * big(secret)) % Q;
  }
  return s;
}

// One honest ceremony shared by the tests below (each run takes about a second).
const honest = (async () => {
  const all = await begun();
  const messages = all.map((b) => b.message);
  const dealt = await dealAll(params, all, messages);
  return { all, messages, dealt };
})();

test("a 2-of-3 ceremony in JavaScript reaches one joint key for all", async () => {
  const { all, messages, dealt } = await honest;
  assert.deepEqual(Object.keys(messages[0]), ["sender", "transport_key", "coefficients"]);
  assert.equal(messages[0].coefficients.length, params.k);
  assert.deepEqual(Object.keys(dealt[0][0]), ["sender", "recipient", "ephemeral_key", "nonce", "ciphertext"]);
  assert.equal(dealt[0][0].ciphertext.length, 2 * (32 + 16));
  const results = [];
  for (const { dealing } of all) {
    const shares = addressedTo(dealt, dealing.index);
    results.push(await finish({ params, dealing, messages, shares }));
  }
  const digest = await transcriptDigest(params, messages);
  assert.match(digest, /^[0-9a-f]{64}$/);
  for (const [i, r] of results.entries()) {
    assert.equal(r.jointKey, results[0].jointKey);
    assert.equal(r.transcriptDigest, digest);
    assert.equal(r.share.index, i + 1);
    assert.equal(r.share.ceremonyId, params.ceremonyId);
    assert.equal(r.share.transportPrivate, all[i].dealing.transportPrivate);
    assert.equal(powG(big(r.share.secret)).toString(16), r.shareKey);
  }
  // the joint key is the product of the constant commitments, and any 2 shares give its secret
  const K = messages.reduce((acc, m) => (acc * big(m.coefficients[0].value)) % P, 1n);
  assert.equal(results[0].jointKey, K.toString(16));
  for (const pair of [[0, 1], [0, 2], [1, 2]]) {
    assert.equal(powG(interpolate(pair.map((i) => results[i].share))), K);
  }
  // the order of the published messages and of the shares received does not matter
  const again = await finish({
    params, dealing: all[1].dealing, messages: [...messages].reverse(),
    shares: addressedTo(dealt, 2).reverse(),
  });
  assert.deepEqual(again, results[1]);
});

test("a share file sealed here opens to the same share", async () => {
  const { all, messages, dealt } = await honest;
  const { share } = await finish({ params, dealing: all[2].dealing, messages, shares: addressedTo(dealt, 3) });
  const text = await sealShareFile(share, "监票人 café", { n: 2 ** 10 });
  assert.ok(text.endsWith("}\n"));
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc), ["format", "version", "purpose", "kdf", "salt", "nonce", "ciphertext"]);
  assert.deepEqual(doc.kdf, { name: "scrypt", n: 1024, r: 8, p: 1 });
  assert.deepEqual(await openShareFile(text, "监票人 cafe\u0301"), share); // NFC either way
  await assert.rejects(openShareFile(text, "another passphrase"), { code: "keystore-unreadable" });
  await assert.rejects(sealShareFile(share, ""), { code: "keystore-passphrase" });
  await assert.rejects(sealShareFile(share, "pw", { n: 1000 }), { code: "keystore-format" });
});

test("a tampered share is refused naming its sender", async () => {
  const { all, messages, dealt } = await honest;
  const mine = () => copy(addressedTo(dealt, 2));
  const flip = (hex, at) => hex.slice(0, at) + ((parseInt(hex[at], 16) ^ 1).toString(16)) + hex.slice(at + 1);
  const run = (shares) => finish({ params, dealing: all[1].dealing, messages, shares });

  let shares = mine();
  shares[2].ciphertext = flip(shares[2].ciphertext, 10);
  await refused(run(shares), "share-unreadable", "the share from scrutineer 3 cannot be decrypted");
  shares = mine();
  shares[0].nonce = flip(shares[0].nonce, 0);
  await refused(run(shares), "share-unreadable", "监票人 1 发来的份额无法解密");
  // a share addressed to scrutineer 1, relabelled for scrutineer 2
  shares = mine();
  shares[2] = { ...addressedTo(dealt, 1)[2], recipient: 2 };
  await refused(run(shares), "share-unreadable", "the share from scrutineer 3");
  shares = mine();
  shares[1] = addressedTo(dealt, 3)[1];
  await refused(run(shares), "ceremony-shape", "addressed to 3, not to scrutineer 2");
  await refused(run(mine().slice(1)), "ceremony-shape", "no share from scrutineer 1 reached scrutineer 2");
  await refused(run([...mine(), mine()[0]]), "ceremony-shape", "scrutineer 1 sent two shares");
  shares = mine();
  shares[0].ephemeral_key = "00";
  await refused(run(shares), "malformed-ballot", "ephemeral_key must be 32 bytes");
});

test("a share inconsistent with its sender's commitments is refused naming the sender", async () => {
  const { all, messages } = await honest;
  // scrutineer 1 deals from another polynomial than the one it committed to
  const cheat = copy(all[0].dealing);
  cheat.coefficients[1] = (big(cheat.coefficients[1]) + 1n).toString(16);
  const bad = await deal({ params, dealing: cheat, messages });
  const dealt = [bad, ...(await dealAll(params, all.slice(1), messages))];
  await refused(
    finish({ params, dealing: all[2].dealing, messages, shares: addressedTo(dealt, 3) }),
    "bad-share", "the share from scrutineer 1 does not match scrutineer 1's published commitments",
  );
});

test("a tampered commitment is refused naming the sender and coefficient", async () => {
  const { all, messages } = await honest;
  const run = (edited) => deal({ params, dealing: all[0].dealing, messages: edited });
  let edited = copy(messages);
  edited[2].coefficients[1].value = powG(12345n).toString(16); // in the group, but the proof fails
  await refused(run(edited), "bad-proof", "scrutineer 3: the proof of knowledge for coefficient 1 is invalid");
  edited = copy(messages);
  edited[1].coefficients[0].value = (P - 1n).toString(16); // order 2
  await refused(run(edited), "not-in-group", "scrutineer 2: the commitment of coefficient 0 is not an element");
  edited = copy(messages);
  edited[1].coefficients[1].proof.commitment = "1";
  await refused(run(edited), "not-in-group", "scrutineer 2: the proof commitment of coefficient 1");
  edited = copy(messages);
  edited[2].coefficients[0].proof.response = (big(edited[2].coefficients[0].proof.response) ^ 1n).toString(16);
  await refused(run(edited), "bad-proof", "scrutineer 3: the proof of knowledge for coefficient 0");
  edited = copy(messages);
  edited[2].transport_key = edited[1].transport_key;
  await refused(run(edited), "ceremony-shape", "scrutineers 2 and 3 published the same transport key");
  edited = copy(messages);
  edited[0].coefficients[0] = copy(messages[0].coefficients[1]); // own message altered
  await refused(run(edited), "bad-proof", "scrutineer 1: the proof of knowledge for coefficient 0");
  // the proof is bound to the transport key: swapping it under someone's commitments fails
  edited = copy(messages);
  edited[1].transport_key = "77".repeat(32);
  await refused(run(edited), "bad-proof", "scrutineer 2: the proof of knowledge for coefficient 0");
  await refused(run(messages.slice(0, 2)), "ceremony-shape", "the transcript has 2 commitment messages");
  await refused(run([messages[0], messages[1], messages[1]]), "ceremony-shape", "scrutineer 2 published two");
  // another scrutineer's dealing presented as one's own message
  const other = { ...copy(all[0].dealing), message: copy(all[2].message) };
  await refused(deal({ params, dealing: other, messages }), "ceremony-shape",
    "the transcript does not hold scrutineer 1's own commitments as sent");
});

test("parameters and messages from outside are checked as ceremony.py and codec.py do", async () => {
  await refused(begin({ ...params, index: 4 }), "unknown-scrutineer", "scrutineer 4 is not a scrutineer");
  await refused(begin({ ...params, k: 4, index: 1 }), "ceremony-params", "1 ≤ k ≤ n; got k = 4, n = 3");
  await refused(begin({ ceremonyId: "", k: 1, n: 1, index: 1 }), "ceremony-params", "non-empty id");
  await refused(begin({ ceremonyId: "x", k: 1, n: 101, index: 1 }), "ceremony-params", "at most 100");
  const { messages } = await honest;
  const edited = copy(messages);
  edited[0].coefficients[0].value = "0x12";
  await refused(transcriptDigest(params, edited), "malformed-ballot", "expected lowercase hex");
  edited[0] = { ...messages[0], extra: 1 };
  await refused(transcriptDigest(params, edited), "malformed-ballot", "expected exactly the keys");
});

test("an injected randomness source makes begin and deal deterministic", async () => {
  const p = { ceremonyId: "replay", k: 2, n: 2 };
  const seeded = () => {
    let counter = 0;
    return {
      scalar: () => BigInt(1000 + counter++),
      bytes: (n) => Uint8Array.from({ length: n }, (_, i) => (7 * counter++ + i) & 255),
    };
  };
  const one = await begin({ ...p, index: 1, random: seeded() });
  const two = await begin({ ...p, index: 1, random: seeded() });
  assert.deepEqual(one, two);
  assert.equal(one.dealing.coefficients[0], (1000).toString(16));
  const other = await begin({ ...p, index: 2 });
  const messages = [one.message, other.message];
  const a = await deal({ params: p, dealing: one.dealing, messages, random: seeded() });
  const b = await deal({ params: p, dealing: one.dealing, messages, random: seeded() });
  assert.deepEqual(a, b);
});
