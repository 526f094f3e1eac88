// Whole consensus nodes (every reactor, the real ledger and signatures) on a simulated network and a
// virtual clock: no I/O, no real timers. The network drops, delays, duplicates, reorders and partitions
// messages from a seeded PRNG, so a failing seed replays exactly; nodes can crash and restart from their
// store. The checker records every finalized block of every node.
import { devGenesis, genesisHash, keyFromUri, type Genesis } from '@balanceai/chain';
import { seededRandom } from '../bft/simulated-network.testkit.js';
import type { Block, Commit } from '../block/block.js';
import { chainParamsOf } from '../ledger/params.js';
import type { AccountData } from '../ledger/ledger.js';
import type { GossipChannel, P2PTransport } from '../p2p/transport.js';
import type { ChainStateRow, CommittedBlock, NodeStore, SignerStateRow, StoredBlock } from '../store/store.js';
import { ConsensusNode } from './consensus-node.js';
import type { Scheduler } from './scheduler.js';

// ---------------------------------------------------------------- virtual clock

export class VirtualClock implements Scheduler {
  private t = 1_800_000_000_000;
  private seq = 0;
  private readonly queue: Array<{ at: number; seq: number; fn: () => void; id: number }> = [];
  private readonly cancelled = new Set<number>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.queue.push({ at: this.t + Math.max(0, ms), seq: id, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.cancelled.add(handle as number);
  }

  /** Runs events in time order until `untilMs` (virtual), letting promise chains settle between events. */
  async run(untilMs: number): Promise<void> {
    const end = this.t + untilMs;
    for (;;) {
      await settle();
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      if (this.cancelled.delete(next.id)) continue;
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** Lets every ready promise chain run (the in-memory store answers in microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
}

// ---------------------------------------------------------------- network

export interface NetworkFaults {
  dropProbability: number;
  duplicateProbability: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CALM: NetworkFaults = { dropProbability: 0, duplicateProbability: 0, minDelayMs: 1, maxDelayMs: 20 };

export class SimNetwork {
  private readonly handlers = new Map<number, Map<GossipChannel, Array<(d: Uint8Array) => void>>>();
  private readonly servers = new Map<number, (req: Uint8Array) => Promise<Uint8Array | null>>();
  /** Pairs that cannot talk (both directions). */
  private readonly cut = new Set<string>();
  readonly down = new Set<number>();
  faults: NetworkFaults = CALM;

  constructor(
    readonly clock: VirtualClock,
    readonly random: () => number,
  ) {}

  private reachable(a: number, b: number): boolean {
    return a !== b && !this.down.has(a) && !this.down.has(b) && !this.cut.has(`${Math.min(a, b)}:${Math.max(a, b)}`);
  }

  partition(groups: number[][]): void {
    this.cut.clear();
    const groupOf = new Map(groups.flatMap((g, i) => g.map((n) => [n, i] as const)));
    for (const [a, ga] of groupOf) for (const [b, gb] of groupOf) if (a < b && ga !== gb) this.cut.add(`${a}:${b}`);
  }

  heal(): void {
    this.cut.clear();
  }

  private delay(): number {
    const f = this.faults;
    return f.minDelayMs + Math.floor(this.random() * (f.maxDelayMs - f.minDelayMs + 1));
  }

  transport(self: number): P2PTransport {
    this.handlers.set(self, new Map());
    return {
      publish: (channel, data) => {
        for (const [peer, byChannel] of this.handlers) {
          if (!this.reachable(self, peer) || this.random() < this.faults.dropProbability) continue;
          const copies = this.random() < this.faults.duplicateProbability ? 2 : 1;
          for (let c = 0; c < copies; c++) {
            this.clock.setTimeout(() => {
              if (this.reachable(self, peer)) for (const h of byChannel.get(channel) ?? []) h(data.slice());
            }, this.delay());
          }
        }
      },
      subscribe: (channel, handler) => {
        const byChannel = this.handlers.get(self)!;
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), handler]);
      },
      requestBlocks: (request, timeoutMs) =>
        new Promise((resolve, reject) => {
          const peers = [...this.servers.keys()].filter((p) => this.reachable(self, p));
          let done = false;
          this.clock.setTimeout(() => {
            if (!done) reject(new Error('timeout'));
            done = true;
          }, timeoutMs);
          const peer = peers[Math.floor(this.random() * peers.length)];
          if (peer === undefined) return;
          this.clock.setTimeout(() => {
            void this.servers.get(peer)!(request.slice()).then((reply) => {
              this.clock.setTimeout(() => {
                if (done || !reply || !this.reachable(self, peer)) return;
                done = true;
                resolve(reply);
              }, this.delay());
            });
          }, this.delay());
        }),
      serveBlocks: (handler) => {
        this.servers.set(self, handler);
      },
      close: () => {
        this.handlers.delete(self);
        this.servers.delete(self);
      },
    };
  }
}

// ---------------------------------------------------------------- store

/** The slice of the consensus store a node uses, in memory; it survives the node (crash and restart). */
export class MemoryStore implements NodeStore {
  private state: ChainStateRow | null = null;
  private readonly accounts = new Map<string, AccountData>();
  private readonly blocks: StoredBlock[] = [];
  private signer: SignerStateRow | null = null;
  private readonly sets: Array<{ fromHeight: number; validators: Array<{ key: string; stash: string }> }> = [];
  private readonly evidence = new Map<string, { height: number; votes: Uint8Array; includedIn: number | null }>();
  /** Makes the next commitBlock fail (a database that fails mid-commit). */
  failNextCommit = false;

  async chainState() {
    return this.state ? { ...this.state } : null;
  }
  async loadAccounts() {
    return [...this.accounts].map(([id, a]) => ({ id, ...a }));
  }
  async initGenesis(block: StoredBlock, balances: Array<{ id: string; free: bigint }>, totalIssuance: bigint) {
    if (this.state) return;
    this.blocks.push(block);
    for (const b of balances) this.accounts.set(b.id, { free: b.free, reserved: 0n, nonce: 0 });
    this.state = { height: 0, blockHash: hexBytes(block.hash), appHash: block.appHash, totalIssuance };
  }
  async blockByHeight(h: number) {
    return this.blocks[h] ?? null;
  }
  async blocksFrom(h: number, limit: number) {
    return this.blocks.slice(h, h + limit);
  }
  async recentBlockHashes(count: number) {
    return this.blocks.slice(-count).map((b) => ({ height: b.height, hash: hexBytes(b.hash) }));
  }
  async validatorSets() {
    return [...this.sets];
  }
  async includedEvidence(minHeight: number) {
    return [...this.evidence].filter(([, e]) => e.includedIn !== null && e.height >= minHeight).map(([id, e]) => ({ id, height: e.height }));
  }
  async pendingEvidence() {
    return [...this.evidence].filter(([, e]) => e.includedIn === null).map(([id, e]) => ({ id, votes: e.votes }));
  }
  async addEvidence(id: string, height: number, _validator: number, votes: Uint8Array) {
    if (!this.evidence.has(id)) this.evidence.set(id, { height, votes, includedIn: null });
  }
  async signerState() {
    return this.signer ? { ...this.signer } : null;
  }
  async saveSignerState(s: { height: number; round: number; step: number; lockedRound: number; validRound: number; blocks?: { locked: Uint8Array | null; valid: Uint8Array | null } }) {
    this.signer = {
      height: s.height,
      round: s.round,
      step: s.step,
      lockedRound: s.lockedRound,
      validRound: s.validRound,
      lockedBlock: s.blocks ? s.blocks.locked : (this.signer?.lockedBlock ?? null),
      validBlock: s.blocks ? s.blocks.valid : (this.signer?.validBlock ?? null),
    };
  }
  async commitBlock(c: CommittedBlock) {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('connection terminated in the middle of COMMIT');
    }
    if (c.block.height !== this.blocks.length) throw new Error(`block ${c.block.height} out of order`);
    this.blocks.push(c.block);
    for (const a of c.accounts) {
      if (a.data) this.accounts.set(a.id, { ...a.data });
      else this.accounts.delete(a.id);
    }
    if (c.validatorSet) this.sets.push(c.validatorSet);
    for (const e of c.includedEvidence) this.evidence.set(e.id, { height: e.height, votes: e.votes, includedIn: c.block.height });
    this.state = { height: c.block.height, blockHash: hexBytes(c.block.hash), appHash: c.block.appHash, totalIssuance: c.totalIssuance };
  }
  async moduleRequest() {
    return null;
  }
  /** Offence id → the height of the block that included it. */
  includedOffences(): Map<string, number> {
    return new Map([...this.evidence].filter(([, e]) => e.includedIn !== null).map(([id, e]) => [id, e.includedIn!]));
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

// ---------------------------------------------------------------- the cluster

export interface Finalized {
  node: number;
  height: number;
  hash: string;
  appHash: string;
}

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly net: SimNetwork;
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  readonly stores: MemoryStore[] = [];
  readonly nodes: Array<ConsensusNode | null> = [];
  readonly finalized: Finalized[] = [];
  readonly halts: Array<{ node: number; error: Error }> = [];

  constructor(
    readonly size: number,
    seed: number,
  ) {
    this.net = new SimNetwork(this.clock, seededRandom(seed));
    this.genesis = devGenesis({ validators: size, blockTimeMs: 200 }).genesis;
    this.genesis.genesisTimeMs = this.clock.now() - 1_000;
    this.genesisHash = genesisHash(this.genesis);
    for (let i = 0; i < size; i++) this.stores.push(new MemoryStore());
  }

  async start(i: number): Promise<ConsensusNode> {
    this.net.down.delete(i);
    const node = new ConsensusNode({
      genesis: this.genesis,
      genesisHash: this.genesisHash,
      params: chainParamsOf(this.genesis, this.genesisHash),
      validatorKey: keyFromUri(`//validator//${i}`, 'ed25519'),
      store: this.stores[i]!,
      nats: null,
      transport: this.net.transport(i),
      events: {
        ensureStream: async () => {},
        publish: (block: Block, _commit: Commit) => {
          this.finalized.push({ node: i, height: block.number, hash: block.hash, appHash: Buffer.from(block.header.stateRoot).toString('hex') });
        },
      },
      scheduler: this.clock,
    });
    await node.start((error) => this.halts.push({ node: i, error }));
    this.nodes[i] = node;
    return node;
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.size; i++) await this.start(i);
  }

  /** A crash: the process is gone (its store stays), its messages stop. */
  async crash(i: number): Promise<void> {
    this.net.down.add(i);
    await this.nodes[i]?.stop();
    this.nodes[i] = null;
  }

  async stopAll(): Promise<void> {
    for (let i = 0; i < this.size; i++) await this.crash(i);
  }

  height(i: number): number {
    return this.nodes[i]?.committedHeight ?? -1;
  }

  /** Two different blocks final at one height, on any nodes: a fork. */
  forks(): string[] {
    const byHeight = new Map<number, string>();
    const out: string[] = [];
    for (const f of this.finalized) {
      const seen = byHeight.get(f.height);
      if (seen === undefined) byHeight.set(f.height, f.hash);
      else if (seen !== f.hash) out.push(`height ${f.height}: ${seen} and ${f.hash} (node ${f.node})`);
    }
    return out;
  }
}
