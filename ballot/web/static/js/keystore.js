/**
 * Opening passphrase-sealed key files (密钥保管) in the browser, so that a scrutineer's share never
 * leaves their machine: the browser twin of ballot/crypto/keystore.py. Format (PROTOCOL.md §10,
 * "Files at rest"): a JSON header (format, version, purpose, scrypt n/r/p, salt, nonce) and an
 * AES-256-GCM ciphertext, binary fields in base64; key = scrypt(NFC(passphrase), salt, n, r, p,
 * 32 bytes); the associated data covers the whole header. `sealShareFile` writes the share file
 * at the end of the browser's key ceremony (ceremony.js), exactly as keystore.seal_share does.
 *
 * Dependency-free: only globalThis.crypto.subtle (PBKDF2-HMAC-SHA256, AES-GCM), TextEncoder,
 * TextDecoder and typed arrays, so it runs unchanged in browsers and in Node 20. WebCrypto has no
 * scrypt, so RFC 7914 is implemented here. Every refusal is an Error whose message is
 * "English | 中文" (keystore.py's texts) and whose `code` is keystore.py's refusal code.
 */

const FORMAT = "ballot-keystore", VERSION = 1, AD_TAG = "ballot/v1/keystore";
const SALT_BYTES = 16, NONCE_BYTES = 12, KEY_BYTES = 32;
const TRANSPORT_KEY_BYTES = 32; // ballot/crypto/ceremony.py
const PURPOSE_SHARE = "scrutineer-share"; // keystore.PURPOSE_SHARE
// Bounds on recorded scrypt parameters, as in keystore.ScryptParams: refused before any work, so
// an altered file cannot make the browser allocate more than 1 GiB (memory = 128 · r · n bytes).
const MIN_SCRYPT_N = 2 ** 10, MAX_SCRYPT_N = 2 ** 22, MAX_SCRYPT_MEMORY = 2 ** 30;

/** WebCrypto; browsers offer it only to secure contexts (https: or localhost). */
function subtleCrypto() {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return subtle;
  throw new Error("this page cannot use WebCrypto: open it over HTTPS | 此页面无法使用 WebCrypto：请通过 HTTPS 打开");
}

// --- scrypt (RFC 7914) ------------------------------------------------------------------------

/**
 * dst[d..d+16) = Salsa20/8(src[s..s+16) XOR b[o..o+16)) (RFC 7914 §3), on 32-bit words. All
 * inputs are read into locals before anything is written, so dst may alias src.
 */
