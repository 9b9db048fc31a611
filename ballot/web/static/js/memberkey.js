// What this browser keeps for the member, and the member's own word (docs/PROTOCOL.md §14):
// the IndexedDB store (round credentials and the member key, the private halves not
// extractable), the member key made and enrolled on first use, and the presence statement the
// device signs when it sees its member checked in (or out). Shared by the ballot page and the
// page that waits for a round.
import { postJSON } from "./http.js";
import { bytesToHex, hexToBytes, keyFingerprint, newMemberKey, signStatement, statements } from "./protocol.js";

const $ = (id) => document.getElementById(id);
/** The words this module shows, in the page's language (the page's `device-texts`). */
export const texts = JSON.parse($("device-texts").textContent);
const show = (id, text) => { const el = $(id); if (el) el.textContent = text; };
const note = (id, text) => { const el = $(id); if (el) el.append(text); };

function database() {
  return new Promise((resolve, reject) => {
    const unavailable = (why) => reject(new Error(why ? `${texts.no_storage} (${why})` : texts.no_storage));
    let opening;
    try {
      if (!globalThis.indexedDB) throw new Error("no IndexedDB");
      opening = indexedDB.open("ballot", 1);
    } catch (err) {
      unavailable(err && err.name !== "Error" ? err.name : "");
      return;
    }
    opening.onupgradeneeded = () => opening.result.createObjectStore("credentials");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => unavailable(opening.error && opening.error.name);
  });
}

/** `act()` alone among this browser's windows holding `name` (two tabs of the page must not
 * both ask for, or both spend, the round's one credential). */
export const exclusive = (name, act) => (globalThis.navigator && navigator.locks ? navigator.locks.request(name, act) : act());

async function stored(mode, act) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction("credentials", mode);
      const request = act(tx.objectStore("credentials"));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const loadCredential = (key) => stored("readonly", (s) => s.get(key));
export const saveCredential = (key, value) => stored("readwrite", (s) => s.put(value, key));
export const forgetCredential = (key) => stored("readwrite", (s) => s.delete(key));

const memberKeyName = (meeting) => `ballot-member-key/${meeting}`;

/**
 * The member key this device keeps for the meeting, made (not extractable) and enrolled on
 * first use: the server gets its public half and the key's signature over the enrolment. A key
 * enrolled from another device is left alone (the page says so). Resolves to the key kept
 * here ({privateKey, publicKeyHex}), or to null when the member's key is on another device.
 */
export function enrolMemberKey(meeting, member) {
  const name = memberKeyName(meeting);
  return exclusive(name, () => enrolMemberKeyAlone(meeting, member, name));
}

async function enrolMemberKeyAlone(meeting, member, name, retried = false) {
  // the page says whose name it signs the enrolment with (the server gives the name; a wrong
  // one is seen here, and in the record)
  show("member-key-name", member.name);
  let mine = await loadCredential(name);
  if (member.key && (!mine || mine.publicKeyHex !== member.key)) {
    show("member-key-fingerprint", await keyFingerprint(hexToBytes(member.key)));
    note("member-key-state", ` — ${texts.key_elsewhere}`);
    return null;
  }
  if (!mine) {
    const made = await newMemberKey();
    mine = { privateKey: made.privateKey, publicKeyHex: bytesToHex(made.publicKey) };
    await saveCredential(name, mine); // kept before it is sent: a lost answer sends it again
  }
  const publicKey = hexToBytes(mine.publicKeyHex);
  if (member.key !== mine.publicKeyHex) {
    const signature = await signStatement(mine.privateKey, statements.memberKey(meeting, member.name, publicKey));
    try {
      await postJSON("/vote/enrol", { meeting: meeting, public_key_hex: mine.publicKeyHex, signature_hex: signature }, { attempts: 5 });
    } catch (err) {
      if (err.code === "key-withdrawn" && !retried) {
        // the office withdrew this browser's key (a device reported lost): make a new one, and
        // say so, for a member who reported nothing must tell the chair
        await forgetCredential(name);
        const made = await enrolMemberKeyAlone(meeting, member, name, true);
        const withdrawn = $("key-withdrawn");
        if (withdrawn) {
          withdrawn.textContent = texts.key_withdrawn;
          withdrawn.hidden = false;
        }
        return made;
      }
      if (err.code !== "key-enrolled") throw err;
      note("member-key-state", ` — ${texts.key_elsewhere}`);
      return null; // (another device enrolled a moment ago)
    }
  }
  show("member-key-fingerprint", await keyFingerprint(publicKey));
  return mine;
}

/**
 * The member's own word that they are in the room (docs/PROTOCOL.md §14 `presence`): when the
 * server says its member is checked in but not yet confirmed, the device signs "present"; when
 * checked out after a "present", it signs "left". Only confirmed members count towards the
 * quorum, so a check-in the member's device never saw counts for nothing. `presence` is the
 * server's {checked_in, confirmed, statements, wanted}; resolves to it after the statement.
 */
export async function confirmPresence(meeting, member, signer, presence) {
  let now = presence;
  if (signer && now && now.wanted) {
    now = await exclusive(`ballot-presence/${meeting}`, async () => {
      const n = presence.statements + 1;
      // the statement answers the chair's latest check-in (or check-out) of this member, by
      // that event's hash: it can serve no later one
      const statement = statements.presence(meeting, member.name, presence.wanted, n, hexToBytes(presence.answers));
      const signature = await signStatement(signer.privateKey, statement);
      try {
        const answer = await postJSON("/vote/presence", { meeting, state: presence.wanted, n, answers: presence.answers, signature_hex: signature }, { attempts: 5 });
        return answer.presence;
      } catch (err) {
        // another window of this browser signed it a moment ago: the next look has it
        if (err.code === "stale-presence" || err.code === "already-confirmed") return presence;
        throw err;
      }
    });
  }
  if (now && now.checked_in) {
    show("presence-state", now.confirmed ? texts.presence_confirmed : signer ? texts.presence_confirming : texts.presence_elsewhere);
  }
  return now;
}
