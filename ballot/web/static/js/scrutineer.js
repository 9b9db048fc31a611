// The scrutineer's page: open the share file here (keystore.js; it is never uploaded), then
// watch for closed rounds; check each one from the published record (scrutiny.js), sign its
// acceptance and send this scrutineer's decryption shares of the totals computed here
// (protocol.js, docs/PROTOCOL.md §10, §14). The account decides the scrutineer's index.
import { begin, deal, finish, transcriptDigest, transcriptKey } from "./ceremony.js";
import { openShareFile, sealShareFile } from "./keystore.js";
import { getJSON, postJSON } from "./http.js";
import { decryptionShares, electionKeyFingerprint } from "./protocol.js";
import { acceptedBody, prevalidate, scrutiniseRound, signAcceptance, signResult } from "./scrutiny.js";

const texts = JSON.parse(document.getElementById("texts").textContent);
const pendingUrl = JSON.parse(document.getElementById("pending-url").textContent);
const $ = (id) => document.getElementById(id);

let share = null;
let keyChecked = false; // the server's recorded key is this scrutineer's own (checkKey)
let busy = false;
const done = new Set();

function say(text) {
  $("state").hidden = false;
  $("state").textContent = text;
}

function fail(message) {
  $("error").hidden = false;
  $("error").textContent = message;
}

const fetchPending = () => getJSON(pendingUrl);

function showKey(fingerprint, source) {
  $("key-line").hidden = false;
  $("key-fingerprint").textContent = fingerprint;
  $("key-source").textContent = source;
}

/**
 * The election key the server records must be the one this scrutineer's own ceremony gave (the
 * share file keeps its transcript digest and joint key): otherwise nothing is decrypted. The
 * fingerprint shown is computed from the scrutineer's own values, for them to read aloud.
 */
async function checkKey(opened, meeting) {
  const served = await getJSON(`/m/${encodeURIComponent(meeting)}/ceremony.json`, { attempts: 5 });
  const params = { ceremonyId: served.ceremonyId, k: served.k, n: served.n };
  const { transcriptDigest: digestHex, jointKey } = await transcriptKey(params, served.messages);
  if (!opened.transcriptDigest) {
    showKey(await electionKeyFingerprint(digestHex, jointKey), texts.server_key);
    return;
  }
  showKey(await electionKeyFingerprint(opened.transcriptDigest, opened.jointKey), texts.own_key);
  if (served.ceremonyId !== opened.ceremonyId || digestHex !== opened.transcriptDigest ||
      jointKey !== opened.jointKey) throw new Error(texts.key_differs);
}

function showRounds(pending) {
  const body = $("rounds").tBodies[0];
  body.replaceChildren();
  for (const r of pending.rounds) {
    const row = body.insertRow();
    row.insertCell().textContent = String(r.number);
    row.insertCell().textContent = texts[r.status] || r.status;
    const name = (i) => pending.scrutineers[i] || String(i);
    row.insertCell().textContent = r.sent.length ? r.sent.map(name).join(", ") : "—";
    const all = Array.from({ length: pending.ceremony.n || 0 }, (_, i) => i + 1);
    const waiting = all.filter((i) => !r.sent.includes(i));
    row.insertCell().textContent = r.status === "closed" && waiting.length ? waiting.map(name).join(", ") : "—";
  }
}

// Checking ahead: while a round is open, the ballots received so far are validated in the
// background (scrutiny.js prevalidate), at most every AHEAD_MS, so that at the close only the
// last few are left. It never holds up noticing the close: `closing` stops it between ballots.
const AHEAD_MS = 2000;
let ahead = null; // {number, record}: the record as it stood when round `number` opened
let aheadRunning = false;
let aheadAt = 0;
let closing = false;

function checkAhead(pending, number) {
  if (aheadRunning || closing || performance.now() - aheadAt < AHEAD_MS) return;
  aheadRunning = true;
  (async () => {
    if (ahead?.number !== number) {
      const record = await getJSON(`/m/${encodeURIComponent(pending.meeting)}/record.json`, { attempts: 5 });
      ahead = { number, record };
    }
    const received = await getJSON(`/scrutineer/ballots.json?round=${number}`);
    const valid = await prevalidate(ahead.record, number, received.ballots, () => closing);
    if (!closing) {
      say(texts.ahead.replace("{n}", number).replace("{valid}", valid).replace("{total}", received.ballots.length));
    }
  })()
    .catch(() => {}) // (only a head start: the check at the close is the one that counts)
    .finally(() => {
      aheadRunning = false;
      aheadAt = performance.now();
    });
}

