// The chair's word on a round (docs/PROTOCOL.md §14 `attest`): opening and closing a round is
// signed by the chair's own member key, kept in this browser. The console fetches the very
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
  const names = (body.present_members || []).join(texts.comma);
  const values = { ...body, names, candidates: (body.candidates || []).join(texts.comma) };
  if (kind === "round-opened") return fill(texts.open, values);
  const reason = body.void && body.reason ? `\n${texts.void_} ${body.reason[lang] || body.reason.en}` : "";
  return fill(texts.close, values) + reason;
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
      button.disabled = true;
      await postJSON(form.action, { ...sent, body: prepared.body, signature_hex: signature }, { attempts: 3 });
      return true;
    } catch (err) {
      button.disabled = false;
      if (err.code !== "round-changed" || attempt >= 3) throw err;
      window.alert(err.message); // the room changed: look again at what is signed
    }
  }
}

for (const form of document.querySelectorAll("form[data-attest]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const said = $("attest-state");
    said.hidden = true;
    attest(form, button).then((done) => {
      if (done) location.reload();
    }, (err) => {
      said.hidden = false;
      said.textContent = `${texts.failed}: ${err && err.message ? err.message : String(err)}`;
    });
  });
}
