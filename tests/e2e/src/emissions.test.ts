// Emissions as a module on a 4-validator devnet (issue "Module runtime over gRPC, and emissions on the
// exact schedule"): issuance follows docs/architecture.md §4 to the base unit, the four funds hold exactly
// their shares (plus fees for the staking pot), and a module that dies stops only its validator's
// execution until it is back; with it gone everywhere, finality stops, then resumes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_SUPPLY, ONE_BAI, cryptoReady, keyFromUri, parseAccountId, toHex } from '@balanceai/chain';
import { Devnet } from '@balanceai/testing';
import { Gateway, buildTransfer, chainInfo, compareStores, ledgerCheck, poll, sleep, storedHeight, withDb, type ChainInfo } from './client.js';

const N = 4;
const R0 = 2_480n * ONE_BAI; // per 7,200 blocks, epoch 0
const DAY = 7_200n;
let net: Devnet;
let gw: Gateway;
let info: ChainInfo;
const admin = () => net.postgres.adminUrl;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: N });
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  await gw.waitHeight(3, 60_000);
});

after(async () => {
  await net?.stop();
});

/** The mint of block `height` in epoch 0, by the floor formula (written here independently of the service). */
const mintOf = (height: bigint) => ((height) * R0) / DAY - ((height - 1n) * R0) / DAY;

test('total issuance is genesis + the exact floor-formula mints, and the four funds hold exactly their shares', async () => {
  // One transfer so the staking pot also receives a fee.
  const alice = keyFromUri('//Alice', 'sr25519');
  const bob = keyFromUri('//Bob', 'sr25519');
  const nonce = (await gw.balance(toHex(alice.publicKey))).nonce;
  const hash = await gw.submitOk(buildTransfer(info, { from: alice, dest: bob.publicKey, value: ONE_BAI, nonce }));
  await gw.waitIncluded(hash, 30_000);
  await gw.waitHeight((await gw.status()).finalized.height + 3, 30_000);

  for (let i = 0; i < N; i++) {
    const snap = await withDb(admin(), i, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      try {
        const st = await c.query<{ h: string; t: string }>('SELECT height::text AS h, total_issuance::text AS t FROM consensus.chain_state');
        const fees = await c.query<{ f: string | null }>('SELECT SUM(fee)::text AS f FROM consensus.extrinsic_result WHERE applied');
        const em = await c.query<{ n: string; lo: string; hi: string; m: string }>(
          'SELECT COUNT(*)::text AS n, MIN(height)::text AS lo, MAX(height)::text AS hi, SUM(minted)::text AS m FROM emissions.emission_block WHERE height <= (SELECT height FROM consensus.chain_state)',
        );
        const acct = async (address: string) =>
          BigInt((await c.query<{ f: string }>('SELECT free::text AS f FROM consensus.account WHERE id = $1', [Buffer.from(parseAccountId(address))])).rows[0]?.f ?? '0');
        const g = net.genesis.accounts;
        return {
          height: BigInt(st.rows[0]!.h),
          issuance: BigInt(st.rows[0]!.t),
          fees: BigInt(fees.rows[0]!.f ?? '0'),
          emitted: em.rows[0]!,
          pot: await acct(g.stakingRewardPot),
          models: await acct(g.modelsGrantsFund),
          agents: await acct(g.agentsGrantsFund),
          dev: await acct(g.developmentFund),
        };
      } finally {
        await c.query('COMMIT');
      }
    });
    const H = snap.height;
    assert.ok(H >= 5n, `validator ${i} at height ${H}`);
    // Closed form of epoch 0: Σ_{b=1..H} mint(b) = floor(H·R0/7200).
    assert.equal(snap.issuance, GENESIS_SUPPLY + (H * R0) / DAY, `validator ${i}: issuance at height ${H}`);
    assert.equal(snap.emitted.n, String(H), `validator ${i}: one emission per height, none twice or skipped`);
    assert.equal(snap.emitted.lo, '1');
    assert.equal(snap.emitted.hi, String(H));
    assert.equal(BigInt(snap.emitted.m), snap.issuance - GENESIS_SUPPLY);
    let staking = 0n;
    let models = 0n;
    let agents = 0n;
    let dev = 0n;
    for (let b = 1n; b <= H; b++) {
      const m = mintOf(b);
      const s = (m * 44n) / 100n;
      const mo = (m * 24n) / 100n;
      const ag = (m * 24n) / 100n;
      staking += s;
      models += mo;
      agents += ag;
      dev += m - s - mo - ag;
    }
    assert.equal(snap.pot, staking + snap.fees, `validator ${i}: staking pot = 44% shares + fees`);
    assert.equal(snap.models, models, `validator ${i}: models grants fund`);
    assert.equal(snap.agents, agents, `validator ${i}: agents grants fund`);
    assert.equal(snap.dev, dev, `validator ${i}: development fund = the rest`);
    const ledger = await ledgerCheck(admin(), i);
    assert.equal(ledger.balances, ledger.issuance, `validator ${i}: sum(balances) == issuance`);
  }
});