/**
 * Check a closed round from the published record (scrutiny.js), and only then sign its
 * acceptance and send the shares of the totals computed here. The server's list of totals is
 * never decrypted; a round that is not accepted is shown with every reason and nothing is sent.
 */
async function acceptRound(pending, number) {
  const record = await getJSON(`/m/${encodeURIComponent(pending.meeting)}/record.json`, { attempts: 5 });
  let checked;
  try {
    checked = await scrutiniseRound({
      record,
      number,
      transcriptDigest: share.transcriptDigest,
      jointKey: share.jointKey,
      progress: (d, total) =>
        say(texts.checking.replace("{n}", number).replace("{done}", d).replace("{total}", total)),
    });
  } catch (err) {
    done.add(number); // (a closed round does not change: asking again would say the same)
    throw new Error(texts.not_accepted.replace("{n}", number) + err.message);
  }
  say(texts.sending.replace("{n}", number));
  const accepted = await acceptedBody(number, share.index, checked.closed, checked.aggregates);
  const signature = await signAcceptance(pending.meeting, share.secret, accepted);
  const shares = await decryptionShares({
    ceremonyId: pending.ceremony.ceremonyId,
    k: pending.ceremony.k,
    n: pending.ceremony.n,
    index: share.index,
    secret: share.secret,
    meetingId: pending.meeting,
    number,
    recordHex: checked.recordHex,
    aggregates: checked.aggregates,
    computedHere: true, // (the totals of ballots scrutiniseRound checked, multiplied here)
  });
  try {
    await postJSON("/scrutineer/shares", { round: number, accepted, signature, shares });
  } catch (err) {
    if (err.code !== "already-submitted") throw err; // sent by this page a moment ago
  }
  done.add(number);
  say(texts.sent.replace("{n}", number).replace("{ballots}", checked.closed.ballots));
}

// The final result: shown once the procedure is complete, signed when the scrutineer says it
// is the result announced (a deliberate act, like a signature on paper).
let resultShown = null; // the body on show
const lang = document.documentElement.lang === "en" ? "en" : "zh";

function showResult(pending) {
  const r = pending.result;
  const mine = r && r.scrutineers.includes(share.index);
  if (r && mine) {
    $("result-card").hidden = false;
    $("sign-result").hidden = true;
    $("result-state").hidden = false;
    $("result-state").textContent = texts.result_signed.replace("{count}", r.scrutineers.length).replace("{k}", pending.ceremony.k);
  }
  if (!r || mine) return;
  if (JSON.stringify(resultShown) === JSON.stringify(r.body)) return;
  resultShown = r.body;
  const lines = $("result-lines");
  lines.replaceChildren();
  for (const [tier, names] of Object.entries(r.body.result)) {
    const line = document.createElement("p");
    const label = document.createElement("strong");
    label.textContent = r.tiers?.[tier]?.[lang] || tier;
    line.append(label, `: ${names.join(lang === "en" ? ", " : "、") || texts.none}`);
    lines.append(line);
  }
  $("result-card").hidden = false;
  $("sign-result").hidden = false;
  $("sign-result").disabled = false;
}

async function signShownResult() {
  if (!share || !resultShown) return;
  $("sign-result").disabled = true;
  $("result-state").hidden = false;
  $("result-state").textContent = texts.result_signing;
  try {
    const body = resultShown;
    const signature = await signResult(pendingMeeting, share.secret, body);
    await postJSON("/scrutineer/result", { body, signature }, { attempts: 3 });
    await tick();
  } catch (err) {
    $("sign-result").disabled = false;
    resultShown = null; // (a changed result is shown again at the next tick)
    $("result-state").textContent = err && err.message ? err.message : String(err);
  }
}

let pendingMeeting = null;

