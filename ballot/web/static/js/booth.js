// The ballot page: marks, the approvals left, a review step, then everything secret happens
// here on the device through protocol.js (docs/PROTOCOL.md): a fresh credential key, blindly
// issued with the session as soon as the page sees the round open (not when the member casts,
// so the moment of issuance says nothing about the moment of casting), kept in this browser
// (IndexedDB, the private key not extractable), then anonymous registration and casting over
// requests that carry no cookie at all. The server only ever receives ciphertexts and proofs.
import { transcriptKey } from "./ceremony.js";
import { getJSON, lookUpTracker, postJSON } from "./http.js";
import {
  confirmPresence, texts as deviceTexts, enrolMemberKey, exclusive, forgetCredential, loadCredential,
  saveCredential,
} from "./memberkey.js";
import {
  createCredential, electionKeyFingerprint, encryptBallot, hexToBytes, randomScalar, resumeCredential,
  signStatement, statements,
} from "./protocol.js";

const $ = (id) => document.getElementById(id);
const round = $("round-data") ? JSON.parse($("round-data").textContent) : null;
const issuedBefore = $("issued") ? JSON.parse($("issued").textContent) : false;
const member = $("member") ? JSON.parse($("member").textContent) : null; // {name, key: enrolled or null}
const presence = $("presence") ? JSON.parse($("presence").textContent) : null;
const texts = JSON.parse($("texts").textContent);

// --- this round's credential, kept in this browser until its ballot is in ----------------------

const credentialKey = (meeting, number) => `ballot-credential/${meeting}/${number}`;

/**
 * This member's credential for the open round: the one this browser keeps, or a new one asked
 * for now. The device's state is stored before the request goes out, so a reload or a lost
 * answer sends the very same request again (the server answers it again, issuing nothing more).
 * Resolves to {device, credential}, or to null when the credential was issued elsewhere.
 */
function obtainCredential(signer) {
  const key = credentialKey(round.meeting, round.number);
  return exclusive(key, () => obtainCredentialAlone(key, signer));
}

async function obtainCredentialAlone(key, signer) {
  let saved = await loadCredential(key);
  if (!saved && issuedBefore) return null; // issued to another device, or this one forgot it
  const device = saved
    ? await resumeCredential({ issuerKey: round.issuer, state: saved.state })
    : await createCredential({ issuerKey: round.issuer, meetingId: round.meeting, roundId: round.roundId });
  if (!saved) {
    saved = { state: device.state, credential: null };
    await saveCredential(key, saved);
  }
  if (!saved.credential) {
    if (!signer) { // the member key is on another device: only it can ask for the credential
      await forgetCredential(key);
      const err = new Error(deviceTexts.key_elsewhere);
      err.code = "key-enrolled";
      throw err;
    }
    $("credential-state").textContent = texts.issuing;
    // the request is the member's own word, signed by their key: the record keeps it, so a
    // credential the issuer made without one is seen by anyone (docs/PROTOCOL.md §14)
    const request = statements.issuanceRequest(round.meeting, member.name, round.roundId, hexToBytes(device.blindedHex));
    let issued;
    try {
      issued = await postJSON("/vote/issue", {
        meeting: round.meeting,
        round: round.number,
        blinded: device.blindedHex,
        signature_hex: await signStatement(signer.privateKey, request),
      }, { attempts: 5 });
    } catch (err) {
      if (err.code === "already-issued") { // another device of this member was first
        await forgetCredential(key);
        return null;
      }
      if (err.code === "round-closed") await forgetCredential(key);
      throw err;
    }
    saved = { state: saved.state, credential: await device.finish(issued.blind_signature) };
    await saveCredential(key, saved);
  }
  $("credential-state").textContent = texts.issued;
  return { device, credential: saved.credential };
}

let credentialReady = null;

function showIssuedNote(text = null) {
  $("ballot-card").hidden = true;
  $("issued-card").hidden = false;
  if (text) $("issued-note").textContent = text;
  watchForNextRound(round.number);
}

/** The round closed before this device's ballot was in: nothing of it is kept (it could never
 * be cast now), and the member is told so plainly. */
