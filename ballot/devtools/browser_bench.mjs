/**
 * `ballot bench --browser`: the page side of the browser benchmark (ballot/browser_bench.py).
 *
 * Not part of the web app: the benchmark's own server serves it next to the app's static files.
 * On a fresh page, casts `1 + repeats` ballots the way booth.js does: the member key and its
 * enrolment (first ballot only: once per meeting), createCredential and the signed issuance
 * request, the issuer's blind signature from the benchmark server (not timed: it is the
 * server's work), finish, encryptBallot and signTracker. The first ballot is cold: it makes the
 * member key and builds the g and K tables. Every ballot has a fresh credential. Results go to `window.benchResult` (or `window.benchError`)
 * for Playwright to read; the ballots are returned so Python can validate them.
 */
import {
  bytesToHex, createCredential, encryptBallot, hexToBytes, newMemberKey, signStatement, statements,
} from "/static/js/protocol.js";

const state = document.getElementById("state");
const show = (text) => {
  if (state) state.textContent = text;
};

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    cache: "no-store",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** The member key, made once per meeting on the device, and its signed enrolment. */
async function memberKey(config) {
  const made = await newMemberKey();
  const enrolment = await signStatement(made.privateKey, statements.memberKey(config.meetingId, config.member, made.publicKey));
  return { privateKey: made.privateKey, publicKeyHex: bytesToHex(made.publicKey), enrolment };
}

/** One member's ballot, timed phase by phase (ms, performance.now()); the first also makes
 * the member key (`held` is null), as a member's first round of a meeting does. */
async function castOne(config, held) {
  const t0 = performance.now();
  const member = held ?? (await memberKey(config));
  const t1 = performance.now();
  const device = await createCredential({
    issuerKey: config.issuerKey,
    meetingId: config.meetingId,
    roundId: config.context.roundId,
  });
  const t2 = performance.now();
  const request = statements.issuanceRequest(config.meetingId, config.member, config.context.roundId, hexToBytes(device.blindedHex));
  const requestSignature = await signStatement(member.privateKey, request);
  const t3 = performance.now();
  const issued = await postJson("/issue", { blinded_hex: device.blindedHex });
  const t4 = performance.now();
  const credential = await device.finish(issued.blind_signature_hex);
  const t5 = performance.now();
  const { ballot, tracker } = await encryptBallot({
    key: config.key,
    context: config.context,
    choices: config.choices,
  });
  const t6 = performance.now();
  const signature = await device.signTracker(tracker);
  const t7 = performance.now();
  return {
    member,
    made: {
      ms: {
        total: t1 - t0 + (t3 - t1) + (t7 - t4),
        member_key: t1 - t0,
        credential: t2 - t1,
        request: t3 - t2,
        finish: t5 - t4,
        encrypt: t6 - t5,
        sign: t7 - t6,
        issuer_round_trip: t4 - t3,
      },
      ballot,
      tracker,
      public_key_hex: device.publicKeyHex,
      signature_hex: signature,
      credential,
      member_key_hex: member.publicKeyHex,
      enrolment_hex: member.enrolment,
      blinded_hex: device.blindedHex,
      request_signature_hex: requestSignature,
    },
  };
}

async function main() {
  if (!globalThis.isSecureContext || !globalThis.crypto?.subtle) {
    throw new Error("not a secure context: WebCrypto is unavailable (serve over localhost)");
  }
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  const config = await response.json();
  const ballots = [];
  let held = null;
  for (let i = 0; i <= config.repeats; i++) {
    show(`ballot ${i + 1} of ${config.repeats + 1}`);
    const { member, made } = await castOne(config, held);
    held = member;
    ballots.push(made);
  }
  window.benchResult = { userAgent: navigator.userAgent, ballots };
  show("done");
}

main().catch((error) => {
  window.benchError = `${error?.message ?? error}\n${error?.stack ?? ""}`;
  show(`failed: ${error?.message ?? error}`);
});
