// Tests of the browser keystore module (ballot/web/static/js/keystore.js) under Node 20:
//   node --test tests/js/keystore.test.mjs
// scrypt against RFC 7914 §12 and Node's own scrypt; sealed files built here with node:crypto;
// and, when BALLOT_KEYSTORE_FIXTURE names a JSON file {text, passphrase, expect} (written by
// tests/browser/test_js_keystore.py from a share file that Python sealed), that file.
// BALLOT_SCRYPT_BIG=1 adds RFC 7914's N = 2^20 vector (1 GiB of memory, a few seconds).

import assert from "node:assert/strict";
import { createCipheriv, randomBytes, scryptSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { openSealed, openShareFile, scrypt } from "../../ballot/web/static/js/keystore.js";

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const utf8 = (s) => new TextEncoder().encode(s);

// RFC 7914 §12: [P, S, N, r, p, dkLen = 64, DK].
const RFC_7914 = [
  ["", "", 16, 1, 1,
    "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442" +
    "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"],
  ["password", "NaCl", 1024, 8, 16,
    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162" +
    "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"],
  ["pleaseletmein", "SodiumChloride", 16384, 8, 1,
    "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2" +
    "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"],
  ["pleaseletmein", "SodiumChloride", 1048576, 8, 1,
    "2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa47" +
    "8e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4"],
];

for (const [P, S, N, r, p, expected] of RFC_7914) {
  const big = 128 * r * N > 2 ** 26;
  test(`scrypt RFC 7914 §12: "${P}", "${S}", N=${N}, r=${r}, p=${p}`,
    { skip: big && !process.env.BALLOT_SCRYPT_BIG && "1 GiB vector: set BALLOT_SCRYPT_BIG=1" },
    async () => assert.equal(hex(await scrypt(utf8(P), utf8(S), N, r, p, 64)), expected));
}

test("scrypt agrees with Node's scrypt on random inputs", async () => {
  for (let i = 0; i < 40; i++) {
    const password = randomBytes(i % 7 === 0 ? 0 : 1 + (i * 13) % 90);
    const salt = randomBytes((i * 7) % 40);
    const N = 2 ** (1 + (i % 10)), r = 1 + (i % 5), p = 1 + (i % 3), dkLen = 1 + (i * 29) % 130;
    const expected = scryptSync(password, salt, dkLen, { N, r, p, maxmem: 2 ** 28 });
    assert.equal(hex(await scrypt(password, salt, N, r, p, dkLen)), hex(expected), `case ${i}`);
  }
});

test("scrypt refuses parameters RFC 7914 does not define", async () => {
  for (const [N, r, p, dkLen] of [[1, 1, 1, 32], [3, 1, 1, 32], [1024, 0, 1, 32], [1024, 1, 0, 32], [1024, 1, 1, 0]]) {
    await assert.rejects(scrypt(utf8("pw"), utf8("salt"), N, r, p, dkLen), RangeError);
  }
});

// --- sealed files, built here independently of the module with node:crypto -----------------

const u32 = (type, n) => { const b = Buffer.alloc(5); b[0] = type; b.writeUInt32BE(n, 1); return b; };
const field = (type, bytes) => Buffer.concat([u32(type, bytes.length), bytes]);
const text = (s) => field(0x02, Buffer.from(s, "utf8"));

/** A sealed file as keystore.py writes it (PROTOCOL.md §10), with the header fields given. */
function seal(plaintext, passphrase, purpose, { n = 1024, r = 8, p = 1, header = {} } = {}) {
  const salt = randomBytes(16), nonce = randomBytes(12);
  const key = scryptSync(Buffer.from(passphrase.normalize("NFC"), "utf8"), salt, 32, { N: n, r, p, maxmem: 2 ** 28 });
  const ad = Buffer.concat([text("ballot/v1/keystore"), text("ballot-keystore"), u32(0x05, 1), text(purpose),
    text("scrypt"), u32(0x05, n), u32(0x05, r), u32(0x05, p), field(0x01, salt)]);
  const cipher = createCipheriv("aes-256-gcm", key, nonce).setAAD(ad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const doc = { format: "ballot-keystore", version: 1, purpose, kdf: { name: "scrypt", n, r, p },
    salt: salt.toString("base64"), nonce: nonce.toString("base64"), ciphertext: ciphertext.toString("base64"),
    ...header };
  return JSON.stringify(doc, null, 2) + "\n";
}
const edit = (fileText, change) => { const doc = JSON.parse(fileText); change(doc); return JSON.stringify(doc); };
const flip = (b64, at) => { const b = Buffer.from(b64, "base64"); b[at] ^= 1; return b.toString("base64"); };

const SHARE = { ceremony_id: "meeting-1/ceremony", index: 3, secret: "1f2e3d4c5b6a", transport_private: "ab".repeat(32) };
const shareFile = (content = SHARE, passphrase = "监票人三号 passphrase") =>
  seal(Buffer.from(typeof content === "string" ? content : JSON.stringify(content)), passphrase, "scrutineer-share");

const refused = (message) => (err) => {
  assert.ok(err instanceof Error);
  assert.equal(err.message, message);
  return true;
};
const WRONG = "wrong passphrase, or the file has been altered | 口令错误，或文件已被篡改";
const UNREADABLE = "this is not a readable sealed key file | 这不是可读取的加密密钥文件";
const NOT_A_SHARE = "the share file opened but its content is not a scrutineer share | 份额文件已解密，但内容不是监票人份额";

test("a share file opens to its fields, after NFC normalisation of the passphrase", async () => {
  const expected = {
    ceremonyId: SHARE.ceremony_id, index: 3, secret: SHARE.secret, transportPrivate: SHARE.transport_private,
    transcriptDigest: "", jointKey: "", // (a file written before fingerprints)
  };
  assert.deepEqual(await openShareFile(shareFile(), "监票人三号 passphrase"), expected);
  // a file that keeps its own ceremony's digest and key opens to them; half of the pair is refused
  const own = { ...SHARE, transcript_digest: "ab".repeat(32), joint_key: "1f" };
  assert.deepEqual(await openShareFile(shareFile(own, "pw"), "pw"),
    { ...expected, transcriptDigest: "ab".repeat(32), jointKey: "1f" });
  await assert.rejects(openShareFile(shareFile({ ...SHARE, joint_key: "1f" }, "pw"), "pw"), refused(NOT_A_SHARE));
  await assert.rejects(openShareFile(shareFile({ ...own, joint_key: "01f" }, "pw"), "pw"), refused(NOT_A_SHARE));
  // (as in Python, a field that is there must be a string: null is not "absent")
  await assert.rejects(openShareFile(shareFile({ ...SHARE, transcript_digest: null, joint_key: null }, "pw"), "pw"),
    refused(NOT_A_SHARE));
  assert.deepEqual(await openShareFile(shareFile(SHARE, "caf\u00e9"), "cafe\u0301"), expected);
  const plain = await openSealed(seal(Buffer.from("xyz"), "pw", "committee-signing-key"), "pw", "committee-signing-key");
  assert.equal(Buffer.from(plain).toString(), "xyz");
});

test("a wrong passphrase or any change to the file is refused with one message", async () => {
  const file = shareFile(SHARE, "pw");
  const doc = JSON.parse(file);
  await assert.rejects(openShareFile(file, "pW"), refused(WRONG));
  await assert.rejects(openShareFile(file, ""), refused(WRONG));
  for (const change of [
    (d) => { d.ciphertext = flip(doc.ciphertext, 0); },
    (d) => { d.ciphertext = flip(doc.ciphertext, Buffer.from(doc.ciphertext, "base64").length - 1); },
    (d) => { d.nonce = flip(doc.nonce, 5); },
    (d) => { d.salt = flip(doc.salt, 15); },
    (d) => { d.kdf.n = 2048; },
    (d) => { d.kdf.p = 2; },
  ]) {
    await assert.rejects(openShareFile(edit(file, change), "pw"), refused(WRONG));
  }
});

test("a malformed header is refused with keystore.py's message", async () => {
  const file = shareFile(SHARE, "pw");
  const params = (n, r, p) => `unusable scrypt parameters n=${n}, r=${r}, p=${p} (n a power of two from 2^10 to 2^22, ` +
    `at most 1 GiB of memory) | scrypt 参数不可用：n=${n}，r=${r}，p=${p}（n 须为 2^10 至 2^22 之间的 2 的幂，内存不超过 1 GiB）`;
  const cases = [
    ["not json", UNREADABLE], ["[]", UNREADABLE],
    [edit(file, (d) => { d.format = "other"; }), UNREADABLE],
    [edit(file, (d) => { d.version = 2; }),
      "sealed key file version 2 is not supported (this program reads version 1) | 不支持版本为 2 的加密密钥文件（本程序读取版本 1）"],
    [edit(file, (d) => { d.kdf.name = "argon2"; }), UNREADABLE],
    [edit(file, (d) => { delete d.kdf.p; }), UNREADABLE],
    [edit(file, (d) => { d.kdf.n = 2 ** 23; }), params(2 ** 23, 8, 1)],
    [edit(file, (d) => { d.kdf.n = 2 ** 40; }), params(2 ** 40, 8, 1)],
    [edit(file, (d) => { d.kdf.n = 3000; }), params(3000, 8, 1)],
    [edit(file, (d) => { d.kdf.n = 512; }), params(512, 8, 1)],
    [edit(file, (d) => { d.kdf.n = 2 ** 22; d.kdf.r = 4; }), params(2 ** 22, 4, 1)],
    [edit(file, (d) => { d.kdf.r = 65; }), params(1024, 65, 1)],
    [edit(file, (d) => { d.kdf.p = 17; }), params(1024, 8, 17)],
    [edit(file, (d) => { d.kdf.n = "1024"; }), params('"1024"', 8, 1)],
    [edit(file, (d) => { d.ciphertext = "***"; }), UNREADABLE],
    [edit(file, (d) => { d.salt += "="; }), UNREADABLE],
    [edit(file, (d) => { d.nonce = d.nonce.slice(0, -1); }), UNREADABLE],
    [edit(file, (d) => { d.nonce = Buffer.alloc(8).toString("base64"); }),
      "the sealed key file's salt or nonce has the wrong length | 加密密钥文件的盐值或随机数长度不正确"],
    [edit(file, (d) => { d.purpose = "committee-signing-key"; }),
      "this file holds a 'committee-signing-key', not a 'scrutineer-share' | 该文件保存的是 'committee-signing-key'，而非 'scrutineer-share'"],
  ];
  for (const [bad, message] of cases) {
    await assert.rejects(openShareFile(bad, "pw"), refused(message));
  }
  // Python's base64 (validate=True) ignores "=" after a complete group; so does the module.
  assert.equal((await openShareFile(edit(file, (d) => { d.nonce += "=="; }), "pw")).index, 3);
});

test("content that is not a scrutineer share is refused", async () => {
  for (const content of ["not json", "[1]", "\ufeff" + JSON.stringify(SHARE), { ...SHARE, index: 0 },
    { ...SHARE, index: true }, { ...SHARE, index: "3" }, { ...SHARE, ceremony_id: 7 }, { ...SHARE, secret: "xyz" },
    { ...SHARE, secret: "" }, { ...SHARE, transport_private: "ab".repeat(31) }, { ...SHARE, transport_private: undefined }]) {
    await assert.rejects(openShareFile(shareFile(content, "pw"), "pw"), refused(NOT_A_SHARE));
  }
});

test("a share file sealed by Python (BALLOT_KEYSTORE_FIXTURE) opens to the same fields", async (t) => {
  const path = process.env.BALLOT_KEYSTORE_FIXTURE;
  if (!path) return t.skip("BALLOT_KEYSTORE_FIXTURE is not set (tests/browser/test_js_keystore.py sets it)");
  const fixture = JSON.parse(readFileSync(path, "utf8"));
  assert.deepEqual(await openShareFile(fixture.text, fixture.passphrase), fixture.expect);
  await assert.rejects(openShareFile(fixture.text, fixture.passphrase + "x"), refused(WRONG));
});
