import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FinalizedBlockMessage } from './finalized-block.js';
import { FinalizedRelay, HeightSequencer } from './finalized-relay.js';

const hashOf = (n: number, fork = 'a') => `0x${fork.repeat(2)}${n.toString(16).padStart(62, '0')}`;
const blockAt = (n: number): FinalizedBlockMessage => ({
  type: 'block', number: n, hash: hashOf(n), parentHash: hashOf(n - 1), timeMs: 1000 * n, extrinsicCount: 0, proposerIndex: 0, round: 0,
});

/** A relay over a fake validator holding blocks up to `head`. */
function relayOver(chain: { head: number; unavailable?: Set<number> }, best: () => number | undefined = () => chain.head) {
  const sent: number[] = [];
  const fetched: number[] = [];
  const warnings: string[] = [];
  const relay = new FinalizedRelay({
    fetchBlock: async (n) => {
      fetched.push(n);
      return n <= chain.head && !chain.unavailable?.has(n) ? blockAt(n) : undefined;
    },
    emit: (b) => sent.push(b.number),
    bestKnownHeight: best,
    retryDelaysMs: [0, 0],
    warn: (m) => warnings.push(m),
  });
  const notify = async (...heights: Array<number | [number, string]>) => {
    for (const h of heights) {
      const [n, hash] = Array.isArray(h) ? h : [h, hashOf(h)];
      await relay.notify({ number: n, hash });
    }
  };
  return { relay, sent, fetched, warnings, notify };
}

describe('HeightSequencer', () => {
  it('starts at the first height it is told of and then owes every following height once', () => {
    const s = new HeightSequencer();
    assert.deepEqual(s.heightsThrough(5), [5]);
    s.sent(5);
    assert.equal(s.wants(5), false);
    assert.equal(s.wants(4), false);
    assert.deepEqual(s.heightsThrough(9), [6, 7, 8, 9]);
    assert.throws(() => s.sent(5), RangeError);
  });

  it('bounds a gap after a long outage to maxGap heights ending at the new one', () => {
    const s = new HeightSequencer(3);
    s.sent(1);
    assert.deepEqual(s.heightsThrough(100), [98, 99, 100]);
  });
});

describe('FinalizedRelay', () => {
  it('sends each height once and in order when old blocks are republished and duplicated', async () => {
    const { sent, notify } = relayOver({ head: 20 });
    await notify(5, 6, 6, 3, 5, 7, 4, 8);
    assert.deepEqual(sent, [5, 6, 7, 8]);
  });

  it('fills a gap from the validator instead of skipping it (a reconnect, lost notices)', async () => {
    const { sent, notify } = relayOver({ head: 20 });
    await notify(5, 9);
    assert.deepEqual(sent, [5, 6, 7, 8, 9]);
  });

  it('stops at a gap block the validator cannot give yet and fills it on the next notice', async () => {
    const chain = { head: 20, unavailable: new Set([7]) };
    const { sent, notify } = relayOver(chain);
    await notify(5, 8);
    assert.deepEqual(sent, [5, 6]);
    chain.unavailable.clear();
    await notify(9);
    assert.deepEqual(sent, [5, 6, 7, 8, 9]);
  });

  it('drops a notice whose hash is not the block the validator has at that height (a forged message)', async () => {
    const { sent, notify, warnings } = relayOver({ head: 20 });
    await notify(5, [6, hashOf(6, 'f')], 7);
    assert.deepEqual(sent, [5, 6, 7]);
    assert.match(warnings[0]!, /#6 whose hash/);
  });

  it('drops a notice for a height no validator has, asking only once when it is far beyond the best height', async () => {
    const { sent, fetched, notify } = relayOver({ head: 10 });
    await notify(5, [99_999_999, hashOf(99_999_999)], 6);
    assert.deepEqual(sent, [5, 6]);
    assert.equal(fetched.filter((n) => n === 99_999_999).length, 1);
  });

  it('waits a little for a block its validator has not committed yet, when the height is plausible', async () => {
    const sent: number[] = [];
    let asked = 0;
    const relay = new FinalizedRelay({
      // The validator commits block 6 a moment after the publisher announced it: the first ask misses.
      fetchBlock: async (n) => (n === 6 && asked++ === 0 ? undefined : blockAt(n)),
      emit: (b) => sent.push(b.number),
      bestKnownHeight: () => 5,
      retryDelaysMs: [0, 0],
    });
    await relay.notify({ number: 5, hash: hashOf(5) });
    await relay.notify({ number: 6, hash: hashOf(6) });
    assert.deepEqual(sent, [5, 6]);
    assert.equal(asked, 2);
  });

  it('keeps going after a fetch fails (no validator reachable)', async () => {
    let down = true;
    const sent: number[] = [];
    const relay = new FinalizedRelay({
      fetchBlock: async (n) => {
        if (down) throw new Error('NODE_UNAVAILABLE');
        return blockAt(n);
      },
      emit: (b) => sent.push(b.number),
      bestKnownHeight: () => 10,
    });
    await relay.notify({ number: 3, hash: hashOf(3) });
    down = false;
    await relay.notify({ number: 4, hash: hashOf(4) });
    assert.deepEqual(sent, [4]);
  });
});
