import { toHex } from '@balanceai/chain';
import type { moduleV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { canonicalJson, protoResponseCodec, type ResponseCodec } from './codec.js';
import { ModuleStorage, windowSource } from './module-storage.js';
import { parseCheckTxRequest, parseExecuteBlockRequest, parseUint64 } from './parse.js';
import { STATE_WINDOW, StateWindow } from './state-window.js';
import type { CommittedState, ExecuteBlockInput, ExecuteBlockOutput, ModuleRepository, ModuleStateMachine } from './state-machine.js';

// TransferKind values of the contract (enums: Number on the wire).
const TRANSFER_KIND = { debit: 1, credit: 2, mint: 3 } as const;
const ACCOUNT = /^0x[0-9a-f]{64}$/;

interface Pending<S> {
  readonly height: bigint;
  readonly blockHash: string;
  readonly requestDigest: Uint8Array;
  readonly state: S;
  readonly root: Uint8Array;
  readonly response: Uint8Array;
}

function replayMismatch(height: bigint, what: 'executed' | 'committed'): DomainError {
  return new DomainError('REPLAY_MISMATCH', `height ${height} was ${what} for a different request`, 'conflict');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function moduleBug(machine: string, message: string): DomainError {
  return new DomainError('MODULE_BUG', `${machine}: ${message}`, 'internal');
}

/**
 * Hosts a module's state machine behind the ModuleRuntimeService semantics (libs/module-host/README.md):
 * - ExecuteBlock(h) with h = committed + 1 computes the block from the COMMITTED state and keeps the result
 *   pending; calling it again recomputes from the same committed state, so nothing is applied twice;
 * - ExecuteBlock(h ≤ committed) serves the stored response bytes of h, only for the very request that was
 *   committed (REPLAY_MISMATCH otherwise, as for a different request at the pending height); h > committed + 1
 *   is HEIGHT_GAP;
 * - Commit(h) persists the pending state and response in one transaction; Commit of a committed height
 *   returns its root again.
 * Calls are serialised: one block at a time, whatever the transport does.
 */
export class ModuleRuntime<S> {
  private committed: CommittedState<S>;
  private readonly genesisRoot: Uint8Array;
  private pending: Pending<S> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The committed states storage reads may ask for: the loaded height, then one more per Commit. */
  private readonly window: StateWindow<S>;
  /** ModuleStorageService over the window and the machine's storage(). */
  readonly storage: ModuleStorage<S>;

  private constructor(
    readonly machine: ModuleStateMachine<S>,
    private readonly repository: ModuleRepository<S>,
    private readonly codec: ResponseCodec,
    committed: CommittedState<S> | null,
    windowSize: number,
  ) {
    const initial = machine.initialState();
    this.genesisRoot = machine.root(initial);
    this.committed = committed ?? { height: 0n, root: this.genesisRoot, state: initial };
    this.window = new StateWindow<S>(windowSize);
    this.window.push(this.committed.height, this.committed.state);
    this.storage = new ModuleStorage(windowSource(this.window, machine.storage?.bind(machine)));
  }

  /** Loads the last committed state and checks that it still hashes to its stored root. */
  static async open<S>(
    machine: ModuleStateMachine<S>,
    repository: ModuleRepository<S>,
    codec: ResponseCodec = protoResponseCodec(),
    opts: { stateWindow?: number } = {},
  ): Promise<ModuleRuntime<S>> {
    const loaded = await repository.load();
    if (loaded) ModuleRuntime.assertRoot(machine, loaded);
    return new ModuleRuntime(machine, repository, codec, loaded, opts.stateWindow ?? STATE_WINDOW);
  }

  private static assertRoot<S>(machine: ModuleStateMachine<S>, c: CommittedState<S>): void {
    const root = toHex(machine.root(c.state));
    if (root !== toHex(c.root)) {
      throw new DomainError('CORRUPT_MODULE_STATE', `${machine.name}: stored state at ${c.height} hashes to ${root}, not its stored root ${toHex(c.root)}`, 'internal');
    }
  }

  get committedHeight(): bigint {
    return this.committed.height;
  }

  /** The committed state (read-only use: queries). */
  get committedState(): S {
    return this.committed.state;
  }

  /** The state committed at `height` while it is in the window (STATE_DISCARDED / HEIGHT_NOT_COMMITTED). */
  stateAt(height: bigint): S {
    return this.window.at(height);
  }

  get committedRoot(): Uint8Array {
    return this.committed.root;
  }

  info(): moduleV1.InfoResponse {
    return {
      name: this.machine.name,
      palletIndex: this.machine.palletIndex,
      lastCommittedHeight: this.committed.height.toString(),
      lastRoot: toHex(this.committed.root),
    };
  }

  checkTx(req: moduleV1.CheckTxRequest): moduleV1.CheckTxResponse {
    const input = parseCheckTxRequest(req);
    const outcome = this.machine.checkTx?.(input) ?? { ok: false, errorCode: 'UNKNOWN_CALL', errorMessage: `${this.machine.name} has no calls` };
    return { ok: outcome.ok, errorCode: outcome.errorCode ?? '', errorMessage: outcome.errorMessage ?? '' };
  }

  executeBlock(req: moduleV1.ExecuteBlockRequest): Promise<moduleV1.ExecuteBlockResponse> {
    return this.serialised(() => this.executeBlockNow(req));
  }

  commit(req: moduleV1.CommitRequest): Promise<moduleV1.CommitResponse> {
    return this.serialised(() => this.commitNow(req));
  }

  async ping(): Promise<void> {
    await this.repository.ping?.();
  }

  async close(): Promise<void> {
    await this.serialised(async () => this.repository.close?.());
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async executeBlockNow(req: moduleV1.ExecuteBlockRequest): Promise<moduleV1.ExecuteBlockResponse> {
    const input = parseExecuteBlockRequest(req);
    const { height, blockHash } = input.context;
    if (height === 0n) throw new DomainError('INVALID_HEIGHT', 'height 0 is genesis and is never executed', 'invalid');
    const requestDigest = this.codec.requestDigest(req);
    if (height <= this.committed.height) return this.replay(height, blockHash, requestDigest);
    if (this.pending?.height === height && !sameBytes(this.pending.requestDigest, requestDigest)) {
      // Whoever sends a second, different block for a height we already executed is not our validator replaying.
      throw replayMismatch(height, 'executed');
    }
    if (height > this.committed.height + 1n) {
      throw new DomainError('HEIGHT_GAP', `${this.machine.name} has committed ${this.committed.height}; execute ${this.committed.height + 1n} first, not ${height}`, 'conflict', {
        lastCommittedHeight: this.committed.height.toString(),
      });
    }
    let result: { state: S; output: ExecuteBlockOutput };
    try {
      result = this.machine.executeBlock(this.committed.state, input);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw moduleBug(this.machine.name, `executeBlock threw: ${(err as Error).message}`);
    }
    const response = this.codec.encode(this.toWire(height, input, result.output));
    this.pending = { height, blockHash, requestDigest, state: result.state, root: this.machine.root(result.state), response };
    return this.codec.decode(response);
  }

  private async replay(height: bigint, blockHash: string, requestDigest: Uint8Array): Promise<moduleV1.ExecuteBlockResponse> {
    const stored = await this.repository.committedAt(height);
    if (!stored) throw new DomainError('RESPONSE_NOT_STORED', `${this.machine.name} has no stored response for committed height ${height}`, 'internal');
    // A different request at a committed height is a fork, a consensus bug or a stranger: never answer it with
    // the stored response. Rows committed before request digests were stored compare the block hash only.
    const differs = stored.requestDigest.length > 0 ? !sameBytes(stored.requestDigest, requestDigest) : blockHash !== '' && stored.blockHash !== '' && stored.blockHash !== blockHash;
    if (differs) throw replayMismatch(height, 'committed');
    return this.codec.decode(stored.response);
  }

  private async commitNow(req: moduleV1.CommitRequest): Promise<moduleV1.CommitResponse> {
    const height = parseUint64(req.height, 'height');
    if (height <= this.committed.height) return { height: height.toString(), root: toHex(await this.rootAt(height)) };
    const pending = this.pending;
    if (!pending || pending.height !== height) {
      if (height > this.committed.height + 1n) {
        throw new DomainError('HEIGHT_GAP', `${this.machine.name} has committed ${this.committed.height}; cannot commit ${height}`, 'conflict');
      }
      throw new DomainError('NOT_EXECUTED', `height ${height} was not executed since the last commit (or restart); call ExecuteBlock first`, 'conflict');
    }
    const block = { height, blockHash: pending.blockHash, requestDigest: pending.requestDigest, state: pending.state, root: pending.root, response: pending.response };
    try {
      await this.repository.commit(block);
    } catch (err) {
      // The transaction may have committed before the connection failed: adopt it if the store says so.
      const stored = await this.repository.load().catch(() => null);
      if (!stored || stored.height !== height || toHex(stored.root) !== toHex(pending.root)) throw err;
    }
    this.committed = { height, root: pending.root, state: pending.state };
    this.window.push(height, pending.state);
    this.pending = null;
    return { height: height.toString(), root: toHex(pending.root) };
  }

  private async rootAt(height: bigint): Promise<Uint8Array> {
    if (height === this.committed.height) return this.committed.root;
    if (height === 0n) return this.genesisRoot;
    const stored = await this.repository.committedAt(height);
    if (!stored) throw new DomainError('RESPONSE_NOT_STORED', `${this.machine.name} has no stored root for committed height ${height}`, 'internal');
    return stored.root;
  }

  /** The wire response, checked: a module that breaks the contract is stopped here, before the ledger sees it. */
  private toWire(height: bigint, input: ExecuteBlockInput, output: ExecuteBlockOutput): moduleV1.ExecuteBlockResponse {
    const name = this.machine.name;
    if (output.results.length !== input.calls.length || output.results.some((r, i) => r.extrinsicIndex !== input.calls[i]!.extrinsicIndex)) {
      throw moduleBug(name, 'results must hold exactly one outcome per call, in block order');
    }
    const transfers: moduleV1.Transfer[] = [];
    for (const t of output.transfers) {
      if (t.amount < 0n) throw moduleBug(name, `negative ${t.kind} of ${t.amount}`);
      if (t.amount === 0n) continue;
      if (t.kind === 'mint' && !this.machine.mayMint) throw moduleBug(name, 'only emissions may mint');
      const from = t.kind === 'mint' ? '' : t.from;
      if ((t.kind !== 'mint' && !ACCOUNT.test(from)) || !ACCOUNT.test(t.to)) throw moduleBug(name, `transfer accounts must be lowercase 0x hex of 32 bytes (${from} → ${t.to})`);
      transfers.push({ kind: TRANSFER_KIND[t.kind], from, to: t.to, amount: t.amount.toString() });
    }
    const validators = output.validatorSetUpdate ?? null;
    return {
      height: height.toString(),
      results: output.results.map((r) => ({
        extrinsicIndex: r.extrinsicIndex,
        success: r.success,
        errorCode: r.success ? '' : (r.errorCode ?? 'FAILED'),
        errorMessage: r.success ? '' : (r.errorMessage ?? ''),
      })),
      events: output.events.map((e) => ({ name: e.name, dataJson: canonicalJson(e.data), extrinsicIndex: e.extrinsicIndex ?? -1 })),
      transfers,
      validatorSetUpdate: {
        present: validators !== null,
        validators: (validators ?? []).map((v) => ({ index: v.index, consensusKey: v.consensusKey, stash: v.stash, backingStake: v.backingStake.toString() })),
      },
    };
  }
}
