// A SpecV2Chain in memory for the spec-v2 unit tests: a line of finalized blocks, one storage map per
// block, a runtime per block, and a mempool that includes what it is given at the next block.
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import type { SubscriptionSink } from '../registry.js';
import type { BlockRef, ChainSpecData, SpecV2Chain, TransactionStatus } from './chain.js';
import type { RuntimeSpec } from './runtime.js';

export const hashOf = (n: number, fork = 'b'): string => `0x${fork.repeat(2)}${n.toString(16).padStart(62, '0')}`;

export const RUNTIME_1: RuntimeSpec = {
  specName: 'balanceai',
  implName: 'balanceai-node',
  specVersion: 1,
  implVersion: 0,
  transactionVersion: 1,
  apis: { '0xdf6acb689907609b': 5, '0x37e397fc7c91f5e4': 2 },
};

export class FakeChain implements SpecV2Chain {
  readonly blocks: BlockRef[] = [];
  readonly runtimes = new Map<string, RuntimeSpec>();
  readonly stores = new Map<string, Map<string, string>>();
  readonly bodies = new Map<string, string[]>();
  readonly listeners = new Set<(b: BlockRef) => void>();
  readonly calls: string[] = [];
  /** Heights a validator no longer holds state for (reads answer STATE_DISCARDED). */
  readonly discarded = new Set<number>();
  /** What submit answers: a hash, or an error to throw. */
  submitError: Error | undefined;
  readonly mempool = new Set<string>();
  readonly included = new Map<string, { hash: string; index: number }>();
  /** Hold storageKeys answers until released (to test operations in flight). */
  gate: Promise<void> | undefined;

  constructor(height = 3) {
    for (let n = 0; n <= height; n++) this.addBlock(false);
  }

  get tip(): BlockRef {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Makes the next block (same storage as its parent unless `writes`), and announces it when `announce`. */
  addBlock(announce = true, writes: Record<string, string | null> = {}, runtime?: RuntimeSpec): BlockRef {
    const n = this.blocks.length;
    const block = { number: n, hash: hashOf(n), parentHash: n === 0 ? hashOf(0, 'f') : hashOf(n - 1) };
    const prev = n === 0 ? new Map<string, string>() : this.stores.get(hashOf(n - 1))!;
    const store = new Map(prev);
    for (const [k, v] of Object.entries(writes)) {
      if (v === null) store.delete(k);
      else store.set(k, v);
    }
    this.stores.set(block.hash, store);
    this.runtimes.set(block.hash, runtime ?? (n === 0 ? RUNTIME_1 : this.runtimes.get(hashOf(n - 1))!));
    const body = [...this.mempool];
    this.mempool.clear();
    body.forEach((x, index) => this.included.set(toHex(blake2_256(fromHex(x))), { hash: block.hash, index }));
    this.bodies.set(block.hash, body);
    this.blocks.push(block);
    if (announce) for (const l of this.listeners) l(block);
    return block;
  }

  private at(hash: string): Map<string, string> {
    const store = this.stores.get(hash);
    if (!store) throw new DomainError('UNKNOWN_BLOCK', `no block ${hash}`, 'not_found');
    const n = this.blocks.findIndex((b) => b.hash === hash);
    if (this.discarded.has(n)) throw new DomainError('STATE_DISCARDED', `state of ${hash} discarded`, 'conflict');
    return store;
  }

  async chainSpec(): Promise<ChainSpecData> {
    return { name: 'BalanceAI Devnet', genesisHash: hashOf(0), properties: { ss58Format: 42, tokenDecimals: 18, tokenSymbol: 'BAI' } };
  }

  async head(): Promise<BlockRef> {
    return this.tip;
  }

  async blockAt(number: number): Promise<BlockRef> {
    this.calls.push(`blockAt ${number}`);
    const b = this.blocks[number];
    if (!b) throw new DomainError('UNKNOWN_BLOCK', `no block #${number}`, 'not_found');
    return b;
  }

  onBlock(listener: (block: BlockRef) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async header(hash: string): Promise<string> {
    this.at(hash);
    return `0x${'11'.repeat(8)}${hash.slice(2, 10)}`;
  }

  async body(hash: string): Promise<string[]> {
    this.at(hash);
    return this.bodies.get(hash) ?? [];
  }

  async runtime(hash: string): Promise<RuntimeSpec> {
    const r = this.runtimes.get(hash);
    if (!r) throw new DomainError('UNKNOWN_BLOCK', `no block ${hash}`, 'not_found');
    return r;
  }

  async storage(hash: string, keys: readonly string[]): Promise<Array<string | null>> {
    const store = this.at(hash);
    return keys.map((k) => store.get(k) ?? null);
  }

  async storageKeys(hash: string, prefix: string, count: number, startKey: string): Promise<string[]> {
    const store = this.at(hash);
    if (this.gate) await this.gate;
    return [...store.keys()]
      .filter((k) => k.startsWith(prefix) && (startKey === '' || k > startKey))
      .sort()
      .slice(0, count);
  }

  async call(hash: string, method: string, data: string): Promise<string> {
    this.at(hash);
    this.calls.push(`call ${method} ${data}`);
    if (method === 'Nope_nope') throw new DomainError('UNKNOWN_RUNTIME_API', 'no such runtime API: Nope_nope');
    return `0x${method.length.toString(16).padStart(2, '0')}`;
  }

  async submit(extrinsic: string): Promise<string> {
    if (this.submitError) throw this.submitError;
    this.mempool.add(extrinsic);
    return toHex(blake2_256(fromHex(extrinsic)));
  }

  async transactionStatus(hash: string): Promise<TransactionStatus> {
    const inBlock = this.included.get(hash);
    if (inBlock) return { state: 'included', block: inBlock };
    return [...this.mempool].some((x) => toHex(blake2_256(fromHex(x))) === hash) ? { state: 'pending' } : { state: 'unknown' };
  }
}

/** A subscription sink that records what it is sent. */
export class RecordingSink implements SubscriptionSink {
  readonly events: Array<Record<string, unknown>> = [];
  closed = false;
  constructor(readonly id = 'sub-1') {}
  send(value: unknown): void {
    if (!this.closed) this.events.push(value as Record<string, unknown>);
  }
  sendJson(resultJson: string): void {
    this.send(JSON.parse(resultJson));
  }
  close(): void {
    this.closed = true;
  }
  /** The events' names, in order. */
  get names(): string[] {
    return this.events.map((e) => String(e.event));
  }
  /** Events for one operation. */
  of(operationId: string): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.operationId === operationId);
  }
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
