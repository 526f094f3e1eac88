import { blake2_256, encodeHeader, fromHex, toHex, type DigestItem } from '@balanceai/chain';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { BlockListener } from '../stream/block-stream.js';
import { ChainData, type ConsensusReads } from './chain-data.js';
import type { SubscriptionSink } from './registry.js';

// Test doubles for the RPC's unit tests (no I/O): a chain of blocks with real headers, a consensus
// client answering from it, a block stream to push from, a sink that records.

export function testChain(length: number, digestAt: (n: number) => DigestItem[] = () => []): consensusV1.GetBlockResponse[] {
  const blocks: consensusV1.GetBlockResponse[] = [];
  for (let n = 0; n < length; n++) {
    const parentHash = n === 0 ? `0x${'00'.repeat(32)}` : blocks[n - 1]!.hash;
    const header = encodeHeader({ parentHash: fromHex(parentHash), number: n, stateRoot: blake2_256(Uint8Array.of(n)), extrinsicsRoot: blake2_256(Uint8Array.of(n, 1)), digest: digestAt(n) });
    blocks.push({ number: String(n), hash: toHex(blake2_256(header)), parentHash, header: toHex(header), extrinsics: [], justification: '0x' } as unknown as consensusV1.GetBlockResponse);
  }
  return blocks;
}

type Handler = (request: Record<string, unknown>) => unknown;

/** Answers `call(rpc, request)` from per-RPC handlers, recording every call. */
export class FakeConsensus implements ConsensusReads {
  readonly calls: Array<[string, Record<string, unknown>]> = [];
  readonly handlers = new Map<string, Handler>();

  constructor(readonly blocks: consensusV1.GetBlockResponse[] = testChain(3)) {
    this.handlers.set('getBlock', (req) => {
      const block = req.hash !== undefined ? this.blocks.find((b) => b.hash === req.hash) : this.blocks[Number(req.number)];
      if (!block) throw new DomainError('BLOCK_NOT_FOUND', 'no such block', 'not_found');
      return block;
    });
    this.handlers.set('getChainStatus', () => ({ finalizedHash: this.blocks.at(-1)!.hash, finalizedHeight: this.blocks.at(-1)!.number }));
  }

  call: ConsensusReads['call'] = async (rpc, request) => {
    this.calls.push([rpc, request as Record<string, unknown>]);
    const handler = this.handlers.get(rpc);
    if (!handler) throw new Error(`no fake for ${rpc}`);
    return handler(request as Record<string, unknown>) as never;
  };

  /** As ConsensusClient.submit: one `submitExtrinsic` call here (batching is the client's, tested there). */
  submit: ConsensusReads['submit'] = async (extrinsic) => ((await this.call('submitExtrinsic', { extrinsic })) as { hash: string }).hash;

  count(rpc: string): number {
    return this.calls.filter(([r]) => r === rpc).length;
  }
}

/** A block stream a test pushes finalized blocks into. */
export class FakeBlockSource {
  private readonly listeners = new Set<BlockListener>();
  subscribe(listener: BlockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(block: consensusV1.GetBlockResponse): void {
    for (const l of this.listeners) l({ type: 'block', number: Number(block.number), hash: block.hash } as never, '', block);
  }
}

export class RecordingSink implements SubscriptionSink {
  readonly results: unknown[] = [];
  closed = false;
  constructor(readonly id = 'sub') {}
  send(value: unknown): void {
    if (!this.closed) this.results.push(value);
  }
  sendJson(json: string): void {
    if (!this.closed) this.results.push(JSON.parse(json));
  }
  close(): void {
    this.closed = true;
  }
}

export function chainData(consensus: FakeConsensus, now?: () => number): ChainData {
  return new ChainData(consensus, now);
}

/** Lets queued promise work run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
