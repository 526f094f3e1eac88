import { genesisMetadata, runtimePallets, toHex, type Genesis } from '@balanceai/chain';
import { chainParamsOf } from '../ledger/params.js';
import type { ConsensusNode } from '../node/consensus-node.js';
import { RuntimeCalls } from '../runtime/runtime-calls.js';
import { BlockEvents, palletEvents } from '../state/block-events.js';
import { BalancesStorage, SystemStorage } from '../state/ledger-storage.js';
import { ModuleStorage } from '../state/module-storage.js';
import { StorageRouter } from '../state/storage-router.js';
import { TimestampStorage } from '../state/timestamp-storage.js';
import type { StorageSource } from '../state/storage-source.js';
import type { ConsensusStore } from '../store/store.js';

type StateStore = Pick<ConsensusStore, 'heightOfHash' | 'blockHashAt' | 'blockEvents' | 'extrinsicEvents'>;

export interface StateServices {
  storage: StorageRouter;
  runtime: RuntimeCalls;
  /** Runtime metadata of a version served (14, 15), built once. */
  metadata(version: number): Uint8Array | undefined;
}

/** The metadata bytes of each version served, built once. */
function metadataCache(g: Genesis): (version: number) => Uint8Array | undefined {
  const built = new Map<number, Uint8Array>();
  return (version) => {
    if (version !== 14 && version !== 15) return undefined;
    let m = built.get(version);
    if (!m) built.set(version, (m = genesisMetadata(g, version)));
    return m;
  };
}

/**
 * Storage reads and runtime calls over a started node: System and Balances from its committed ledger
 * and state window, Timestamp from its blocks' times, every module's pallets from that module, block
 * hashes and events from the store.
 */
export function stateServices(node: ConsensusNode, store: StateStore, genesis: { genesis: Genesis; hash: Uint8Array }): StateServices {
  const chain = () => node.committed;
  const events = new BlockEvents(
    { blockEvents: (h) => store.blockEvents(h), extrinsicEvents: (h) => store.extrinsicEvents(h) },
    palletEvents(runtimePallets(genesis.genesis)),
  );
  const system = new SystemStorage({
    chain,
    blockHash: async (n) => {
      const recent = node.committed.blockHashAt(n);
      return recent ? toHex(recent) : store.blockHashAt(n);
    },
    events: (height) => events.at(height),
  });
  let sources: StorageSource[] | null = null;
  const storage = new StorageRouter({
    chain,
    heightOfHash: (hash) => store.heightOfHash(hash),
    sources: () =>
      (sources ??= [
        system,
        new BalancesStorage(chain),
        new TimestampStorage(chain),
        ...(node.modules?.storageClients ?? []).map((m) => new ModuleStorage(m.pallet, m.client)),
      ]),
  });
  const metadata = metadataCache(genesis.genesis);
  const runtime = new RuntimeCalls({
    params: chainParamsOf(genesis.genesis, genesis.hash),
    chain,
    nextNonce: (account, ledgerNonce) => node.mempool.nextNonce(account, ledgerNonce),
    executionContext: (height) => node.executionContext(height),
    metadata,
  });
  return { storage, runtime, metadata };
}