async function roundClosed() {
  localStorage.removeItem(pendingKey(round.meeting, round.number));
  await forgetCredential(credentialKey(round.meeting, round.number)).catch(() => {});
  $("progress").hidden = true;
  $("booth").hidden = true;
  $("confirm").hidden = true;
  $("error").hidden = false;
  $("error").textContent = texts.round_closed;
  watchForNextRound(round.number);
}

function failed(err) {
  if (err && err.code === "round-closed") return roundClosed();
  if (isNetworkDown(err)) return waitForNetwork();
  return fail(err && err.message ? err.message : String(err));
}

// fetch() fails with a TypeError (and no refusal code) when the network is down: that is not
// the member's fault, and the ballot this device made is kept, so say so in plain words and
// finish it by itself once the network is back (the browser's "online" event, or every 5 s)
const isNetworkDown = (err) => Boolean(err) && !err.code && (err instanceof TypeError || !navigator.onLine);

function waitForNetwork() {
  const saved = round && localStorage.getItem(pendingKey(round.meeting, round.number));
  $("retry").hidden = true;
  $("error").hidden = false;
  $("error").textContent = saved ? texts.offline_kept : texts.offline;
  if (!saved) return;
  let resumed = false;
  const resume = () => {
    if (resumed) return;
    resumed = true;
    clearInterval(timer);
    $("error").hidden = true;
    $("progress").hidden = false;
    deliver(JSON.parse(saved)).catch(failed);
  };
  const timer = setInterval(() => { if (navigator.onLine) resume(); }, 5000);
  addEventListener("online", resume, { once: true });
}

// A cast that was issued but not yet delivered is kept on this device until the server has
// the ballot, so a closed page or a dropped connection can finish it (the credential key has
// already signed; what is kept is the encrypted ballot, the signature and the credential).
// registration and casting: no cookie, and three tries if the network drops
// every step of a cast is safe to repeat (a retried issuance is answered again), so each is
// tried a few times before the page says it could not finish
const retrying = (n) => {
  $("retry").hidden = false;
  $("retry").textContent = texts.retrying.replace("{n}", String(n));
};
const ANONYMOUS = { anonymous: true, attempts: 5, onRetry: retrying };
const RETRIED = { attempts: 5, onRetry: retrying };

const pendingKey = (meeting, number) => `ballot-pending/${meeting}/${number}`;
// the tracker of the ballot this device cast, kept on the device (the member is asked to keep
// it anyway; the server never learns which tracker is whose), so a reload still says 已投出
const castKey = (meeting, number) => `ballot-cast/${meeting}/${number}`;

const rows = (round ? round.candidates : []).map((name, i) => ({
  name,
  inputs: [...document.querySelectorAll(`input[name="c${i}"]`)],
}));

function choices() {
  return rows.map((row) => row.inputs.find((x) => x.checked)?.value ?? "abstain");
}

function showLeft() {
  const left = round.k - choices().filter((c) => c === "approve").length;
  $("left").textContent = String(left);
}

// each row's mark before the latest change: a mark past the limit is taken back to it, and
// the member is told why (a disabled radio would just not react, and say nothing)
const marked = new Map(rows.map((row) => [row, row.inputs.find((x) => x.checked)?.value ?? "abstain"]));

function onMark(row, input) {
  const approvals = choices().filter((c) => c === "approve").length;
  if (input.value === "approve" && approvals > round.k) {
    row.inputs.find((x) => x.value === marked.get(row)).checked = true;
    $("limit-note").textContent = texts.too_many;
    $("limit-note").hidden = false;
  } else {
    $("limit-note").hidden = true;
  }
  marked.set(row, row.inputs.find((x) => x.checked)?.value ?? "abstain");
  showLeft();
}

function fail(message) {
  $("progress").hidden = true;
  $("error").hidden = false;
  $("error").textContent = `${texts.failed}: ${message} — ${texts.advice}`;
}

function step(text) {
  $("step").textContent = text;
  $("retry").hidden = true;
}

