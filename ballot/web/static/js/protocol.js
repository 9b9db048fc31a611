/**
 * The browser's client of docs/PROTOCOL.md: a second, independent implementation of what a
 * member's device does (anonymous credential, encrypted ballot with proofs, signature over the
 * tracker 回执) and of a scrutineer's decryption shares (监票人解密份额).
 *
 * One dependency-free ES module for Chromium and Node 20: only `globalThis.crypto`
 * (getRandomValues, subtle), `TextEncoder` and BigInt. The shared vectors in tests/vectors/
 * pin it byte for byte to the Python implementation in ballot/crypto/.
 *
 * Conventions: integers travel as lowercase hex without `0x` and without leading zeros (as
 * ballot/crypto/codec.py writes them); byte strings (tracker, keys, signatures) as hex of
 * exactly their length. Every secret scalar is uniform in [1, q) from the CSPRNG unless a
 * `random` function is injected (test vectors only).
 *
 * @module protocol
 */

const subtle = globalThis.crypto?.subtle; // undefined outside a secure context
const utf8 = new TextEncoder();

// --- §2 the group ----------------------------------------------------------------------------

const fromHex = (...lines) => BigInt("0x" + lines.join(""));

/**
 * The ElectionGuard 1.x standard group: p a 4096-bit prime, q = 2^256 − 189, g = 2^r mod p.
 * Source (as ballot/crypto/group-4096.json): ElectionGuard specification 1.x;
 * electionguard-python 1.4.0, electionguard/constants.py, STANDARD_CONSTANTS.
 * `name` is the group's name in the protocol (what §10 hashes), as ballot/crypto/group.py
 * calls it; group-4096.json's own "name" field is a longer description.
 * @type {{name: string, description: string, p: bigint, q: bigint, g: bigint}}
 */
export const GROUP = Object.freeze({
  name: "electionguard-4096",
  description: "ElectionGuard 1.x standard group (p 4096-bit, q = 2^256 - 189)",
  p: fromHex(
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff93c467e37db0c7a4d1be3f810152cb56a1cecc3af65cc0190c03df34709affbd",
    "8e4b59fa03a9f0eed0649ccb621057d11056ae9132135a08e43b4673d74bafea58deb878cc86d733dbe7bf38154b36cf8a96d1567899aaae0c09d4c8b6b7b86f",
    "d2a1ea1de62ff8643ec7c271827977225e6ac2f0bd61c746961542a3ce3bea5db54fe70e63e6d09f8fc28658e80567a47cfde60ee741e5d85a7bd46931ced822",
    "0365594964b839896fcaabccc9b31959c083f22ad3ee591c32fab2c7448f2a057db2db49ee52e0182741e53865f004cc8e704b7c5c40bf304c4d8c4f13edf604",
    "7c555302d2238d8ce11df2424f1b66c2c5d238d0744db679af2890487031f9c0aea1c4bb6fe9554ee528fdf1b05e5b256223b2f09215f3719f9c7ccc69ddf172",
    "d0d6234217fcc0037f18b93ef5389130b7a661e5c26e54214068bbcafea32a67818bd3075ad1f5c7e9cc3d1737fb28171baf84dbb6612b7881c1a48e439cd03a",
    "92bf52225a2b38e6542e9f722bce15a381b5753ea842763381ccae83512b30511b32e5e8d80362149ad030aaba5f3a5798bb22aa7ec1b6d0f17903f4e22d8407",
    "34aa85973f79a93ffb82a75c47c03d43d2f9ca02d03199baceddd4533a52566affffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  ),
  q: 2n ** 256n - 189n,
  g: fromHex(
    "1d41e49c477e15eaeef0c5e4ac08d4a46c268cd3424fc01d13769bdb43673218587bc86c4c1448d006a03699f3abae5feb19e296f5d143cc5e4a3fc89088c9f4",
    "523d166ee3ae9d5fb03c0bdd77add5c017f6c55e2ec92c226fef5c6c1df2e7c36d90e7eaade098241d3409983bccd2b5379e9391fbc62f9f8d939d1208b16036",
    "7c134264122189595ec85c8cdbe5f9d307f46912c04932f8c16815a76b4682bd6bdc0ed52b00d8d30f59c731d5a7ffae8165d53cf96649aac2b743da56f14f19",
    "dacc5236f29b1ab9f9befc69697293d5dead8b5bf5de9bab6de67c45719e56344a3cbdf3609824b1b578e34eaeb6dd3190ab3571d6d671c512282c1da7bd36b4",
    "251d2584fadea80b9e141423074dd9b5fb83acbdead4c87a58fff517f977a83080370a3b0cf98a1bc2978c47aac29611fd6c40e2f9875c35d50443a9aa3f4961",
    "1dcd3a0d6ff3cb3facf31471bdb61860b92c594d4e46569bb39feeadff1fd64c836a6d6db85c6ba7241766b7ab56bf739633b054147f7170921412e948d9e474",
    "02d15bb1c257318612c121c36b80eb8433c08e7d0b7149e3ab0a8735a92edce8ff943e28a2dceacfcc69ec318909cb047be1c5858844b5ad44f22eeb289e4cc5",
    "54f7a5e2f3dea026877ff92851816071ce028eb868d965ccb2d2295a8c55bd1c070b39b09ae06b37d29343b9d8997dc244c468b980970731736ee018bbadb987",
  ),
});

const { p: P, q: Q, g: G } = GROUP;
const ELEMENT_BYTES = 512; // ⌈bits(p)/8⌉
const SCALAR_BYTES = 32; // ⌈bits(q)/8⌉
const SCALAR_BITS = 256;

// --- bytes and hex ---------------------------------------------------------------------------

/** @param {string} hex @param {string} what @returns {Uint8Array} */
export function hexToBytes(hex, what = "value") {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`${what}: expected hex of whole bytes`);
  }
  const nibble = (i) => {
    const c = hex.charCodeAt(i);
    return (c & 0xf) + 9 * (c >> 6);
  }; // 0-9, a-f, A-F
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(2 * i) << 4) | nibble(2 * i + 1);
  return out;
}

/** @param {Uint8Array} bytes @returns {string} lowercase hex */
export function bytesToHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** A non-negative integer as exactly `length` big-endian bytes. */
function bigToBytes(x, length) {
  const hex = x.toString(16);
  if (x < 0n || hex.length > 2 * length) throw new Error(`integer does not fit in ${length} bytes`);
  return hexToBytes(hex.padStart(2 * length, "0"));
}

function bytesToBig(bytes) {
  return bytes.length ? BigInt("0x" + bytesToHex(bytes)) : 0n;
}

/** An integer from lowercase hex without `0x` (the codec's form). */
function hexToBig(hex, what) {
  if (typeof hex !== "string" || !/^[0-9a-f]{1,1024}$/.test(hex)) {
    throw new Error(`${what}: expected lowercase hex (at most 1024 digits)`);
  }
  return BigInt("0x" + hex);
}

