// A committed chain without consensus for state tests: the real ledger, executor, chain view (with its
// state window) and mempool; blocks are executed on a draft and adopted as the node does, with the
// extrinsic outcomes and block hashes kept the way the store keeps them.
import {
  ONE_BAI,
  blake2_256,
  devGenesis,
  encodeTransfer,
  genesisHash,
  keyFromUri,
  parseAccountId,
  signExtrinsic,
  toHex,
  utf8,
  type Genesis,
  type KeyPair,
} from '@balanceai/chain';
import { executeExtrinsics, type ExecutionContext, type ExtrinsicOutcome } from '../ledger/executor.js';
import { Ledger } from '../ledger/ledger.js';
import { chainParamsOf, type ChainParams } from '../ledger/params.js';
import { Mempool } from '../mempool/mempool.js';
import { ChainView } from '../node/chain-view.js';

export const id = (k: KeyPair) => toHex(k.publicKey);

export class TestChain {
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  readonly params: ChainParams;
  readonly chain: ChainView;
  readonly mempool = new Mempool(1_000);
  /** Per height: block hash and the outcomes of its extrinsics (as the store keeps them). */
  readonly blocks = new Map<number, { hash: string; outcomes: ExtrinsicOutcome[]; events: unknown[] }>();

  constructor() {
    this.genesis = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000 }).genesis;
    this.genesisHash = genesisHash(this.genesis);
    this.params = chainParamsOf(this.genesis, this.genesisHash);
    const ledger = Ledger.fromBalances(
      this.genesis.balances.map((b) => ({ id: toHex(parseAccountId(b.address)), free: b.free })),
      this.genesis.params.existentialDeposit,
    );
    this.chain = new ChainView({ height: 0, blockHash: this.genesisHash, timeMs: 0, appHash: new Uint8Array(32), lastCommit: null }, ledger, [], this.genesisHash);
    this.blocks.set(0, { hash: toHex(this.genesisHash), outcomes: [], events: [] });
  }

  get height(): number {
    return this.chain.height;
  }

  hashAt(height: number): string {
    return this.blocks.get(height)!.hash;
  }

  executionContext(height: number): ExecutionContext {
    return this.chain.executionContext(height, { isVerified: (h, birth) => this.mempool.isVerified(h, birth) });
  }

  /** Executes the extrinsics as the next block, adopts it and prunes the pool, as the node does. */
  block(extrinsics: Uint8Array[] = [], blockEvents: unknown[] = []): ExtrinsicOutcome[] {
    const height = this.chain.height + 1;
    const draft = this.chain.ledger.draft();
    const outcomes = executeExtrinsics(draft, this.params, this.executionContext(height), extrinsics);
    const hash = blake2_256(utf8(`test block ${height}`));
    this.chain.adopt({ height, blockHash: hash, timeMs: height, appHash: new Uint8Array(32), lastCommit: null }, draft);
    this.blocks.set(height, { hash: toHex(hash), outcomes, events: blockEvents });
    this.mempool.prune(this.chain.ledger, outcomes.map((o) => o.hash).filter(Boolean), height);
    return outcomes;
  }

  /** A signed transfer, immortal, at `nonce`. */
  transfer(from: KeyPair, to: Uint8Array, value: bigint, nonce: number, opts: { tip?: bigint; keepAlive?: boolean } = {}): Uint8Array {
    return signExtrinsic(
      from,
      encodeTransfer(opts.keepAlive ? 'keep_alive' : 'allow_death', to, value),
      { era: { kind: 'immortal' }, nonce, tip: opts.tip ?? 0n },
      { specVersion: this.params.specVersion, transactionVersion: this.params.transactionVersion, genesisHash: this.genesisHash, birthHash: this.genesisHash },
    );
  }

  /** What the store answers for state reads. */
  store() {
    return {
      heightOfHash: async (hash: string) => [...this.blocks].find(([, b]) => b.hash === hash)?.[0] ?? null,
      blockHashAt: async (height: number) => this.blocks.get(height)?.hash ?? null,
      blockEvents: async (height: number) => this.blocks.get(height)?.events ?? null,
      extrinsicEvents: async (height: number) => (this.blocks.get(height)?.outcomes ?? []).map((o) => ({ index: o.index, events: o.events as unknown[] })),
    };
  }
}

export const ALICE = () => keyFromUri('//Alice', 'sr25519');
export const BOB = () => keyFromUri('//Bob', 'sr25519');
export const NEWCOMER = () => keyFromUri('//Newcomer', 'sr25519');
export { ONE_BAI };
