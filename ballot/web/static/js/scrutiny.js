// What a scrutineer's page checks before it decrypts a round (docs/PROTOCOL.md §14,
// `round-accepted`; the Python twin is ballot/verify/scrutiny.py): the record as published, not
// anything the server lists for the page. The round is closed in it, by the chair's own key, on
// the very credential and ballot lists published before the close; no more ballots than
// credentials and no more credentials than issuance requests signed by members' own keys; every
// ballot's credential, signature and proofs hold; and the encrypted totals are computed here
// from those ballots. Only those totals are ever decrypted.
import {
  GROUP,
  OPTIONS,
  canonicalJson,
  bytesField,
  bytesToHex,
  castMessage,
  credentialMessage,
  decodeIssuerKey,
  hexToBytes,
  pssVerify,
  schnorrProve,
  statements,
  validateBallot,
  verifyStatement,
} from "./protocol.js";

const sha256Hex = async (bytes) =>
  bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
const listDigest = (items) => sha256Hex(canonicalJson(items));
const big = (hex) => BigInt("0x" + hex);

// Ballots already validated, by the SHA-256 of [key, context, ballot] as JSON: the page checks
// ballots while the round is open (`prevalidate`), so that at the close only the last few are
// left. Only a success is kept (a failure is forgotten, and checked again at the close), and a
// ballot counts as checked only for the very key, context and bytes it was checked with.
const checked = new Map();

async function validated(key, context, ballot) {
  const id = await sha256Hex(new TextEncoder().encode(JSON.stringify([key, context, ballot])));
  let tracker = checked.get(id); // (a check under way is shared, not started twice)
  if (tracker === undefined) {
    tracker = validateBallot({ key, context, ballot });
    checked.set(id, tracker);
    tracker.catch(() => checked.delete(id));
  }
  return tracker;
}

/** The context a round's ballots are bound to, from its `round-opened` event. */
const contextOf = (start) => ({
  record: start.record,
  roundId: start.round_id,
  candidates: start.candidates,
  k: start.max_approvals,
});

/**
 * Validate, ahead of the close, ballots of round `number` the server has received so far
 * (`GET /scrutineer/ballots.json`): their context and key come from the published record's
 * `round-opened` and `ceremony`, never from the server's word. A ballot that fails is simply
 * not remembered: the check at the close names it. `stop()` is asked before each ballot (the
 * page stops when a round closes, to check it at once).
 * @returns {Promise<number>} how many of `received` are now known valid
 */
export async function prevalidate(record, number, received, stop = () => false) {
  const start = record.events.find((e) => e.kind === "round-opened" && e.body?.round === number)?.body;
  const key = record.events.find((e) => e.kind === "ceremony")?.body?.joint_key;
  if (!start || !key) return 0;
  let valid = 0;
  for (const b of received) {
    if (stop()) break;
    try {
      if ((await validated(key, contextOf(start), b.ballot)) === b.tracker) valid++;
    } catch {
      // (named at the close)
    }
  }
  return valid;
}

/** The body the chair signs: the event's less `record` and `chair_signature` (§14). */
const attested = (body) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== "record" && k !== "chair_signature"));

/** The totals of §12's `round-closed`, from ballots: per candidate the product of each option's
 * ciphertexts, lowercase hex. */
export function totalsOf(ballots, candidates) {
  const { p } = GROUP;
  return Array.from({ length: candidates }, (_, i) => {
    const out = {};
    for (const option of OPTIONS) {
      let alpha = 1n;
      let beta = 1n;
      for (const b of ballots) {
        const [a, c] = b.selections[i][option];
        alpha = (alpha * big(a)) % p;
        beta = (beta * big(c)) % p;
      }
      out[option] = [alpha.toString(16), beta.toString(16)];
    }
    return out;
  });
}

/**
 * Check round `number` of the published `record` for this scrutineer's acceptance.
 * @param {object} args
 * @param {object} args.record the record as downloaded (parseRecordJson)
 * @param {number} args.number the round
 * @param {string} [args.transcriptDigest] @param {string} [args.jointKey] this scrutineer's own
 *   ceremony's (from the share file): the record's must be the same
 * @param {(done: number, total: number) => void} [args.progress]
 * @returns {Promise<{closed: object, aggregates: object[], recordHex: string}>}
 * @throws {Error} naming every reason the round is not accepted
 */
