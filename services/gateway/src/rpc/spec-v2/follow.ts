import { blake2_256, concatBytes, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { RpcError, invalidParams } from '../errors.js';
import type { SubscriptionSink } from '../registry.js';
import type { BlockRef, SpecV2Chain } from './chain.js';
import { sameRuntime, type RuntimeSpec } from './runtime.js';

/** The error codes of the chainHead_v1 functions (json-rpc-interface-spec). */
export const ChainHeadCode = {
  TOO_MANY_FOLLOWS: -32800,
  INVALID_BLOCK: -32801,
  NO_RUNTIME: -32802,
  NOT_WAITING: -32803,
  DUPLICATE_HASH: -32804,
} as const;

export interface FollowLimits {
  /** Follow subscriptions per connection (the spec asks for at least 2). */
  maxFollowsPerConnection: number;
  /** Pinned blocks per subscription before it is stopped. */
  maxPinned: number;
  /**
   * How far behind the head a pinned block may fall before the subscription is stopped: validators keep
   * the state of the last 256 finalized blocks only, so an older pinned block could no longer be read.
   */
  maxPinAge: number;
  /** Concurrent operations per subscription; each storage item counts one (the spec asks for at least 16). */
  maxOperations: number;
  /** Keys per `operationStorageItems` page of a descendants query; a page is followed by waitingForContinue. */
  storagePageSize: number;
  /** Most descendants a closestDescendantMerkleValue digest covers (beyond: operationError). */
  maxDigestKeys: number;
}

export const DEFAULT_FOLLOW_LIMITS: FollowLimits = {
  maxFollowsPerConnection: 4,
  maxPinned: 512,
  maxPinAge: 224,
  maxOperations: 64,
  storagePageSize: 256,
  maxDigestKeys: 10_000,
};

export type StorageItemType = 'value' | 'hash' | 'closestDescendantMerkleValue' | 'descendantsValues' | 'descendantsHashes';
const STORAGE_ITEM_TYPES: readonly string[] = ['value', 'hash', 'closestDescendantMerkleValue', 'descendantsValues', 'descendantsHashes'];

export interface StorageItemRequest {
  key: string;
  type: StorageItemType;
}

export type OperationStarted = { result: 'started'; operationId: string; discardedItems?: number } | { result: 'limitReached' };

interface StorageResultItem {
  key: string;
  value?: string;
  hash?: string;
  closestDescendantMerkleValue?: string;
}

const HASH32 = /^0x[0-9a-fA-F]{64}$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

export function blockHashParam(value: unknown, name = 'hash'): string {
  if (typeof value !== 'string' || !HASH32.test(value)) throw invalidParams(`${name} must be a 0x hex block hash of 32 bytes`);
  return value.toLowerCase();
}

export function hexParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !HEX.test(value)) throw invalidParams(`${name} must be 0x-prefixed hex`);
  return value.toLowerCase();
}

/** The storage items of a chainHead_v1_storage call, checked. */
export function storageItemsParam(value: unknown): StorageItemRequest[] {
  if (!Array.isArray(value)) throw invalidParams('items must be an array');
  return value.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw invalidParams(`items[${i}] must be an object with key and type`);
    const { key, type } = item as { key?: unknown; type?: unknown };
    if (typeof type !== 'string' || !STORAGE_ITEM_TYPES.includes(type)) throw invalidParams(`items[${i}].type must be one of ${STORAGE_ITEM_TYPES.join(', ')}`);
    return { key: hexParam(key, `items[${i}].key`), type: type as StorageItemType };
  });
}

/** Failures that may pass if tried again (no validator answered, the block's state left the window). */
function isInaccessible(err: unknown): boolean {
  if (!(err instanceof DomainError)) return false;
  return err.kind === 'unavailable' || err.code === 'STATE_DISCARDED' || err.code === 'UNKNOWN_BLOCK' || err.code === 'HEIGHT_NOT_COMMITTED';
}

class Cancelled extends Error {}

/** One chainHead_v1_body/call/storage operation of a follow subscription. */
class Operation {
  cancelled = false;
  private resume: (() => void) | undefined;
  private stop: ((err: Error) => void) | undefined;

  constructor(
    readonly id: string,
    readonly slots: number,
  ) {}