function salsaXor(src, s, b, o, dst, d) {
  const j0 = src[s] ^ b[o], j1 = src[s + 1] ^ b[o + 1], j2 = src[s + 2] ^ b[o + 2];
  const j3 = src[s + 3] ^ b[o + 3], j4 = src[s + 4] ^ b[o + 4], j5 = src[s + 5] ^ b[o + 5];
  const j6 = src[s + 6] ^ b[o + 6], j7 = src[s + 7] ^ b[o + 7], j8 = src[s + 8] ^ b[o + 8];
  const j9 = src[s + 9] ^ b[o + 9], j10 = src[s + 10] ^ b[o + 10];
  const j11 = src[s + 11] ^ b[o + 11], j12 = src[s + 12] ^ b[o + 12];
  const j13 = src[s + 13] ^ b[o + 13], j14 = src[s + 14] ^ b[o + 14];
  const j15 = src[s + 15] ^ b[o + 15];
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15, t;
  for (let i = 0; i < 8; i += 2) {
    // Columns, then rows: each step is x ^= (y + z) <<< k with k = 7, 9, 13, 18.
    t = (x0 + x12) | 0; x4 ^= (t << 7) | (t >>> 25); t = (x4 + x0) | 0; x8 ^= (t << 9) | (t >>> 23);
    t = (x8 + x4) | 0; x12 ^= (t << 13) | (t >>> 19); t = (x12 + x8) | 0; x0 ^= (t << 18) | (t >>> 14);
    t = (x5 + x1) | 0; x9 ^= (t << 7) | (t >>> 25); t = (x9 + x5) | 0; x13 ^= (t << 9) | (t >>> 23);
    t = (x13 + x9) | 0; x1 ^= (t << 13) | (t >>> 19); t = (x1 + x13) | 0; x5 ^= (t << 18) | (t >>> 14);
    t = (x10 + x6) | 0; x14 ^= (t << 7) | (t >>> 25); t = (x14 + x10) | 0; x2 ^= (t << 9) | (t >>> 23);
    t = (x2 + x14) | 0; x6 ^= (t << 13) | (t >>> 19); t = (x6 + x2) | 0; x10 ^= (t << 18) | (t >>> 14);
    t = (x15 + x11) | 0; x3 ^= (t << 7) | (t >>> 25); t = (x3 + x15) | 0; x7 ^= (t << 9) | (t >>> 23);
    t = (x7 + x3) | 0; x11 ^= (t << 13) | (t >>> 19); t = (x11 + x7) | 0; x15 ^= (t << 18) | (t >>> 14);
    t = (x0 + x3) | 0; x1 ^= (t << 7) | (t >>> 25); t = (x1 + x0) | 0; x2 ^= (t << 9) | (t >>> 23);
    t = (x2 + x1) | 0; x3 ^= (t << 13) | (t >>> 19); t = (x3 + x2) | 0; x0 ^= (t << 18) | (t >>> 14);
    t = (x5 + x4) | 0; x6 ^= (t << 7) | (t >>> 25); t = (x6 + x5) | 0; x7 ^= (t << 9) | (t >>> 23);
    t = (x7 + x6) | 0; x4 ^= (t << 13) | (t >>> 19); t = (x4 + x7) | 0; x5 ^= (t << 18) | (t >>> 14);
    t = (x10 + x9) | 0; x11 ^= (t << 7) | (t >>> 25); t = (x11 + x10) | 0; x8 ^= (t << 9) | (t >>> 23);
    t = (x8 + x11) | 0; x9 ^= (t << 13) | (t >>> 19); t = (x9 + x8) | 0; x10 ^= (t << 18) | (t >>> 14);
    t = (x15 + x14) | 0; x12 ^= (t << 7) | (t >>> 25); t = (x12 + x15) | 0; x13 ^= (t << 9) | (t >>> 23);
    t = (x13 + x12) | 0; x14 ^= (t << 13) | (t >>> 19); t = (x14 + x13) | 0; x15 ^= (t << 18) | (t >>> 14);
  }
  dst[d] = x0 + j0; dst[d + 1] = x1 + j1; dst[d + 2] = x2 + j2; dst[d + 3] = x3 + j3;
  dst[d + 4] = x4 + j4; dst[d + 5] = x5 + j5; dst[d + 6] = x6 + j6; dst[d + 7] = x7 + j7;
  dst[d + 8] = x8 + j8; dst[d + 9] = x9 + j9; dst[d + 10] = x10 + j10; dst[d + 11] = x11 + j11;
  dst[d + 12] = x12 + j12; dst[d + 13] = x13 + j13; dst[d + 14] = x14 + j14;
  dst[d + 15] = x15 + j15; // Uint32Array stores reduce each sum mod 2^32
}

/**
 * scryptBlockMix (RFC 7914 §4): y = BlockMix(b) for 2r 64-byte blocks (32r words). The output
 * is written already shuffled: even-numbered blocks to the first half, odd ones to the second.
 */
function blockMix(b, y, r) {
  let prevArr = b, prev = (2 * r - 1) * 16;
  for (let i = 0; i < 2 * r; i++) {
    const out = ((i & 1) * r + (i >> 1)) * 16;
    salsaXor(prevArr, prev, b, i * 16, y, out);
    prevArr = y, prev = out;
  }
}

/**
 * scryptROMix (RFC 7914 §5) on x (32r words, in place), with y (32r words) and v (32r·n words)
 * as scratch. Two BlockMix calls per loop turn ping-pong between x and y (n is even), so
 * nothing is copied but the writes into v. Integerify takes the first word of the last block.
 */