const hexOf = (x) => x.toString(16);

/** Byte strings joined. @param {Uint8Array[]} parts @returns {Uint8Array} */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function bitLength(x) {
  return x === 0n ? 0 : x.toString(2).length;
}

const mod = (a, m) => ((a % m) + m) % m;

// --- §3 canonical encoding and hashing --------------------------------------------------------

/** n as 4 big-endian bytes. */
const be32 = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function header(type, count) {
  if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) {
    throw new Error("field too long to encode");
  }
  return Uint8Array.of(type, ...be32(count));
}

/** `01 ‖ length ‖ bytes` @param {Uint8Array} bytes @returns {Uint8Array} */
export function bytesField(bytes) {
  return concat([header(0x01, bytes.length), bytes]);
}

/** `02 ‖ length ‖ UTF-8` (exact code points; a lone surrogate is refused, as in Python). */
export function textField(text) {
  if (typeof text !== "string" || /\p{Surrogate}/u.test(text)) {
    throw new Error("text: expected a well-formed string");
  }
  const data = utf8.encode(text);
  return concat([header(0x02, data.length), data]);
}

/** `03 ‖ x` as exactly 512 big-endian bytes (0 ≤ x < p). @param {bigint} x */
export function elementField(x) {
  if (typeof x !== "bigint" || x < 0n || x >= P) throw new Error("element out of range");
  return concat([Uint8Array.of(0x03), bigToBytes(x, ELEMENT_BYTES)]);
}

/** `04 ‖ x` as exactly 32 big-endian bytes (0 ≤ x < q). @param {bigint} x */
export function scalarField(x) {
  if (typeof x !== "bigint" || x < 0n || x >= Q) throw new Error("scalar out of range");
  return concat([Uint8Array.of(0x04), bigToBytes(x, SCALAR_BYTES)]);
}

/** `05 ‖ n` as 4 big-endian bytes. @param {number} n */
export function u32Field(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error("u32 out of range");
  return header(0x05, n);
}

/** `06 ‖ count ‖ the fields`. @param {Uint8Array[]} fields */
export function listField(fields) {
  return concat([header(0x06, fields.length), ...fields]);
}

/** SHA-256(text(tag) ‖ f1 ‖ … ‖ fn). @returns {Promise<Uint8Array>} 32 bytes */
export async function digest(tag, fields) {
  const data = concat([textField(tag), ...fields]);
  return new Uint8Array(await subtle.digest("SHA-256", data));
}

/** H(tag; fields) = int(digest) mod q. @returns {Promise<bigint>} */
export async function hashToScalar(tag, fields) {
  return bytesToBig(await digest(tag, fields)) % Q;
}

/** The §3 helpers as one namespace. */
export const hashing = Object.freeze({
  bytesField,
  textField,
  elementField,
  scalarField,
  u32Field,
  listField,
  digest,
  hashToScalar,
});

// --- the election key's fingerprint (§10.1) ---------------------------------------------------

const FINGERPRINT_DIGITS = 24;

/**
 * fingerprint.election_key_fingerprint: digest("ballot/v1/election-key-fingerprint"; bytes(
 * transcript digest), element(K)), its first 16 bytes mod 10^24, as six groups of four digits —
 * what members, scrutineers and the projector compare aloud. (The digest names the ceremony,
 * so the meeting; nothing the server chooses goes in.)
 * @param {string} transcriptDigestHex 32 bytes @param {string} keyHex the joint key K
 * @returns {Promise<string>}
 */
export async function electionKeyFingerprint(transcriptDigestHex, keyHex) {
  const d = await digest("ballot/v1/election-key-fingerprint", [
    bytesField(hexToBytes(transcriptDigestHex, "transcript digest")),
    elementField(hexToBig(keyHex, "election key")),
  ]);
  const digits = (bytesToBig(d.slice(0, 16)) % 10n ** BigInt(FINGERPRINT_DIGITS))
    .toString().padStart(FINGERPRINT_DIGITS, "0");
  return digits.match(/.{4}/g).join(" ");
}

// --- §14 what people sign ---------------------------------------------------------------------

const byCodePoint = (a, b) => {
  // Python's sort_keys orders by code point; JavaScript's default sort by UTF-16 unit
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
};

/**
 * chain.canonical_json: sorted keys (by code point), no spaces, UTF-8, no floats, no integer
 * beyond 2^53 — byte for byte what Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) writes. @param {unknown} value @returns {Uint8Array}
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const wellFormed = (text, where) => {
  if (LONE_SURROGATE.test(text)) throw new Error(`${where}: a string with a lone surrogate has no UTF-8 form`);
  return text;
};

/**
 * JSON.parse for texts whose values will be hashed as canonical JSON: it refuses a number
 * written with a fraction or an exponent (JSON.parse reads 1.0 as 1, which the record, like
 * Python, refuses as a float), so both sides refuse the same texts (statements.json).
 */
export function parseRecordJson(text) {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if ((ch === "." || ch === "e" || ch === "E") && i > 0 && text[i - 1] >= "0" && text[i - 1] <= "9") {
      throw new Error(`character ${i}: floats are not allowed in the record`);
    }
  }
  return JSON.parse(text);
}

export function canonicalJson(value) {
  const write = (v, where) => {
    if (v === null || typeof v === "boolean") return JSON.stringify(v);
    if (typeof v === "string") return JSON.stringify(wellFormed(v, where));
    if (typeof v === "number") {
      if (!Number.isInteger(v)) throw new Error(`${where}: floats are not allowed in the record`);
      if (Math.abs(v) >= 2 ** 53) throw new Error(`${where}: integers beyond 2^53 must be hex strings`);
      return String(v);
    }
    if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${where}[${i}]`)).join(",")}]`;
    if (typeof v === "object") {
      const keys = Object.keys(v).sort(byCodePoint);
      return `{${keys.map((k) => `${JSON.stringify(wellFormed(k, `${where} key`))}:${write(v[k], `${where}.${k}`)}`).join(",")}}`;
    }
    throw new Error(`${where}: ${typeof v} cannot be recorded`);
  };
  return utf8.encode(write(value, "value"));
}

const statement = (kind, meetingId, fields) =>
  concat([textField("ballot/v1/statement"), textField(kind), textField(meetingId), ...fields]);

/**
 * statements.key_fingerprint: a member key's short name, digest("ballot/v1/member-key-
 * fingerprint"; bytes(key))'s first 8 bytes mod 10^12, as three groups of four digits.
 * @param {Uint8Array} publicKey 65 bytes @returns {Promise<string>}
 */
export async function keyFingerprint(publicKey) {
  const d = await digest("ballot/v1/member-key-fingerprint", [bytesField(publicKey)]);
  return (bytesToBig(d.slice(0, 8)) % 10n ** 12n).toString().padStart(12, "0").match(/.{4}/g).join(" ");
}

