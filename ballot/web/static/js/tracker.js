// The tracker lookup, asked without cookies: a member who looks up their tracker in the browser
// they voted from would otherwise show the server their session beside it. The ballot page links
// here with the tracker in the fragment (#t=…), which the browser never sends.
import { lookUpTracker } from "./http.js";

const $ = (id) => document.getElementById(id);
const texts = JSON.parse($("texts").textContent);
const meeting = JSON.parse($("meeting-id").textContent);
const TRACKER = /^[0-9a-f]{64}$/;

function say(text, good) {
  const out = $("lookup-result");
  out.hidden = false;
  out.className = `message ${good ? "ok" : "bad"}`;
  out.textContent = text;
}

async function look(typed) {
  const tracker = typed.trim().toLowerCase().replace(/\s+/g, "");
  if (!TRACKER.test(tracker)) return say(texts.bad, false);
  let found;
  try {
    found = await lookUpTracker(meeting, tracker);
  } catch (err) {
    return say(err && err.code ? err.message : texts.offline, false);
  }
  if (!found.found) return say(texts.missing, false);
  const text = found.published ? texts.published : texts.received;
  return say(text.replace("{round}", String(found.round)).replace("{event}", String(found.event)), true);
}

$("lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  look($("t").value);
});

const fragment = new URLSearchParams(location.hash.slice(1)).get("t");
if (fragment) {
  $("t").value = fragment;
  look(fragment);
}