function roMix(x, y, v, r, n) {
  const w = 32 * r, last = (2 * r - 1) * 16, mask = n - 1;
  for (let i = 0; i < n; i += 2) {
    v.set(x, i * w);
    blockMix(x, y, r);
    v.set(y, (i + 1) * w);
    blockMix(y, x, r);
  }
  for (let i = 0; i < n; i += 2) {
    let j = (x[last] & mask) * w;
    for (let k = 0; k < w; k++) x[k] ^= v[j + k];
    blockMix(x, y, r);
    j = (y[last] & mask) * w;
    for (let k = 0; k < w; k++) y[k] ^= v[j + k];
    blockMix(y, x, r);
  }
}

/**
 * scrypt (RFC 7914 §6): PBKDF2-HMAC-SHA256 (one iteration, from WebCrypto) around p ROMix runs.
 * Memory is 128·r·N bytes (plus 128·r·p), reused across the p runs and wiped afterwards.
 * @param {Uint8Array} passwordBytes
 * @param {Uint8Array} saltBytes
 * @param {number} N CPU/memory cost, a power of two > 1
 * @param {number} r block size, ≥ 1
 * @param {number} p parallelisation, ≥ 1
 * @param {number} dkLen length of the derived key in bytes, ≥ 1
 * @returns {Promise<Uint8Array>} the derived key
 */
export async function scrypt(passwordBytes, saltBytes, N, r, p, dkLen) {
  const whole = (x) => Number.isSafeInteger(x) && x >= 1;
  if (!(whole(N) && N > 1 && 2 ** Math.round(Math.log2(N)) === N && whole(r) && whole(p) && whole(dkLen))) {
    throw new RangeError("scrypt: N must be a power of two > 1; r, p and dkLen positive integers");
  }
  const subtle = subtleCrypto();
  const key = await subtle.importKey("raw", passwordBytes, "PBKDF2", false, ["deriveBits"]);
  const pbkdf2 = async (salt, len) =>
    new Uint8Array(await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, key, len * 8));
  const bytes = await pbkdf2(saltBytes, 128 * r * p);
  const w = 32 * r, x = new Uint32Array(w), y = new Uint32Array(w), v = new Uint32Array(w * N);
  for (let i = 0; i < p; i++) {
    const o = i * 128 * r; // block i, read and written back little-endian whatever the host order
    for (let k = 0, q = o; k < w; k++, q += 4) {
      x[k] = bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24);
    }
    roMix(x, y, v, r, N);
    for (let k = 0, q = o; k < w; k++, q += 4) {
      const word = x[k];
      bytes[q] = word; bytes[q + 1] = word >>> 8; bytes[q + 2] = word >>> 16; bytes[q + 3] = word >>> 24;
    }
  }
  v.fill(0); x.fill(0); y.fill(0);
  const derived = await pbkdf2(bytes, dkLen);
  bytes.fill(0);
  return derived;
}

// --- sealed files -----------------------------------------------------------------------------

/** An Error with keystore.py's refusal code and a bilingual "English | 中文" message. */
function refusal(code, en, zh) {
  return Object.assign(new Error(`${en} | ${zh}`), { code });
}
const unreadableFile = () =>
  refusal("keystore-format", "this is not a readable sealed key file", "这不是可读取的加密密钥文件");
const wrongPassphrase = () =>
  refusal("keystore-unreadable", "wrong passphrase, or the file has been altered", "口令错误，或文件已被篡改");

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o, k) => (Object.hasOwn(o, k) ? o[k] : undefined);
const show = (v) => JSON.stringify(v ?? null);
const utf8 = (s) => new TextEncoder().encode(s);
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Standard base64 accepted exactly as Python 3.11's base64.b64decode(validate=True) does: only
 * the standard alphabet; a final group of 2 or 3 characters padded to 4 with "="; and (a CPython
 * quirk) any number of "=" after a complete non-empty group. Anything else is unreadable.
 */
