import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { RpcCode, RpcError } from './errors.js';
import { StorageBatcher } from './storage-batcher.js';

/** A validator whose ReadStorage calls stay open until the test releases them. */
function fakeValidator() {
  const calls: Array<{ keys: string[]; at: string; release: (fail?: unknown) => void }> = [];
  const read = (keys: string[], at: string) =>
    new Promise<consensusV1.ReadStorageResponse>((resolve, reject) => {
      calls.push({
        keys,
        at,
        release: (fail) => (fail ? reject(fail) : resolve({ at: at || '0xhead', height: '7', entries: keys.map((key) => ({ key, present: true, value: `0x${key.slice(2)}aa` })) })),
      });
    });
  return { calls, read };
}
const tick = () => new Promise((r) => setImmediate(r));

test('reads that arrive while a call is in flight leave together, and each caller gets its own entries in order', async () => {
  const v = fakeValidator();
  const b = new StorageBatcher(v.read, { maxKeysPerCall: 1000, maxCallsInFlight: 1, maxPendingKeys: 100 });
  const first = b.readStorage(['0x01'], '');
  const later = [b.readStorage(['0x02', '0x03'], ''), b.readStorage(['0x04'], ''), b.readStorage(['0x05'], '0xolder')];
  assert.equal(v.calls.length, 1, 'one call in flight at most');
  v.calls[0]!.release();
  assert.deepEqual((await first).entries.map((e) => e.key), ['0x01']);
  await tick();
  // The two head reads merged into one call; the read at another block waits for its own.
  assert.deepEqual(v.calls[1]!.keys, ['0x02', '0x03', '0x04']);
  v.calls[1]!.release();
  await tick();
  assert.equal(v.calls[2]!.at, '0xolder');
  v.calls[2]!.release();
  const [a, c, d] = await Promise.all(later);
  assert.deepEqual(a.entries.map((e) => [e.key, e.value]), [['0x02', '0x02aa'], ['0x03', '0x03aa']]);
  assert.deepEqual(c.entries.map((e) => e.key), ['0x04']);
  assert.equal(d.at, '0xolder');
});

test('past the pending bound a read is refused at once as "server is busy" (-32009), and is served again once the backlog drains', async () => {
  const v = fakeValidator();
  const b = new StorageBatcher(v.read, { maxKeysPerCall: 2, maxCallsInFlight: 1, maxPendingKeys: 3 });
  const inFlight = b.readStorage(['0x01'], '');
  const queued = [b.readStorage(['0x02'], ''), b.readStorage(['0x03', '0x04'], '')];
  await assert.rejects(b.readStorage(['0x05', '0x06'], ''), (e: unknown) => e instanceof RpcError && e.code === RpcCode.SERVER_IS_BUSY);
  assert.equal(b.waiting, 3);
  v.calls[0]!.release();
  await inFlight;
  await tick();
  // Batches never exceed maxKeysPerCall: 0x02 alone, then 0x03+0x04.
  assert.deepEqual(v.calls[1]!.keys, ['0x02']);
  v.calls[1]!.release();
  await tick();
  assert.deepEqual(v.calls[2]!.keys, ['0x03', '0x04']);
  v.calls[2]!.release();
  await Promise.all(queued);
  const again = b.readStorage(['0x05'], '');
  v.calls[3]!.release();
  assert.equal((await again).entries.length, 1);
});

test('a validator failure reaches every caller of the batch; one caller\'s malformed key does not fail the others', async () => {
  const v = fakeValidator();
  const b = new StorageBatcher(v.read, { maxKeysPerCall: 1000, maxCallsInFlight: 1, maxPendingKeys: 100 });
  const blocker = b.readStorage(['0x00'], '');
  const down = [b.readStorage(['0x01'], ''), b.readStorage(['0x02'], '')];
  v.calls[0]!.release();
  await blocker;
  await tick();
  v.calls[1]!.release(new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable'));
  for (const r of down) await assert.rejects(r, /no validator node is reachable/);

  const blocker2 = b.readStorage(['0x00'], '');
  const good = b.readStorage(['0x0a'], '');
  const bad = b.readStorage(['0xbad'], '');
  v.calls[2]!.release();
  await blocker2;
  await tick();
  v.calls[3]!.release(new DomainError('BAD_STORAGE_KEY', 'a storage key is malformed', 'invalid'));
  await tick();
  // Retried one by one, one call at a time (the in-flight bound holds for retries too): the good key is
  // served, the bad one refused alone.
  assert.equal(v.calls.length, 5);
  v.calls[4]!.release();
  assert.deepEqual((await good).entries.map((e) => e.key), ['0x0a']);
  await tick();
  assert.equal(v.calls.length, 6);
  v.calls[5]!.release(new DomainError('BAD_STORAGE_KEY', 'a storage key is malformed', 'invalid'));
  await assert.rejects(bad, /malformed/);
});

test('more keys than one call takes go alone, one call each, within the in-flight bound', async () => {
  const v = fakeValidator();
  const b = new StorageBatcher(v.read, { maxKeysPerCall: 2, maxCallsInFlight: 1, maxPendingKeys: 10 });
  const big = b.readStorage(['0x01', '0x02', '0x03'], '');
  assert.deepEqual(v.calls[0]!.keys, ['0x01', '0x02', '0x03']);
  // A second one waits for the call in flight: large reads do not escape the in-flight bound.
  const big2 = b.readStorage(['0x04', '0x05', '0x06'], '');
  await tick();
  assert.equal(v.calls.length, 1);
  v.calls[0]!.release();
  assert.equal((await big).entries.length, 3);
  await tick();
  v.calls[1]!.release();
  assert.equal((await big2).entries.length, 3);
});
