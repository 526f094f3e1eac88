// The block store on a real PostgreSQL migrated by the service's Prisma migrations: a committed block and
// every state change it causes land together (one statement), and a block whose write fails part-way, or
// that is not the next block, leaves nothing behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '@balanceai/testing';
import type { ExtrinsicOutcome } from '../src/ledger/executor.js';
import { ConsensusStore, type CommittedBlock, type StoredBlock } from '../src/store/store.js';

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO_ROOT = join(SERVICE_DIR, '..', '..');

const hex = (byte: number, n = 32) => `0x${byte.toString(16).padStart(2, '0').repeat(n)}`;
const bytes = (byte: number, n: number) => new Uint8Array(n).fill(byte);
const ALICE = hex(0xa1);
const BOB = hex(0xb0);
const CAROL = hex(0xc4);

function block(height: number): StoredBlock {
  return {
    height,
    hash: hex(height + 1),
    header: bytes(height, 40),
    body: bytes(height, 12),
    justification: bytes(0xee, 8),
    timeMs: 1_700_000_000_000 + height * 1000,
    round: 0,
    proposer: height % 4,
    appHash: bytes(0x40 + height, 32),
    events: [{ module: 'Consensus', name: 'Equivocation', data: { validator: 2 } }],
  };
}

function outcome(index: number, over: Partial<ExtrinsicOutcome> = {}): ExtrinsicOutcome {
  return {
    index,
    hash: hex(0x70 + index),
    signer: ALICE,
    nonce: index,
    call: 'Balances.transfer_keep_alive',
    args: { dest: BOB, value: '5' },
    applied: true,
    success: true,
    errorCode: null,
    errorMessage: null,
    fee: 123_456_789_012_345_678_901_234_567_890n,
    events: [{ module: 'Balances', name: 'Transfer', data: { from: ALICE, to: BOB, amount: '5' } }],
    ...over,
  };
}

function committed(height: number, over: Partial<CommittedBlock> = {}): CommittedBlock {
  return {
    block: block(height),
    outcomes: [outcome(0), outcome(1, { applied: false, success: false, errorCode: 'STALE_NONCE', errorMessage: 'used', fee: 0n, events: [] })],
    accounts: [
      { id: ALICE, data: { free: 10n ** 30n + BigInt(height), reserved: 7n, nonce: height } },
      { id: BOB, data: { free: 500n, reserved: 0n, nonce: 0 } },
    ],
    totalIssuance: 10n ** 31n + BigInt(height),
    includedEvidence: [],
    moduleRequests: [],
    validatorSet: null,
    ...over,
  };
}

