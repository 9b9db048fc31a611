// Opens one scrutineer share file with the browser keystore module, for tests/browser/test_js_keystore.py.
// stdin: JSON {"text": the share file's text, "passphrase": ...}.
// stdout: the opened share as JSON {ceremonyId, index, secret, transportPrivate}, exit status 0;
// or the refusal's message ("English | 中文"), exit status 1.
// stderr: "opened in <milliseconds> ms" on success (the time openShareFile took).

import { openShareFile } from "../../ballot/web/static/js/keystore.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { text, passphrase } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const started = performance.now();
try {
  const share = await openShareFile(text, passphrase);
  process.stderr.write(`opened in ${(performance.now() - started).toFixed(1)} ms\n`);
  process.stdout.write(JSON.stringify(share) + "\n");
} catch (err) {
  process.stdout.write(err.message + "\n");
  process.exitCode = 1;
}