/**
 * The key this page will encrypt under must be the one the recorded key ceremony gives: the
 * page re-derives it from the transcript and shows the fingerprint of (transcript, key), which
 * the member compares with the projector's (the scrutineers read theirs out from their own
 * pages). Nothing is encrypted or sent before this holds.
 */
async function checkKey() {
  // the round id every signature and proof of this ballot names is this meeting's round
  // number, worked out here: a server that served another (say the next round's) could have
  // this page sign a credential request for a round the member never saw
  if (round.roundId !== `${round.meeting}/round-${round.number}`) throw new Error(texts.bad_round);
  const transcript = await getJSON(`/m/${encodeURIComponent(round.meeting)}/ceremony.json`, { attempts: 5 });
  // the transcript must be this meeting's ceremony (its digest covers the id, so the
  // fingerprint then names the meeting the ballot is for)
  if (transcript.ceremonyId !== `${round.meeting}/ceremony`) throw new Error(texts.key_mismatch);
  const { transcriptDigest, jointKey } = await transcriptKey(
    { ceremonyId: transcript.ceremonyId, k: transcript.k, n: transcript.n },
    transcript.messages,
  );
  if (jointKey !== round.key.toLowerCase().replace(/^0+/, "")) throw new Error(texts.key_mismatch);
  const fingerprint = await electionKeyFingerprint(transcriptDigest, jointKey);
  $("key-fingerprint").textContent = fingerprint;
  return fingerprint;
}

let keyChecked = null;

async function castBallot() {
  const marks = choices();
  $("confirm").hidden = true;
  $("progress").hidden = false;
  try {
    await keyChecked; // never encrypt under a key the ceremony did not make
    step(texts.waiting_credential);
    const held = await credentialReady;
    if (!held) {
      showIssuedNote();
      return;
    }
    const key = credentialKey(round.meeting, round.number);
    const pending = await exclusive(key, async () => {
      // another window of this browser may have spent the credential while this one waited
      if (localStorage.getItem(pendingKey(round.meeting, round.number)) || !(await loadCredential(key))) return null;
      step(texts.encrypting);
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
      const signature = await held.device.signTracker(tracker);
      const made = { meeting: round.meeting, round: round.number, ballot, credential: held.credential, signature, tracker };
      localStorage.setItem(pendingKey(round.meeting, round.number), JSON.stringify(made));
      return made;
    });
    if (!pending) {
      showIssuedNote(texts.cast_in_other_window);
      return;
    }
    await deliver(pending);
  } catch (err) {
    await failed(err);
  }
}

/** Anonymous registration and cast (both safe to repeat), then the tracker. */
async function deliver(pending) {
  step(texts.registering);
  try {
    await postJSON("/vote/anon/register", { meeting: pending.meeting, round: pending.round, ...pending.credential }, ANONYMOUS);
  } catch (err) {
    if (err.code !== "credential-registered") throw err; // registered by an earlier attempt
  }
  step(texts.casting);
  try {
    const cast = await postJSON("/vote/anon/cast", {
      meeting: pending.meeting,
      round: pending.round,
      ballot: pending.ballot,
      public_key_hex: pending.credential.public_key_hex,
      signature_hex: pending.signature,
    }, ANONYMOUS);
    if (cast.tracker !== pending.tracker) throw new Error("the server's tracker differs from this device's");
  } catch (err) {
    if (err.code !== "already-cast") throw err;
    // only this browser holds the credential's key, so an earlier attempt of this very ballot
    // landed, or another window cast its own: the record says which
    const where = await lookUpTracker(pending.meeting, pending.tracker);
    if (!where.found) {
      localStorage.removeItem(pendingKey(pending.meeting, pending.round));
      showIssuedNote(texts.cast_in_other_window);
      return;
    }
  }
  localStorage.setItem(castKey(pending.meeting, pending.round), pending.tracker);
  localStorage.removeItem(pendingKey(pending.meeting, pending.round));
  await forgetCredential(credentialKey(pending.meeting, pending.round)).catch(() => {});
  showCast(pending.tracker);
  watchForNextRound(pending.round);
}