  get waiting(): boolean {
    return this.resume !== undefined;
  }

  /** Resolves on chainHead_v1_continue; rejects with Cancelled on stopOperation or the end of the subscription. */
  waitForContinue(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resume = () => {
        this.resume = this.stop = undefined;
        resolve();
      };
      this.stop = reject;
    });
  }

  proceed(): void {
    this.resume?.();
  }

  cancel(): void {
    this.cancelled = true;
    const stop = this.stop;
    this.resume = this.stop = undefined;
    stop?.(new Cancelled());
  }
}

/**
 * One chainHead_v1_follow subscription. BalanceAI finalizes every block it makes (BFT), so the head of
 * the chain is a single line: `initialized` names the finalized head, then each new block is reported as
 * `newBlock` (with `newRuntime` when its runtime differs from its parent's), `bestBlockChanged` and
 * `finalized` at once, nothing is ever pruned. Reported blocks are pinned until the client unpins them;
 * too many, or one about to leave the validators' state window, stops the subscription (`stop`), as the
 * spec allows, and the client follows again.
 */
export class Follow {
  private readonly pinned = new Map<string, number>();
  private readonly operations = new Map<string, Operation>();
  private last: BlockRef | undefined;
  private lastRuntime: RuntimeSpec | undefined;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private nextOperation = 1;
  private busy = 0;
  private ended = false;

  constructor(
    private readonly sink: SubscriptionSink,
    readonly withRuntime: boolean,
    private readonly chain: SpecV2Chain,
    private readonly limits: FollowLimits = DEFAULT_FOLLOW_LIMITS,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  get id(): string {
    return this.sink.id;
  }

  get stopped(): boolean {
    return this.ended;
  }

  /** Follows new blocks from now on and sends `initialized` for the current finalized head. */
  start(): Promise<void> {
    // Blocks that arrive while the head is fetched wait in the queue behind the initialization.
    this.unsubscribe = this.chain.onBlock((block) => this.enqueue(() => this.onBlock(block)));
    return this.enqueue(() => this.initialize());
  }

  /** Waits until every block and event queued so far has been handled (for tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.ended) return;
      try {
        await step();
      } catch (err) {
        this.stop(err instanceof Error ? err.message : String(err));
      }
    });
    return this.queue;
  }

  private async initialize(): Promise<void> {
    const head = await this.chain.head();
    const event: Record<string, unknown> = { event: 'initialized', finalizedBlockHashes: [head.hash] };
    if (this.withRuntime) {
      this.lastRuntime = await this.chain.runtime(head.hash);
      event.finalizedBlockRuntime = { type: 'valid', spec: this.lastRuntime };
    }
    if (this.ended) return;
    this.pinned.set(head.hash, head.number);
    this.last = head;
    this.sink.send(event);
  }

  private async onBlock(block: BlockRef): Promise<void> {
    const last = this.last;
    if (!last || block.number <= last.number) return;
    // A block the feed skipped (the head was read from a validator ahead of it): fetch the gap in order.
    while (this.last!.number + 1 < block.number) {
      await this.report(await this.chain.blockAt(this.last!.number + 1));
      if (this.ended) return;
    }
    await this.report(block);
  }

  private async report(block: BlockRef): Promise<void> {
    const parent = this.last!;
    if (block.number !== parent.number + 1 || block.parentHash !== parent.hash) {
      throw new Error(`block ${block.number} ${block.hash} does not extend ${parent.number} ${parent.hash}`);
    }
    const event: Record<string, unknown> = { event: 'newBlock', blockHash: block.hash, parentBlockHash: parent.hash };
    if (this.withRuntime) {
      const runtime = await this.chain.runtime(block.hash);
      event.newRuntime = this.lastRuntime && sameRuntime(this.lastRuntime, runtime) ? null : { type: 'valid', spec: runtime };
      this.lastRuntime = runtime;
    }
    if (this.ended) return;
    this.pinned.set(block.hash, block.number);
    this.last = block;
    this.sink.send(event);
    this.sink.send({ event: 'bestBlockChanged', bestBlockHash: block.hash });
    this.sink.send({ event: 'finalized', finalizedBlockHashes: [block.hash], prunedBlockHashes: [] });
    this.checkPins();
  }

  private checkPins(): void {
    if (this.pinned.size > this.limits.maxPinned) {
      this.stop(`more than ${this.limits.maxPinned} blocks pinned`);
      return;
    }
    const oldest = Math.min(...this.pinned.values());
    if (this.last!.number - oldest > this.limits.maxPinAge) this.stop(`block ${oldest} pinned for more than ${this.limits.maxPinAge} blocks`);
  }

  /** Sends `stop` and ends the subscription; the client may follow again. */
  stop(reason: string): void {
    if (this.ended) return;
    this.log(`chainHead_v1_follow ${this.id} stopped: ${reason}`);
    this.sink.send({ event: 'stop' });
    this.dispose();
    this.sink.close();
  }

  /** Releases everything (unfollow, disconnect, stop); idempotent. */
  dispose(): void {
    this.ended = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const op of this.operations.values()) op.cancel();
    this.operations.clear();
    this.pinned.clear();
  }

