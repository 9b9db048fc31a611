/**
 * One scrutineer's side of the key ceremony (监票人密钥生成仪式, docs/PROTOCOL.md §10) in the
 * browser, byte-compatible with ballot/crypto/ceremony.py so JavaScript and Python scrutineers
 * can hold one ceremony: `begin` (polynomial, transport key, commitments C_ij = g^{a_ij} with
 * Schnorr proofs), `deal` (verify the transcript, encrypt f_i(ℓ) to each ℓ), `finish` (decrypt
 * and check the shares addressed to this scrutineer; its share s_ℓ) and `transcriptDigest`.
 *
 * Messages and shares are codec.py's JSON, parsed as strictly. The dealing is plain JSON (hex
 * strings, as ceremony.Dealing): keep it in memory only, it holds the polynomial. Only
 * protocol.js, BigInt and WebCrypto (X25519, HKDF, AES-GCM): it runs unchanged in current
 * browsers and Node 20. A refusal is an Error whose message is "English | 中文" (ceremony.py's
 * texts) and whose `code` is ceremony.py's refusal code.
 * @module ceremony
 */

import {
  GROUP, bytesField, bytesToHex, concat, digest, elementField, hexToBytes, isGroupElement, listField,
  modPow, powG, randomScalar, scalarField, schnorrProve, schnorrVerify, textField, u32Field,
} from "./protocol.js";

/** @typedef {{ceremonyId: string, k: number, n: number, groupName?: string}} Params 1 ≤ k ≤ n ≤ 100;
 * groupName is the group's name in P (default GROUP.name) */

const { p: P, q: Q } = GROUP;
const MAX_SCRUTINEERS = 100, TRANSPORT_KEY_BYTES = 32, NONCE_BYTES = 12, SCALAR_BYTES = 32;
const TAG = "ballot/v1/ceremony/"; // + coefficient, share-key, share, transcript

/** An Error with ceremony.py's refusal code and the bilingual message "English | 中文". */
const refuse = (code, en, zh) => Object.assign(new Error(`${en} | ${zh}`), { code });
const show = (v) => (typeof v === "string" ? `'${v}'` : JSON.stringify(v ?? null)); // Python repr
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (x) => Number.isInteger(x);
const hexOf = (x) => x.toString(16);
const bySender = (a, b) => a.sender - b.sender;

/**
 * The randomness: the CSPRNG, unless `random` = {scalar?: () => bigint, bytes?: n => Uint8Array}
 * is injected (tests only, to replay Python's draws).
 */
function source({ bytes = (n) => crypto.getRandomValues(new Uint8Array(n)), scalar = randomScalar } = {}) {
  const check = (ok, x, what) => { if (!ok) throw new Error(`random: expected ${what}`); return x; };
  return {
    bytes: (n, out = bytes(n)) => check(out instanceof Uint8Array && out.length === n, out, `${n} bytes`),
    scalar: (x = scalar()) => check(typeof x === "bigint" && x >= 1n && x < Q, x, "a BigInt in [1, q)"),
  };
}

// --- parameters (ceremony.CeremonyParams) --------------------------------------------------

/** Checked parameters with P = [text(group name), text(ceremony id), u32(k), u32(n)]. */
function ceremonyParams({ ceremonyId, k, n, groupName = GROUP.name } = {}) {
  if (typeof ceremonyId !== "string" || !ceremonyId)
    throw refuse("ceremony-params", "the ceremony needs a non-empty id", "密钥生成仪式需要非空的编号");
  if (!(isCount(k) && isCount(n) && 1 <= k && k <= n))
    throw refuse("ceremony-params", `the threshold must satisfy 1 ≤ k ≤ n; got k = ${k}, n = ${n}`,
      `门限须满足 1 ≤ k ≤ n，现为 k = ${k}，n = ${n}`);
  if (n > MAX_SCRUTINEERS)
    throw refuse("ceremony-params", `at most ${MAX_SCRUTINEERS} scrutineers; got ${n}`,
      `监票人最多 ${MAX_SCRUTINEERS} 名，现为 ${n} 名`);
  const fields = [textField(groupName), textField(ceremonyId), u32Field(k), u32Field(n)];
  return { ceremonyId, k, n, fields };
}

/** A scrutineer index from outside: an integer in 1..n, or refused. */
function checkIndex({ n }, index, what, whatZh) {
  if (isCount(index) && 1 <= index && index <= n) return index;
  throw refuse("unknown-scrutineer", `${what} ${show(index)} is not a scrutineer of this ceremony (1..${n})`,
    `${whatZh} ${show(index)} 不是本次仪式的监票人（1..${n}）`);
}

