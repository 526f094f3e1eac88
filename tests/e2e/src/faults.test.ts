// Faults, CometBFT e2e style, on one 4-validator devnet (f = 1): crash one → finality goes on; crash a
// second → finality stops and nobody forks; restart both → they sync and the chain resumes; pause one →
// it catches up after SIGCONT; crash one while transfers flow → no finalized transfer is lost or
// applied twice, and every ledger stays balanced. The steps run in order on the same network. Last, the
// event stream: through all those crashes every finalized block and each of its events must be on the
// stream, once (the proposer and the next validator publish; JetStream dedupes by message id).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2_256, cryptoReady, fromHex, keyFromUri, toHex, type KeyPair } from '@balanceai/chain';
import { Devnet, chainStreamName } from '@balanceai/testing';
import {
  Gateway,
  buildTransfer,
  chainInfo,
  compareStores,
  ledgerCheck,
  poll,
  sleep,
  storedHeight,
  validatorHeight,
  withDb,
  type ChainInfo,
} from './client.js';

const N = 4;
let net: Devnet;
let gw: Gateway;
let info: ChainInfo;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: N, extraAccounts: 10 });
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  await gw.waitHeight(3, 30_000);
});

after(async () => {
  await net?.stop();
});

const admin = () => net.postgres.adminUrl;
const all = Array.from({ length: N }, (_, i) => i);

/** Highest block stored by any of the given validators (read from their databases, so it works whoever is down). */
async function maxStored(validators: number[]): Promise<number> {
  return Math.max(...(await Promise.all(validators.map((i) => storedHeight(admin(), i)))));
}

async function assertNoConflicts(validators: number[]): Promise<number> {
  const { common, conflicts } = await compareStores(admin(), validators);
  assert.deepEqual(conflicts, [], `validators ${validators.join(',')} disagree`);
  return common;
}

/** Waits until every validator's own finalized height (its /readyz) is within `spread` of the highest. */
async function waitConverged(spread: number, timeoutMs: number): Promise<number[]> {
  return poll(
    `all validators within ${spread} blocks of each other`,
    async () => {
      const hs = await Promise.all(all.map((i) => validatorHeight(net.validatorHttpUrl(i))));
      return Math.max(...hs) - Math.min(...hs) <= spread ? hs : undefined;
    },
    timeoutMs,
    500,
  );
}

test('one validator crashed (SIGKILL): 3 of 4 keep finalizing', async () => {
  await net.kill(3);
  const h0 = await maxStored([0, 1, 2]);
  const t0 = Date.now();
  await poll('3 more blocks with validator 3 down', async () => ((await maxStored([0, 1, 2])) >= h0 + 3 ? true : undefined), 30_000);
  console.log(`# 1 down: 3 blocks in ${Date.now() - t0} ms`);
  await assertNoConflicts([0, 1, 2]);
});

test('a second validator crashed: finality stops (height flat for 6 s) and the live validators hold no conflicting blocks', async () => {
  await net.kill(2);
  // a height already precommitted by 3 may still complete; then nothing more
  await sleep(3_000);
  const halted = await maxStored([0, 1]);
  await sleep(6_000);
  assert.equal(await maxStored([0, 1]), halted, 'no block finalized with 2 of 4 validators');
  const status = await gw.status();
  assert.ok(status.finalized.height <= halted, 'the gateway reports no height past the halt');
  // the crashed validators' databases, too, agree with the live ones on every height they hold
  await assertNoConflicts([0, 1]);
  await assertNoConflicts(all);
});

test('both crashed validators restart: they sync, the chain resumes, all 4 reach the same head', async () => {
  const halted = await maxStored([0, 1]);
  const t0 = Date.now();
  await Promise.all([net.restart(2), net.restart(3)]);
  await poll('3 blocks past the halt', async () => ((await maxStored(all)) >= halted + 3 ? true : undefined), 90_000, 500);
  console.log(`# resumed 3 blocks past the halt ${Date.now() - t0} ms after the restarts`);
  const hs = await waitConverged(2, 60_000);
  console.log(`# validator heights after resuming: ${hs.join(' ')}`);
  const common = await assertNoConflicts(all);
  assert.ok(common >= halted + 1, 'every validator holds blocks past the halt');
});

