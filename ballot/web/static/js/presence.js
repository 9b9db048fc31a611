// The member's device on the pages that are not the ballot (the page that waits for a round or
// for the check-in, and the chair's console, for the chair is a member): it makes and enrols
// the member key at the first visit, and signs the member's presence as soon as the chair has
// checked them in (docs/PROTOCOL.md §14), so they count towards the quorum before the chair
// opens the round. The page reloads itself to see what changed.
import { confirmPresence, enrolMemberKey, texts } from "./memberkey.js";

const $ = (id) => document.getElementById(id);
const meeting = JSON.parse($("meeting-id").textContent);
const member = JSON.parse($("member").textContent);
const presence = JSON.parse($("presence").textContent);

async function run() {
  const signer = await enrolMemberKey(meeting, member);
  await confirmPresence(meeting, member, signer, presence);
}

if (globalThis.crypto && crypto.subtle) {
  run().catch((err) => {
    const line = $("presence-state");
    if (line) line.textContent = `${texts.presence_failed}: ${err && err.message ? err.message : String(err)}`;
  });
} else {
  const line = $("presence-state");
  if (line) line.textContent = texts.no_crypto;
}