// --- JSON, exactly as ballot/crypto/codec.py -------------------------------------------------

const malformed = (where, what) =>
  refuse("malformed-ballot", `ballot ${where}: ${what}`, `选票 ${where}：格式错误（${what}）`);

function object(raw, where, keys) {
  if (!isObject(raw) || Object.keys(raw).sort().join() !== [...keys].sort().join())
    throw malformed(where, `expected exactly the keys ${keys.join(", ")}`);
  return raw;
}

function int(raw, where) {
  if (typeof raw !== "string" || !/^[0-9a-f]{1,1024}$/.test(raw))
    throw malformed(where, "expected lowercase hex of at most 1024 digits");
  return BigInt("0x" + raw);
}

function upTo100(v, where, what) {
  if (!isCount(v) || v < 1 || v > 100) throw malformed(where, `${what} must be 1..100`);
  return v;
}

/** codec.commitment_message_from_json. */
function parseMessage(raw) {
  const top = object(raw, "ceremony message", ["sender", "transport_key", "coefficients"]);
  const sender = upTo100(top.sender, "ceremony message", "sender");
  if (typeof top.transport_key !== "string" || !/^[0-9a-f]{64}$/.test(top.transport_key))
    throw malformed("ceremony message", "transport_key must be 32 bytes of hex");
  if (!Array.isArray(top.coefficients) || top.coefficients.length > 100)
    throw malformed("coefficients", "expected a list of at most 100");
  const coefficients = top.coefficients.map((c, i) => {
    const at = `coefficients[${i}]`;
    const obj = object(c, at, ["value", "proof"]);
    const names = ["commitment", "challenge", "response"];
    const proof = object(obj.proof, `${at}.proof`, names);
    const [commitment, challenge, response] = names.map((name) => int(proof[name], at));
    return { value: int(obj.value, at), proof: { commitment, challenge, response } };
  });
  return { sender, transportKey: hexToBytes(top.transport_key), coefficients };
}

/** codec.commitment_message_json. */
const messageJson = ({ sender, transportKey, coefficients }) => ({
  sender,
  transport_key: bytesToHex(transportKey),
  coefficients: coefficients.map(({ value, proof: { commitment, challenge, response } }) => ({
    value: hexOf(value),
    proof: { commitment: hexOf(commitment), challenge: hexOf(challenge), response: hexOf(response) },
  })),
});

/** codec.encrypted_share_from_json. */
function parseShare(raw) {
  const where = "ceremony share";
  const top = object(raw, where, ["sender", "recipient", "ephemeral_key", "nonce", "ciphertext"]);
  const out = { sender: upTo100(top.sender, where, "sender") };
  out.recipient = upTo100(top.recipient, where, "recipient");
  for (const [key, size] of [["ephemeral_key", 32], ["nonce", 12], ["ciphertext", 0]]) {
    const v = top[key];
    if (typeof v !== "string" || !/^(?:[0-9a-f]{2}){1,256}$/.test(v))
      throw malformed(where, `${key} must be hex`);
    if (size && v.length !== 2 * size) throw malformed(where, `${key} must be ${size} bytes`);
    out[key] = hexToBytes(v);
  }
  return out;
}

// --- X25519, HKDF-SHA256, AES-256-GCM (WebCrypto) --------------------------------------------

const X25519 = { name: "X25519" };
const PKCS8_X25519 = hexToBytes("302e020100300506032b656e04220420"); // RFC 8410, then the 32 bytes
const BASE_POINT = hexToBytes("09".padEnd(64, "0")); // u = 9

function subtle() {
  if (globalThis.crypto?.subtle) return globalThis.crypto.subtle;
  throw new Error("this page cannot use WebCrypto: open it over HTTPS | 此页面无法使用 WebCrypto：请通过 HTTPS 打开");
}

/** A raw 32-byte X25519 private key (X25519PrivateKey.private_bytes_raw) as a CryptoKey. */
async function privateKey(raw) {
  try {
    return await subtle().importKey("pkcs8", concat([PKCS8_X25519, raw]), X25519, false, ["deriveBits"]);
  } catch (err) {
    if (err?.name !== "NotSupportedError") throw err;
    throw refuse("x25519-unsupported", "this browser's WebCrypto has no X25519: use a current browser",
      "此浏览器的 WebCrypto 不支持 X25519：请使用较新的浏览器");
  }
}