  private requirePinned(hash: string): void {
    if (!this.pinned.has(hash)) throw new RpcError(ChainHeadCode.INVALID_BLOCK, 'Invalid block hash', `block ${hash} is not pinned by this subscription`);
  }

  async header(hash: string): Promise<string> {
    this.requirePinned(hash);
    return this.chain.header(hash);
  }

  unpin(hashes: string[]): void {
    if (new Set(hashes).size !== hashes.length) throw new RpcError(ChainHeadCode.DUPLICATE_HASH, 'Duplicate hashes', 'a block hash appears twice');
    for (const h of hashes) this.requirePinned(h);
    for (const h of hashes) this.pinned.delete(h);
  }

  body(hash: string): OperationStarted {
    this.requirePinned(hash);
    const op = this.begin(1);
    if (!op) return { result: 'limitReached' };
    this.run(op, async () => {
      const value = await this.chain.body(hash);
      this.emit(op, { event: 'operationBodyDone', operationId: op.id, value });
    });
    return { result: 'started', operationId: op.id };
  }

  call(hash: string, fn: string, parameters: string): OperationStarted {
    if (!this.withRuntime) throw new RpcError(ChainHeadCode.NO_RUNTIME, 'Subscription was started with withRuntime set to false');
    this.requirePinned(hash);
    const op = this.begin(1);
    if (!op) return { result: 'limitReached' };
    this.run(op, async () => {
      const output = await this.chain.call(hash, fn, parameters);
      this.emit(op, { event: 'operationCallDone', operationId: op.id, output });
    });
    return { result: 'started', operationId: op.id };
  }

  storage(hash: string, items: StorageItemRequest[], childTrie: string | null): OperationStarted {
    this.requirePinned(hash);
    const free = this.limits.maxOperations - this.busy;
    const taken = items.slice(0, Math.max(0, free));
    if (taken.length === 0 && items.length > 0) return { result: 'limitReached' };
    const op = this.begin(taken.length);
    if (!op) return { result: 'limitReached' };
    this.run(op, async () => {
      // No child tries here: nothing is stored in any, so the answer is "done" with no items.
      if (childTrie === null) await this.readStorage(op, hash, taken);
      this.emit(op, { event: 'operationStorageDone', operationId: op.id });
    });
    return { result: 'started', operationId: op.id, discardedItems: items.length - taken.length };
  }

  continue(operationId: string): void {
    const op = this.operations.get(operationId);
    if (!op) return;
    if (!op.waiting) throw new RpcError(ChainHeadCode.NOT_WAITING, 'Operation is not waiting for continue');
    op.proceed();
  }

  stopOperation(operationId: string): void {
    const op = this.operations.get(operationId);
    if (!op) return;
    op.cancel();
    this.end(op);
  }

  private begin(slots: number): Operation | undefined {
    if (this.ended || this.busy + slots > this.limits.maxOperations) return undefined;
    const op = new Operation(String(this.nextOperation++), slots);
    this.busy += slots;
    this.operations.set(op.id, op);
    return op;
  }

  private end(op: Operation): void {
    if (this.operations.get(op.id) !== op) return;
    this.operations.delete(op.id);
    this.busy -= op.slots;
  }