function b64(value) {
  const m = typeof value === "string" ? /^([A-Za-z0-9+/]*)(=*)$/.exec(value) : null;
  const d = m ? m[1].length : 1, e = m ? m[2].length : 0;
  const ok = d % 4 === 0 ? e === 0 || d > 0 : d % 4 === 2 ? e === 2 : d % 4 === 3 && e === 1;
  if (!m || !ok) throw unreadableFile();
  const out = new Uint8Array((d * 3) >> 2);
  for (let i = 0, acc = 0, bits = 0, o = 0; i < d; i++) {
    acc = (acc << 6) | B64.indexOf(value[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = acc >>> bits; acc &= (1 << bits) - 1; }
  }
  return out;
}

/** Canonical fields (PROTOCOL.md §3): a type byte, a 4-byte big-endian length or value, content. */
function field(type, word, content = new Uint8Array(0)) {
  const out = new Uint8Array(5 + content.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, word);
  out.set(content, 5);
  return out;
}
const bytesField = (b) => field(0x01, b.length, b);
const textField = (s) => { const b = utf8(s); return field(0x02, b.length, b); };
const u32Field = (n) => field(0x05, n);

/** keystore.Sealed.associated_data: the whole header, as canonical fields. */
function associatedData({ purpose, n, r, p, salt }) {
  const fields = [textField(AD_TAG), textField(FORMAT), u32Field(VERSION), textField(purpose),
    textField("scrypt"), u32Field(n), u32Field(r), u32Field(p), bytesField(salt)];
  const ad = new Uint8Array(fields.reduce((at, f) => at + f.length, 0));
  fields.reduce((at, f) => (ad.set(f, at), at + f.length), 0);
  return ad;
}

/** Whether scrypt parameters are within keystore.ScryptParams' bounds. */
const usableScrypt = (n, r, p) => [n, r, p].every(Number.isSafeInteger) && n >= MIN_SCRYPT_N &&
  n <= MAX_SCRYPT_N && (n & (n - 1)) === 0 && r >= 1 && r <= 64 && p >= 1 && p <= 16 &&
  128 * r * n <= MAX_SCRYPT_MEMORY;
const unusableScrypt = (n, r, p) => refusal("keystore-format",
  `unusable scrypt parameters n=${show(n)}, r=${show(r)}, p=${show(p)} (n a power of two from 2^10 to 2^22, at most 1 GiB of memory)`,
  `scrypt 参数不可用：n=${show(n)}，r=${show(r)}，p=${show(p)}（n 须为 2^10 至 2^22 之间的 2 的幂，内存不超过 1 GiB）`);

/** Parse a sealed file's header, refusing (in keystore.Sealed.from_json's order) anything else. */
function parseSealed(textIn) {
  let doc;
  try { doc = JSON.parse(textIn); } catch { throw unreadableFile(); }
  if (!isObject(doc) || own(doc, "format") !== FORMAT) throw unreadableFile();
  const version = own(doc, "version");
  if (version !== VERSION) {
    throw refusal("keystore-format",
      `sealed key file version ${show(version)} is not supported (this program reads version ${VERSION})`,
      `不支持版本为 ${show(version)} 的加密密钥文件（本程序读取版本 ${VERSION}）`);
  }
  const kdf = own(doc, "kdf"), purpose = own(doc, "purpose");
  if (!isObject(kdf) || own(kdf, "name") !== "scrypt" || typeof purpose !== "string") throw unreadableFile();
  if (!["n", "r", "p"].every((k) => Object.hasOwn(kdf, k))) throw unreadableFile();
  const { n, r, p } = kdf;
  if (!usableScrypt(n, r, p)) throw unusableScrypt(n, r, p);
  const salt = b64(own(doc, "salt")), nonce = b64(own(doc, "nonce")), ciphertext = b64(own(doc, "ciphertext"));
  if (salt.length !== SALT_BYTES || nonce.length !== NONCE_BYTES) {
    throw refusal("keystore-format", "the sealed key file's salt or nonce has the wrong length",
      "加密密钥文件的盐值或随机数长度不正确");
  }
  return { purpose, n, r, p, salt, nonce, ciphertext };
}

/**
 * The content of a sealed file (keystore.open_sealed): refused on a malformed header, a purpose
 * other than `purpose`, a wrong passphrase or any change to the header or the ciphertext.
 * @param {string} text the file's text
 * @param {string} passphrase compared after Unicode NFC normalisation
 * @param {string} purpose the label the file must carry, e.g. "scrutineer-share"
 * @returns {Promise<Uint8Array>} the plaintext
 */
export async function openSealed(text, passphrase, purpose) {
  const s = parseSealed(text);
  if (s.purpose !== purpose) {
    throw refusal("keystore-purpose", `this file holds a '${s.purpose}', not a '${purpose}'`,
      `该文件保存的是 '${s.purpose}'，而非 '${purpose}'`);
  }
  if (typeof passphrase !== "string") throw new TypeError("the passphrase must be a string");
  const normal = passphrase.normalize("NFC");
  // Nothing is ever sealed under an empty passphrase or one that is not valid Unicode (Python
  // cannot encode lone surrogates), so such a passphrase is wrong without spending scrypt on it.
  if (!normal || LONE_SURROGATE.test(normal)) {
    throw wrongPassphrase();
  }
  const ad = associatedData(s);
  const raw = await scrypt(utf8(normal), s.salt, s.n, s.r, s.p, KEY_BYTES);
  const subtle = subtleCrypto();
  const key = await subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  raw.fill(0);
  try {
    const params = { name: "AES-GCM", iv: s.nonce, additionalData: ad, tagLength: 128 };
    return new Uint8Array(await subtle.decrypt(params, key, s.ciphertext));
  } catch {
    throw wrongPassphrase();
  }
}

/** A field of the share's content that files written before 2026-12 lack ("" then; a field
 * that is present must be a string, as keystore.open_share requires: null is refused). */
const later = (doc, key) => (Object.hasOwn(doc, key) ? doc[key] : "");

/** The transcript digest and joint key a share file may carry (keystore.open_share's checks):
 * both absent (a file written before 2026-12) or both well-formed lowercase hex. */
const ownCeremonyOk = (digest, joint) =>
  typeof digest === "string" && typeof joint === "string" && (digest === "") === (joint === "") &&
  (digest === "" || (/^[0-9a-f]{64}$/.test(digest) && /^[1-9a-f][0-9a-f]*$/.test(joint)));

/**
 * A scrutineer's share file (keystore.open_share), with the same checks on its content.
 * @param {string} text the share file's text
 * @param {string} passphrase
 * @returns {Promise<{ceremonyId: string, index: number, secret: string, transportPrivate: string,
 *   transcriptDigest: string, jointKey: string}>} secret is the hex text as stored (s_ℓ),
 *   transportPrivate the 32-byte X25519 key in hex; transcriptDigest and jointKey what the
 *   scrutineer's own ceremony gave ("" in files written before 2026-12)
 */
export async function openShareFile(text, passphrase) {
  const plain = await openSealed(text, passphrase, PURPOSE_SHARE);
  let doc = null; // stays null, and is refused below, unless the content is UTF-8 JSON
  try { doc = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(plain)); }
  catch { /* refused below */ } finally { plain.fill(0); }
  const keys = ["ceremony_id", "index", "secret", "transport_private"];
  const ok = isObject(doc) && keys.every((k) => Object.hasOwn(doc, k)) &&
    typeof doc.ceremony_id === "string" && Number.isSafeInteger(doc.index) && doc.index >= 1 &&
    typeof doc.secret === "string" && /^[0-9a-fA-F]+$/.test(doc.secret) &&
    typeof doc.transport_private === "string" &&
    new RegExp(`^[0-9a-fA-F]{${2 * TRANSPORT_KEY_BYTES}}$`).test(doc.transport_private) &&
    ownCeremonyOk(later(doc, "transcript_digest"), later(doc, "joint_key"));
  if (!ok) {
    throw refusal("keystore-format", "the share file opened but its content is not a scrutineer share",
      "份额文件已解密，但内容不是监票人份额");
  }
  return {
    ceremonyId: doc.ceremony_id, index: doc.index, secret: doc.secret, transportPrivate: doc.transport_private,
    transcriptDigest: later(doc, "transcript_digest"), jointKey: later(doc, "joint_key"),
  };
}

