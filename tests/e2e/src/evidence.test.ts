// Byzantine behaviour: a validator key that signs two conflicting prevotes at the same height and round
// produces evidence that the next proposers put into exactly one block, with a Consensus.Equivocation
// event naming the offender. Votes that do not verify (wrong key) produce no evidence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady } from '@balanceai/chain';
import { Devnet, doubleVote } from '@balanceai/testing';
import { Gateway, poll, sleep, withDb, type BlockJson } from './client.js';

let net: Devnet;
let gw: Gateway;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: 4 });
  gw = new Gateway(net.gatewayUrl);
  await gw.waitHeight(2, 30_000);
});

after(async () => {
  await net?.stop();
});

function equivocations(b: BlockJson, validator: number, height?: number) {
  return b.events.filter(
    (e) => e.module === 'Consensus' && e.name === 'Equivocation' && e.data.validator === validator && (height === undefined || e.data.height === height),
  );
}

/** Blocks in [from, to] that carry evidence against `validator` (for its votes at `height`, when given). */
async function blocksWithEvidence(from: number, to: number, validator: number, height?: number): Promise<BlockJson[]> {
  const out: BlockJson[] = [];
  for (let n = from; n <= to; n++) {
    const b = await gw.block(n);
    if (b.evidenceCount > 0 && equivocations(b, validator, height).length > 0) out.push(b);
  }
  return out;
}

/** Publishes a double prevote at the height and round being decided now; retried over a few heights. */
async function equivocate(validatorIndex: number, validatorKey: string): Promise<{ height: number; round: number; fromBlock: number }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const s = await gw.status();
    await doubleVote({
      natsUrl: net.nats.url,
      chainId: net.genesis.chainId,
      genesisHash: s.genesisHash,
      validatorKey,
      validatorIndex,
      height: s.consensus.height,
      round: s.consensus.round,
    });
    // an honest validator records what it saw in consensus.evidence before a proposer includes it
    const seen = await poll(
      'evidence recorded',
      async () => {
        const rows = await withDb(net.postgres.adminUrl, 0, (c) =>
          c.query('SELECT height::text AS h FROM consensus.evidence WHERE validator = $1', [validatorIndex]),
        );
        return rows.rowCount ? true : undefined;
      },
      3_000,
    ).catch(() => false);
    if (seen) return { height: s.consensus.height, round: s.consensus.round, fromBlock: s.finalized.height + 1 };
  }
  throw new Error('no validator recorded the double vote after 5 attempts');
}

test('votes signed with the wrong key for validator 2 are ignored: no evidence', async () => {
  const from = (await gw.height()) + 1;
  for (let k = 0; k < 3; k++) {
    const s = await gw.status();
    await doubleVote({
      natsUrl: net.nats.url,
      chainId: net.genesis.chainId,
      genesisHash: s.genesisHash,
      validatorKey: net.validatorKeys[1]!, // validator 1's key, claiming to be validator 2
      validatorIndex: 2,
      height: s.consensus.height,
      round: s.consensus.round,
    });
    await sleep(1_000);
  }
  const to = await gw.waitHeight(from + 5, 30_000);
  assert.deepEqual(await blocksWithEvidence(from, to, 2), []);
  const rows = await withDb(net.postgres.adminUrl, 0, (c) => c.query('SELECT 1 FROM consensus.evidence WHERE validator = 2'));
  assert.equal(rows.rowCount, 0);
});

test('a double prevote by validator 3 lands as evidence in exactly one block within ~20 s, with a Consensus.Equivocation event', async () => {
  const t0 = Date.now();
  const { height, round, fromBlock } = await equivocate(3, net.validatorKeys[3]!);
  const found = await poll(
    'a block carrying the evidence',
    async () => {
      const to = await gw.height();
      const blocks = await blocksWithEvidence(fromBlock, to, 3, height);
      return blocks.length > 0 ? blocks[0] : undefined;
    },
    20_000,
    500,
  );
  console.log(`# evidence for height ${height} round ${round} included in block ${found.number} after ${Date.now() - t0} ms`);
  const [event] = equivocations(found, 3, height);
  assert.deepEqual(event!.data, { validator: 3, height, round, voteType: 'prevote' });
  assert.ok(found.number > height, 'evidence goes into a later block than the one it concerns');

  // exactly once: 5 more blocks later, no other block repeats it, and every validator marked it included
  const to = await gw.waitHeight(found.number + 5, 30_000);
  const all = await blocksWithEvidence(fromBlock, to, 3, height);
  assert.deepEqual(
    all.map((b) => b.number),
    [found.number],
    `the same equivocation (validator 3, height ${height}, round ${round}) was included more than once: ` +
      JSON.stringify(all.map((b) => ({ block: b.number, proposer: b.proposerIndex, events: equivocations(b, 3, height) }))),
  );
  for (let i = 0; i < 4; i++) {
    const r = await withDb(net.postgres.adminUrl, i, (c) =>
      c.query<{ inc: string | null }>('SELECT included_in::text AS inc FROM consensus.evidence WHERE validator = 3 AND height = $1', [height]),
    );
    for (const row of r.rows) assert.equal(row.inc, String(found.number), `validator ${i}: evidence marked included in block ${found.number}`);
  }
});