/** 已投出, with the tracker: after the cast, and on any later visit from this device. */
function showCast(tracker) {
  $("progress").hidden = true;
  $("booth").hidden = true;
  $("confirm").hidden = true;
  $("done").hidden = false;
  $("tracker").textContent = tracker.match(/.{1,8}/g).join(" ");
  // in the fragment, which the browser never sends: the lookup page asks without cookies
  $("lookup").href = `${$("lookup").href.split("#")[0]}#t=${tracker}`;
}

/** No credential here: this device cast this round's ballot (it kept the tracker), or the
 * credential was taken elsewhere. */
function showCastOrIssued() {
  const tracker = localStorage.getItem(castKey(round.meeting, round.number));
  if (tracker) {
    showCast(tracker);
    watchForNextRound(round.number);
  } else {
    showIssuedNote();
  }
}

/** Once this round's ballot is in, offer the next round when the chair opens it (the tracker
 * stays on screen until the member moves on). */
let watching = false;

function watchForNextRound(number) {
  // (one poll per page, from page load: a named poll that began only after the cast would say
  // when the member cast)
  if (watching) return;
  watching = true;
  let over = false;
  const timer = setInterval(async () => {
    try {
      const state = await getJSON("/vote/round.json");
      if (state.round && state.round.number !== number) {
        $("next-round").hidden = false;
        clearInterval(timer);
      } else if (!state.round && !over && !localStorage.getItem(pendingKey(round.meeting, number))) {
        // the round closed (a cast still under way finds out by itself: roundClosed)
        over = true;
        roundOver(number);
      }
    } catch (err) {
      // offline for a moment: try again at the next tick
    }
  }, 3000);
}

/** The chair closed the round: say so, in the terms of what this device did. */
function roundOver(number) {
  const cast = localStorage.getItem(castKey(round.meeting, number));
  $("round-over").hidden = false;
  $("round-over").textContent = cast ? texts.round_over_cast : texts.round_over_not_cast;
  if (!cast) {
    $("booth").hidden = true;
    $("confirm").hidden = true;
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
    await keyChecked;
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
  $("error").textContent = deviceTexts.no_crypto;
} else if (round) {
  const saved = localStorage.getItem(pendingKey(round.meeting, round.number));
  keyChecked = checkKey();
  if (saved) {
    // this device encrypted and signed a ballot that the server may not have yet: finish it
    keyChecked.catch(() => {}); // (it was encrypted after the check passed)
    $("progress").hidden = false;
    deliver(JSON.parse(saved)).catch(failed);
  } else {
    keyChecked.catch((err) => {
      $("key-fingerprint").textContent = "—";
      $("booth").hidden = true;
      $("confirm").hidden = true;
      fail(err && err.message ? err.message : String(err));
    });
    // the credential is asked for now, when the round opens, once the election key and the
    // round are known to be right, with a request signed by the member key (enrolled first,
    // and the member's presence confirmed by it if it was not yet: a late check-in)
    const signer = keyChecked.then(() => enrolMemberKey(round.meeting, member)).then(async (held) => {
      await confirmPresence(round.meeting, member, held, presence);
      return held;
    });
    signer.catch((err) => {
      $("member-key-fingerprint").textContent = `${texts.failed}: ${err && err.message ? err.message : String(err)}`;
    });
    credentialReady = signer.then(obtainCredential);
    watchForNextRound(round.number);
    credentialReady.then((held) => { if (!held) showCastOrIssued(); }, (err) => {
      if (err && err.code === "round-closed") return roundClosed();
      $("credential-state").textContent = `${texts.failed}: ${err && err.message ? err.message : String(err)}`;
    });
    $("booth").hidden = false;
    for (const row of rows) for (const input of row.inputs) input.addEventListener("change", () => onMark(row, input));
    showLeft();
    $("review").addEventListener("click", review);
    $("back").addEventListener("click", () => {
      $("confirm").hidden = true;
      $("booth").hidden = false;
    });
    $("cast").addEventListener("click", castBallot);
    $("audit").addEventListener("click", auditEncryption);
  }
}