describe('ConsensusStore.commitBlock on PostgreSQL', () => {
  let postgres: PostgresServer;
  let store: ConsensusStore;
  let db: pg.Client;
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  /** Everything a block writes, in one comparable snapshot. */
  const snapshot = async () => ({
    chain: (await db.query('SELECT height, total_issuance::text AS ti FROM consensus.chain_state')).rows,
    blocks: await count('SELECT count(*) AS n FROM consensus.block'),
    results: await count('SELECT count(*) AS n FROM consensus.extrinsic_result'),
    accounts: (await db.query(`SELECT encode(id, 'hex') AS id, free::text, reserved::text, nonce::text FROM consensus.account ORDER BY id`)).rows,
    sets: await count('SELECT count(*) AS n FROM consensus.validator_set'),
    requests: await count('SELECT count(*) AS n FROM consensus.module_request'),
    evidence: (await db.query(`SELECT encode(id, 'hex') AS id, included_in::text FROM consensus.evidence ORDER BY id`)).rows,
  });

  before(async () => {
    process.env.BAI_TESTCONTAINERS ??= '0';
    postgres = await startPostgres();
    const url = await postgres.createDatabase('consensus_store_it');
    const migrate = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], {
      cwd: SERVICE_DIR,
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    assert.equal(migrate.status, 0, migrate.stderr);
    store = new ConsensusStore(url);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    await store.initGenesis(block(0), [{ id: ALICE, free: 10n ** 30n }, { id: CAROL, free: 1n }], 10n ** 31n);
  });

  after(async () => {
    await db?.end();
    await store?.close();
    await postgres?.stop();
  });

  it('writes the block, its results, accounts (reaped ones deleted), validator set, module requests, evidence and chain state', async () => {
    await store.addEvidence(hex(0xe1), 0, 1, bytes(1, 4)); // seen by this node before the block included it
    await store.commitBlock(
      committed(1, {
        accounts: [...committed(1).accounts, { id: CAROL, data: null }],
        validatorSet: { fromHeight: 2, validators: [{ key: hex(0x11), stash: '5Stash' }] },
        moduleRequests: [{ module: 'emissions', request: { context: { height: '1' }, calls: [] } }],
        includedEvidence: [
          { id: hex(0xe1), height: 0, validator: 1, votes: bytes(1, 4) },
          { id: hex(0xe2), height: 0, validator: 3, votes: bytes(2, 4) },
        ],
      }),
    );
    assert.deepEqual(await store.chainState(), { height: 1, blockHash: bytes(2, 32), appHash: bytes(0x41, 32), totalIssuance: 10n ** 31n + 1n });
    assert.deepEqual(await store.blockByHeight(1), block(1));
    assert.deepEqual(await store.blockByHash(hex(2)), block(1));
    assert.equal(await store.blockByHash(hex(0x99)), null);
    assert.deepEqual(await store.blocksFrom(0, 5), [block(0), block(1)]);
    assert.deepEqual(await store.blocksFrom(1, 1), [block(1)]);
    const rows = await store.extrinsicsOfBlock(1);
    assert.deepEqual(rows[0], { height: 1, ...outcome(0) });
    assert.equal(rows[1]!.applied, false);
    assert.equal(rows[1]!.errorCode, 'STALE_NONCE');
    assert.deepEqual((await store.extrinsicByHash(hex(0x70)))?.events, outcome(0).events);
    const accounts = new Map((await store.loadAccounts()).map((a) => [a.id, a]));
    assert.deepEqual(accounts.get(ALICE), { id: ALICE, free: 10n ** 30n + 1n, reserved: 7n, nonce: 1 });
    assert.deepEqual(accounts.get(BOB), { id: BOB, free: 500n, reserved: 0n, nonce: 0 });
    assert.equal(accounts.has(CAROL), false, 'a reaped account is deleted');
    assert.deepEqual(await store.validatorSets(), [{ fromHeight: 2, validators: [{ key: hex(0x11), stash: '5Stash' }] }]);
    assert.deepEqual(await store.moduleRequest(1, 'emissions'), { context: { height: '1' }, calls: [] });
    assert.deepEqual((await store.includedEvidence(0)).sort((a, b) => a.id.localeCompare(b.id)), [
      { id: hex(0xe1), height: 0 },
      { id: hex(0xe2), height: 0 },
    ]);
    assert.deepEqual(await store.pendingEvidence(), []);
  });

  it('a block with no extrinsics or changes still advances the chain', async () => {
    await store.commitBlock(committed(2, { outcomes: [], accounts: [] }));
    assert.equal((await store.chainState())?.height, 2);
    assert.deepEqual(await store.extrinsicsOfBlock(2), []);
  });

  it('a statement failing part-way through a block leaves nothing of the block written', async () => {
    const before = await snapshot();
    // Two results with the same index: the extrinsic_result primary key fails after the chain state,
    // block and account writes of the same statement have run.
    const bad = committed(3, {
      outcomes: [outcome(0), outcome(0)],
      accounts: [{ id: ALICE, data: { free: 1n, reserved: 0n, nonce: 99 } }, { id: BOB, data: null }],
      validatorSet: { fromHeight: 4, validators: [] },
      moduleRequests: [{ module: 'staking', request: {} }],
      includedEvidence: [{ id: hex(0xe3), height: 2, validator: 0, votes: bytes(3, 4) }],
    });
    await assert.rejects(store.commitBlock(bad), /duplicate key/);
    assert.deepEqual(await snapshot(), before);
    assert.equal(await store.blockByHeight(3), null);
    // The same block, well formed, is then written.
    await store.commitBlock({ ...bad, outcomes: [outcome(0)] });
    assert.equal((await store.chainState())?.height, 3);
  });

  it('keeps the signer state: the locked and valid blocks are rewritten only when given', async () => {
    assert.equal(await store.signerState(), null);
    const locked = bytes(0x5a, 150_000);
    await store.saveSignerState({ height: 4, round: 1, step: 3, lockedRound: 1, validRound: 1, blocks: { locked, valid: null } });
    await store.saveSignerState({ height: 4, round: 2, step: 2, lockedRound: 1, validRound: 1 });
    assert.deepEqual(await store.signerState(), { height: 4, round: 2, step: 2, lockedRound: 1, validRound: 1, lockedBlock: locked, validBlock: null });
    await store.saveSignerState({ height: 5, round: 0, step: 2, lockedRound: -1, validRound: -1, blocks: { locked: null, valid: null } });
    assert.deepEqual(await store.signerState(), { height: 5, round: 0, step: 2, lockedRound: -1, validRound: -1, lockedBlock: null, validBlock: null });
  });

  it('a block that is not the next one writes nothing', async () => {
    const before = await snapshot();
    await assert.rejects(store.commitBlock(committed(5)), /not the next block/);
    await assert.rejects(store.commitBlock(committed(3)), /not the next block/);
    assert.deepEqual(await snapshot(), before);
  });
});
