import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2_256, toHex } from '@balanceai/chain';
import type { moduleV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { protoResponseCodec } from './codec.js';
import { ModuleRuntime } from './module-runtime.js';
import { storageView } from './storage-view.js';
import type { CommittedBlock, CommittedState, ModuleRepository, ModuleStateMachine, StoredResponse } from './state-machine.js';

// A toy module: each call deposits `args[0]` base units from its signer into the pot; each block mints 1 unit.
interface ToyState {
  readonly height: bigint;
  readonly deposited: bigint;
}

const POT = `0x${'ee'.repeat(32)}`;
const ALICE = `0x${'aa'.repeat(32)}`;

function toyMachine(): ModuleStateMachine<ToyState> & { executions: number } {
  return {
    name: 'toy',
    palletIndex: 99,
    mayMint: true,
    executions: 0,
    initialState: () => ({ height: 0n, deposited: 0n }),
    executeBlock(state, input) {
      this.executions++;
      let deposited = state.deposited;
      const transfers = [];
      const results = [];
      for (const call of input.calls) {
        const amount = BigInt(call.args[0] ?? 0);
        const free = input.signerBalances.get(call.signer) ?? 0n;
        if (amount > free) {
          results.push({ extrinsicIndex: call.extrinsicIndex, success: false, errorCode: 'Toy.InsufficientBalance' });
          continue;
        }
        deposited += amount;
        transfers.push({ kind: 'debit' as const, from: call.signer, to: POT, amount });
        results.push({ extrinsicIndex: call.extrinsicIndex, success: true });
      }
      transfers.push({ kind: 'mint' as const, to: POT, amount: 1n });
      return {
        state: { height: input.context.height, deposited },
        output: { results, transfers, events: [{ name: 'Deposited', data: { total: deposited, height: input.context.height }, extrinsicIndex: null }] },
      };
    },
    root: (s) => blake2_256(new TextEncoder().encode(`${s.height}:${s.deposited}`)),
  };
}

class MemoryRepository implements ModuleRepository<ToyState> {
  state: CommittedState<ToyState> | null = null;
  readonly blocks = new Map<bigint, StoredResponse>();
  /** Make the next commit persist, then fail as if the connection dropped before the acknowledgement. */
  failAfterPersist = false;

  async load() {
    return this.state;
  }
  async commit(block: CommittedBlock<ToyState>) {
    const expected = (this.state?.height ?? 0n) + 1n;
    if (block.height !== expected) throw new Error(`commit of ${block.height} while ${expected} is next`);
    this.blocks.set(block.height, { height: block.height, blockHash: block.blockHash, requestDigest: block.requestDigest, root: block.root, response: block.response });
    this.state = { height: block.height, root: block.root, state: block.state };
    if (this.failAfterPersist) {
      this.failAfterPersist = false;
      throw new Error('connection reset');
    }
  }
  async committedAt(height: bigint) {
    return this.blocks.get(height) ?? null;
  }
}

const codec = protoResponseCodec();

function blockHash(height: number, fork = 0): string {
  return toHex(blake2_256(new TextEncoder().encode(`block ${height} ${fork}`)));
}

function request(height: number, opts: { calls?: number[]; fork?: number } = {}): moduleV1.ExecuteBlockRequest {
  return {
    context: {
      height: String(height),
      blockHash: blockHash(height, opts.fork),
      timeMs: String(1_700_000_000_000 + height * 1000),
      proposerIndex: 0,
      lastCommitSigners: [0],
      offences: [],
      totalIssuance: '0',
      validators: [],
    },
    calls: (opts.calls ?? []).map((amount, i) => ({
      extrinsicIndex: i + 1,
      extrinsicHash: toHex(blake2_256(Uint8Array.of(height, i))),
      signer: ALICE,
      callIndex: 0,
      args: toHex(Uint8Array.of(amount)),
    })),
    signerBalances: opts.calls?.length ? [{ account: ALICE, free: '100' }] : [],
    moduleBalances: [],
  };
}

async function run(runtime: ModuleRuntime<ToyState>, height: number, calls: number[] = []) {
  const response = await runtime.executeBlock(request(height, { calls }));
  const commit = await runtime.commit({ height: String(height) });
  return { response, commit };
}

async function rejects(promise: Promise<unknown>, code: string, kind?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof DomainError, `expected a DomainError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (kind) assert.equal(err.kind, kind);
    return true;
  });
}

describe('ModuleRuntime', () => {
  it('executes and commits heights in order, reporting them in Info', async () => {
    const repo = new MemoryRepository();
    const machine = toyMachine();
    const runtime = await ModuleRuntime.open(machine, repo, codec);
    assert.equal(runtime.info().lastCommittedHeight, '0');
    assert.equal(runtime.info().lastRoot, toHex(machine.root(machine.initialState())));
    await run(runtime, 1, [5]);
    const { response, commit } = await run(runtime, 2, [7, 200]);
    assert.equal(response.height, '2');
    assert.deepEqual(response.results.map((r) => [r.extrinsicIndex, r.success, r.errorCode]), [[1, true, ''], [2, false, 'Toy.InsufficientBalance']]);
    assert.deepEqual(response.transfers.map((t) => [t.kind, t.from, t.amount]), [[1, ALICE, '7'], [3, '', '1']]);
    assert.equal(response.events[0]!.dataJson, '{"height":"2","total":"12"}');
    assert.equal(response.events[0]!.extrinsicIndex, -1);
    assert.equal(response.validatorSetUpdate?.present, false);
    const info = runtime.info();
    assert.equal(info.name, 'toy');
    assert.equal(info.palletIndex, 99);
    assert.equal(info.lastCommittedHeight, '2');
    assert.equal(info.lastRoot, commit.root);
    assert.equal(runtime.committedState.deposited, 12n);
  });

  it('replays a committed height with the stored bytes and without executing again', async () => {
    const repo = new MemoryRepository();
    const machine = toyMachine();
    const runtime = await ModuleRuntime.open(machine, repo, codec);
    const first = await run(runtime, 1, [3]);
    await run(runtime, 2);
    const executions = machine.executions;
    const replayed = await runtime.executeBlock(request(1, { calls: [3] }));
    assert.equal(machine.executions, executions);
    assert.deepEqual(codec.encode(replayed), codec.encode(first.response));
    assert.deepEqual(codec.encode(replayed), repo.blocks.get(1n)!.response);
    assert.equal(runtime.committedHeight, 2n);
  });

  it('gives the same response to ExecuteBlock twice before Commit and applies the block once', async () => {
    const repo = new MemoryRepository();
    const runtime = await ModuleRuntime.open(toyMachine(), repo, codec);
    const a = await runtime.executeBlock(request(1, { calls: [10] }));
    const b = await runtime.executeBlock(request(1, { calls: [10] }));
    assert.deepEqual(codec.encode(a), codec.encode(b));
    await runtime.commit({ height: '1' });
    assert.equal(runtime.committedState.deposited, 10n);
    assert.equal(repo.state?.state.deposited, 10n);
  });

  it('refuses a height past the next one with HEIGHT_GAP (FAILED_PRECONDITION)', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    await rejects(runtime.executeBlock(request(2)), 'HEIGHT_GAP', 'conflict');
    await run(runtime, 1);
    await rejects(runtime.executeBlock(request(3)), 'HEIGHT_GAP', 'conflict');
    await rejects(runtime.commit({ height: '3' }), 'HEIGHT_GAP', 'conflict');
  });

  it('refuses Commit of a height that was not executed, and repeats the root of a committed one', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    await rejects(runtime.commit({ height: '1' }), 'NOT_EXECUTED', 'conflict');
    const one = await run(runtime, 1);
    const two = await run(runtime, 2);
    assert.deepEqual(await runtime.commit({ height: '2' }), two.commit);
    assert.deepEqual(await runtime.commit({ height: '1' }), one.commit);
    assert.equal(runtime.committedHeight, 2n);
  });

  it('continues after a restart from the stored state, with nothing applied twice or skipped', async () => {
    const repo = new MemoryRepository();
    const first = await ModuleRuntime.open(toyMachine(), repo, codec);
    await run(first, 1, [1]);
    await run(first, 2, [2]);
    await first.executeBlock(request(3, { calls: [4] })); // executed, never committed: lost with the process
    const second = await ModuleRuntime.open(toyMachine(), repo, codec);
    assert.equal(second.info().lastCommittedHeight, '2');
    await rejects(second.commit({ height: '3' }), 'NOT_EXECUTED');
    await run(second, 3, [4]);
    assert.equal(second.committedState.deposited, 7n);
    assert.deepEqual([...repo.blocks.keys()], [1n, 2n, 3n]);
  });

  it('adopts a commit that persisted although the store reported a failure', async () => {
    const repo = new MemoryRepository();
    const runtime = await ModuleRuntime.open(toyMachine(), repo, codec);
    await runtime.executeBlock(request(1, { calls: [9] }));
    repo.failAfterPersist = true;
    const commit = await runtime.commit({ height: '1' });
    assert.equal(commit.root, toHex(repo.state!.root));
    assert.equal(runtime.committedHeight, 1n);
    await run(runtime, 2);
  });

  it('refuses to replay a committed height for a different block', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    await run(runtime, 1);
    await rejects(runtime.executeBlock(request(1, { fork: 1 })), 'REPLAY_MISMATCH', 'conflict');
  });

  it('refuses a replay of a committed height whose request differs although its block hash is the same', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    await run(runtime, 1, [5]);
    const forged = request(1, { calls: [5] });
    forged.signerBalances = [{ account: ALICE, free: (10n ** 27n).toString() }];
    await rejects(runtime.executeBlock(forged), 'REPLAY_MISMATCH', 'conflict');
    await rejects(runtime.executeBlock(request(1, { calls: [6] })), 'REPLAY_MISMATCH', 'conflict');
    // The very request that was committed is still answered from the store.
    assert.equal((await runtime.executeBlock(request(1, { calls: [5] }))).height, '1');
  });

  it('refuses a different request for the height it executed but has not committed, and keeps the first', async () => {
    const repo = new MemoryRepository();
    const machine = toyMachine();
    const runtime = await ModuleRuntime.open(machine, repo, codec);
    await runtime.executeBlock(request(1, { calls: [5] }));
    await rejects(runtime.executeBlock(request(1, { calls: [50] })), 'REPLAY_MISMATCH', 'conflict');
    await runtime.executeBlock(request(1, { calls: [5] }));
    const commit = await runtime.commit({ height: '1' });
    assert.equal(commit.root, toHex(machine.root({ height: 1n, deposited: 5n })));
  });

  it('refuses a stored state that no longer hashes to its root', async () => {
    const repo = new MemoryRepository();
    const runtime = await ModuleRuntime.open(toyMachine(), repo, codec);
    await run(runtime, 1, [5]);
    repo.state = { ...repo.state!, state: { height: 1n, deposited: 6n } };
    await rejects(ModuleRuntime.open(toyMachine(), repo, codec), 'CORRUPT_MODULE_STATE', 'internal');
  });

  it('rejects malformed requests as INVALID_ARGUMENT before the module sees them', async () => {
    const machine = toyMachine();
    const runtime = await ModuleRuntime.open(machine, new MemoryRepository(), codec);
    const bad = request(1, { calls: [1] });
    bad.calls[0] = { ...bad.calls[0]!, signer: '0x1234' };
    await rejects(runtime.executeBlock(bad), 'BAD_HEX', 'invalid');
    await rejects(runtime.executeBlock({ ...request(1), context: { ...request(1).context!, height: '-1' } }), 'BAD_ARGUMENT', 'invalid');
    await rejects(runtime.executeBlock(request(0)), 'INVALID_HEIGHT', 'invalid');
    assert.equal(machine.executions, 0);
  });

  it('stops a module that breaks the contract with MODULE_BUG (internal)', async () => {
    const dropsResults: ModuleStateMachine<ToyState> = { ...toyMachine(), executeBlock: (s) => ({ state: s, output: { results: [], events: [], transfers: [] } }) };
    const runtime = await ModuleRuntime.open(dropsResults, new MemoryRepository(), codec);
    await rejects(runtime.executeBlock(request(1, { calls: [1] })), 'MODULE_BUG', 'internal');
    const mints: ModuleStateMachine<ToyState> = { ...toyMachine(), mayMint: false };
    await rejects((await ModuleRuntime.open(mints, new MemoryRepository(), codec)).executeBlock(request(1)), 'MODULE_BUG', 'internal');
  });

  it('serialises concurrent calls: Execute then Commit then Execute of the next height', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    const [, commit, next] = await Promise.all([
      runtime.executeBlock(request(1)),
      runtime.commit({ height: '1' }),
      runtime.executeBlock(request(2)),
    ]);
    assert.equal(commit.height, '1');
    assert.equal(next.height, '2');
  });

  it('answers CheckTx with UNKNOWN_CALL for a module without calls', async () => {
    const runtime = await ModuleRuntime.open(toyMachine(), new MemoryRepository(), codec);
    assert.deepEqual(runtime.checkTx({ signer: ALICE, callIndex: 0, args: '0x', signerFree: '1' }), {
      ok: false,
      errorCode: 'UNKNOWN_CALL',
      errorMessage: 'toy has no calls',
    });
  });
});

describe('ModuleRuntime storage window', () => {
  // The toy's storage: one entry, key 0x01, value the deposited total as one byte.
  const withStorage = () => ({ ...toyMachine(), storage: (s: ToyState) => storageView([[Uint8Array.of(1), Uint8Array.of(Number(s.deposited))]]) });
  const read = (runtime: ModuleRuntime<ToyState>, height: number) => runtime.storage.readStorage({ height: String(height), keys: ['0x01'] }).entries[0]!.value;

  it('serves the state of each committed height, genesis included, and not the pending one', async () => {
    const runtime = await ModuleRuntime.open(withStorage(), new MemoryRepository(), codec);
    await run(runtime, 1, [5]);
    await run(runtime, 2, [7]);
    await runtime.executeBlock(request(3, { calls: [9] }));
    assert.deepEqual([read(runtime, 0), read(runtime, 1), read(runtime, 2)], ['0x00', '0x05', '0x0c']);
    assert.throws(() => read(runtime, 3), (err: unknown) => err instanceof DomainError && err.code === 'HEIGHT_NOT_COMMITTED');
    await runtime.commit({ height: '3' });
    assert.equal(read(runtime, 3), '0x15');
  });

  it('drops heights past the window, and after a restart holds only the loaded height', async () => {
    const repo = new MemoryRepository();
    const runtime = await ModuleRuntime.open(withStorage(), repo, codec, { stateWindow: 3 });
    for (let h = 1; h <= 5; h++) await run(runtime, h, [1]);
    assert.equal(read(runtime, 3), '0x03');
    assert.throws(() => read(runtime, 2), (err: unknown) => err instanceof DomainError && err.code === 'STATE_DISCARDED');
    const restarted = await ModuleRuntime.open(withStorage(), repo, codec, { stateWindow: 3 });
    assert.equal(read(restarted, 5), '0x05');
    assert.throws(() => read(restarted, 4), (err: unknown) => err instanceof DomainError && err.code === 'STATE_DISCARDED');
    await run(restarted, 6, [1]);
    assert.deepEqual([read(restarted, 5), read(restarted, 6)], ['0x05', '0x06']);
  });

  it('keeps a committed height readable after the commit was adopted from a failed acknowledgement', async () => {
    const repo = new MemoryRepository();
    const runtime = await ModuleRuntime.open(withStorage(), repo, codec);
    await runtime.executeBlock(request(1, { calls: [4] }));
    repo.failAfterPersist = true;
    await runtime.commit({ height: '1' });
    assert.equal(read(runtime, 1), '0x04');
  });
});