// --- sealing (keystore.seal_share) ------------------------------------------------------------

/** Standard base64 with "=" padding, as Python's base64.b64encode. */
function b64encode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const word = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const kept = Math.min(4, bytes.length - i + 1); // 2, 3 or 4 characters carry data
    for (let k = 0; k < 4; k++) out += k < kept ? B64[(word >>> (18 - 6 * k)) & 63] : "=";
  }
  return out;
}

/**
 * A scrutineer's share file, sealed under `passphrase`: exactly the JSON text keystore.seal_share
 * writes (its content is json.dumps(sort_keys=True, ensure_ascii=False) of ceremony_id, index,
 * secret and transport_private, and joint_key and transcript_digest when given; the header is json.dumps(indent=2) plus a newline), with a fresh
 * 16-byte salt and 12-byte nonce, so keystore.open_share and openShareFile open it.
 * @param {{ceremonyId: string, index: number, secret: string, transportPrivate: string,
 *   transcriptDigest?: string, jointKey?: string}} share as ceremony.js `finish` returns it:
 *   secret s_ℓ in hex, transportPrivate 32 bytes of hex, the ceremony's digest and key in hex
 * @param {string} passphrase non-empty; sealed after Unicode NFC normalisation
 * @param {{n?: number, r?: number, p?: number, random?: (n: number) => Uint8Array}} [options]
 *   scrypt parameters (default n = 2^15, r = 8, p = 1; within keystore.ScryptParams' bounds);
 *   `random` replaces the CSPRNG for the salt, then the nonce (tests only)
 * @returns {Promise<string>} the file's text
 */
