import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { ConnectionSubmissions, SubmissionQueue, type SubmissionQueueOptions, type SubmitOutcome } from './submission-queue.js';

/** A validator the test answers by hand: each batch waits until the test resolves it. */
class ManualSend {
  readonly batches: Array<{ extrinsics: string[]; answer: (outcomes: SubmitOutcome[]) => void; fail: (err: unknown) => void }> = [];
  readonly send = (extrinsics: string[]): Promise<SubmitOutcome[]> =>
    new Promise((answer, fail) => {
      this.batches.push({ extrinsics, answer, fail });
    });
  /** Accepts every extrinsic of batch `i`, the hash being `h(<extrinsic>)`. */
  accept(i: number): void {
    const b = this.batches[i]!;
    b.answer(b.extrinsics.map((x) => ({ hash: `h(${x})` })));
  }
}

const options = (o: Partial<SubmissionQueueOptions> = {}): SubmissionQueueOptions => ({ maxBatch: 100, maxBatchChars: 1 << 20, maxConcurrentBatches: 1, maxPending: 1000, ...o });
/** Lets the queue's setImmediate and the promise callbacks run. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SubmissionQueue', () => {
  it('sends the submissions of one turn of the event loop as one batch, in order, and answers each with its own outcome', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options());
    const answers = ['0x01', '0x02', '0x03'].map((x) => q.submit(x));
    await turn();
    assert.deepEqual(v.batches.map((b) => b.extrinsics), [['0x01', '0x02', '0x03']]);
    const refusal = new DomainError('BAD_PROOF', 'signature does not verify');
    v.batches[0]!.answer([{ hash: 'h1' }, { error: refusal }, { hash: 'h3' }]);
    assert.equal(await answers[0], 'h1');
    await assert.rejects(answers[1]!, (err) => err === refusal);
    assert.equal(await answers[2], 'h3');
    assert.equal(q.pending, 0);
  });

  it('keeps at most maxConcurrentBatches on the wire; what arrives meanwhile leaves together when one returns', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options({ maxConcurrentBatches: 2 }));
    const first = q.submit('0x01');
    await turn();
    const second = q.submit('0x02');
    await turn();
    const waiting = ['0x03', '0x04', '0x05'].map((x) => q.submit(x));
    await turn();
    assert.deepEqual(v.batches.map((b) => b.extrinsics), [['0x01'], ['0x02']], 'two on the wire, the rest waits');
    assert.equal(q.pending, 5);
    v.accept(0);
    assert.equal(await first, 'h(0x01)');
    await turn();
    assert.deepEqual(v.batches[2]!.extrinsics, ['0x03', '0x04', '0x05']);
    v.accept(1);
    v.accept(2);
    assert.deepEqual(await Promise.all([second, ...waiting]), ['h(0x02)', 'h(0x03)', 'h(0x04)', 'h(0x05)']);
  });

  it('splits a batch at maxBatch extrinsics and at maxBatchChars (one oversized extrinsic still leaves, alone)', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options({ maxBatch: 2, maxBatchChars: 10, maxConcurrentBatches: 10 }));
    const all = ['0x01', '0x02', '0x03', '0x0102030405', '0x04'].map((x) => q.submit(x));
    await turn();
    assert.deepEqual(v.batches.map((b) => b.extrinsics), [['0x01', '0x02'], ['0x03'], ['0x0102030405'], ['0x04']]);
    v.batches.forEach((_, i) => v.accept(i));
    assert.equal((await Promise.all(all)).length, 5);
  });

  it('refuses past maxPending at once with a busy GATEWAY_BUSY (retry after 1 s), and accepts again once answers free room', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options({ maxPending: 3 }));
    const held = ['0x01', '0x02', '0x03'].map((x) => q.submit(x));
    await assert.rejects(q.submit('0x04'), (err) => {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'GATEWAY_BUSY');
      assert.equal(err.kind, 'busy');
      assert.equal(err.details?.retryAfterSeconds, '1');
      return true;
    });
    await turn();
    assert.equal(v.batches.length, 1, 'the refused one was never sent');
    v.accept(0);
    await Promise.all(held);
    const again = q.submit('0x04');
    await turn();
    v.accept(1);
    assert.equal(await again, 'h(0x04)');
  });

  it("rejects every submission of a batch the validator did not take with that error, and sends the next batch", async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options());
    const lost = ['0x01', '0x02'].map((x) => q.submit(x));
    await turn();
    const next = q.submit('0x03');
    const unavailable = new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
    v.batches[0]!.fail(unavailable);
    for (const p of lost) await assert.rejects(p, (err) => err === unavailable);
    await turn();
    v.accept(1);
    assert.equal(await next, 'h(0x03)');
  });

  it('rejects as internal when the validator answers a different number of results', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options());
    const both = ['0x01', '0x02'].map((x) => q.submit(x));
    await turn();
    v.batches[0]!.answer([{ hash: 'h1' }]);
    assert.equal(await both[0], 'h1');
    await assert.rejects(both[1]!, (err) => err instanceof DomainError && err.kind === 'internal');
  });
});

describe('SubmissionQueue.submitForResult', () => {
  it('answers a refusal, GATEWAY_BUSY and a failed call as { error } values (never a rejection), a hash as { hash }', async () => {
    const v = new ManualSend();
    const q = new SubmissionQueue(v.send, options({ maxPending: 3 }));
    const answers = ['0x01', '0x02'].map((x) => q.submitForResult(x));
    const lost = q.submitForResult('0x03');
    const busy = await q.submitForResult('0x04');
    assert.ok('error' in busy && busy.error instanceof DomainError && busy.error.code === 'GATEWAY_BUSY' && busy.error.kind === 'busy');
    assert.equal(busy.error.details?.retryAfterSeconds, '1');
    await turn();
    const refusal = new DomainError('MEMPOOL_FULL', 'the mempool is full, retry later', 'busy', { retryAfterSeconds: '3' });
    v.batches[0]!.answer([{ hash: 'h1' }, { error: refusal }]);
    assert.deepEqual(await answers[0], { hash: 'h1' });
    assert.deepEqual(await answers[1], { error: refusal });
    // The third of the batch got no result: an internal error, as a value.
    const third = await lost;
    assert.ok('error' in third && third.error instanceof DomainError && third.error.kind === 'internal');
    const failed = q.submitForResult('0x05');
    await turn();
    const unavailable = new Error('transport down');
    v.batches[1]!.fail(unavailable);
    assert.deepEqual(await failed, { error: unavailable });
    assert.equal(q.pending, 0);
  });
});

describe('ConnectionSubmissions', () => {
  it('runForResult: past the limit the busy refusal is the result (nothing thrown); every answer, even a rejection, frees its place', async () => {
    const limit = new ConnectionSubmissions<object>(1);
    const a = {};
    let release!: () => void;
    const held = limit.runForResult(a, () => new Promise((r) => (release = () => r({ hash: 'h' }))));
    const busy = await limit.runForResult(a, () => Promise.resolve({ hash: 'never' }));
    assert.ok('error' in busy && busy.error instanceof DomainError && busy.error.code === 'GATEWAY_BUSY' && busy.error.kind === 'busy');
    assert.equal(busy.error.message, 'the gateway already holds 1 submissions on this connection in flight; retry later');
    release();
    assert.deepEqual(await held, { hash: 'h' });
    assert.equal(limit.count(a), 0);
    const broken = new Error('bug');
    assert.deepEqual(await limit.runForResult(a, () => Promise.reject(broken)), { error: broken });
    assert.equal(limit.count(a), 0);
    assert.deepEqual(
      await limit.runForResult(a, () => {
        throw broken;
      }),
      { error: broken },
    );
    assert.equal(limit.count(a), 0);
  });


  it('refuses a connection its limit+1-th unanswered submission as busy, counts connections apart, and frees the count on success and failure', async () => {
    const limit = new ConnectionSubmissions<object>(2);
    const a = {};
    const b = {};
    const release: Array<() => void> = [];
    const hold = (): Promise<string> => new Promise((r) => release.push(() => r('ok')));
    const a1 = limit.run(a, hold);
    await assert.rejects(
      limit.run(a, () => Promise.reject(new Error('refused by the validator'))),
      /refused by the validator/,
    );
    assert.equal(limit.count(a), 1, 'a refusal frees its place');
    const a3 = limit.run(a, hold);
    await assert.rejects(limit.run(a, hold), (err) => err instanceof DomainError && err.code === 'GATEWAY_BUSY' && err.kind === 'busy');
    const b1 = limit.run(b, hold);
    assert.equal(limit.count(a), 2);
    assert.equal(limit.count(b), 1);
    release.forEach((r) => r());
    assert.deepEqual(await Promise.all([a1, a3, b1]), ['ok', 'ok', 'ok']);
    assert.equal(limit.count(a), 0);
  });
});
