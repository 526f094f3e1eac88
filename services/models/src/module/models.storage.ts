// The models module's state as pallet Models storage (libs/chain models-calls.ts declares the items): the
// keys and SCALE values wallets read as `api.query.models.*`.
import { MODELS_STORAGE, PROVIDER_KIND, PROVIDER_STATUS, REPORT_REASON, ScaleWriter, fromHex, storageMapKey, storagePrefix, type ModelsStorageItem } from '@balanceai/chain';
import { storageView, type ModuleStorageView, type StorageEntryBytes } from '@balanceai/module-host';
import { totalLocked } from '../logic/calls.js';
import { type Provider, compareIds } from '../logic/types.js';
import type { ModelsState } from '../logic/types.js';
import { packWeights } from './models.state.js';

const PALLET = 'Models';

function keyOf(item: ModelsStorageItem, ...parts: Uint8Array[]): Uint8Array {
  const hashers = MODELS_STORAGE[item];
  if (parts.length !== hashers.length) throw new RangeError(`Models.${item} takes ${hashers.length} key parts, got ${parts.length}`);
  if (parts.length === 0) return storagePrefix(PALLET, item);
  return storageMapKey(PALLET, item, ...parts.map((p, i): [(typeof hashers)[number], Uint8Array] => [hashers[i]!, p]));
}

const u32 = (v: number): Uint8Array => new ScaleWriter().u32(v).finish();
const u8 = (v: number): Uint8Array => Uint8Array.of(v);
const te = new TextEncoder();

/** ProviderInfo, field by field as the descriptor declares it. */
export function providerInfoValue(p: Provider): Uint8Array {
  const w = new ScaleWriter().raw(fromHex(p.owner, 32)).u8(PROVIDER_KIND[p.kind]).str(p.name).str(p.metadataUri).str(p.endpoint);
  w.u128(p.minAccessHolding).u128(p.lock).u8(PROVIDER_STATUS[p.status]);
  if (p.status === 'Deregistered' || p.status === 'Slashed') w.u32(p.unlockEra);
  return w.u32(p.registeredEra).u128(p.earned).u128(p.slashed).finish();
}

function* entries(s: ModelsState): Generator<StorageEntryBytes> {
  yield [keyOf('CurrentEra'), u32(s.era)];
  yield [keyOf('NextProviderId'), u32(s.nextId)];
  yield [keyOf('TotalLocked'), new ScaleWriter().u128(totalLocked(s.providers)).finish()];
  for (const p of [...s.providers.values()].sort((a, b) => a.id - b.id)) {
    yield [keyOf('Providers', u32(p.id)), providerInfoValue(p)];
    if (p.status !== 'Closed') yield [keyOf('ProviderByName', u8(PROVIDER_KIND[p.kind]), new ScaleWriter().bytes(te.encode(p.name)).finish()), u32(p.id)];
  }
  for (const [v, list] of [...s.weights.entries()].sort((a, b) => compareIds(a[0], b[0]))) {
    yield [keyOf('Weights', fromHex(v, 32)), packWeights(list)];
  }
  for (const [p, by] of [...s.reports.entries()].sort((a, b) => a[0] - b[0])) {
    const list = [...by.entries()].sort((a, b) => compareIds(a[0], b[0]));
    yield [keyOf('Reports', u32(p)), new ScaleWriter().vec(list, (w, [v, reason]) => w.raw(fromHex(v, 32)).u8(REPORT_REASON[reason])).finish()];
  }
  for (const e of s.history) {
    for (const x of e.scores) yield [keyOf('EraScores', u32(e.era), u32(x.provider)), new ScaleWriter().u16(x.consensus).u128(x.weight).u128(x.paid).finish()];
    for (const f of e.funds) yield [keyOf('EraFunds', u32(e.era), u8(PROVIDER_KIND[f.kind])), new ScaleWriter().u128(f.fund).u128(f.paid).u128(f.totalWeight).u32(f.providers).finish()];
  }
}

/** The storage of a committed state (ModuleStateMachine.storage). */
export function modelsStorage(s: ModelsState): ModuleStorageView {
  return storageView(entries(s));
}
