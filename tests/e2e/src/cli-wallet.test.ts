// The `balanceai` CLI wallet on a devnet (issue 10): every wallet command goes through the gateway's
// Substrate JSON-RPC over WebSocket, as third-party wallets do (no REST): account, transfer (and a refused
// one, 1010 with its reason in one line), bond, nominate, unbond, and watch following finalized heads.
// It runs the built CLI as a user would (apps/cli/dist; `npx tsc -b apps/cli` or `npm run build` first).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cryptoReady, keyFromUri, ss58Encode } from '@balanceai/chain';
import { Devnet, REPO_ROOT } from '@balanceai/testing';
import { Gateway } from './client.js';

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'src', 'main.js');
const SS58 = 42;
let net: Devnet;
let rpc = '';

const address = (uri: string) => ss58Encode(keyFromUri(uri, 'sr25519').publicKey, SS58);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `balanceai <args> --rpc <ws url>` to completion. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--rpc', rpc], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await cli(...args);
  assert.equal(r.code, 0, `balanceai ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  assert.equal(r.stderr, '', `balanceai ${args.join(' ')} wrote to stderr`);
  return r.stdout;
}

/** The `  events: A, B, …` line of a signing command lists each of `names` (in any order). */
function assertEvents(out: string, ...names: string[]): void {
  const line = /^ {2}events: (.*)$/m.exec(out);
  assert.ok(line, out);
  const events = line[1]!.split(', ');
  for (const n of names) assert.ok(events.includes(n), `${n} is not among ${line[1]}`);
}

async function accountJson(who: string): Promise<{ freeBai: string; reservedBai: string; frozenBai: string; nonce: number; at: { number: number } }> {
  return JSON.parse(await ok('account', who));
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: build the CLI first (npx tsc -b apps/cli)`);
  await cryptoReady();
  net = await Devnet.start({ validators: 4, modules: ['emissions', 'staking'] });
  rpc = net.gatewayUrl.replace(/^http/, 'ws');
  await new Gateway(net.gatewayUrl).waitHeight(2, 60_000);
});

after(async () => {
  await net?.stop();
});

test('account reads System.Account at the finalized head', async () => {
  const dave = await accountJson(address('//Dave'));
  assert.equal(dave.freeBai, '100000');
  assert.equal(dave.nonce, 0);
  assert.ok(dave.at.number >= 2);
});

test('transfer is signed by the CLI, followed to finalized, and its events read from the block', async () => {
  const fresh = address('//cli/fresh');
  const out = await ok('transfer', '--from', '//Dave', '--to', fresh, '--amount', '1.5');
  assert.match(out, /^ {2}ready$/m);
  assert.match(out, /^ {2}finalized in #\d+ 0x[0-9a-f]{64} \(extrinsic \d+\)$/m);
  assertEvents(out, 'Balances.Transfer', 'System.ExtrinsicSuccess');
  assert.match(out, /\nok\n$/);
  assert.equal((await accountJson(fresh)).freeBai, '1.5');
  assert.equal((await accountJson(address('//Dave'))).nonce, 1);
});

test('a transaction the chain refuses is one line with the 1010 reason, exit code 1', async () => {
  const r = await cli('transfer', '--from', '//cli/never-funded', '--to', address('//Dave'), '--amount', '1');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^balanceai: the chain refused the transaction: Invalid Transaction \(1010\): \S/);
});

test('bond, nominate and unbond go through the Staking pallet and say so in their events', async () => {
  const stash0 = net.genesis.validators[0]!.stash;
  const bond = await ok('bond', '--from', '//Eve', '--amount', '1000', '--payee', 'Stash');
  assertEvents(bond, 'Staking.Bonded', 'System.ExtrinsicSuccess');
  assertEvents(await ok('nominate', '--from', '//Eve', '--targets', stash0), 'Staking.Nominated', 'System.ExtrinsicSuccess');
  assertEvents(await ok('unbond', '--from', '//Eve', '--amount', '10'), 'Staking.Unbonded', 'System.ExtrinsicSuccess');
  const eve = await accountJson(address('//Eve'));
  assert.equal(eve.nonce, 3);
});

test('a failing call reports the dispatch error by name', async () => {
  // Bonding twice from the same stash is pallet-staking's AlreadyBonded.
  const r = await cli('bond', '--from', '//Eve', '--amount', '1');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr.trim(), /^balanceai: finalized in #\d+ \(0x[0-9a-f]{64}\) but failed: Staking\.AlreadyBonded$/);
});

test('watch prints consecutive finalized blocks, and the account it follows', async () => {
  const out = await ok('watch', '--count', '3', '--account', address('//Eve'), '--timeout', '30');
  const blocks = out.split('\n').filter((l) => l.startsWith('#'));
  assert.equal(blocks.length, 3, out);
  const numbers = blocks.map((l) => {
    const m = /^#(\d+) 0x[0-9a-f]{64} \d+ extrinsics?$/.exec(l);
    assert.ok(m, l);
    return Number(m[1]);
  });
  assert.deepEqual(numbers, [numbers[0]!, numbers[0]! + 1, numbers[0]! + 2]);
  assert.match(out, new RegExp(`^ {2}${address('//Eve')} free \\S+ reserved \\S+ frozen \\S+ nonce \\d+$`, 'm'));
});
