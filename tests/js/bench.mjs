#!/usr/bin/env node
// Time the browser module under Node: encrypt and prove a 16-candidate ballot with k = 5, and
// validate one as the scrutineer's page does (validateBallot: exact, one equation at a time).
// Usage: node tests/js/bench.mjs [runs]   (median of `runs`, default 7)
import { GROUP, encryptBallot, modPow, validateBallot, warmUp } from "../../ballot/web/static/js/protocol.js";

const runs = Number(process.argv[2] ?? 7);
const context = {
  record: "ab".repeat(32),
  roundId: "bench-meeting/round-1",
  candidates: Array.from({ length: 16 }, (_, i) => `候选${i + 1}`),
  k: 5,
};
const choices = [
  ...Array(5).fill("approve"),
  ...Array(4).fill("oppose"),
  ...Array(7).fill("abstain"),
];
const freshKey = (i) => modPow(GROUP.g, 0x1234567890abcdefn * BigInt(i + 1), GROUP.p).toString(16);

const time = async (f) => {
  const start = performance.now();
  await f();
  return performance.now() - start;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

const gTable = await time(() => warmUp());
const keyTable = [];
const withKeyTable = [];
const encryptOnly = [];
for (let i = 0; i < runs; i++) {
  const key = freshKey(i);
  keyTable.push(await time(() => warmUp(key)));
  encryptOnly.push(await time(() => encryptBallot({ key, context, choices })));
  const other = freshKey(runs + i);
  withKeyTable.push(await time(() => encryptBallot({ key: other, context, choices })));
}
const validateOnly = [];
const key = freshKey(0);
const { ballot } = await encryptBallot({ key, context, choices });
for (let i = 0; i < runs; i++) validateOnly.push(await time(() => validateBallot({ key, context, ballot })));
console.log(`Node ${process.version}, 16 candidates, k = 5, median of ${runs}`);
console.log(`  g table (once per page, lazily built):         ${ms(gTable)}`);
console.log(`  K table (once per election key, with K check):  ${ms(median(keyTable))}`);
console.log(`  encrypt + prove, K table ready:                 ${ms(median(encryptOnly))}`);
console.log(`  encrypt + prove, including K's table:           ${ms(median(withKeyTable))}`);
console.log(
  `  cold total (g table + K table + ballot):        ${ms(gTable + median(withKeyTable))}`,
);
console.log(`  validate one ballot (scrutineer's page):        ${ms(median(validateOnly))}`);