export async function scrutiniseRound({ record, number, transcriptDigest, jointKey, progress }) {
  const meeting = record.meeting;
  const events = record.events;
  const problems = [];
  const at = (kind, where = () => true) => events.findIndex((e) => e.kind === kind && where(e.body));
  const ofRound = (b) => b && b.round === number;
  const ceremony = events.find((e) => e.kind === "ceremony")?.body;
  const opened = events.find((e) => e.kind === "meeting-opened")?.body;
  const created = events[0]?.body;
  if (!ceremony || !opened || !created) throw new Error("the record has no ceremony or opening");
  if (transcriptDigest && (ceremony.transcript_digest !== transcriptDigest || ceremony.joint_key !== jointKey)) {
    throw new Error("the record's election key is not the one this scrutineer's own ceremony gave");
  }
  const openAt = at("round-opened", ofRound);
  const closeAt = at("round-closed", ofRound);
  if (openAt < 0 || closeAt < openAt) throw new Error(`round ${number} is not closed in the record: nothing is decrypted`);
  if (at("counts", ofRound) >= 0) throw new Error(`round ${number} is counted already`);
  const start = events[openAt].body;
  const closed = events[closeAt].body;
  if (closed.void) throw new Error(`round ${number} is void: it has nothing to decrypt`);
  if (start.record !== events[openAt].prev) problems.push("the round's record position is not the event before its opening");

  // the member keys in force at each event, the chair's signatures, the members' requests
  const chairs = new Set((created.members || []).filter((m) => m.role === "chair").map((m) => m.name));
  const keys = new Map();
  const present = new Set([...(start.present_members || []), ...(closed.present_members || [])]);
  let requests = 0;
  for (const [i, e] of events.slice(0, closeAt + 1).entries()) {
    const b = e.body;
    if (e.kind === "member-key") keys.set(b.member, hexToBytes(b.key, "member key"));
    else if (e.kind === "member-key-replaced") keys.delete(b.member);
    else if (e.kind === "credential-issued" && ofRound(b) && i > openAt) {
      const key = keys.get(b.member);
      const message = statements.issuanceRequest(meeting, b.member, start.round_id, hexToBytes(b.blinded, "blinded"));
      if (key && present.has(b.member) && (await verifyStatement(key, message, b.signature))) requests++;
      else problems.push(`the credential issued to ${b.member} was not asked for by their own key while present`);
    } else if ((i === openAt || i === closeAt)) {
      const key = keys.get(b.chair);
      const message = await statements.attest(meeting, "chair", e.kind, attested(b));
      if (!chairs.has(b.chair) || !key || !(await verifyStatement(key, message, b.chair_signature))) {
        problems.push(`${e.kind} is not signed by the chair's own key`);
      }
    }
  }

  // the lists the chair closed on, and what they hold
  const credentialsAt = at("credentials", ofRound);
  const credentials = credentialsAt >= 0 && credentialsAt < closeAt ? events[credentialsAt].body.credentials : [];
  const ballots = events.slice(openAt, closeAt).filter((e) => e.kind === "ballot" && ofRound(e.body)).map((e) => e.body);
  if ((await listDigest(credentials.map((c) => c.public_key))) !== closed.credential_list) problems.push("the chair closed on another list of credentials than the published one");
  if ((await listDigest(ballots.map((b) => b.tracker))) !== closed.ballot_list) problems.push("the chair closed on another list of ballots than the published one");
  if (closed.ballots !== ballots.length || closed.credentials !== credentials.length) problems.push("the close counts other ballots or credentials than the published ones");
  if (ballots.length > credentials.length) problems.push(`${ballots.length} ballots but ${credentials.length} credentials`);
  if (credentials.length > requests) problems.push(`${credentials.length} credentials but ${requests} members' own requests`);

  const issuer = decodeIssuerKey(opened.issuer_key);
  const registered = new Map(credentials.map((c) => [c.public_key, c]));
  const used = new Set();
  const context = contextOf(start);
  for (const [i, b] of ballots.entries()) {
    const where = `ballot ${b.tracker?.slice(0, 8)}`;
    try {
      const credential = registered.get(b.credential_key);
      if (!credential || used.has(b.credential_key)) throw new Error("its credential is not registered, or used twice");
      used.add(b.credential_key);
      const key = hexToBytes(b.credential_key, "credential key");
      const prepared = hexToBytes(credential.prepared, "prepared");
      const expected = credentialMessage(meeting, start.round_id, key);
      if (bytesToHex(prepared.slice(prepared.length - expected.length)) !== bytesToHex(expected) ||
          !(await pssVerify(issuer, prepared, hexToBytes(credential.signature, "credential signature")))) {
        throw new Error("its credential is not the issuer's for this round");
      }
      const tracker = await validated(ceremony.joint_key, context, b.ballot);
      if (tracker !== b.tracker) throw new Error("its tracker is not the ballot's");
      if (!(await verifyStatement(key, castMessage(hexToBytes(tracker)), b.signature))) throw new Error("its credential did not sign it");
    } catch (err) {
      problems.push(`${where}: ${err.message}`);
    }
    if (progress) progress(i + 1, ballots.length);
  }
  if (problems.length) throw new Error(problems.join("; "));
  const aggregates = totalsOf(ballots.map((b) => b.ballot), start.candidates.length);
  if (JSON.stringify(aggregates) !== JSON.stringify(closed.aggregates)) {
    throw new Error("the totals the round closed with are not the product of its ballots");
  }
  return { closed, aggregates, recordHex: start.record };
}

/** The acceptance body of §14 (ballot/protocol/acceptance.py accepted). */
export async function acceptedBody(number, index, closed, aggregates) {
  return {
    round: number,
    scrutineer: index,
    ballots: closed.ballots,
    ballot_list: closed.ballot_list,
    credential_list: closed.credential_list,
    totals: await listDigest(aggregates),
  };
}

/** Scrutineer `index`'s signature on an acceptance body: a Schnorr proof (§5.3) of its share
 * s_i, whose context is [bytes(the §14 attest statement)] (ballot/protocol/acceptance.py sign).
 * @param {string} secretHex s_i @returns {Promise<{commitment: string, challenge: string, response: string}>} */
export async function signAcceptance(meetingId, secretHex, body, u) {
  const message = await statements.attest(meetingId, `scrutineer ${body.scrutineer}`, "round-accepted", body);
  return signWithShare(secretHex, message, u);
}

/** Scrutineer `body.scrutineer`'s signature of the final result (ballot/protocol/result.py
 * statement, device.py scrutineer_result_signature): the same Schnorr signature, over the
 * §14 attest of `result-signed` by `scrutineer i`. */
export async function signResult(meetingId, secretHex, body, u) {
  const message = await statements.attest(meetingId, `scrutineer ${body.scrutineer}`, "result-signed", body);
  return signWithShare(secretHex, message, u);
}

async function signWithShare(secretHex, message, u) {
  const proof = await schnorrProve(big(secretHex), [bytesField(message)], ...(u === undefined ? [] : [u]));
  return {
    commitment: proof.commitment.toString(16),
    challenge: proof.challenge.toString(16),
    response: proof.response.toString(16),
  };
}