export async function sealShareFile(share, passphrase, { n = 2 ** 15, r = 8, p = 1, random } = {}) {
  const { ceremonyId, index, secret, transportPrivate, transcriptDigest = "", jointKey = "" } = share ?? {};
  const ok = typeof ceremonyId === "string" && !LONE_SURROGATE.test(ceremonyId) &&
    Number.isSafeInteger(index) && index >= 1 && typeof secret === "string" && /^[0-9a-fA-F]+$/.test(secret) &&
    typeof transportPrivate === "string" && new RegExp(`^[0-9a-fA-F]{${2 * TRANSPORT_KEY_BYTES}}$`).test(transportPrivate) &&
    ownCeremonyOk(transcriptDigest, jointKey);
  if (!ok) {
    throw new TypeError("share: expected {ceremonyId, index ≥ 1, secret (hex), transportPrivate (32 bytes of hex), " +
      "and optionally transcriptDigest (32 bytes of hex) with jointKey (hex)}");
  }
  if (typeof passphrase !== "string" || !passphrase) throw refusal("keystore-passphrase", "the passphrase is empty", "口令为空");
  const normal = passphrase.normalize("NFC");
  if (LONE_SURROGATE.test(normal)) throw new TypeError("the passphrase is not valid Unicode (a lone surrogate)");
  if (!usableScrypt(n, r, p)) throw unusableScrypt(n, r, p);
  const draw = random ?? ((k) => globalThis.crypto.getRandomValues(new Uint8Array(k)));
  const salt = draw(SALT_BYTES), nonce = draw(NONCE_BYTES);
  if (!(salt instanceof Uint8Array && salt.length === SALT_BYTES && nonce instanceof Uint8Array && nonce.length === NONCE_BYTES)) {
    throw new TypeError("random: expected Uint8Arrays of the requested lengths");
  }
  // json.dumps(..., ensure_ascii=False, sort_keys=True): ", " and ": " separators; JSON.stringify
  // escapes a string's quotes, backslashes and control characters exactly as Python does.
  // (keys in sorted order; the digest and joint key only when the share has them)
  const payload = `{"ceremony_id": ${JSON.stringify(ceremonyId)}, "index": ${index}, ` +
    (jointKey ? `"joint_key": "${jointKey}", ` : "") +
    `"secret": "${BigInt("0x" + secret).toString(16)}", ` +
    (transcriptDigest ? `"transcript_digest": "${transcriptDigest}", ` : "") +
    `"transport_private": "${transportPrivate.toLowerCase()}"}`;
  const header = { purpose: PURPOSE_SHARE, n, r, p, salt };
  const raw = await scrypt(utf8(normal), salt, n, r, p, KEY_BYTES);
  const subtle = subtleCrypto();
  const key = await subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  raw.fill(0);
  const params = { name: "AES-GCM", iv: nonce, additionalData: associatedData(header), tagLength: 128 };
  const ciphertext = new Uint8Array(await subtle.encrypt(params, key, utf8(payload)));
  const doc = {
    format: FORMAT, version: VERSION, purpose: PURPOSE_SHARE, kdf: { name: "scrypt", n, r, p },
    salt: b64encode(salt), nonce: b64encode(nonce), ciphertext: b64encode(ciphertext),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
