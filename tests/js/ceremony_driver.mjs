// Drives one step of the browser key-ceremony module for tests/browser/test_js_ceremony.py: one JSON
// command on stdin, one JSON answer on stdout. The scrutineer's secret state (the dealing) is
// passed back and forth as JSON between the steps (a test harness: a page keeps it in memory).
//
//   {"op": "begin", "args": {ceremonyId, k, n, index, groupName?}}  → {dealing, message}
//   {"op": "deal", "args": {params, dealing, messages}}              → [encrypted share, …]
//   {"op": "finish", "args": {params, dealing, messages, shares}}   → {share, jointKey, …}
//   {"op": "digest", "args": {params, messages}}                     → "hex"
//   {"op": "seal", "args": {share, passphrase, options?}}            → the share file's text
//
// Optional "scalars" and "bytes" (lists of hex) replace the CSPRNG, drawn in order (to replay
// the values a Python run drew). Answer: {"result": …, "ms": time taken}, exit status 0; or
// {"error": message "English | 中文", "code": refusal code or null}, exit status 1.

import { begin, deal, finish, transcriptDigest } from "../../ballot/web/static/js/ceremony.js";
import { sealShareFile } from "../../ballot/web/static/js/keystore.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { op, args, scalars, bytes } = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function replay(list, what, convert) {
  return (...request) => {
    if (!list.length) throw new Error(`the test gave too few ${what}`);
    return convert(list.shift(), ...request);
  };
}
const random = {};
if (scalars) random.scalar = replay(scalars, "scalars", (hex) => BigInt("0x" + hex));
if (bytes) {
  random.bytes = replay(bytes, "random bytes", (hex, n) => {
    const out = Uint8Array.from(Buffer.from(hex, "hex"));
    if (out.length !== n) throw new Error(`the test gave ${out.length} random bytes where ${n} were drawn`);
    return out;
  });
}
const injected = scalars || bytes ? random : undefined;

const steps = {
  begin: () => begin({ ...args, random: injected }),
  deal: () => deal({ ...args, random: injected }),
  finish: () => finish(args),
  digest: () => transcriptDigest(args.params, args.messages),
  seal: () => sealShareFile(args.share, args.passphrase, { ...args.options, random: injected?.bytes }),
};

const started = performance.now();
try {
  if (!Object.hasOwn(steps, op)) throw new Error(`unknown op ${op}`);
  const result = await steps[op]();
  process.stdout.write(JSON.stringify({ result, ms: performance.now() - started }) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.message, code: err.code ?? null }) + "\n");
  process.exitCode = 1;
}
