import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ChainData } from '../chain-data.js';
import type { FinalizedHeads } from '../finalized-heads.js';
import { CODE_KEY, codeValue, decodeRuntimeSpec, type RuntimeSpec } from './runtime.js';

/** A finalized block as the follow subscriptions report it. */
export interface BlockRef {
  number: number;
  hash: string;
  parentHash: string;
}

export interface ChainSpecData {
  name: string;
  genesisHash: string;
  properties: { ss58Format: number; tokenDecimals: number; tokenSymbol: string };
}

/** Where a watched transaction is: waiting in a mempool, in a finalized block, or nowhere known. */
export type TransactionStatus = { state: 'pending' } | { state: 'unknown' } | { state: 'included'; block: { hash: string; index: number } };

/**
 * What the new JSON-RPC spec (chainHead_v1, transaction_v1, chainSpec_v1) needs from the chain. Blocks are
 * named by 0x hash; every block is finalized when it exists (BFT finality), so there are no forks to report.
 * Failures are DomainErrors with the consensus service's codes (UNKNOWN_BLOCK, STATE_DISCARDED, …).
 */
export interface SpecV2Chain {
  chainSpec(): Promise<ChainSpecData>;
  /** The finalized head now. */
  head(): Promise<BlockRef>;
  /** The finalized block of a height. */
  blockAt(number: number): Promise<BlockRef>;
  /** Each new finalized block, each height once and in order; returns the unsubscribe. */
  onBlock(listener: (block: BlockRef) => void): () => void;
  /** SCALE header, 0x hex. */
  header(hash: string): Promise<string>;
  /** The block's extrinsics, each as its SCALE bytes with the length prefix (as submitted), 0x hex. */
  body(hash: string): Promise<string[]>;
  runtime(hash: string): Promise<RuntimeSpec>;
  /** Values at a block, null where nothing is stored; `:code` included (see runtime.ts codeValue). */
  storage(hash: string, keys: readonly string[]): Promise<Array<string | null>>;
  /** Keys under `prefix`, in key order, strictly after `startKey` (empty: from the start), at most `count`. */
  storageKeys(hash: string, prefix: string, count: number, startKey: string): Promise<string[]>;
  /** A runtime API call (`Core_version`, `Metadata_metadata_at_version`, …): SCALE in, SCALE out. */
  call(hash: string, method: string, data: string): Promise<string>;
  /** Hands an extrinsic to a validator's mempool; resolves with its hash, rejects with why it was refused. */
  submit(extrinsic: string): Promise<string>;
  transactionStatus(hash: string): Promise<TransactionStatus>;
}

/** A small map that forgets its oldest entries. */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return value;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/** Caches a promise, but not a failed one (the next caller tries again). */
function remember<V>(cache: Recent<Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
  const p = cache.get(key, make);
  p.catch(() => cache.delete(key));
  return p;
}

const V15 = '0x0f000000';

function blockRef(b: consensusV1.GetBlockResponse): BlockRef {
  return { number: Number(b.number), hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase() };
}

/**
 * SpecV2Chain over what the legacy methods use (rpc/deps.ts): ChainData's validator reads with their
 * caches and failover, and FinalizedHeads, the finalized chain once per block and in order. Runtime
 * specs and the `:code` stand-in are cached by block hash, so a thousand followers of a block cost one
 * Core_version.
 */
export class GatewaySpecV2Chain implements SpecV2Chain {
  private readonly runtimes = new Recent<Promise<RuntimeSpec>>(1024);
  private readonly metadataHashes = new Recent<Promise<Uint8Array>>(16);

  constructor(
    private readonly data: ChainData,
    private readonly heads: Pick<FinalizedHeads, 'subscribe' | 'current'>,
  ) {}

  async chainSpec(): Promise<ChainSpecData> {
    const r = await this.data.runtime();
    return {
      name: r.chain,
      genesisHash: (await this.data.genesisHash()).toLowerCase(),
      properties: { ss58Format: r.ss58Prefix, tokenDecimals: r.tokenDecimals, tokenSymbol: r.tokenSymbol },
    };
  }

  async head(): Promise<BlockRef> {
    return blockRef((await this.heads.current()).block);
  }

  async blockAt(number: number): Promise<BlockRef> {
    return blockRef(await this.block({ number }));
  }

  onBlock(listener: (block: BlockRef) => void): () => void {
    return this.heads.subscribe((head) => listener(blockRef(head.block)));
  }

  private async block(id: { hash: string } | { number: number }): Promise<consensusV1.GetBlockResponse> {
    const b = await this.data.block(id);
    if (!b) throw new DomainError('UNKNOWN_BLOCK', `no finalized block ${'hash' in id ? id.hash : `#${id.number}`}`, 'not_found');
    return b;
  }

  async header(hash: string): Promise<string> {
    return (await this.block({ hash })).header;
  }

  async body(hash: string): Promise<string[]> {
    return (await this.block({ hash })).extrinsics.map((x) => x.data);
  }

  runtime(hash: string): Promise<RuntimeSpec> {
    return remember(this.runtimes, hash, async () => decodeRuntimeSpec(fromHex(await this.call(hash, 'Core_version', '0x'))));
  }

  async storage(hash: string, keys: readonly string[]): Promise<Array<string | null>> {
    const values: Array<string | null> = keys.map(() => null);
    const asked = keys.map((k, i) => [k.toLowerCase(), i] as const).filter(([k]) => k !== CODE_KEY);
    if (asked.length > 0) {
      const r = await this.data.readStorage(asked.map(([k]) => k), hash);
      r.entries.forEach((e, j) => (values[asked[j]![1]] = e.present ? e.value : null));
    }
    if (asked.length < keys.length) {
      const code = toHex(await this.code(hash));
      keys.forEach((k, i) => {
        if (k.toLowerCase() === CODE_KEY) values[i] = code;
      });
    }
    return values;
  }

  /** The `:code` stand-in at a block: its runtime versions and the hash of its V15 metadata (read once per runtime). */
  private async code(hash: string): Promise<Uint8Array> {
    const spec = await this.runtime(hash);
    const metadataHash = await remember(this.metadataHashes, `${spec.specVersion}/${spec.transactionVersion}`, async () =>
      blake2_256(fromHex(await this.call(hash, 'Metadata_metadata_at_version', V15))),
    );
    return codeValue(spec, metadataHash);
  }

  async storageKeys(hash: string, prefix: string, count: number, startKey: string): Promise<string[]> {
    return (await this.data.storageKeys(prefix, count, startKey, hash)).keys;
  }

  async call(hash: string, method: string, data: string): Promise<string> {
    return (await this.data.runtimeCall(method, data, hash)).result;
  }

  async submit(extrinsic: string): Promise<string> {
    return this.data.consensus.submit(extrinsic);
  }

  async transactionStatus(hash: string): Promise<TransactionStatus> {
    let x: consensusV1.GetExtrinsicResponse;
    try {
      x = await this.data.consensus.call('getExtrinsic', { hash });
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'not_found') return { state: 'unknown' };
      throw err;
    }
    switch (x.state) {
      case consensusV1.ExtrinsicState.EXTRINSIC_STATE_PENDING:
        return { state: 'pending' };
      case consensusV1.ExtrinsicState.EXTRINSIC_STATE_FINALIZED:
      case consensusV1.ExtrinsicState.EXTRINSIC_STATE_FAILED:
        return { state: 'included', block: { hash: x.blockHash.toLowerCase(), index: x.index } };
      default:
        return { state: 'unknown' };
    }
  }
}
