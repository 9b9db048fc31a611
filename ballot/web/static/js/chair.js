// The chair's word on a round (docs/PROTOCOL.md §14 `attest`): opening and closing a round is
// signed by the chair's own member key, kept in this browser, and so is the final result once
// the procedure is complete (`result-signed`). The console fetches the very
// event body the record will keep, shows the chair what it says (the round, its candidates, the
// members confirmed present by name; at the close the ballots returned and whether the round
// counts), and signs only after the chair confirms it. The server keeps the body only with that
// signature; if the room changed meanwhile it says so and the console asks again.
import { getJSON, postJSON } from "./http.js";
import { enrolMemberKey } from "./memberkey.js";
import { signStatement, statements } from "./protocol.js";

const $ = (id) => document.getElementById(id);
const meeting = JSON.parse($("meeting-id").textContent);
const member = JSON.parse($("member").textContent);
const texts = JSON.parse($("chair-texts").textContent);
const lang = document.documentElement.lang === "en" ? "en" : "zh";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

/** What the chair is about to sign, in words, from the body itself (not from the page). */
function summary(kind, body) {
  if (kind === "result-signed") {
    const lines = Object.entries(body.result || {}).map(
      ([tier, names]) => `${texts.tiers[tier] || tier}: ${names.join(texts.comma) || texts.none}`,
    );
    return fill(texts.result, { lines: lines.join("\n") });
  }
  const names = (body.present_members || []).join(texts.comma);
  const what = texts.kinds[body.kind] || texts.kinds.ballot;
  const needed = body.threshold === null || body.threshold === undefined ? "" : fill(texts.needed, body);
  const values = { ...body, names, what, needed, candidates: (body.candidates || []).join(texts.comma) };
  if (kind === "round-opened") return fill(texts.open, values);
  // whether the round counts is always said, with the reason when it does not
  if (body.void && !body.reason) throw new Error(texts.void_unexplained);
  const counts = body.void ? `${texts.void_} ${body.reason[lang] || body.reason.en}` : texts.counts;
  return fill(texts.close, { ...values, counts });
}

function fields(form) {
  const out = {};
  const round = form.querySelector("input[name=round]");
  if (round) out.round = Number(round.value);
  const motion = form.querySelector("select[name=candidate]");
  if (motion) out.motion = motion.value;
  return out;
}

async function attest(form, button) {
  const sent = fields(form);
  const query = new URLSearchParams();
  if (sent.round) query.set("round", String(sent.round));
  if (sent.motion) query.set("motion", sent.motion);
  for (let attempt = 1; ; attempt++) {
    const prepared = await getJSON(`${form.dataset.attest}?${query}`);
    if (!window.confirm(summary(prepared.kind, prepared.body))) return false;
    const signer = await enrolMemberKey(meeting, member);
    if (!signer) throw new Error(texts.key_elsewhere);
    const message = await statements.attest(meeting, "chair", prepared.kind, prepared.body);
    const signature = await signStatement(signer.privateKey, message);
    try {
      await postJSON(form.action, { ...sent, body: prepared.body, signature_hex: signature }, { attempts: 3 });
      return true;
    } catch (err) {
      // the round is already where this asked for it (another tab, or a console reloaded
      // mid-answer): show where the meeting stands
      if (["round-open", "round-closed", "round-counted", "round-waiting"].includes(err.code)) return true;
      if (!["round-changed", "result-changed"].includes(err.code) || attempt >= 3) throw err;
      window.alert(err.message); // the room (or the result) changed: look again at what is signed
    }
  }
}

for (const form of document.querySelectorAll("form[data-attest]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button.disabled) return; // (a second click while the first is under way)
    button.disabled = true;
    const said = $("attest-state");
    said.hidden = true;
    attest(form, button).then((done) => {
      if (done) location.reload();
      else button.disabled = false;
    }, (err) => {
      button.disabled = false;
      said.hidden = false;
      said.textContent = `${texts.failed}: ${err && err.message ? err.message : String(err)}`;
    });
  });
}
