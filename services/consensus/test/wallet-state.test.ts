// Storage and runtime calls on a real node (a one-validator devnet: consensus, its PostgreSQL, NATS and the
// emissions and staking modules, each its own process), over its gRPC: after transfers, System.Account at
// an older block is the account as it was then, the head's is today's; the transfer's block has its
// events; module pallets are read from the module at the block's height.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { Vec } from '@polkadot/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { unwrapStorageType } from '@polkadot/types/util';
import {
  IMMORTAL,
  ONE_BAI,
  cryptoReady,
  encodeTransfer,
  fromHex,
  genesisHash,
  genesisMetadata,
  keyFromUri,
  parseAccountId,
  signExtrinsic,
  storageMapKey,
  storagePrefix,
  toHex,
  type KeyPair,
} from '@balanceai/chain';
import { protoFile } from '@balanceai/contracts';
import { Devnet, GrpcTestClient, expectGrpcError, waitFor } from '@balanceai/testing';
import { accountStorageKey } from '../src/state/account-keys.js';

let net: Devnet;
let grpc: GrpcTestClient;
let registry: TypeRegistry;
let query: ReturnType<typeof expandMetadata>['query'];
let alice: KeyPair;
let bob: KeyPair;

interface Status {
  finalizedHeight: string;
  finalizedHash: string;
}
interface Entry {
  key: string;
  present: boolean;
  value: string;
}
type AccountInfo = { nonce: { toNumber(): number }; data: { free: { toBigInt(): bigint } } };

const status = () => grpc.call<Status>('GetChainStatus', {});
const read = (at: string, keys: string[]) => grpc.call<{ at: string; height: string; entries: Entry[] }>('ReadStorage', { at, keys });
const account = (entry: Entry) => registry.createType(unwrapStorageType(registry, query.system!.account!.meta.type), fromHex(entry.value)) as unknown as AccountInfo;

async function finalized(hash: string): Promise<{ blockNumber: string; blockHash: string; index: number }> {
  return waitFor(
    `extrinsic ${hash} finalized`,
    async () => {
      const x = await grpc.call<{ state: number; blockNumber: string; blockHash: string; index: number }>('GetExtrinsic', { hash });
      return x.blockHash ? x : undefined;
    },
    60_000,
    200,
  );
}

describe('wallet state on a real node', () => {
  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
    bob = keyFromUri('//Bob', 'sr25519');
    net = await Devnet.start({ validators: 1, gateway: false, modules: ['emissions', 'staking'], blockTimeMs: 300 });
    grpc = new GrpcTestClient(net.validatorGrpcUrl(0), 'balanceai.consensus.v1.ConsensusService', protoFile('consensus'));
    registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(net.genesis));
    registry.setMetadata(metadata);
    query = expandMetadata(registry, metadata).query;
    await waitFor('block 1', async () => (Number((await status()).finalizedHeight) >= 1 ? true : undefined), 60_000);
  });

  after(async () => {
    grpc?.close();
    await net?.stop();
  });

  it('reads System.Account as it was at an older block and as it is at the head; the transfer block has its events', async () => {
    const before = await status();
    const aliceKey = accountStorageKey(toHex(alice.publicKey));
    const hash = genesisHash(net.genesis);
    const hashes: string[] = [];
    for (let nonce = 0; nonce < 3; nonce++) {
      const xt = signExtrinsic(alice, encodeTransfer('keep_alive', bob.publicKey, 5n * ONE_BAI), { era: IMMORTAL, nonce, tip: 0n }, {
        specVersion: net.genesis.params.specVersion,
        transactionVersion: net.genesis.params.transactionVersion,
        genesisHash: hash,
        birthHash: hash,
      });
      hashes.push((await grpc.call<{ hash: string }>('SubmitExtrinsic', { extrinsic: toHex(xt) })).hash);
    }
    const included = await Promise.all(hashes.map(finalized));

    const old = await read(before.finalizedHash, [aliceKey]);
    const head = await read('', [aliceKey]);
    assert.equal(old.at, before.finalizedHash);
    assert.equal(old.height, before.finalizedHeight);
    const [then, now] = [account(old.entries[0]!), account(head.entries[0]!)];
    assert.equal(then.nonce.toNumber(), 0, 'before the transfers');
    assert.equal(now.nonce.toNumber(), 3);
    assert.ok(then.data.free.toBigInt() - now.data.free.toBigInt() > 15n * ONE_BAI, 'three transfers of 5 BAI and their fees');
    const viaAccount = await grpc.call<{ free: string }>('GetAccount', { address: toHex(alice.publicKey) });
    assert.equal(now.data.free.toBigInt(), BigInt(viaAccount.free), 'the head is the committed ledger');

    // The nonce through the runtime API agrees, at the head and at the older block.
    const nonceAt = async (at: string) =>
      registry.createType('u32', fromHex((await grpc.call<{ result: string }>('RuntimeCall', { at, method: 'AccountNonceApi_account_nonce', data: toHex(alice.publicKey) })).result)).toNumber();
    assert.deepEqual([await nonceAt(''), await nonceAt(before.finalizedHash)], [3, 0]);

    // System.Events of the first transfer's block: its Transfer under ApplyExtrinsic(its index).
    const first = included[0]!;
    const events = await read(first.blockHash, [toHex(storagePrefix('System', 'Events'))]);
    const records = registry.createType<Vec<EventRecord>>(unwrapStorageType(registry, query.system!.events!.meta.type), fromHex(events.entries[0]!.value));
    const transfer = records.find((r) => r.event.section === 'balances' && r.event.method === 'Transfer');
    assert.ok(transfer, 'a Balances.Transfer event');
    assert.equal(transfer.phase.asApplyExtrinsic.toNumber(), first.index);
  });

  it('reads a module pallet at an older block from the module, and refuses a block it never finalized', async () => {
    const stash = parseAccountId(net.genesis.validators[0]!.stash);
    const bonded = toHex(storageMapKey('Staking', 'Bonded', ['Twox64Concat', stash]));
    const start = await status();
    await waitFor('two more blocks', async () => (Number((await status()).finalizedHeight) >= Number(start.finalizedHeight) + 2 ? true : undefined), 30_000);
    const old = await read(start.finalizedHash, [bonded, toHex(storagePrefix('System', 'Number'))]);
    assert.equal(old.entries[0]!.present, true, 'the genesis validator is bonded (read from the staking module)');
    assert.equal(toHex(fromHex(old.entries[0]!.value)), toHex(stash), 'its controller is its stash');
    assert.equal(registry.createType('u32', fromHex(old.entries[1]!.value)).toNumber(), Number(start.finalizedHeight));
    const keys = await grpc.call<{ keys: string[] }>('StorageKeys', { at: start.finalizedHash, prefix: toHex(storagePrefix('Staking', 'Bonded')), count: 10, startKey: '' });
    assert.ok(keys.keys.includes(bonded));
    assert.deepEqual(await expectGrpcError(read(`0x${'ab'.repeat(32)}`, [bonded])), { code: 5, domain: 'UNKNOWN_BLOCK' });
  });
});
