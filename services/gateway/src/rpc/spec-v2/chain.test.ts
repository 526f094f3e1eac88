import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2_256, encodeRuntimeVersion, fromHex, runtimeVersion, toHex } from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { ChainData, type ConsensusReads } from '../chain-data.js';
import { GatewaySpecV2Chain } from './chain.js';
import { CODE_KEY, codeValue } from './runtime.js';

/** A validator answering the calls GatewaySpecV2Chain makes; `spec` and `metadata` can change between calls. */
function validator() {
  const state = { spec: 1, metadata: '0x6d65746101', calls: [] as string[] };
  const consensus = {
    call: async (rpc: string, req: Record<string, unknown>) => {
      state.calls.push(`${rpc} ${String(req.method ?? '')}`.trim());
      switch (rpc) {
        case 'runtimeCall':
          if (req.method === 'Core_version') return { at: req.at, height: '1', result: toHex(encodeRuntimeVersion(runtimeVersion({ specVersion: state.spec, transactionVersion: 1 }))) };
          if (req.method === 'Metadata_metadata_at_version') return { at: req.at, height: '1', result: state.metadata };
          throw new DomainError('UNKNOWN_RUNTIME_API', `no ${String(req.method)}`);
        case 'readStorage':
          return { at: req.at, height: '1', entries: (req.keys as string[]).map((key) => (key === '0xaa' ? { key, present: true, value: '0x01' } : { key, present: false, value: '' })) };
        case 'getBlock':
          return { number: '1', hash: req.hash, parentHash: '0x' + '00'.repeat(32), header: '0x', extrinsics: [] };
        case 'getExtrinsic':
          if (req.hash === '0x01') return { hash: '0x01', state: consensusV1.ExtrinsicState.EXTRINSIC_STATE_FAILED, blockHash: '0xAB', index: 2 };
          if (req.hash === '0x02') return { hash: '0x02', state: consensusV1.ExtrinsicState.EXTRINSIC_STATE_PENDING };
          throw new DomainError('NOT_FOUND', 'unknown extrinsic', 'not_found');
        default:
          throw new Error(`unexpected ${rpc}`);
      }
    },
  } as unknown as ConsensusReads;
  const heads = { subscribe: () => () => undefined, current: async () => { throw new Error('unused'); } };
  return { state, chain: new GatewaySpecV2Chain(new ChainData(consensus), heads) };
}

describe('GatewaySpecV2Chain', () => {
  it('serves `:code` beside the validators\' storage: spec versions and the hash of the V15 metadata', async () => {
    const { chain } = validator();
    const [a, code, none] = await chain.storage('0x' + '11'.repeat(32), ['0xaa', CODE_KEY, '0xbb']);
    assert.equal(a, '0x01');
    assert.equal(none, null);
    assert.equal(code, toHex(codeValue({ specVersion: 1, transactionVersion: 1 }, blake2_256(fromHex('0x6d65746101')))));
  });

  it('`:code` changes with the runtime of the block', async () => {
    const { chain, state } = validator();
    const before = (await chain.storage('0x' + '11'.repeat(32), [CODE_KEY]))[0];
    assert.equal((await chain.storage('0x' + '22'.repeat(32), [CODE_KEY]))[0], before, 'same runtime, same value');
    state.spec = 2;
    state.metadata = '0x6d65746102';
    // ChainData keeps runtime-only answers until a block announces a new runtime.
    (chain as unknown as { data: ChainData }).data.invalidateRuntime();
    assert.notEqual((await chain.storage('0x' + '33'.repeat(32), [CODE_KEY]))[0], before);
  });

  it('reads where a transaction is: included (failed calls too), pending, unknown', async () => {
    const { chain } = validator();
    assert.deepEqual(await chain.transactionStatus('0x01'), { state: 'included', block: { hash: '0xab', index: 2 } });
    assert.deepEqual(await chain.transactionStatus('0x02'), { state: 'pending' });
    assert.deepEqual(await chain.transactionStatus('0x03'), { state: 'unknown' });
  });
});
