// The event stream on a real NATS JetStream: every validator publishes each finalized block (the block
// message, then its events); the stream keeps one copy of each message, and the block reaches it whole
// when its proposer died right after committing it, or when a validator's copy was cut short.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions, startNats, type NatsServer } from '@balanceai/testing';
import type { Block, Commit } from '../src/block/block.js';
import { FinalizedPublisher, streamName } from '../src/events/finalized-publisher.js';
import type { ExtrinsicOutcome } from '../src/ledger/executor.js';
import type { LedgerEvent } from '../src/ledger/ledger.js';

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

describe('FinalizedPublisher: every validator publishes, the stream keeps one copy', () => {
  let nats: NatsServer;
  const conns: NatsConnection[] = [];
  let jsm: JetStreamManager;

  before(async () => {
    nats = await startNats();
    for (let i = 0; i < 3; i++) conns.push(await connect(natsConnectOptions(nats.url)));
    jsm = await jetstreamManager(conns[0]!);
  });

  after(async () => {
    for (const c of conns) await c.close();
    await nats?.stop();
  });

  /** A validator's publisher on its own connection. */
  async function validators(chainId: string): Promise<FinalizedPublisher[]> {
    const ps = conns.map((nc) => new FinalizedPublisher(nc, chainId, 1, () => NOW + 1_000));
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

  const settle = async () => {
    for (const c of conns) await c.flush();
    await new Promise((r) => setTimeout(r, 200));
  };
  const allIds = (h: string) => [h, ...Array.from({ length: EVENTS }, (_, i) => `${h}:${i}`)];

  it('each validator publishes the block message then its events; the stream holds each once, in order', async () => {
    for (const p of await validators('pub-all')) p.publish(block(1), commit, outcomes, blockEvents);
    await settle();
    const msgs = await streamed('pub-all');
    assert.deepEqual(msgs.map((m) => m.id), allIds(hex(1)), 'the block message, then its events in order, each once');
    assert.equal(msgs[0]!.subject, 'bai.pub-all.blocks.finalized');
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
      subject: 'bai.pub-all.events.Emissions.Minted',
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

  it('a block whose proposer died after committing reaches the stream whole, once, from the others', async () => {
    const [, ...others] = await validators('pub-dead');
    for (const p of others) p.publish(block(2), commit, outcomes, blockEvents);
    await settle();
    assert.deepEqual((await streamed('pub-dead')).map((m) => m.id), allIds(hex(2)));
  });

  it("a validator's copy cut short (it died part-way, or publishes were dropped): another's fills in the rest", async () => {
    const [cut, other] = await validators('pub-partial');
    cut!.publish(block(7), commit, [outcomes[0]!], blockEvents); // got out: the block message, the block's and extrinsic 0's events
    other!.publish(block(7), commit, outcomes, blockEvents);
    await settle();
    const ids = (await streamed('pub-partial')).map((m) => m.id);
    assert.deepEqual(new Set(ids), new Set(allIds(hex(7))));
    assert.equal(ids.length, EVENTS + 1);
  });

  it('a node that is not among the block\'s publishers sends nothing', async () => {
    for (const p of await validators('pub-not-mine')) p.publish(block(8), commit, outcomes, blockEvents, false);
    await settle();
    assert.equal((await streamed('pub-not-mine')).length, 0);
  });

  it('a block synced long after it was finalized is not published again (the stream could not dedupe it)', async () => {
    const old = { ...block(4), meta: { timeMs: NOW - 61_000, proposer: 0, round: 0 } } as Block;
    for (const p of await validators('pub-old')) p.publish(old, commit, outcomes, blockEvents);
    await settle();
    assert.equal((await streamed('pub-old')).length, 0);
  });
});