  private emit(op: Operation, event: Record<string, unknown>): void {
    if (!op.cancelled && !this.ended) this.sink.send(event);
  }

  private run(op: Operation, work: () => Promise<void>): void {
    // After the call's answer: the dispatcher holds notifications until then anyway.
    void Promise.resolve()
      .then(work)
      .catch((err: unknown) => {
        if (err instanceof Cancelled || op.cancelled) return;
        if (isInaccessible(err)) this.emit(op, { event: 'operationInaccessible', operationId: op.id });
        else this.emit(op, { event: 'operationError', operationId: op.id, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => this.end(op));
  }

  private async readStorage(op: Operation, hash: string, items: StorageItemRequest[]): Promise<void> {
    const direct = items.filter((i) => i.type === 'value' || i.type === 'hash');
    if (direct.length > 0) {
      const values = await this.chain.storage(hash, direct.map((i) => i.key));
      const found: StorageResultItem[] = [];
      direct.forEach((item, i) => {
        const v = values[i];
        if (v === null || v === undefined) return;
        found.push(item.type === 'value' ? { key: item.key, value: v } : { key: item.key, hash: toHex(blake2_256(fromHex(v))) });
      });
      if (found.length > 0) this.emit(op, { event: 'operationStorageItems', operationId: op.id, items: found });
    }
    for (const item of items) {
      if (op.cancelled) throw new Cancelled();
      if (item.type === 'closestDescendantMerkleValue') {
        const digest = await this.subtreeDigest(op, hash, item.key);
        if (digest) this.emit(op, { event: 'operationStorageItems', operationId: op.id, items: [{ key: item.key, closestDescendantMerkleValue: digest }] });
      } else if (item.type === 'descendantsValues' || item.type === 'descendantsHashes') {
        await this.descendants(op, hash, item);
      }
    }
  }

  /** Pages through the keys under a prefix: one operationStorageItems per page, waitingForContinue between pages. */
  private async descendants(op: Operation, hash: string, item: StorageItemRequest): Promise<void> {
    const page = this.limits.storagePageSize;
    let start = '';
    for (;;) {
      const keys = await this.chain.storageKeys(hash, item.key, page, start);
      if (op.cancelled) throw new Cancelled();
      if (keys.length === 0) return;
      const values = await this.chain.storage(hash, keys);
      const found: StorageResultItem[] = [];
      keys.forEach((key, i) => {
        const v = values[i];
        if (v === null || v === undefined) return;
        found.push(item.type === 'descendantsValues' ? { key, value: v } : { key, hash: toHex(blake2_256(fromHex(v))) });
      });
      if (found.length > 0) this.emit(op, { event: 'operationStorageItems', operationId: op.id, items: found });
      if (keys.length < page) return;
      start = keys[keys.length - 1]!;
      if (found.length > 0) {
        this.emit(op, { event: 'operationWaitingForContinue', operationId: op.id });
        await op.waitForContinue();
      }
    }
  }

  /**
   * There is no Merkle trie behind this chain's storage, so `closestDescendantMerkleValue` is answered with
   * what clients use it for, a value that changes exactly when something under the key changes:
   * blake2_256 over every (key, blake2_256(value)) under the key in key order. Nothing under the key: no item.
   */
  private async subtreeDigest(op: Operation, hash: string, prefix: string): Promise<string | undefined> {
    const parts: Uint8Array[] = [];
    let start = '';
    let count = 0;
    for (;;) {
      const keys = await this.chain.storageKeys(hash, prefix, 1_000, start);
      if (op.cancelled) throw new Cancelled();
      if (keys.length === 0) break;
      count += keys.length;
      if (count > this.limits.maxDigestKeys) throw new Error(`more than ${this.limits.maxDigestKeys} keys under ${prefix}: closestDescendantMerkleValue is not served for it`);
      const values = await this.chain.storage(hash, keys);
      keys.forEach((k, i) => {
        const v = values[i];
        if (v !== null && v !== undefined) parts.push(fromHex(k), blake2_256(fromHex(v)));
      });
      if (keys.length < 1_000) break;
      start = keys[keys.length - 1]!;
    }
    return parts.length === 0 ? undefined : toHex(blake2_256(concatBytes(...parts)));
  }
}