/** A fresh member key for one meeting: P-256, the private half not extractable (it can be
 * kept in IndexedDB but never read out). @returns {Promise<{privateKey: CryptoKey, publicKey: Uint8Array}>} */
export async function newMemberKey() {
  const pair = await subtle.generateKey(P256, false, ["sign", "verify"]);
  return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey("raw", pair.publicKey)) };
}

/** The 64-byte P1363 ECDSA P-256 / SHA-256 signature (hex) of a statement's bytes. */
export async function signStatement(privateKey, message) {
  return bytesToHex(new Uint8Array(await subtle.sign(ECDSA_SHA256, privateKey, message)));
}

/** Whether `signatureHex` (64-byte P1363) is the P-256 key's (65 bytes) over `message`; any
 * malformed key or signature is false. @returns {Promise<boolean>} */
export async function verifyStatement(publicKey, message, signatureHex) {
  try {
    const key = await subtle.importKey("raw", publicKey, P256, false, ["verify"]);
    return await subtle.verify(ECDSA_SHA256, key, hexToBytes(signatureHex, "signature"), message);
  } catch {
    return false;
  }
}

/** The byte form of each statement people sign (ballot/protocol/statements.py). */
export const statements = Object.freeze({
  /** A device's enrolment of the member's key (signed by that key). */
  memberKey(meetingId, member, publicKey) {
    if (publicKey.length !== 65 || publicKey[0] !== 0x04) throw new Error("a member key is 65 bytes: 04 ‖ x ‖ y");
    return statement("member-key", meetingId, [textField(member), bytesField(publicKey)]);
  },
  /** "present" or "left", the n-th presence statement of this member (n ≥ 1), answering the
   * check-in (or check-out) event whose 32-byte hash is `answers`. */
  presence(meetingId, member, state, n, answers) {
    if (!["present", "left"].includes(state)) throw new Error("presence is present or left");
    if (!Number.isInteger(n) || n < 1) throw new Error("presence statements are counted from 1");
    if (!(answers instanceof Uint8Array) || answers.length !== 32) throw new Error("a presence statement answers one event: its 32-byte hash");
    return statement("presence", meetingId, [textField(member), textField(state), u32Field(n), bytesField(answers)]);
  },
  /** The device asks for this round's credential (the blinded message). */
  issuanceRequest(meetingId, member, roundId, blinded) {
    return statement("issuance-request", meetingId, [textField(member), textField(roundId), bytesField(blinded)]);
  },
  /** The chair or a scrutineer vouches for one event of the record, by its body. */
  async attest(meetingId, role, eventKind, body) {
    const digest = new Uint8Array(await subtle.digest("SHA-256", canonicalJson(body)));
    return statement("attest", meetingId, [textField(role), textField(eventKind), bytesField(digest)]);
  },
});

// --- arithmetic mod p ------------------------------------------------------------------------

/** base^exponent mod m (exponent ≥ 0), 4-bit fixed window. */
export function modPow(base, exponent, m) {
  return powWith(smallTable(mod(base, m), m), exponent, m);
}

/** base^0 … base^15 mod m: one table serves several exponentiations of one base. */
function smallTable(base, m) {
  const table = [1n, base];
  for (let d = 2; d < 16; d++) table.push((table[d - 1] * base) % m);
  return table;
}

function powWith(table, exponent, m) {
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    if (result !== 1n) for (let i = 0; i < 4; i++) result = (result * result) % m;
    const d = parseInt(digit, 16);
    if (d) result = result === 1n ? table[d] : (result * table[d]) % m;
  }
  return result;
}

/**
 * Whether x is in the order-q subgroup, the identity excluded: 1 < x < p and x^q ≡ 1 (§2).
 * @param {bigint} x @returns {boolean}
 */
export function isGroupElement(x) {
  return typeof x === "bigint" && 1n < x && x < P && modPow(x, Q, P) === 1n;
}

/**
 * Fixed-base powers of one base for exponents below 2^256: entry [row][d] = base^(d·2^(w·row)),
 * so base^e is one multiplication per nonzero w-bit digit of e (§4). Build cost about
 * ⌈256/w⌉·2^w multiplications, memory as many 512-byte numbers.
 */
class FixedBase {
  /** @param {bigint} base @param {number} window bits per digit */
  constructor(base, window) {
    this.window = window;
    this.size = 1 << window;
    this.table = [];
    let rowBase = base;
    for (let bits = 0; bits < SCALAR_BITS; bits += window) {
      const digits = Math.min(this.size, 2 ** (SCALAR_BITS - bits)); // the last row may be short
      let x = rowBase;
      this.table.push(1n, x);
      for (let d = 2; d < digits; d++) this.table.push((x = (x * rowBase) % P));
      if (bits + window < SCALAR_BITS) rowBase = (x * rowBase) % P; // base^(2^(w·(row+1)))
    }
  }

  /** acc · base^e mod p, for 0 ≤ e < 2^256 (acc = 1n to start a product). */
  mulPow(acc, e) {
    const mask = BigInt(this.size - 1);
    const w = BigInt(this.window);
    for (let at = 0; e > 0n; at += this.size, e >>= w) {
      const d = Number(e & mask);
      if (d) acc = acc === 1n ? this.table[at + d] : (acc * this.table[at + d]) % P;
    }
    return acc;
  }

  /** base^e mod p, 0 ≤ e < 2^256. */
  pow(e) {
    return this.mulPow(1n, e);
  }
}

/** Table windows, measured with tests/js/bench.mjs: g's table is built once per page (lazily),
 * K's once per election key, so K's window trades its build time against its use. */
const G_WINDOW = 8;
const K_WINDOW = 5;
let gTable = null;
const gBase = () => (gTable ??= new FixedBase(G, G_WINDOW));

/** g^x·K^y mod p in one pass over both tables. */
const gk = (x, key, y) => key.table.mulPow(gBase().pow(x), y);

let lastKey = null;

/**
 * The election key K from hex, checked to be a group element, with its table (kept for the
 * last key used: a page encrypts under one key).
 * @param {string} hex @returns {{value: bigint, table: FixedBase}}
 */
function electionKey(hex) {
  if (lastKey?.hex === hex) return lastKey;
  const value = hexToBig(hex, "election key");
  if (!isGroupElement(value)) throw new Error("the election key is not an element of the group");
  lastKey = { hex, value, table: new FixedBase(value, K_WINDOW) };
  return lastKey;
}

/** Prepare fixed-base tables ahead of time (e.g. while the member reads the ballot). */
export function warmUp(keyHex) {
  gBase();
  if (keyHex !== undefined) electionKey(keyHex);
}

// --- randomness --------------------------------------------------------------------------------

