import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RpcException } from '@nestjs/microservices';
import { ERROR_CODE_METADATA_KEY } from '@balanceai/platform';
import { ConsensusApi } from './consensus.api.js';
import type { ConsensusNode } from '../node/consensus-node.js';
import type { ConsensusStore } from '../store/store.js';

function codeOf(err: unknown): { grpc: number; code: unknown } {
  const e = (err as RpcException).getError() as { code: number; metadata: { get(k: string): unknown[] } };
  return { grpc: e.code, code: e.metadata.get(ERROR_CODE_METADATA_KEY)[0] };
}

describe('GetBlock heights', () => {
  const asked: number[] = [];
  const store = { blockByHeight: async (h: number) => (asked.push(h), null) } as unknown as ConsensusStore;
  const api = new ConsensusApi({} as ConsensusNode, store, { genesis: {} as never, hash: new Uint8Array(32) });

  it('answers NOT_FOUND for heights from 2^53 to 2^64-1 (a u64 no chain reaches), never INTERNAL', async () => {
    for (const n of ['9007199254740992', '9223372036854775808', '18446744073709551615']) {
      await assert.rejects(api.getBlock({ number: n, hash: '' }), (err) => codeOf(err).grpc === 5 && codeOf(err).code === 'BLOCK_NOT_FOUND');
    }
    assert.deepEqual(asked, [], 'nothing out of range reaches the database');
  });

  it('answers INVALID_ARGUMENT for what is not a u64', async () => {
    for (const n of ['18446744073709551616', '-1', '1e3', 'abc']) {
      await assert.rejects(api.getBlock({ number: n, hash: '' }), (err) => codeOf(err).grpc === 3 && codeOf(err).code === 'BAD_BLOCK_NUMBER');
    }
  });
});
