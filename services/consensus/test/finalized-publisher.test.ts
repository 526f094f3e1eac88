// The event stream on a real NATS JetStream: a finalized block is published once, by its proposer (events,
// then the block message), and reaches the stream whole when the proposer died right after committing it
// (a follower notices its copy is missing and publishes it), with no duplicates either way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions, startNats, type NatsServer } from '@balanceai/testing';
import type { Block, Commit } from '../src/block/block.js';
import { FinalizedPublisher, streamName } from '../src/events/finalized-publisher.js';
import type { ExtrinsicOutcome } from '../src/ledger/executor.js';
import type { LedgerEvent } from '../src/ledger/ledger.js';

const FALLBACK_MS = 300;
const NOW = 1_700_000_000_000;
const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0').repeat(32)}`;

function block(number: number): Block {
  return {
    number,
    hash: hex(number),
    header: { parentHash: new Uint8Array(32), stateRoot: new Uint8Array(32).fill(7) },
    meta: { timeMs: NOW + number, proposer: 0, round: 0 },
    extrinsics: [new Uint8Array(4), new Uint8Array(4)],
    evidence: [],
  } as unknown as Block;
}
const commit = { precommits: [{ validator: 0 }, { validator: 1 }, { validator: 2 }] } as unknown as Commit;

function outcome(index: number): ExtrinsicOutcome {
  return {
    index,
    hash: hex(0x70 + index),
    signer: hex(0xa1),
    nonce: index,
    call: 'Balances.transfer_keep_alive',
    args: {},
    applied: true,
    success: true,
    errorCode: null,
    errorMessage: null,
    fee: 1n,
    events: [
      { module: 'TransactionPayment', name: 'TransactionFeePaid', data: { who: hex(0xa1), actualFee: '1', tip: '0' } },
      { module: 'Balances', name: 'Transfer', data: { from: hex(0xa1), to: hex(0xb0), amount: '5' } },
      { module: 'System', name: 'ExtrinsicSuccess', data: {} },
    ],
  };
}
const outcomes = [outcome(0), outcome(1)];
const blockEvents: LedgerEvent[] = [{ module: 'Emissions', name: 'Minted', data: { amount: '10' } }];
const EVENTS = 1 + 2 * 3;