/** n bytes from the CSPRNG. @returns {Uint8Array} */
function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536)
    globalThis.crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

/** Uniform in [1, high) by rejection sampling over bitLength(high) random bits. */
function randomBelow(high, bytes = randomBytes) {
  const bits = bitLength(high);
  const length = Math.ceil(bits / 8);
  for (;;) {
    const raw = bytes(length);
    raw[0] &= 0xff >> (8 * length - bits);
    const x = bytesToBig(raw);
    if (x >= 1n && x < high) return x;
  }
}

/** A source of secret scalars in [1, q): the injected one, checked, or the CSPRNG. */
function scalarSource(random) {
  if (random === undefined) return () => randomBelow(Q);
  return () => {
    const x = random();
    if (typeof x !== "bigint" || x < 1n || x >= Q)
      throw new Error("random: expected a BigInt in [1, q)");
    return x;
  };
}

/** A secret scalar uniform in [1, q) from the CSPRNG. @returns {bigint} */
export function randomScalar() {
  return randomBelow(Q);
}

/** g^x mod p from g's fixed-base table (0 ≤ x < 2^256, e.g. any scalar). @param {bigint} x */
export function powG(x) {
  if (typeof x !== "bigint" || x < 0n || bitLength(x) > SCALAR_BITS) {
    throw new Error("powG: expected a BigInt in [0, 2^256)");
  }
  return gBase().pow(x);
}

// --- §5.3 Schnorr proof of knowledge ----------------------------------------------------------

const schnorrChallenge = (context, public_, commitment) =>
  hashToScalar("ballot/v1/schnorr", [
    listField(context),
    elementField(public_),
    elementField(commitment),
  ]);

/**
 * Proof of knowledge of x for X = g^x (schnorr.prove): h = g^u,
 * c = H("ballot/v1/schnorr"; seq(context), element(X), element(h)), v = u + c·x mod q.
 * @param {bigint} secret x in [1, q)
 * @param {Uint8Array[]} context encoded fields (§3)
 * @param {bigint} [u] the commitment's scalar in [1, q) (default: fresh from the CSPRNG)
 * @returns {Promise<{commitment: bigint, challenge: bigint, response: bigint}>}
 */
export async function schnorrProve(secret, context, u = randomBelow(Q)) {
  if (typeof u !== "bigint" || u < 1n || u >= Q) throw new Error("u: expected a BigInt in [1, q)");
  const commitment = powG(u);
  const challenge = await schnorrChallenge(context, powG(secret % Q), commitment);
  return { commitment, challenge, response: (u + challenge * secret) % Q };
}

/**
 * The exact check of schnorr.verify: 0 ≤ c, v < q, c recomputed, g^v = h·X^c. `public_` and the
 * proof's commitment must already be checked group elements (isGroupElement).
 * @param {bigint} public_ X
 * @param {{commitment: bigint, challenge: bigint, response: bigint}} proof
 * @param {Uint8Array[]} context
 * @returns {Promise<boolean>}
 */
export async function schnorrVerify(public_, proof, context) {
  const { commitment, challenge, response } = proof;
  if (!(0n <= challenge && challenge < Q && 0n <= response && response < Q)) return false;
  if (challenge !== (await schnorrChallenge(context, public_, commitment))) return false;
  return powG(response) === (commitment * modPow(public_, challenge, P)) % P;
}

// --- §6 the ballot's context ------------------------------------------------------------------

export const CHOICES = Object.freeze(["approve", "oppose", "abstain"]);
/** Branches of the selection proof, in order: abstain (0,0), approve (1,0), oppose (0,1). */
const BRANCHES = [
  [0, 0],
  [1, 0],
  [0, 1],
];

/**
 * The context every proof of a ballot is bound to (§6).
 * @param {{record: string, roundId: string, candidates: string[], k: number}} context
 */
function ballotContext(context) {
  const { record, roundId, candidates, k } = context ?? {};
  const recordBytes = hexToBytes(record, "context.record");
  if (recordBytes.length !== 32) throw new Error("context.record: expected 32 bytes of hex");
  if (typeof roundId !== "string" || !roundId)
    throw new Error("context.roundId: expected a string");
  if (
    !Array.isArray(candidates) ||
    !candidates.length ||
    candidates.some((c) => typeof c !== "string")
  ) {
    throw new Error("context.candidates: expected a list of candidate names");
  }
  if (!Number.isInteger(k) || k < 0 || k > 0xffffffff)
    throw new Error("context.k: expected a whole number ≥ 0");
  const fields = [
    bytesField(recordBytes),
    textField(roundId),
    listField(candidates.map(textField)),
    u32Field(k),
  ];
  return {
    candidates,
    k,
    fields,
    /** fields ‖ [text(kind), u32(index)] */
    proofContext: (kind, index) => [...fields, textField(kind), u32Field(index)],
  };
}

// --- §5 proofs (prover side) ------------------------------------------------------------------

const commitmentsField = (commitments) => listField(commitments.flat().map(elementField));

/**
 * Commitments for a CDS disjunction whose every branch claims log_g A = log_K B_j for a pair
 * (A, B_j) with known witness `w` (A = g^w and B_true = K^w). Branch `real` commits (g^u, K^u);
 * branch j ≠ real draws (c_j, v_j) and commits a_j = g^t, b_j = K^t·g^(−δ_j·c_j), t = v_j − w·c_j,
 * with B_j = B_true·g^(δ_j). Draws u, then (c_j, v_j) in branch order (§11).
 */
function simulateBranches(key, witness, deltas, real, draw) {
  const u = draw();
  const challenges = deltas.map(() => 0n);
  const responses = deltas.map(() => 0n);
  const commitments = deltas.map((delta, j) => {
    if (j === real) return [gBase().pow(u), key.table.pow(u)];
    const c = draw();
    const v = draw();
    challenges[j] = c;
    responses[j] = v;
    const t = mod(v - witness * c, Q);
    return [gBase().pow(t), gk(mod(-delta * c, Q), key, t)];
  });
  /** Close the proof once the Fiat–Shamir challenge c is known. */
  const close = (c) => {
    challenges[real] = mod(c - challenges.reduce((a, b) => a + b, 0n), Q);
    responses[real] = (u + challenges[real] * witness) % Q;
    return { commitments, challenges, responses };
  };
  return { commitments, close };
}

/** §5.2's statement fields S for one candidate's pair, and its combiner z. */
async function selectionStatement(context, key, approve, oppose) {
  const statement = [
    listField(context),
    elementField(key.value),
    elementField(approve[0]),
    elementField(approve[1]),
    elementField(oppose[0]),
    elementField(oppose[1]),
  ];
  const z = 1n + (bytesToBig(await digest("ballot/v1/selection-combiner", statement)) % (Q - 1n));
  return { statement, z };
}

