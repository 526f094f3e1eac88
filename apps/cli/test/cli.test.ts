import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { freePort } from '@balanceai/testing';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');

describe('balanceai with the gateway down', () => {
  for (const args of [['account', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'], ['transfer', '--from', '//Alice', '--to', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty', '--amount', '1']]) {
    it(`${args[0]}: one line naming the URL, no stack trace, exit code 1`, async () => {
      const gateway = `http://127.0.0.1:${await freePort()}`; // nothing listens there
      const run = spawnSync(process.execPath, [MAIN, ...args, '--gateway', gateway], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0]!, new RegExp(`^balanceai: cannot reach the gateway at ${gateway.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    });
  }
});
