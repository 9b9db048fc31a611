#!/usr/bin/env node
// Make one ballot with the browser's module and real randomness, so Python can validate it.
//
// stdin, line 1: {"key", "context": {"record", "roundId", "candidates", "k"}, "choices"}
//   optionally with "issuer_key" ({"scheme","n","e"}), "meeting_id" and "round_id": then the
//   credential is issued as on a member's device: this script prints {"blinded_hex"} and
//   reads line 2, {"blind_signature_hex"} (the issuer's answer), before it goes on.
// stdout, last line: {"ballot", "tracker", "public_key_hex", "signature_hex"} and, with an
//   issuer key, "credential": {"public_key_hex", "prepared_hex", "signature_hex"}.
// A refused request prints the error on stderr and exits with status 1.
import { createInterface } from "node:readline";

import {
  bytesToHex,
  castMessage,
  createCredential,
  encryptBallot,
  hexToBytes,
} from "../../ballot/web/static/js/protocol.js";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const readJson = async () => {
  const { value, done } = await lines.next();
  if (done) throw new Error("stdin ended early");
  return JSON.parse(value);
};
const write = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

/** A bare P-256 key when no issuer key is given (the ballot still needs a cast signature). */
async function bareKey() {
  const subtle = globalThis.crypto.subtle;
  const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  return {
    publicKeyHex: bytesToHex(new Uint8Array(await subtle.exportKey("raw", pair.publicKey))),
    signTracker: async (tracker) =>
      bytesToHex(
        new Uint8Array(
          await subtle.sign(
            { name: "ECDSA", hash: "SHA-256" },
            pair.privateKey,
            castMessage(hexToBytes(tracker)),
          ),
        ),
      ),
  };
}

try {
  const request = await readJson();
  let credential;
  let registered;
  if (request.issuer_key !== undefined) {
    credential = await createCredential({
      issuerKey: request.issuer_key,
      meetingId: request.meeting_id,
      roundId: request.round_id ?? request.context.roundId,
    });
    write({ blinded_hex: credential.blindedHex });
    registered = await credential.finish((await readJson()).blind_signature_hex);
  } else {
    credential = await bareKey();
  }
  const { ballot, tracker } = await encryptBallot(request);
  const out = {
    ballot,
    tracker,
    public_key_hex: credential.publicKeyHex,
    signature_hex: await credential.signTracker(tracker),
  };
  write(registered ? { ...out, credential: registered } : out);
  process.exit(0);
} catch (error) {
  process.stderr.write(`make_ballot: ${error.message}\n`);
  process.exit(1);
}