/** §5.2: (approve, oppose) encrypt (0,0), (1,0) or (0,1), folded by the combiner z. */
async function proveSelection(key, approve, oppose, a, o, rA, rO, context, draw) {
  const { statement, z } = await selectionStatement(context, key, approve, oppose);
  const witness = (rA + z * rO) % Q;
  const deltas = BRANCHES.map(([ai, oi]) => BigInt(a - ai) + z * BigInt(o - oi));
  const real = BRANCHES.findIndex(([ai, oi]) => ai === a && oi === o);
  const proof = simulateBranches(key, witness, deltas, real, draw);
  const c = await hashToScalar("ballot/v1/selection-proof", [
    ...statement,
    commitmentsField(proof.commitments),
  ]);
  return proof.close(c);
}

/** §5.1: ciphertext `ct` = Enc(m; r) under K with 0 ≤ m ≤ limit. */
async function proveRange(key, ct, m, r, limit, context, draw) {
  const deltas = Array.from({ length: limit + 1 }, (_, j) => BigInt(m - j));
  const proof = simulateBranches(key, r, deltas, m, draw);
  const c = await hashToScalar("ballot/v1/range-proof", [
    listField(context),
    elementField(key.value),
    elementField(ct[0]),
    elementField(ct[1]),
    u32Field(limit),
    commitmentsField(proof.commitments),
  ]);
  return proof.close(c);
}

/** P(proof) of §6: seq(seq(commitments), seq(challenges), seq(responses)). */
function proofField(proof) {
  return listField([
    commitmentsField(proof.commitments),
    listField(proof.challenges.map(scalarField)),
    listField(proof.responses.map(scalarField)),
  ]);
}

/** §6's tracker: digest("ballot/v1/tracker"; seq(context), element(K), each selection's
 * seq(elements…, P(proof)), P(total proof)). */
const trackerOf = (ctx, K, selections, totalProof) =>
  digest("ballot/v1/tracker", [
    listField(ctx.fields),
    elementField(K.value),
    ...selections.map((s) =>
      listField([...s.approve, ...s.oppose].map(elementField).concat(proofField(s.proof))),
    ),
    proofField(totalProof),
  ]);

function proofJson(proof) {
  return {
    commitments: proof.commitments.map(([a, b]) => [hexOf(a), hexOf(b)]),
    challenges: proof.challenges.map(hexOf),
    responses: proof.responses.map(hexOf),
  };
}

// --- §6 encrypting a ballot -------------------------------------------------------------------

/**
 * Encrypt one member's choices with every proof (§4–§6) and compute the tracker (回执).
 *
 * @param {object} args
 * @param {string} args.key the joint election key K, lowercase hex
 * @param {{record: string, roundId: string, candidates: string[], k: number}} args.context
 *   record: hex of the 32-byte record hash; k: the most approvals a ballot may carry
 * @param {string[]} args.choices "approve" | "oppose" | "abstain", one per candidate in order
 * @param {() => bigint} [args.random] secret scalars in [1, q) (test vectors only; drawn in the
 *   order of §11)
 * @returns {Promise<{ballot: object, tracker: string}>} the §11 JSON shape and the tracker hex
 */
export async function encryptBallot({ key, context, choices, random }) {
  const ctx = ballotContext(context);
  if (!Array.isArray(choices) || choices.length !== ctx.candidates.length) {
    throw new Error(`one choice per candidate is needed: ${ctx.candidates.length} candidates`);
  }
  const bad = choices.find((c) => !CHOICES.includes(c));
  if (bad !== undefined)
    throw new Error(`a choice is approve, oppose or abstain, not ${JSON.stringify(bad)}`);
  const approvals = choices.filter((c) => c === "approve").length;
  if (approvals > ctx.k) throw new Error(`${approvals} approvals; at most ${ctx.k} allowed`);
  const K = electionKey(key);
  const draw = scalarSource(random);

  const selections = [];
  let total = [1n, 1n];
  let totalR = 0n;
  for (const [i, choice] of choices.entries()) {
    const a = choice === "approve" ? 1 : 0;
    const o = choice === "oppose" ? 1 : 0;
    const rA = draw();
    const rO = draw();
    const approve = [gBase().pow(rA), gk(BigInt(a), K, rA)];
    const oppose = [gBase().pow(rO), gk(BigInt(o), K, rO)];
    const context = ctx.proofContext("selection", i);
    const proof = await proveSelection(K, approve, oppose, a, o, rA, rO, context, draw);
    selections.push({ approve, oppose, proof });
    total = [(total[0] * approve[0]) % P, (total[1] * approve[1]) % P];
    totalR = (totalR + rA) % Q;
  }
  const totalContext = ctx.proofContext("total", 0);
  const totalProof = await proveRange(K, total, approvals, totalR, ctx.k, totalContext, draw);

  const tracker = await trackerOf(ctx, K, selections, totalProof);
  const ballot = {
    selections: selections.map((s) => ({
      approve: s.approve.map(hexOf),
      oppose: s.oppose.map(hexOf),
      proof: proofJson(s.proof),
    })),
    total_proof: proofJson(totalProof),
  };
  return { ballot, tracker: bytesToHex(tracker) };
}

// --- §7 validating a ballot (what a scrutineer's page checks before it accepts a round) ------

/** A proof's JSON (§11) read with `branches` branches: elements below p, scalars below q. */
function proofFrom(raw, branches, what) {
  const ok =
    raw && typeof raw === "object" &&
    Array.isArray(raw.commitments) && raw.commitments.length === branches &&
    raw.commitments.every((pair) => Array.isArray(pair) && pair.length === 2) &&
    Array.isArray(raw.challenges) && raw.challenges.length === branches &&
    Array.isArray(raw.responses) && raw.responses.length === branches;
  if (!ok) throw new Error(`${what} is malformed`);
  const commitments = raw.commitments.map((pair) =>
    pair.map((x) => {
      const value = hexToBig(x, what);
      if (!(1n < value && value < P)) throw new Error(`${what}: a commitment is not below p`);
      return value;
    }),
  );
  const scalar = (x) => {
    const value = hexToBig(x, what);
    if (value >= Q) throw new Error(`${what}: a scalar is not below q`);
    return value;
  };
  return { commitments, challenges: raw.challenges.map(scalar), responses: raw.responses.map(scalar) };
}

/** Σ c_j ≡ c and, for every branch j, g^{v_j} = a_j·X^{c_j} and K^{v_j} = b_j·Y_j^{c_j}. */
function branchesHold(key, proof, c, x, ys) {
  if (proof.challenges.reduce((a, b) => a + b, 0n) % Q !== c) return "challenge";
  for (const [j, [a, b]] of proof.commitments.entries()) {
    const cj = proof.challenges[j];
    const vj = proof.responses[j];
    if (powG(vj) !== (a * modPow(x, cj, P)) % P) return "equation";
    if (key.table.pow(vj) !== (b * modPow(ys[j], cj, P)) % P) return "equation";
  }
  return null;
}

