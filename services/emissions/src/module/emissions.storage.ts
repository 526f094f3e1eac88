// The emissions module's state as Emissions pallet storage (libs/chain emissions-pallet.ts declares the
// items): what wallets read as `api.query.emissions.*`.
import { EMISSIONS_STORAGE, ScaleWriter, fromHex, storageMapKey, storagePrefix, type EmissionsStorageItem } from '@balanceai/chain';
import { storageView, type ModuleStorageView, type StorageEntryBytes } from '@balanceai/module-host';
import type { EmissionsModuleState, EmissionsSetup } from './emissions.machine.js';

const PALLET = 'Emissions';

const plainKey = (item: Exclude<EmissionsStorageItem, 'Minted'>): Uint8Array => storagePrefix(PALLET, item);
const u128 = (v: bigint): Uint8Array => new ScaleWriter().u128(v).finish();
const u32 = (v: number | bigint): Uint8Array => new ScaleWriter().u32(Number(v)).finish();

function* entries(setup: EmissionsSetup, state: EmissionsModuleState): Generator<StorageEntryBytes> {
  const e = state.emission;
  yield [plainKey('Issuance'), u128(e.issuance)];
  yield [plainKey('TotalMinted'), u128(e.issuance - setup.schedule.genesisIssuance)];
  yield [plainKey('Epoch'), u32(e.epoch)];
  // Block numbers are u32 on this chain (System.Number, headers); ScaleWriter refuses more rather than wrap.
  yield [plainKey('EpochStart'), u32(e.epochStartHeight)];
  // Per account: a genesis may name one account for two funds; its entry is their sum.
  const { funds } = setup;
  const minted = new Map<string, bigint>();
  const add = (account: string, amount: bigint) => minted.set(account, (minted.get(account) ?? 0n) + amount);
  add(funds.stakingPot, state.minted.stakingPot);
  add(funds.modelsGrants, state.minted.modelsGrants);
  add(funds.agentsGrants, state.minted.agentsGrants);
  add(funds.developmentFund, state.minted.developmentFund);
  for (const [account, amount] of minted) {
    yield [storageMapKey(PALLET, 'Minted', [EMISSIONS_STORAGE.Minted[0], fromHex(account, 32)]), u128(amount)];
  }
}

/** The Emissions storage of a committed state (ModuleStateMachine.storage). */
export function emissionsStorage(setup: EmissionsSetup, state: EmissionsModuleState): ModuleStorageView {
  return storageView(entries(setup, state));
}
