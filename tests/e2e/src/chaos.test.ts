// A short perturbation run on a real 4-validator devnet (emissions and staking modules) under steady
// transfer load: each kind of fault once — kill, pause, restart a validator, kill a module, fail a
// validator's PostgreSQL. The long soak is bench/src/soak.ts. Checked black-box afterwards: no fork, no
// self-halt, every accepted transfer final exactly once, sum of balances == issuance == the schedule.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady } from '@balanceai/chain';
import { Devnet, runChaos, PERTURBATIONS, type ChaosReport } from '@balanceai/testing';

const SENDERS = 40;
let net: Devnet;
let report: ChaosReport;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: 4, modules: ['emissions', 'staking'], extraAccounts: SENDERS });
  report = await runChaos(net, {
    seconds: 165,
    rate: 40,
    everyMs: 20_000,
    seed: 9,
    senders: SENDERS,
    kinds: PERTURBATIONS,
    log: (line) => console.log(`# ${line}`),
  });
  console.log(`# ${JSON.stringify({ ...report, memory: undefined })}`);
});

after(async () => {
  await net?.stop();
});

test('every kind of perturbation ran, and the network recovered from each on its own', () => {
  assert.deepEqual([...new Set(report.perturbations.map((p) => p.kind))].sort(), [...PERTURBATIONS].sort());
  for (const p of report.perturbations) assert.notEqual(p.recoveredS, null, `${p.kind} of validator ${p.validator} at ${p.atS} s`);
});

test('no fork and no self-halt', () => {
  assert.deepEqual(report.forks, []);
  assert.deepEqual(report.selfHalts, []);
});

test('every accepted transfer is final exactly once', () => {
  assert.ok(report.load.accepted > 1_000, `load ran: ${JSON.stringify(report.load)}`);
  assert.equal(report.lost, 0, 'accepted but never final');
  assert.deepEqual(report.doubled, [], 'applied twice');
});

test('on every validator: sum of balances == total issuance == the emission schedule', () => {
  assert.deepEqual(report.ledger, []);
  assert.ok(report.heights.end > report.heights.start + 60, `the chain advanced: ${JSON.stringify(report.heights)}`);
});