/**
 * Every check of §7 on one ballot, exactly (one equation at a time): its shape, every
 * ciphertext element in the group, each candidate's selection proof (§5.2) and the proof of at
 * most k approvals (§5.1), each challenge recomputed over its whole statement. Returns the
 * ballot's tracker (hex); throws an Error naming the first failure.
 *
 * @param {object} args
 * @param {string} args.key the joint election key K, lowercase hex
 * @param {{record: string, roundId: string, candidates: string[], k: number}} args.context
 * @param {object} args.ballot the §11 JSON shape
 * @returns {Promise<string>}
 */
export async function validateBallot({ key, context, ballot }) {
  const ctx = ballotContext(context);
  const K = electionKey(key);
  const n = ctx.candidates.length;
  if (!ballot || !Array.isArray(ballot.selections) || ballot.selections.length !== n) {
    throw new Error(`the ballot does not have one selection for each of the ${n} candidates`);
  }
  const element = (hex, what) => {
    const x = hexToBig(hex, what);
    if (!isGroupElement(x)) throw new Error(`${what} is not an element of the group`);
    return x;
  };
  const pair = (raw, what) => {
    if (!Array.isArray(raw) || raw.length !== 2) throw new Error(`${what} is malformed`);
    return [element(raw[0], what), element(raw[1], what)];
  };
  const selections = [];
  let total = [1n, 1n];
  for (const [i, s] of ballot.selections.entries()) {
    const what = `candidate ${i + 1}`;
    const approve = pair(s?.approve, `${what}'s approve ciphertext`);
    const oppose = pair(s?.oppose, `${what}'s oppose ciphertext`);
    const proof = proofFrom(s?.proof, BRANCHES.length, `the proof of ${what}`);
    const { statement, z } = await selectionStatement(ctx.proofContext("selection", i), K, approve, oppose);
    const c = await hashToScalar("ballot/v1/selection-proof", [...statement, commitmentsField(proof.commitments)]);
    const alpha = (approve[0] * modPow(oppose[0], z, P)) % P;
    const beta = (approve[1] * modPow(oppose[1], z, P)) % P;
    const ys = BRANCHES.map(([ai, oi]) => (beta * powG(mod(-(BigInt(ai) + z * BigInt(oi)), Q))) % P);
    const failed = branchesHold(K, proof, c, alpha, ys);
    if (failed === "challenge") throw new Error(`the proof of ${what} does not match its challenge`);
    if (failed) throw new Error(`the proof of ${what} is invalid`);
    selections.push({ approve, oppose, proof });
    total = [(total[0] * approve[0]) % P, (total[1] * approve[1]) % P];
  }
  const totalProof = proofFrom(ballot.total_proof, ctx.k + 1, "the proof of the number of approvals");
  const c = await hashToScalar("ballot/v1/range-proof", [
    listField(ctx.proofContext("total", 0)),
    elementField(K.value),
    elementField(total[0]),
    elementField(total[1]),
    u32Field(ctx.k),
    commitmentsField(totalProof.commitments),
  ]);
  const ys = Array.from({ length: ctx.k + 1 }, (_, j) => (total[1] * powG(mod(-BigInt(j), Q))) % P);
  const failed = branchesHold(K, totalProof, c, total[0], ys);
  if (failed === "challenge") throw new Error("the proof of the number of approvals does not match its challenge");
  if (failed) throw new Error(`the proof of at most ${ctx.k} approvals is invalid`);
  const tracker = await trackerOf(ctx, K, selections, totalProof);
  return bytesToHex(tracker);
}

/**
 * What the credential key signs (§6): text("ballot/v1/cast") ‖ bytes(tracker).
 * @param {Uint8Array} tracker 32 bytes @returns {Uint8Array}
 */
export function castMessage(tracker) {
  if (tracker.length !== 32) throw new Error("a tracker is 32 bytes");
  return concat([textField("ballot/v1/cast"), bytesField(tracker)]);
}

// --- §9 anonymous credentials: RSABSSA-SHA384-PSS-Randomized (RFC 9474) -----------------------

export const ISSUER_SCHEME = "RSABSSA-SHA384-PSS-Randomized";
const HASH_LEN = 48; // SHA-384
const SALT_LEN = 48; // pinned
const PREFIX_LEN = 32;
const P256 = { name: "ECDSA", namedCurve: "P-256" };
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" };

const sha384 = async (data) => new Uint8Array(await subtle.digest("SHA-384", data));

/** Canonical hex of a positive integer: lowercase, whole bytes, no leading zero byte. */
function canonicalHex(value, what) {
  if (typeof value !== "string" || !/^([0-9a-f]{2})+$/.test(value) || value.startsWith("00")) {
    throw new Error(`issuer key: ${what} must be canonical lowercase hex`);
  }
  return BigInt("0x" + value);
}

/**
 * The issuer's public key from its record form {"scheme", "n", "e"}
 * (blind_rsa.encode_public_key); refuses any other scheme or shape.
 * @returns {{n: bigint, e: bigint}}
 */
export function decodeIssuerKey(json) {
  const keys = json && typeof json === "object" ? Object.keys(json).sort().join(",") : "";
  if (keys !== "e,n,scheme")
    throw new Error('issuer key: expected exactly the fields "scheme", "n", "e"');
  if (json.scheme !== ISSUER_SCHEME)
    throw new Error(`issuer key: the scheme must be ${ISSUER_SCHEME}`);
  const n = canonicalHex(json.n, "n");
  const e = canonicalHex(json.e, "e");
  const bits = bitLength(n);
  if (n % 2n === 0n || bits < 3072 || bits > 8192) {
    throw new Error("issuer key: the modulus must be odd and of 3072 to 8192 bits");
  }
  if (e !== 65537n) throw new Error("issuer key: the public exponent must be 65537");
  return { n, e };
}

const modulusLength = (n) => Math.ceil(bitLength(n) / 8);

/** MGF1 with SHA-384. */
async function mgf1(seed, length) {
  const blocks = [];
  for (let counter = 0; blocks.length * HASH_LEN < length; counter++) {
    blocks.push(await sha384(concat([seed, Uint8Array.of(...be32(counter))])));
  }
  return concat(blocks).subarray(0, length);
}

const pssHash = async (msg, salt) => sha384(concat([new Uint8Array(8), await sha384(msg), salt]));

/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, MGF1-SHA-384, emBits = modBits − 1.
 * @param {Uint8Array} msg the prepared message @param {Uint8Array} salt @param {number} modBits
 * @returns {Promise<Uint8Array>} EM, ⌈(modBits − 1)/8⌉ bytes
 */