/** X25519(key, u), 32 bytes; throws on a low-order u (an all-zero shared secret). */
async function agree(key, u) {
  const public_ = await subtle().importKey("raw", u, X25519, true, []);
  return new Uint8Array(await subtle().deriveBits({ name: "X25519", public: public_ }, key, 256));
}

/** The raw public key of a private CryptoKey: X25519(k, 9). */
const publicOf = (key) => agree(key, BASE_POINT);

/** §10: AES-256-GCM key = HKDF-SHA256(ikm = ephemeral DH ‖ static DH, no salt, info). */
async function shareKey(ephemeralDh, staticDh, ephemeralKey, senderKey, recipientKey) {
  const ikm = await subtle().importKey("raw", concat([ephemeralDh, staticDh]), "HKDF", false, ["deriveKey"]);
  const keys = [ephemeralKey, senderKey, recipientKey].map(bytesField);
  const info = concat([textField(TAG + "share-key"), ...keys]);
  const hkdf = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info };
  return subtle().deriveKey(hkdf, ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** AES-GCM parameters, with ceremony.share_associated_data. */
const gcm = (params, nonce, sender, recipient) => ({
  name: "AES-GCM",
  iv: nonce,
  additionalData: concat([textField(TAG + "share"), ...params.fields, u32Field(sender), u32Field(recipient)]),
});

// --- the transcript -------------------------------------------------------------------------

const coefficientContext = (params, sender, j, transportKey) =>
  [textField(TAG + "coefficient"), ...params.fields, u32Field(sender), u32Field(j), bytesField(transportKey)];

/** ceremony._by_sender: the n parsed messages in sender order, their shape checked. */
function shaped(params, messages) {
  const { k, n } = params;
  const count = Array.isArray(messages) ? messages.length : 0;
  if (!Array.isArray(messages) || count !== n)
    throw refuse("ceremony-shape",
      `the transcript has ${count} commitment messages; the ceremony has ${n} scrutineers`,
      `记录中有 ${count} 份承诺消息，本次仪式有 ${n} 名监票人`);
  const out = new Map();
  const keys = new Map();
  for (const m of messages.map(parseMessage)) {
    const i = checkIndex(params, m.sender, "commitment message from scrutineer", "承诺消息的发送人");
    const [key, got] = [bytesToHex(m.transportKey), m.coefficients.length];
    if (out.has(i))
      throw refuse("ceremony-shape", `scrutineer ${i} published two commitment messages`,
        `监票人 ${i} 发布了两份承诺消息`);
    if (keys.has(key))
      throw refuse("ceremony-shape", `scrutineers ${keys.get(key)} and ${i} published the same transport key`,
        `监票人 ${keys.get(key)} 与 ${i} 发布了相同的传输密钥`);
    if (got !== k)
      throw refuse("ceremony-shape",
        `scrutineer ${i} committed to ${got} coefficients; a ${k}-of-${n} ceremony needs ${k}`,
        `监票人 ${i} 承诺了 ${got} 个系数，${n} 人中 ${k} 人门限的仪式需要 ${k} 个`);
    keys.set(key, i);
    out.set(i, m);
  }
  return [...out.values()].sort(bySender);
}

function notInGroup(i, j, isValue) {
  const [what, whatZh] = isValue ? ["commitment", "承诺值"] : ["proof commitment", "证明承诺值"];
  return refuse("not-in-group",
    `scrutineer ${i}: the ${what} of coefficient ${j} is not an element of the group`,
    `监票人 ${i}：第 ${j} 个系数的${whatZh}不是群元素`);
}

/**
 * ceremony._verified: the shape; every commitment and proof commitment in range, then in the
 * group (the first culprit named, in sender and coefficient order); then every proof.
 * @returns {Promise<object[]>} the parsed messages in sender order
 */
async function verified(params, messages) {
  const ordered = shaped(params, messages);
  const each = (check) => ordered.forEach((m) => m.coefficients.forEach((c, j) => check(m.sender, j, c)));
  each((i, j, c) => {
    if (!(1n < c.value && c.value < P)) throw notInGroup(i, j, true);
    if (!(1n < c.proof.commitment && c.proof.commitment < P)) throw notInGroup(i, j, false);
  });
  each((i, j, c) => {
    if (!isGroupElement(c.value)) throw notInGroup(i, j, true);
    if (!isGroupElement(c.proof.commitment)) throw notInGroup(i, j, false);
  });
  for (const { sender: i, transportKey, coefficients } of ordered) {
    for (const [j, c] of coefficients.entries()) {
      if (!(await schnorrVerify(c.value, c.proof, coefficientContext(params, i, j, transportKey))))
        throw refuse("bad-proof", `scrutineer ${i}: the proof of knowledge for coefficient ${j} is invalid`,
          `监票人 ${i}：第 ${j} 个系数的知识证明无效`);
    }
  }
  return ordered;
}

/** ceremony.commitment_power: g^{f(x)} = ∏_j C_j^{x^j} mod p from Feldman commitments. */
function commitmentPower(commitments, x) {
  let [out, power] = [1n, 1n];
  for (const c of commitments) [out, power] = [(out * modPow(c, power, P)) % P, (power * BigInt(x)) % Q];
  return out;
}

/** The joint commitments A_j = ∏_i C_ij (A_0 = K, the joint key), refusing K = 1. */
function jointCommitments(params, ordered) {
  const joint = Array.from({ length: params.k }, (_, j) =>
    ordered.reduce((acc, m) => (acc * m.coefficients[j].value) % P, 1n));
  if (joint[0] === 1n)
    throw refuse("weak-key", "the joint key is the identity element; the ceremony must be run again",
      "联合公钥为单位元，须重新进行密钥生成仪式");
  return joint;
}

/** The dealing `begin` returned, checked: scalars, the raw private key, its message as sent. */
function ownDealing(params, dealing) {
  const index = checkIndex(params, dealing?.index, "scrutineer", "监票人");
  const raw = Array.isArray(dealing.coefficients) ? dealing.coefficients : [""];
  const coefficients = raw.map((a) => int(a, "dealing"));
  const transportPrivate = hexToBytes(dealing.transportPrivate ?? "", "transport private key");
  if (coefficients.length !== params.k || coefficients.some((a) => a >= Q) || transportPrivate.length !== 32)
    throw new Error(`this is not scrutineer ${index}'s dealing for this ceremony`);
  const message = JSON.stringify(messageJson(parseMessage(dealing.message)));
  return { index, coefficients, transportPrivate, message };
}

/** ceremony._check_own_message: the transcript holds this scrutineer's message unchanged. */
function checkOwnMessage(own, ordered) {
  if (JSON.stringify(messageJson(ordered[own.index - 1])) !== own.message)
    throw refuse("ceremony-shape",
      `the transcript does not hold scrutineer ${own.index}'s own commitments as sent`,
      `记录中监票人 ${own.index} 的承诺与其发出的不一致`);
}

/**
 * ceremony.transcript_digest: SHA-256 over the transcript in sender order, to compare aloud
 * before dealing. Meaningful on a transcript `deal` accepts (only the JSON shape is checked here).
 * @param {Params} params
 * @param {object[]} messages the n commitment messages (codec JSON)
 * @returns {Promise<string>} 32 bytes, hex
 */
export async function transcriptDigest(params, messages) {
  const { fields } = ceremonyParams(params);
  const ordered = (Array.isArray(messages) ? messages : []).map(parseMessage).sort(bySender);
  const coefficient = ({ value, proof: { commitment, challenge, response } }) =>
    listField([elementField(value), elementField(commitment), scalarField(challenge), scalarField(response)]);
  const sender = (m) =>
    listField([u32Field(m.sender), bytesField(m.transportKey), listField(m.coefficients.map(coefficient))]);
  return bytesToHex(await digest(TAG + "transcript", [...fields, listField(ordered.map(sender))]));
}

/**
 * The election key a recorded transcript gives (K = ∏_i C_i0) and the transcript's digest: what
 * a ballot page or a scrutineer compares the key it is served with, and fingerprints. Only the
 * shape and the joint key are checked here: the scrutineers checked every proof before dealing,
 * and the fingerprint of (digest, K) pins the whole transcript.
 * @param {Params} params @param {object[]} messages the n commitment messages (codec JSON)
 * @returns {Promise<{transcriptDigest: string, jointKey: string}>} hex
 */
export async function transcriptKey(params, messages) {
  const parsed = ceremonyParams(params);
  const ordered = shaped(parsed, messages);
  for (const m of ordered)
    if (!(1n < m.coefficients[0].value && m.coefficients[0].value < P)) throw notInGroup(m.sender, 0, true);
  const [jointKey] = jointCommitments(parsed, ordered);
  return { transcriptDigest: await transcriptDigest(params, messages), jointKey: hexOf(jointKey) };
}

// --- the three steps ------------------------------------------------------------------------

/**
 * Step 1 (ceremony.begin): pick the polynomial a_0 … a_{k−1} and the transport key.
 * @param {Params & {index: number, random?: object}} args index: this scrutineer i (1..n);
 *   random (tests only): {scalar, bytes} as `source`, drawn in Python's order: k coefficients,
 *   32 transport-key bytes, k proof scalars u
 * @returns {Promise<{dealing: {index: number, coefficients: string[], transportPrivate: string,
 *   message: object}, message: object}>} the secret dealing (hex; keep it in memory only) and
 *   the commitment message to publish (codec.commitment_message_json)
 */
export async function begin({ index, random, ...rest }) {
  const params = ceremonyParams(rest);
  checkIndex(params, index, "scrutineer", "监票人");
  const draw = source(random);
  const coefficients = Array.from({ length: params.k }, () => draw.scalar());
  const transportPrivate = draw.bytes(TRANSPORT_KEY_BYTES);
  const transportKey = await publicOf(await privateKey(transportPrivate));
  const commitments = [];
  for (const [j, a] of coefficients.entries()) {
    const proof = await schnorrProve(a, coefficientContext(params, index, j, transportKey), draw.scalar());
    commitments.push({ value: powG(a), proof });
  }
  const message = messageJson({ sender: index, transportKey, coefficients: commitments });
  const secret = { coefficients: coefficients.map(hexOf), transportPrivate: bytesToHex(transportPrivate) };
  return { dealing: { index, ...secret, message: structuredClone(message) }, message };
}

/**
 * Step 2 (ceremony.deal): verify the transcript (shape, elements, proofs, distinct transport
 * keys, this scrutineer's message unchanged, joint key ≠ 1), then f_i(ℓ) for ℓ = 1..n, each
 * encrypted to ℓ's transport key (ceremony.encrypt_share).
 * @param {{params: Params, dealing: object, messages: object[],
 *   random?: {bytes?: (n: number) => Uint8Array}}} args dealing: from `begin`; messages: the n
 *   published commitment messages (codec JSON); random: tests only, per recipient 32
 *   ephemeral-key bytes then 12 nonce bytes
 * @returns {Promise<object[]>} the n shares (codec.encrypted_share_json), recipients 1..n
 */
export async function deal({ params: rawParams, dealing, messages, random }) {
  const params = ceremonyParams(rawParams);
  const own = ownDealing(params, dealing);
  const ordered = await verified(params, messages);
  checkOwnMessage(own, ordered);
  jointCommitments(params, ordered);
  const draw = source(random);
  const me = await privateKey(own.transportPrivate);
  const myKey = await publicOf(me);
  const hex = (b) => bytesToHex(new Uint8Array(b));
  const shares = [];
  for (const { sender: ell, transportKey: theirs } of ordered) {
    const ephemeral = await privateKey(draw.bytes(TRANSPORT_KEY_BYTES));
    const ephemeralKey = await publicOf(ephemeral);
    let key;
    try {
      const dh = [await agree(ephemeral, theirs), await agree(me, theirs)];
      key = await shareKey(...dh, ephemeralKey, myKey, theirs);
    } catch {
      throw refuse("ceremony-shape", `scrutineer ${ell}'s transport key is a weak X25519 key`,
        `监票人 ${ell} 的传输密钥是弱 X25519 公钥`);
    }
    const nonce = draw.bytes(NONCE_BYTES);
    const value = own.coefficients.reduceRight((acc, a) => (acc * BigInt(ell) + a) % Q, 0n); // Horner
    const plain = hexToBytes(hexOf(value).padStart(2 * SCALAR_BYTES, "0"));
    const ciphertext = await subtle().encrypt(gcm(params, nonce, own.index, ell), key, plain);
    const fields = { ephemeral_key: hex(ephemeralKey), nonce: hex(nonce), ciphertext: hex(ciphertext) };
    shares.push({ sender: own.index, recipient: ell, ...fields });
  }
  return shares;
}

/** ceremony.decrypt_share: f_sender(ℓ), or refused naming the sender. */
async function decryptShare(params, share, ell, me, myKey, senderKey) {
  const { sender, ephemeral_key: ephemeralKey, nonce, ciphertext } = share;
  let plain;
  try {
    const dh = [await agree(me, ephemeralKey), await agree(me, senderKey)];
    const key = await shareKey(...dh, ephemeralKey, senderKey, myKey);
    plain = new Uint8Array(await subtle().decrypt(gcm(params, nonce, sender, ell), key, ciphertext));
  } catch {
    throw refuse("share-unreadable", `the share from scrutineer ${sender} cannot be decrypted: it was ` +
      "altered, addressed to another scrutineer or ceremony, or not sent by that scrutineer",
      `监票人 ${sender} 发来的份额无法解密：已被篡改、发给了其他监票人或其他仪式，或并非由该监票人发出`);
  }
  const value = BigInt("0x0" + bytesToHex(plain));
  if (plain.length !== SCALAR_BYTES || value >= Q)
    throw refuse("bad-share", `the share from scrutineer ${sender} is not a number below q`,
      `监票人 ${sender} 发来的份额不是小于 q 的数`);
  return value;
}

/**
 * Step 3 (ceremony.finish): verify the transcript, decrypt the n shares addressed to this
 * scrutineer ℓ and check each against its sender's commitments, g^{f_i(ℓ)} = ∏_j C_ij^{ℓ^j};
 * refuses, naming the sender, a share missing, repeated, unreadable or inconsistent.
 * @param {{params: Params, dealing: object, messages: object[], shares: object[]}} args
 *   dealing: from `begin`; messages: the n commitment messages; shares: the n encrypted shares
 *   addressed to ℓ (codec JSON)
 * @returns {Promise<{share: {ceremonyId: string, index: number, secret: string,
 *   transportPrivate: string, transcriptDigest: string, jointKey: string}, jointKey: string,
 *   shareKey: string, transcriptDigest: string}>} (the share carries the digest and joint key
 *   into the share file, so the scrutineer's page fingerprints the key from its own ceremony)
 *   `share` for keystore.sealShareFile; the joint key K, K_ℓ = g^{s_ℓ} and the digest, in hex
 */
export async function finish({ params: rawParams, dealing, messages, shares }) {
  const params = ceremonyParams(rawParams);
  const own = ownDealing(params, dealing);
  const ell = own.index;
  const parsed = (Array.isArray(shares) ? shares : []).map(parseShare);
  const ordered = await verified(params, messages);
  checkOwnMessage(own, ordered);
  const joint = jointCommitments(params, ordered);
  const received = new Map();
  for (const s of parsed) {
    const sender = checkIndex(params, s.sender, "share sender", "份额发送人");
    if (s.recipient !== ell)
      throw refuse("ceremony-shape",
        `the share from scrutineer ${sender} is addressed to ${s.recipient}, not to scrutineer ${ell}`,
        `监票人 ${sender} 发来的份额收件人为 ${s.recipient}，不是监票人 ${ell}`);
    if (received.has(sender))
      throw refuse("ceremony-shape", `scrutineer ${sender} sent two shares to scrutineer ${ell}`,
        `监票人 ${sender} 向监票人 ${ell} 发送了两份份额`);
    received.set(sender, s);
  }
  const me = await privateKey(own.transportPrivate);
  const myKey = await publicOf(me);
  let total = 0n;
  for (const { sender: i, transportKey, coefficients } of ordered) {
    if (!received.has(i))
      throw refuse("ceremony-shape", `no share from scrutineer ${i} reached scrutineer ${ell}`,
        `监票人 ${ell} 未收到监票人 ${i} 的份额`);
    const value = await decryptShare(params, received.get(i), ell, me, myKey, transportKey);
    if (powG(value) !== commitmentPower(coefficients.map((c) => c.value), ell))
      throw refuse("bad-share",
        `the share from scrutineer ${i} does not match scrutineer ${i}'s published commitments`,
        `监票人 ${i} 发来的份额与其公布的承诺不符`);
    total = (total + value) % Q;
  }
  const shareKeyValue = commitmentPower(joint, ell);
  if (powG(total) !== shareKeyValue) // follows from the checks above
    throw refuse("bad-share", `scrutineer ${ell}'s share does not match its public share key`,
      `监票人 ${ell} 的份额与其公开份额公钥不符`);
  const [secret, transportPrivate] = [hexOf(total), bytesToHex(own.transportPrivate)];
  const digestHex = await transcriptDigest(rawParams, messages);
  const jointKey = hexOf(joint[0]);
  const share = { ceremonyId: params.ceremonyId, index: ell, secret, transportPrivate, transcriptDigest: digestHex, jointKey };
  return { share, jointKey, shareKey: hexOf(shareKeyValue), transcriptDigest: digestHex };
}