async function tick() {
  if (busy) return;
  busy = true;
  try {
    const pending = await fetchPending();
    showRounds(pending);
    if (!share) return;
    if (!keyChecked) {
      if (!pending.rounds.some((r) => r.status === "closed" && !r.mine)) return;
      await checkKey(share, pending.meeting); // (a share made on this page: checked once recorded)
      keyChecked = true;
    }
    const owed = pending.rounds.filter((r) => r.status === "closed" && !r.mine && !done.has(r.number));
    closing = owed.length > 0;
    for (const r of owed) await acceptRound(pending, r.number);
    closing = false;
    const open = pending.rounds.find((r) => r.status === "open");
    if (open) checkAhead(pending, open.number);
    pendingMeeting = pending.meeting;
    showResult(pending);
  } catch (err) {
    fail(err && err.message ? err.message : String(err));
  } finally {
    busy = false;
  }
}

async function unlock() {
  $("error").hidden = true;
  const file = $("file").files[0];
  const passphrase = $("passphrase").value;
  if (!file || !passphrase) {
    fail(texts.choose);
    return;
  }
  say(texts.opening);
  try {
    const opened = await openShareFile(await file.text(), passphrase);
    const pending = await fetchPending();
    if (opened.ceremonyId !== pending.ceremony.ceremonyId || opened.index !== pending.ceremony.index) {
      throw new Error(texts.wrong_file);
    }
    await checkKey(opened, pending.meeting);
    keyChecked = true;
    share = opened;
    $("passphrase").value = "";
    $("unlock").hidden = true;
    say(texts.watching);
    await tick();
  } catch (err) {
    $("state").hidden = true;
    fail(err && err.message ? err.message : String(err));
  }
}

// --- the key ceremony, held in this browser -------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ceremonySay(text) {
  $("ceremony-state").hidden = false;
  $("ceremony-state").textContent = text;
}

const missing = (n, present) =>
  Array.from({ length: n }, (_, i) => i + 1).filter((i) => !present.includes(i)).join(", ");

async function until(ready, waiting) {
  for (;;) {
    const state = await getJSON("/scrutineer/ceremony.json");
    if (ready(state)) return state;
    ceremonySay(waiting(state));
    await sleep(1000);
  }
}

let downloaded = true;
window.addEventListener("beforeunload", (event) => {
  if (!downloaded) {
    event.preventDefault();
    event.returnValue = texts.leave;
  }
});

async function holdCeremony() {
  $("error").hidden = true;
  const passphrase = $("new-passphrase").value;
  if (passphrase.length < 8 || passphrase !== $("new-passphrase-2").value) {
    fail(texts.weak);
    return;
  }
  $("ceremony-form").hidden = true;
  try {
    let state = await getJSON("/scrutineer/ceremony.json");
    if (state.status !== "ceremony") throw new Error(texts.not_ceremony);
    if (state.messages.some((m) => m.sender === state.index)) throw new Error(texts.already);
    const n = state.n;
    const params = { ceremonyId: state.ceremonyId, k: state.k, n };
    const { dealing, message } = await begin({ ...params, index: state.index });
    downloaded = false;
    await postJSON("/scrutineer/ceremony/commitments", { message });
    state = await until(
      (s) => s.messages.length === n,
      (s) => texts.published + missing(n, s.messages.map((m) => m.sender)),
    );
    const digest = await transcriptDigest(params, state.messages);
    $("ceremony-digest").hidden = false;
    $("ceremony-digest").textContent = texts.digest + digest.slice(0, 16);
    ceremonySay(texts.dealing);
    const shares = await deal({ params, dealing, messages: state.messages });
    await postJSON("/scrutineer/ceremony/shares", { shares });
    state = await until(
      (s) => s.shares.length === n,
      (s) => texts.waiting_shares + missing(n, s.dealt),
    );
    const done = await finish({ params, dealing, messages: state.messages, shares: state.shares });
    const text = await sealShareFile(done.share, passphrase);
    const link = $("share-download");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = `share-${state.index}.json`;
    link.hidden = false;
    link.addEventListener("click", () => { downloaded = true; });
    share = done.share; // ready to decrypt without loading the file again
    $("unlock").hidden = true;
    showKey(await electionKeyFingerprint(done.transcriptDigest, done.jointKey), texts.own_key);
    ceremonySay(texts.finished);
  } catch (err) {
    fail(err && err.message ? err.message : String(err));
  }
}

if ($("ceremony-form")) {
  $("ceremony-form").hidden = false;
  $("ceremony-start").addEventListener("click", holdCeremony);
}

$("unlock").hidden = false;
$("open").addEventListener("click", unlock);
$("sign-result").addEventListener("click", signShownResult);
setInterval(tick, 1000); // (a small answer: the close is noticed within a second)
tick();