export async function pssEncode(msg, salt, modBits) {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < HASH_LEN + salt.length + 2)
    throw new Error("the key is too small for this salt length");
  const h = await pssHash(msg, salt);
  const db = new Uint8Array(emLen - HASH_LEN - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = await mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  return concat([db, h, Uint8Array.of(0xbc)]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with the salt length given. */
async function pssCheck(msg, em, emBits, saltLength) {
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < HASH_LEN + saltLength + 2 || em[emLen - 1] !== 0xbc)
    return false;
  const top = 8 * emLen - emBits;
  const db = em.slice(0, emLen - HASH_LEN - 1);
  const h = em.subarray(db.length, emLen - 1);
  if (db[0] >> (8 - top) !== 0) return false;
  const mask = await mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> top;
  const padding = emLen - HASH_LEN - saltLength - 2;
  if (db.subarray(0, padding).some((b) => b !== 0) || db[padding] !== 0x01) return false;
  const expected = await pssHash(msg, db.subarray(db.length - saltLength));
  let diff = 0;
  for (let i = 0; i < HASH_LEN; i++) diff |= expected[i] ^ h[i];
  return diff === 0;
}

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** a^−1 mod m (extended Euclid); throws when a is not invertible. */
function modInverse(a, m) {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1) {
    const t = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
  }
  if (r0 !== 1n) throw new Error("not invertible");
  return mod(s0, m);
}

/**
 * Blind (RFC 9474 §4.2): EMSA-PSS-encode the prepared message with `salt`, then
 * blinded = m·r^e mod n. `salt` and `r` are inputs so the official vectors can be reproduced.
 * @param {{n: bigint, e: bigint}} issuer
 * @param {Uint8Array} prepared prefix ‖ message
 * @param {{salt: Uint8Array, r: bigint}} secrets r in [1, n), invertible
 * @returns {Promise<{blinded: Uint8Array, inv: bigint}>} the blinded message (modulus length)
 *   and inv = r^−1 mod n to keep for `finalize`
 */
export async function blind({ n, e }, prepared, { salt, r }) {
  const m = bytesToBig(await pssEncode(prepared, salt, bitLength(n)));
  if (gcd(m, n) !== 1n) throw new Error("blinding: the encoded message is not invertible");
  if (typeof r !== "bigint" || r < 1n || r >= n || gcd(r, n) !== 1n) {
    throw new Error("blinding: the blinding factor must be invertible and in [1, n)");
  }
  const blinded = (m * modPow(r, e, n)) % n;
  return { blinded: bigToBytes(blinded, modulusLength(n)), inv: modInverse(r, n) };
}

/**
 * RSASSA-PSS-VERIFY with SHA-384 and the salt length pinned (48 unless told otherwise, for the
 * vectors): the signature must be exactly the modulus length and below n.
 * @returns {Promise<boolean>}
 */
export async function pssVerify({ n, e }, prepared, signature, { saltLength = SALT_LEN } = {}) {
  if (!(signature instanceof Uint8Array) || signature.length !== modulusLength(n)) return false;
  const s = bytesToBig(signature);
  if (s >= n) return false;
  const emBits = bitLength(n) - 1;
  const emLen = Math.ceil(emBits / 8);
  const m = modPow(s, e, n);
  if (bitLength(m) > 8 * emLen) return false;
  return pssCheck(prepared, bigToBytes(m, emLen), emBits, saltLength);
}

/**
 * Finalize (RFC 9474 §4.4): s = z·inv mod n, verified before it is returned.
 * @param {{n: bigint, e: bigint}} issuer @param {Uint8Array} prepared
 * @param {Uint8Array} blindSignature @param {bigint} inv
 * @returns {Promise<Uint8Array>} the signature (modulus length)
 */
export async function finalize(
  issuer,
  prepared,
  blindSignature,
  inv,
  { saltLength = SALT_LEN } = {},
) {
  const length = modulusLength(issuer.n);
  if (blindSignature.length !== length)
    throw new Error(`the blind signature must be ${length} bytes`);
  const z = bytesToBig(blindSignature);
  if (z >= issuer.n) throw new Error("the blind signature is not below the modulus");
  if (inv < 1n || inv >= issuer.n) throw new Error("the unblinding value must be in [1, n)");
  const signature = bigToBytes((z * inv) % issuer.n, length);
  if (!(await pssVerify(issuer, prepared, signature, { saltLength }))) {
    throw new Error(
      "the issuer's blind signature does not unblind to a valid signature on this credential",
    );
  }
  return signature;
}

/** §9: text("ballot/v1/credential") ‖ text(meeting id) ‖ text(round id) ‖ bytes(P-256 key). */
export function credentialMessage(meetingId, roundId, publicKey) {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04)
    throw new Error("a credential key is 65 bytes: 04 ‖ x ‖ y");
  return concat([
    textField("ballot/v1/credential"),
    textField(meetingId),
    textField(roundId),
    bytesField(publicKey),
  ]);
}

/**
 * A member's credential for one round: a fresh P-256 key (WebCrypto, private key not
 * extractable) and the blinded request for the issuer (§9, ballot/protocol/device.py VoterDevice).
 * The returned `state` (CryptoKeys and hex; structured-cloneable, e.g. into IndexedDB, not
 * JSON) lets `resumeCredential` rebuild the same credential after a reload, so a page that asks
 * for its credential when the round opens can cast minutes later.
 *
 * @param {object} args
 * @param {{scheme: string, n: string, e: string}} args.issuerKey the meeting's issuer key
 * @param {string} args.meetingId the meeting's public id
 * @param {string} args.roundId the round id
 * @param {(n: number) => Uint8Array} [args.random] n random bytes (prefix, salt, r); tests only
 * @returns {Promise<{publicKeyHex: string, blindedHex: string, state: object,
 *   finish: (blindSignatureHex: string) => Promise<{public_key_hex: string, prepared_hex: string, signature_hex: string}>,
 *   signTracker: (trackerHex: string) => Promise<string>}>}
 */
export async function createCredential({ issuerKey, meetingId, roundId, random = randomBytes }) {
  const issuer = decodeIssuerKey(issuerKey);
  const pair = await subtle.generateKey(P256, false, ["sign", "verify"]);
  const publicKey = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  const prepared = concat([random(PREFIX_LEN), credentialMessage(meetingId, roundId, publicKey)]);
  const salt = random(SALT_LEN);
  const r = randomBelow(issuer.n, random);
  const { blinded, inv } = await blind(issuer, prepared, { salt, r });
  const state = {
    privateKey: pair.privateKey,
    publicKeyHex: bytesToHex(publicKey),
    preparedHex: bytesToHex(prepared),
    blindedHex: bytesToHex(blinded),
    invHex: hexOf(inv),
  };
  return credentialFrom(issuer, state);
}

/**
 * The credential `createCredential` made, from its `state` (as stored): the same blinded
 * request (so a lost answer is asked for again and answered again), the same key.
 * @param {{issuerKey: object, state: object}} args @returns {ReturnType<typeof createCredential>}
 */