test('one validator paused (SIGSTOP) for 10 s: the chain goes on; after SIGCONT it catches up', async () => {
  const h0 = await maxStored([0, 2, 3]);
  net.pause(1);
  let during: number;
  try {
    await sleep(10_000);
    during = await maxStored([0, 2, 3]);
  } finally {
    net.resume(1);
  }
  assert.ok(during >= h0 + 3, `the other 3 finalized ${during - h0} blocks during the pause (expected ≥ 3)`);
  const t0 = Date.now();
  const target = await maxStored([0, 2, 3]);
  await poll(`validator 1 reaches height ${target}`, async () => ((await validatorHeight(net.validatorHttpUrl(1))) >= target ? true : undefined), 30_000, 250);
  console.log(`# paused validator (${during - h0} blocks behind at SIGCONT) caught up in ${Date.now() - t0} ms after SIGCONT`);
  await assertNoConflicts(all);
});

test('a validator crashed while ~50 transfers flow: every finalized transfer is in exactly one block everywhere, none lost, ledgers balanced', async () => {
  const senders: KeyPair[] = Array.from({ length: 10 }, (_, i) => keyFromUri(`//bench/${i}`, 'sr25519'));
  const dest = keyFromUri('//Ferdie', 'sr25519').publicKey;
  const PER_SENDER = 5;
  const txs = new Map<string, string>(); // hash → hex, every transfer built (accepted or not)
  let accepted = 0;
  const refused: string[] = [];
  const startNonce = await Promise.all(senders.map(async (s) => (await gw.account(toHex(s.publicKey))).nonce));

  const submitAll = async () => {
    for (let k = 0; k < PER_SENDER; k++) {
      await Promise.all(
        senders.map(async (from, i) => {
          const hex = buildTransfer(info, { from, dest, value: 1_000_000_000_000_000n + BigInt(k), nonce: startNonce[i]! + k });
          const hash = toHex(blake2_256(fromHex(hex)));
          txs.set(hash, hex);
          try {
            const r = await gw.submit(hex);
            if (r.status === 202) {
              assert.equal(r.body.hash, hash);
              accepted++;
            } else refused.push(`${r.status} ${r.body.code}`);
          } catch (err) {
            refused.push(String(err));
          }
        }),
      );
      await sleep(300);
    }
  };
  const crash = async () => {
    await sleep(700);
    await net.kill(0); // the gateway's first (preferred) validator
    await sleep(3_000);
    await net.restart(0);
  };
  await Promise.all([submitAll(), crash()]);
  console.log(`# ${accepted} of ${txs.size} accepted, ${refused.length} refused during the crash: ${refused.slice(0, 5).join('; ')}`);
  assert.ok(accepted >= 30, `most submissions accepted through the gateway's failover (${accepted} of ${txs.size})`);

  // Transfers that were finalized before or during the crash
  const finalizedEarly = new Set<string>();
  for (const hash of txs.keys()) {
    const x = await gw.extrinsic(hash);
    if (x.state === 'finalized') finalizedEarly.add(hash);
  }

  // A wallet resubmits what the network forgot (accepted by the crashed validator, never gossiped) and
  // what was refused while it crashed; then every transfer must be finalized.
  const pending = async () => {
    const open: string[] = [];
    for (const [hash, hex] of txs) {
      const x = await gw.extrinsic(hash);
      if (x.state === 'failed') assert.fail(`transfer ${hash} failed: ${JSON.stringify(x.error)}`);
      if (x.state !== 'finalized') open.push(hex);
    }
    return open;
  };
  await poll(
    'every accepted transfer finalized',
    async () => {
      const open = await pending();
      if (open.length === 0) return true;
      for (const hex of open) await gw.submit(hex); // ALREADY_IMPORTED / STALE_NONCE answers are fine here
      return undefined;
    },
    90_000,
    2_000,
  );

  await waitConverged(2, 60_000);
  const height = Math.min(...(await Promise.all(all.map((i) => storedHeight(admin(), i)))));
  await assertNoConflicts(all);

  // Each database: every applied hash exactly once, at the same height in all of them.
  const applied = await Promise.all(
    all.map((i) =>
      withDb(admin(), i, async (c) => {
        const dup = await c.query(
          "SELECT encode(hash, 'hex') AS h, COUNT(*)::int AS n FROM consensus.extrinsic_result WHERE applied GROUP BY hash HAVING COUNT(*) > 1",
        );
        assert.deepEqual(dup.rows, [], `validator ${i}: an extrinsic applied twice`);
        const r = await c.query<{ h: string; height: string }>(
          "SELECT '0x' || encode(hash, 'hex') AS h, height::text AS height FROM consensus.extrinsic_result WHERE applied AND height <= $1",
          [height],
        );
        return new Map(r.rows.map((row) => [row.h, Number(row.height)]));
      }),
    ),
  );
  for (const hash of txs.keys()) {
    const heights = applied.map((m) => m.get(hash));
    assert.ok(heights[0] !== undefined, `transfer ${hash} applied`);
    assert.deepEqual(heights, all.map(() => heights[0]), `transfer ${hash} at the same height on every validator`);
  }
  for (const hash of finalizedEarly) assert.ok(applied[0]!.has(hash), 'a transfer finalized before the restart is still there');
  assert.deepEqual(new Set(applied[0]!.keys()), new Set(applied[1]!.keys()));

  // Nonces moved by exactly the number of transfers; ledgers balanced on every validator.
  for (let i = 0; i < senders.length; i++) {
    const a = await gw.account(toHex(senders[i]!.publicKey));
    assert.equal(a.nonce, startNonce[i]! + PER_SENDER);
  }
  for (const i of all) {
    const c = await ledgerCheck(admin(), i);
    assert.equal(c.balances, c.issuance, `validator ${i} at height ${c.height}`);
  }
  console.log(`# ${txs.size} transfers, ${finalizedEarly.size} finalized before the wallet resubmitted; converged at height ${height}`);
});