test("a validator's /metrics carries the named series with sane values", async () => {
  const text = await (await fetch(`${net.validatorHttpUrl(0)}/metrics`)).text();
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' ') || l.startsWith(series + '{'));
    assert.ok(line, `series ${series} is exported`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const finalized = value('bai_finalized_height');
  assert.ok(finalized >= 5, `finalized height ${finalized}`);
  assert.ok(value('bai_consensus_height') >= finalized);
  assert.ok(value('bai_mempool_size') >= 0);
  assert.equal(value('bai_validators_online'), N);
  assert.ok(value('bai_consensus_rounds_count') >= 1, 'rounds per height observed');
  assert.ok(value('bai_finalized_extrinsics_total') >= 1, 'the transfer above was counted');
  assert.ok(value('bai_block_execution_seconds_count') >= 1);
  const moduleLine = text.split('\n').find((l) => l.startsWith('bai_module_execution_seconds_count') && l.includes('module="emissions"'));
  assert.ok(moduleLine && Number(moduleLine.split(' ').pop()) >= 1, 'emissions execution time observed');
});

test('killing one validator’s emissions service pauses only that validator, which catches up after a restart', async () => {
  await net.killModule(1);
  const before = await storedHeight(admin(), 0);
  await poll('the others finalize 3 more blocks', async () => ((await storedHeight(admin(), 0)) >= before + 3 ? true : undefined), 30_000);
  const stalled = await storedHeight(admin(), 1);
  await sleep(2_000);
  assert.ok((await storedHeight(admin(), 1)) <= stalled + 1, 'validator 1 does not execute blocks without its module');
  net.restartModule(1);
  await poll(
    'validator 1 catches up',
    async () => {
      const [a, b] = await Promise.all([storedHeight(admin(), 0), storedHeight(admin(), 1)]);
      return b >= a - 1 && b > stalled + 2 ? true : undefined;
    },
    60_000,
  );
  const { conflicts } = await compareStores(admin(), [0, 1, 2, 3]);
  assert.deepEqual(conflicts, []);
  await withDb(admin(), 1, async (c) => {
    const r = await c.query<{ n: string; hi: string }>('SELECT COUNT(*)::text AS n, MAX(height)::text AS hi FROM emissions.emission_block');
    assert.equal(r.rows[0]!.n, r.rows[0]!.hi, 'no height minted twice or skipped after the restart');
  });
  const l = await ledgerCheck(admin(), 1);
  assert.equal(l.balances, l.issuance);
});

test('with the emissions service down on every validator finality stops, and resumes when they return', async () => {
  for (let i = 0; i < N; i++) await net.killModule(i);
  await sleep(2_000);
  const halted = await Promise.all([0, 1, 2, 3].map((i) => storedHeight(admin(), i)));
  await sleep(5_000);
  const still = await Promise.all([0, 1, 2, 3].map((i) => storedHeight(admin(), i)));
  assert.deepEqual(still, halted, 'no block executes without its modules');
  for (let i = 0; i < N; i++) net.restartModule(i);
  const top = Math.max(...halted);
  await poll('finality resumes on every validator', async () => {
    const hs = await Promise.all([0, 1, 2, 3].map((i) => storedHeight(admin(), i)));
    return hs.every((h) => h >= top + 3) ? true : undefined;
  }, 90_000);
  const { conflicts } = await compareStores(admin(), [0, 1, 2, 3]);
  assert.deepEqual(conflicts, []);
  for (let i = 0; i < N; i++) {
    const l = await ledgerCheck(admin(), i);
    assert.equal(l.balances, l.issuance, `validator ${i}`);
  }
});