export async function resumeCredential({ issuerKey, state }) {
  return credentialFrom(decodeIssuerKey(issuerKey), state);
}

function credentialFrom(issuer, state) {
  const { privateKey, publicKeyHex, preparedHex, blindedHex, invHex } = state;
  const prepared = hexToBytes(preparedHex, "prepared credential");
  const inv = hexToBig(invHex, "blinding inverse");
  return {
    publicKeyHex,
    blindedHex,
    state,
    /** Unblind and verify the issuer's answer; returns what to register (anonymously). */
    async finish(blindSignatureHex) {
      const signature = await finalize(
        issuer,
        prepared,
        hexToBytes(blindSignatureHex, "blind signature"),
        inv,
      );
      return {
        public_key_hex: publicKeyHex,
        prepared_hex: preparedHex,
        signature_hex: bytesToHex(signature),
      };
    },
    /** The 64-byte P1363 ECDSA signature (hex) over the cast message of this tracker (§6). */
    async signTracker(trackerHex) {
      const message = castMessage(hexToBytes(trackerHex, "tracker"));
      const signature = await subtle.sign(ECDSA_SHA256, privateKey, message);
      return bytesToHex(new Uint8Array(signature));
    },
  };
}

// --- §10 decryption shares ------------------------------------------------------------------

export const OPTIONS = Object.freeze(["approve", "oppose"]);

/** ballot/protocol/context.py decryption_context: [bytes(record), text(round id), text(option), u32(i)]. */
export function decryptionContext(meetingId, number, recordHex, option, index) {
  return [
    bytesField(hexToBytes(recordHex, "record")),
    textField(`${meetingId}/round-${number}`),
    textField(option),
    u32Field(index),
  ];
}

/** The scrutineer's checked parameters and public share key X = g^s. */
function scrutineer({ ceremonyId, k, n, index, secret, groupName = GROUP.name, shareKey }) {
  if (typeof ceremonyId !== "string" || !ceremonyId)
    throw new Error("ceremonyId: expected a non-empty string");
  if (!(Number.isInteger(k) && Number.isInteger(n) && 1 <= k && k <= n && n <= 100)) {
    throw new Error(`the threshold must satisfy 1 ≤ k ≤ n ≤ 100; got k = ${k}, n = ${n}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > n)
    throw new Error(`scrutineer ${index} is not one of 1..${n}`);
  const s = hexToBig(typeof secret === "string" ? secret.toLowerCase() : secret, "secret share");
  if (s >= Q) throw new Error("secret share: not below q");
  const public_ = gBase().pow(s);
  if (shareKey !== undefined && hexToBig(shareKey, "share key") !== public_) {
    throw new Error(`scrutineer ${index}'s secret share does not match its public share key`);
  }
  const params = [textField(groupName), textField(ceremonyId), u32Field(k), u32Field(n)];
  return { index, s, public: public_, params };
}

/** M = α^s with the Chaum–Pedersen proof of §5.4 / §10, as codec.decryption_share_json. */
async function shareOf(who, ciphertext, contextFields, draw, computedHere = false) {
  const [alpha, beta] =
    Array.isArray(ciphertext) && ciphertext.length === 2
      ? ciphertext.map((x) => hexToBig(x, "ciphertext"))
      : [];
  const inGroup = computedHere
    ? (x) => typeof x === "bigint" && x > 1n && x < P
    : isGroupElement;
  if (!inGroup(alpha) || !inGroup(beta)) {
    throw new Error("the ciphertext to decrypt is not a pair of group elements");
  }
  const context = [
    textField("ballot/v1/decryption-share"),
    ...who.params,
    u32Field(who.index),
    elementField(alpha),
    elementField(beta),
    listField(contextFields),
  ];
  const powers = smallTable(alpha, P);
  const value = powWith(powers, who.s, P);
  const u = draw();
  const commitmentG = gBase().pow(u);
  const commitmentA = powWith(powers, u, P);
  const c = await hashToScalar("ballot/v1/chaum-pedersen", [
    listField(context),
    ...[who.public, alpha, value, commitmentG, commitmentA].map(elementField),
  ]);
  return {
    index: who.index,
    value: hexOf(value),
    proof: {
      commitment_g: hexOf(commitmentG),
      commitment_a: hexOf(commitmentA),
      challenge: hexOf(c),
      response: hexOf((u + c * who.s) % Q),
    },
  };
}

/**
 * One decryption share with an arbitrary caller's context (what tests/vectors/decryption.json
 * pins). Arguments as `decryptionShares`, plus `ciphertext` [αhex, βhex] and `contextFields`
 * (encoded fields, Uint8Array[]).
 * @returns {Promise<object>} {index, value, proof: {commitment_g, commitment_a, challenge, response}}
 */
export async function decryptionShare({ ciphertext, contextFields, random, ...ceremony }) {
  return shareOf(scrutineer(ceremony), ciphertext, contextFields, scalarSource(random));
}

/**
 * A scrutineer's decryption shares of every total of a closed round (ballot/protocol/device.py
 * decryption_shares): each ciphertext is checked to be in the group before the secret touches
 * it; one proof scalar u is drawn per share, candidates in order, approve before oppose.
 *
 * @param {object} args
 * @param {string} args.ceremonyId @param {number} args.k @param {number} args.n
 * @param {number} args.index this scrutineer ℓ (1..n)
 * @param {string} args.secret s_ℓ, hex (as the share file holds it)
 * @param {string} [args.groupName] default GROUP.name
 * @param {string} [args.shareKey] K_ℓ from the record, hex: if given, s_ℓ must match it
 * @param {string} args.meetingId @param {number} args.number the round's number
 * @param {string} args.recordHex the round's record hash
 * @param {{approve: string[], oppose: string[]}[]} args.aggregates per candidate [αhex, βhex]
 * @param {() => bigint} [args.random] proof scalars (tests only)
 * @param {boolean} [args.computedHere] the totals are products this page computed itself from
 *   ciphertexts it checked in the group (scrutiny.js): their membership follows, and is not
 *   checked again (each check is an exponentiation; the close waits for them)
 * @returns {Promise<{approve: object, oppose: object}[]>}
 */
export async function decryptionShares({
  meetingId,
  number,
  recordHex,
  aggregates,
  random,
  computedHere = false,
  ...ceremony
}) {
  const who = scrutineer(ceremony);
  const draw = scalarSource(random);
  if (!Array.isArray(aggregates)) throw new Error("aggregates: expected a list per candidate");
  const out = [];
  for (const [i, total] of aggregates.entries()) {
    const shares = {};
    for (const option of OPTIONS) {
      const context = decryptionContext(meetingId, number, recordHex, option, i);
      shares[option] = await shareOf(who, total?.[option], context, draw, computedHere);
    }
    out.push(shares);
  }
  return out;
}