describe('FinalizedPublisher: one copy per block, a follower covers a dead proposer', () => {
  let nats: NatsServer;
  const conns: NatsConnection[] = [];
  const publishers: FinalizedPublisher[] = [];
  let jsm: JetStreamManager;

  before(async () => {
    nats = await startNats();
    for (let i = 0; i < 3; i++) conns.push(await connect(natsConnectOptions(nats.url)));
    jsm = await jetstreamManager(conns[0]!);
  });

  after(async () => {
    for (const p of publishers) p.close();
    for (const c of conns) await c.close();
    await nats?.stop();
  });

  /** A validator's publisher on its own connection (0 = the proposer's). */
  async function validators(chainId: string): Promise<FinalizedPublisher[]> {
    const ps = conns.map((nc) => new FinalizedPublisher(nc, chainId, 1, FALLBACK_MS, () => NOW + 1_000));
    publishers.push(...ps);
    for (const p of ps) await p.ensureStream();
    return ps;
  }

  /** Every message of the chain's stream in stream order: subject, message id, JSON body. */
  async function streamed(chainId: string): Promise<Array<{ subject: string; id: string; body: Record<string, unknown> }>> {
    const name = streamName(chainId);
    const info = await jsm.streams.info(name);
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(name, { seq });
      if (!m) continue;
      out.push({ subject: m.subject, id: m.header.get('Nats-Msg-Id'), body: m.json<Record<string, unknown>>() });
    }
    return out;
  }

  const settle = () => new Promise((r) => setTimeout(r, FALLBACK_MS + 700));

  it('the proposer publishes the block message then its events; the followers find them there and add nothing', async () => {
    const [proposer, ...followers] = await validators('pub-alive');
    proposer!.publish(block(1), commit, outcomes, blockEvents, true);
    for (const f of followers) f.publish(block(1), commit, outcomes, blockEvents, false);
    await settle();
    const msgs = await streamed('pub-alive');
    assert.equal(msgs.length, EVENTS + 1);
    assert.deepEqual(
      msgs.map((m) => m.id),
      [hex(1), ...Array.from({ length: EVENTS }, (_, i) => `${hex(1)}:${i}`)],
      'the block message, then its events in order',
    );
    assert.equal(msgs[0]!.subject, 'bai.pub-alive.blocks.finalized');
    assert.equal(msgs[0]!.body.number, 1);
    assert.deepEqual(msgs[EVENTS]!.body, {
      blockNumber: 1,
      blockHash: hex(1),
      module: 'System',
      name: 'ExtrinsicSuccess',
      data: {},
      extrinsicHash: hex(0x71),
    });
    assert.deepEqual(msgs[1], {
      subject: 'bai.pub-alive.events.Emissions.Minted',
      id: `${hex(1)}:0`,
      body: { blockNumber: 1, blockHash: hex(1), module: 'Emissions', name: 'Minted', data: { amount: '10' } },
    });
    assert.deepEqual(msgs[3]!.body, {
      blockNumber: 1,
      blockHash: hex(1),
      module: 'Balances',
      name: 'Transfer',
      data: { from: hex(0xa1), to: hex(0xb0), amount: '5' },
      extrinsicHash: hex(0x70),
    });
  });

  it('a block whose proposer died after committing reaches the stream whole, once, from the followers', async () => {
    const [, ...followers] = await validators('pub-dead');
    // validator 0 proposed block 2 and was killed before publishing: only the followers run.
    for (const f of followers) f.publish(block(2), commit, outcomes, blockEvents, false);
    await settle();
    const msgs = await streamed('pub-dead');
    assert.equal(msgs.length, EVENTS + 1, 'the block message and every event, each once');
    assert.deepEqual(new Set(msgs.map((m) => m.id)), new Set([hex(2), ...Array.from({ length: EVENTS }, (_, i) => `${hex(2)}:${i}`)]));
    const blockMsg = msgs.find((m) => m.subject === 'bai.pub-dead.blocks.finalized');
    assert.equal(blockMsg?.body.hash, hex(2));
  });

  it('a proposer that died part-way through its messages: a follower fills in the rest, each message once', async () => {
    const [proposer, ...followers] = await validators('pub-partial');
    // What got out before the crash: the block message and the events of the block and of extrinsic 0.
    proposer!.publish(block(7), commit, [outcomes[0]!], blockEvents, true);
    for (const f of followers) f.publish(block(7), commit, outcomes, blockEvents, false);
    await settle();
    const ids = (await streamed('pub-partial')).map((m) => m.id);
    assert.equal(ids.length, EVENTS + 1);
    assert.deepEqual(new Set(ids), new Set([hex(7), ...Array.from({ length: EVENTS }, (_, i) => `${hex(7)}:${i}`)]));
  });

  it('a block without events: the followers probe with the block message itself', async () => {
    const [proposer, follower] = await validators('pub-quiet');
    const quiet = outcomes.map((o) => ({ ...o, events: [] }));
    proposer!.publish(block(5), commit, quiet, [], true);
    follower!.publish(block(5), commit, quiet, [], false);
    await settle();
    assert.deepEqual((await streamed('pub-quiet')).map((m) => m.id), [hex(5)]);
    const [, lone] = await validators('pub-quiet-dead');
    lone!.publish(block(6), commit, quiet, [], false);
    await settle();
    assert.deepEqual((await streamed('pub-quiet-dead')).map((m) => m.id), [hex(6)]);
  });

  it('a block synced long after it was finalized is not published again (the stream could not dedupe it)', async () => {
    const [proposer, follower] = await validators('pub-old');
    const old = { ...block(4), meta: { timeMs: NOW - 61_000, proposer: 0, round: 0 } } as Block;
    proposer!.publish(old, commit, outcomes, blockEvents, true);
    follower!.publish(old, commit, outcomes, blockEvents, false);
    await settle();
    assert.equal((await streamed('pub-old')).length, 0);
  });

  it('a proposer slower than the fallback adds nothing to what a follower already published', async () => {
    const [proposer, follower] = await validators('pub-late');
    follower!.publish(block(3), commit, outcomes, blockEvents, false);
    await settle();
    proposer!.publish(block(3), commit, outcomes, blockEvents, true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await streamed('pub-late')).length, EVENTS + 1);
  });
});
