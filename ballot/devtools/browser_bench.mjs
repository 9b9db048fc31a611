/**
 * `ballot bench --browser`: the page side of the browser benchmark (ballot/browser_bench.py).
 *
 * Not part of the web app: the benchmark's own server serves it next to the app's static files.
 * On a fresh page, casts `1 + repeats` ballots the way booth.js does — createCredential,
 * encryptBallot, signTracker (the timed span, as the booth's "encrypting" step), then the
 * issuer's blind signature from the benchmark server (not timed: it is the server's work) and
 * finish (timed separately). The first ballot is cold: it builds the g and K tables. Every
 * ballot has a fresh credential. Results go to `window.benchResult` (or `window.benchError`)
 * for Playwright to read; the ballots are returned so Python can validate them.
 */
import { createCredential, encryptBallot } from "/static/js/protocol.js";

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

/** One member's ballot, timed phase by phase (ms, performance.now()). */
async function castOne(config) {
  const t0 = performance.now();
  const device = await createCredential({
    issuerKey: config.issuerKey,
    meetingId: config.meetingId,
    roundId: config.context.roundId,
  });
  const t1 = performance.now();
  const { ballot, tracker } = await encryptBallot({
    key: config.key,
    context: config.context,
    choices: config.choices,
  });
  const t2 = performance.now();
  const signature = await device.signTracker(tracker);
  const t3 = performance.now();
  const issued = await postJson("/issue", { blinded_hex: device.blindedHex });
  const t4 = performance.now();
  const credential = await device.finish(issued.blind_signature_hex);
  const t5 = performance.now();
  return {
    ms: {
      total: t3 - t0,
      credential: t1 - t0,
      encrypt: t2 - t1,
      sign: t3 - t2,
      issuer_round_trip: t4 - t3,
      finish: t5 - t4,
    },
    ballot,
    tracker,
    public_key_hex: device.publicKeyHex,
    signature_hex: signature,
    credential,
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
  for (let i = 0; i <= config.repeats; i++) {
    show(`ballot ${i + 1} of ${config.repeats + 1}`);
    ballots.push(await castOne(config));
  }
  window.benchResult = { userAgent: navigator.userAgent, ballots };
  show("done");
}

main().catch((error) => {
  window.benchError = `${error?.message ?? error}\n${error?.stack ?? ""}`;
  show(`failed: ${error?.message ?? error}`);
});
