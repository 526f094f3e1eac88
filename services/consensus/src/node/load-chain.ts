import { encodeHeader, genesisHeader, headerHash, parseAccountId, toHex, type Genesis } from '@balanceai/chain';
import { decodeJustification } from '../block/block.js';
import { decodeEvidencePair, EVIDENCE_MAX_AGE_BLOCKS, type EvidencePool } from '../evidence/evidence-pool.js';
import { Ledger } from '../ledger/ledger.js';
import type { NodeStore, StoredBlock } from '../store/store.js';
import { ChainView, RECENT_HASHES } from './chain-view.js';
import { ValidatorSets } from './validator-sets.js';

/** The committed state does not hold together: the node refuses to start rather than guess. */
export class StateCorrupt extends Error {}

/**
 * Reads the committed chain from the store (writing genesis on first start): ledger, head, recent block
 * hashes, validator sets and evidence. Checks the ledger against the stored issuance.
 */
export async function loadChain(store: NodeStore, genesis: Genesis, genesisHash: Uint8Array, sets: ValidatorSets, evidence: EvidencePool): Promise<ChainView> {
  let state = await store.chainState();
  if (!state) {
    const header = genesisHeader(genesis);
    const balances = genesis.balances.map((b) => ({ id: toHex(parseAccountId(b.address)), free: b.free }));
    const ledger = Ledger.fromBalances(balances, genesis.params.existentialDeposit);
    const genesisBlock: StoredBlock = {
      height: 0,
      hash: toHex(headerHash(header)),
      header: encodeHeader(header),
      body: new Uint8Array([0]),
      justification: new Uint8Array([0]),
      timeMs: genesis.genesisTimeMs,
      round: 0,
      proposer: 0,
      // Modules join from block 1: the genesis state root is the ledger's alone.
      appHash: ledger.root(),
      events: [],
    };
    await store.initGenesis(genesisBlock, balances, ledger.totalIssuance);
    state = await store.chainState();
    if (!state) throw new StateCorrupt('genesis state was not written');
  }
  const ledger = Ledger.fromBalances(await store.loadAccounts(), genesis.params.existentialDeposit);
  if (ledger.totalIssuance !== state.totalIssuance) {
    throw new StateCorrupt(`ledger invariant broken at start-up: balances sum ${ledger.totalIssuance} != issuance ${state.totalIssuance}`);
  }
  const last = await store.blockByHeight(state.height);
  if (!last || last.hash !== toHex(state.blockHash)) throw new StateCorrupt(`the block store has no block ${state.height} matching the chain state`);
  const chain = new ChainView(
    {
      height: state.height,
      blockHash: state.blockHash,
      timeMs: last.timeMs,
      appHash: state.appHash,
      lastCommit: state.height > 0 ? decodeJustification(last.justification) : null,
    },
    ledger,
    await store.recentBlockHashes(RECENT_HASHES),
    genesisHash,
  );
  for (const set of await store.validatorSets()) sets.add(ValidatorSets.fromJson(set));
  for (const e of await store.includedEvidence(Math.max(0, state.height - EVIDENCE_MAX_AGE_BLOCKS))) evidence.restoreIncluded(e.id, e.height);
  for (const e of await store.pendingEvidence()) evidence.add(decodeEvidencePair(e.votes), state.height + 1);
  return chain;
}
