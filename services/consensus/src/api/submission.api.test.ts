import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcException } from '@nestjs/microservices';
import { status } from '@grpc/grpc-js';
import { cryptoReady, encodeTransfer, keyFromUri, signExtrinsic, toHex, type DecodedExtrinsic, type KeyPair } from '@balanceai/chain';
import { MempoolRejection } from '../mempool/mempool.js';
import type { ConsensusNode } from '../node/consensus-node.js';
import { SubmissionApi } from './submission.api.js';

let alice: KeyPair;
const sign = (nonce: number) =>
  toHex(
    signExtrinsic(alice, encodeTransfer('keep_alive', alice.publicKey, 1n), { era: { kind: 'immortal' }, nonce, tip: 0n }, {
      specVersion: 1,
      transactionVersion: 1,
      genesisHash: new Uint8Array(32),
      birthHash: new Uint8Array(32),
    }),
  );

function apiWith(answer: (xts: DecodedExtrinsic[]) => Array<string | MempoolRejection>): {
  api: SubmissionApi;
  calls: DecodedExtrinsic[][];
  traces: Array<ReadonlyArray<string | undefined> | undefined>;
} {
  const calls: DecodedExtrinsic[][] = [];
  const traces: Array<ReadonlyArray<string | undefined> | undefined> = [];
  const node = {
    fatal: null,
    submitMany: async (xts: DecodedExtrinsic[], traceparents?: ReadonlyArray<string | undefined>) => {
      calls.push(xts);
      traces.push(traceparents);
      return answer(xts);
    },
  } as unknown as ConsensusNode;
  return { api: new SubmissionApi(node, { genesis: { params: { maxExtrinsicBytes: 65_536 } } as never, hash: new Uint8Array(32) }), calls, traces };
}

describe('SubmissionService.SubmitExtrinsics', () => {
  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
  });

  it('answers one result per extrinsic in order: admitted, malformed, busy with Retry-After, conflict; one call to the node for the decodable ones', async () => {
    const { api, calls } = apiWith((xts) =>
      xts.map((x, i) =>
        i === 0 ? toHex(x.hash) : i === 1 ? new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later') : new MempoolRejection('STALE_NONCE', 'stale'),
      ),
    );
    const xs = [sign(0), '0xzz', sign(1), sign(2)];
    const { results } = await api.submitExtrinsics({ extrinsics: xs, traceparents: [] });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.length, 3);
    assert.deepEqual(
      results.map((r) => [r.errorCode, r.errorKind, r.retryAfterSeconds]),
      [
        ['', '', 0],
        ['BAD_HEX', 'invalid', 0],
        ['MEMPOOL_FULL', 'busy', 1],
        ['STALE_NONCE', 'conflict', 0],
      ],
    );
    assert.equal(results[0]!.hash, toHex(calls[0]![0]!.hash));
    assert.equal(results[1]!.hash, '');
  });

  it("hands each admitted extrinsic its own submission's trace (by index; none for absent or malformed ones)", async () => {
    const { api, traces } = apiWith((xts) => xts.map((x) => toHex(x.hash)));
    const tp = (n: number) => `00-${String(n).repeat(32)}-${String(n).repeat(16)}-01`;
    // Index 1 does not decode, so the node sees extrinsics 0, 2, 3 and 4 with their own traces.
    await api.submitExtrinsics({ extrinsics: [sign(0), '0xzz', sign(1), sign(2), sign(3)], traceparents: [tp(1), tp(2), '', 'not-a-traceparent', tp(5)] });
    assert.deepEqual(traces[0], [tp(1), undefined, undefined, tp(5)]);
  });

  it('refuses a batch over 1,024 extrinsics as BATCH_TOO_LARGE without touching the pool', async () => {
    const { api, calls } = apiWith(() => []);
    await assert.rejects(api.submitExtrinsics({ extrinsics: new Array(1_025).fill(sign(0)), traceparents: [] }), (err) => {
      const e = (err as RpcException).getError() as { code: number };
      return e.code === status.INVALID_ARGUMENT;
    });
    assert.equal(calls.length, 0);
  });
});
