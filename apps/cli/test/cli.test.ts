import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freePort } from '@balanceai/testing';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

describe('balanceai with the gateway down', () => {
  const commands = [
    ['account', BOB],
    ['transfer', '--from', '//Alice', '--to', BOB, '--amount', '1'],
    ['bond', '--from', '//Alice', '--amount', '1'],
    ['watch'],
  ];
  for (const args of commands) {
    for (const flag of ['--rpc', '--gateway'] as const) {
      it(`${args[0]} ${flag}: one line naming the ws URL, no stack trace, exit code 1`, async () => {
        const port = await freePort(); // nothing listens there
        const url = `${flag === '--rpc' ? 'ws' : 'http'}://127.0.0.1:${port}`;
        const run = spawnSync(process.execPath, [MAIN, ...args, flag, url], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(run.status, 1, run.stderr);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, run.stderr);
        assert.match(lines[0]!, new RegExp(`^balanceai: cannot reach the gateway at ws://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
        assert.doesNotMatch(run.stderr, /\n\s+at /);
      });
    }
  }

  it('a bad flag value is a usage error (exit 2) before any connection', () => {
    const run = spawnSync(process.execPath, [MAIN, 'bond', '--from', '//Alice', '--amount', '1', '--payee', 'Controller'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr.trim(), 'balanceai: --payee must be Staked or Stash, got "Controller"');
  });
});
