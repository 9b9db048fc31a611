// The ballot page: marks, the approvals left, a review step, then everything secret happens
// here on the device through protocol.js (docs/PROTOCOL.md): a fresh credential key, blind
// issuance with the session, anonymous registration and casting over requests that carry no
// cookie at all, after a random wait. The server only ever receives ciphertexts and proofs.
import { createCredential, encryptBallot, randomScalar } from "./protocol.js";

const round = JSON.parse(document.getElementById("round-data").textContent);
const texts = JSON.parse(document.getElementById("texts").textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

const rows = round.candidates.map((name, i) => ({
  name,
  inputs: [...document.querySelectorAll(`input[name="c${i}"]`)],
}));

function choices() {
  return rows.map((row) => row.inputs.find((x) => x.checked)?.value ?? "abstain");
}

function showLeft() {
  const left = round.k - choices().filter((c) => c === "approve").length;
  $("left").textContent = String(left);
  for (const row of rows) {
    const approve = row.inputs.find((x) => x.value === "approve");
    approve.disabled = left <= 0 && !approve.checked;
  }
}

function fail(message) {
  $("progress").hidden = true;
  $("error").hidden = false;
  $("error").textContent = `${texts.failed}: ${message}`;
}

function step(text) {
  $("step").textContent = text;
}

async function post(url, body, anonymous) {
  let response;
  for (let attempt = 1; ; attempt++) {
    try {
      response = await send(url, body, anonymous);
      break;
    } catch (err) {
      if (attempt >= 3) throw err; // the network itself failed: try twice more, then say so
      await sleep(1000 * attempt);
    }
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const lang = document.documentElement.lang === "en" ? "en" : "zh";
    throw new Error(answer[lang] || answer.en || `HTTP ${response.status}`);
  }
  return answer;
}

function send(url, body, anonymous) {
  return fetch(url, {
    method: "POST",
    // the anonymous steps must not carry the session: nothing may tie them to the member
    credentials: anonymous ? "omit" : "same-origin",
    cache: "no-store",
    referrerPolicy: "no-referrer",
    headers: anonymous
      ? { "Content-Type": "application/json" }
      : { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function randomDelay() {
  // 1.5 to 5 s, from the CSPRNG: registration time then says little about issuance time
  const x = new Uint32Array(1);
  crypto.getRandomValues(x);
  return 1500 + (x[0] % 3500);
}

async function castBallot() {
  const marks = choices();
  $("confirm").hidden = true;
  $("progress").hidden = false;
  try {
    // everything that can fail on the device happens before the credential is issued
    step(texts.encrypting);
    const device = await createCredential({
      issuerKey: round.issuer,
      meetingId: round.meeting,
      roundId: round.roundId,
    });
    const { ballot, tracker } = await encryptBallot({
      key: round.key,
      context: {
        record: round.record,
        roundId: round.roundId,
        candidates: round.candidates,
        k: round.k,
      },
      choices: marks,
    });
    const signature = await device.signTracker(tracker);
    step(texts.issuing);
    const issued = await post("/vote/issue", {
      meeting: round.meeting,
      round: round.number,
      blinded: device.blindedHex,
    }, false);
    const credential = await device.finish(issued.blind_signature);
    const wait = sleep(randomDelay());
    step(texts.registering);
    await wait;
    await post("/vote/anon/register", { meeting: round.meeting, round: round.number, ...credential }, true);
    step(texts.casting);
    const cast = await post("/vote/anon/cast", {
      meeting: round.meeting,
      round: round.number,
      ballot,
      public_key_hex: credential.public_key_hex,
      signature_hex: signature,
    }, true);
    if (cast.tracker !== tracker) throw new Error("the server's tracker differs from this device's");
    $("progress").hidden = true;
    $("done").hidden = false;
    $("tracker").textContent = tracker.match(/.{1,8}/g).join(" ");
    $("lookup").href += `?t=${tracker}`;
  } catch (err) {
    fail(err && err.message ? err.message : String(err));
  }
}

// A Benaloh challenge: encrypt the current choices, disclose every secret drawn, and never cast
// that encryption. `ballot audit FILE` re-encrypts with them and must get the same ballot.
async function auditEncryption() {
  const drawn = [];
  const random = () => {
    const x = randomScalar();
    drawn.push(x);
    return x;
  };
  const context = {
    record: round.record,
    roundId: round.roundId,
    candidates: round.candidates,
    k: round.k,
  };
  const marks = choices();
  try {
    const { ballot, tracker } = await encryptBallot({ key: round.key, context, choices: marks, random });
    const doc = {
      format: "ballot-audit",
      version: 1,
      context,
      key: round.key,
      choices: marks,
      random: drawn.map((x) => x.toString(16)),
      ballot,
      tracker,
    };
    const link = $("audit-file");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" }));
    link.download = `ballot-audit-round-${round.number}.json`;
    $("audit-note").hidden = false;
  } catch (err) {
    fail(err && err.message ? err.message : String(err));
  }
}

function review() {
  const list = $("summary");
  list.replaceChildren();
  choices().forEach((choice, i) => {
    const item = document.createElement("li");
    item.textContent = `${rows[i].name}: ${texts[choice]}`;
    item.className = choice;
    list.append(item);
  });
  $("booth").hidden = true;
  $("confirm").hidden = false;
}

if (!globalThis.crypto || !crypto.subtle) {
  $("error").hidden = false;
  $("error").textContent = texts.no_crypto;
} else {
  $("booth").hidden = false;
  for (const row of rows) for (const input of row.inputs) input.addEventListener("change", showLeft);
  showLeft();
  $("review").addEventListener("click", review);
  $("back").addEventListener("click", () => {
    $("confirm").hidden = true;
    $("booth").hidden = false;
  });
  $("cast").addEventListener("click", castBallot);
  $("audit").addEventListener("click", auditEncryption);
}