test('through the crashes, the event stream holds every finalized block and each of its events', async () => {
  const height = await assertNoConflicts(all);
  // A follower covers a block whose proposer died 2 s after committing it: give the last ones that time.
  await sleep(3_000);
  const stream = chainStreamName(net.genesis.chainId);
  const jsInfo = await net.nats.jetstream(`$JS.API.STREAM.INFO.${stream}`);
  const state = jsInfo.state as { first_seq: number; last_seq: number };
  const blocks = new Map<number, string>(); // height → hash of its blocks.finalized message
  const eventIds = new Map<string, Set<number>>(); // block hash → event indices seen
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const r = await net.nats.jetstream(`$JS.API.STREAM.MSG.GET.${stream}`, { seq });
    const m = r.message as { subject: string; hdrs?: string; data?: string } | undefined;
    if (!m) continue;
    const id = /Nats-Msg-Id:\s*(\S+)/i.exec(Buffer.from(m.hdrs ?? '', 'base64').toString('utf8'))?.[1] ?? '';
    if (m.subject.endsWith('.blocks.finalized')) {
      const b = JSON.parse(Buffer.from(m.data ?? '', 'base64').toString('utf8')) as { number: number; hash: string };
      assert.equal(id, b.hash);
      blocks.set(b.number, b.hash);
    } else if (m.subject.includes('.events.')) {
      const [hash, index] = id.split(':');
      const seen = eventIds.get(hash!) ?? new Set<number>();
      seen.add(Number(index));
      eventIds.set(hash!, seen);
    }
  }
  const stored = await withDb(admin(), 1, async (c) => {
    const r = await c.query<{ height: string; hash: string; n: string }>(
      `SELECT b.height::text, '0x' || encode(b.hash, 'hex') AS hash,
         (jsonb_array_length(b.events) + COALESCE((SELECT SUM(jsonb_array_length(x.events)) FROM consensus.extrinsic_result x WHERE x.height = b.height), 0))::text AS n
       FROM consensus.block b WHERE b.height BETWEEN 1 AND $1 ORDER BY b.height`,
      [height],
    );
    return r.rows.map((row) => ({ height: Number(row.height), hash: row.hash, events: Number(row.n) }));
  });
  const missing = stored.filter((b) => blocks.get(b.height) !== b.hash).map((b) => b.height);
  assert.deepEqual(missing, [], 'finalized blocks missing from the stream');
  const incomplete = stored
    .filter((b) => (eventIds.get(b.hash)?.size ?? 0) !== b.events)
    .map((b) => `#${b.height}: ${eventIds.get(b.hash)?.size ?? 0} of ${b.events} events`);
  assert.deepEqual(incomplete, [], 'blocks whose events are not all on the stream');
  console.log(`# stream: ${stored.length} blocks and ${stored.reduce((n, b) => n + b.events, 0)} events, all present`);
});
