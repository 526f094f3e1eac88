// The staking module's state as pallet-staking storage (libs/chain staking-calls.ts declares the items):
// the keys and SCALE values wallets and @polkadot/api-derive read as `api.query.staking.*`. Only what the
// module tracks is served; a Substrate item we have no data for is not declared at all.
import {
  REWARD_DESTINATION,
  STAKING_EXPOSURE_PAGE_SIZE,
  STAKING_STORAGE,
  ScaleWriter,
  fromHex,
  storageMapKey,
  storagePrefix,
  type StakingStorageItem,
} from '@balanceai/chain';
import { storageView, type ModuleStorageView, type StorageEntryBytes } from '@balanceai/module-host';
import { compareIds } from '../logic/arith.js';
import type { AccountId, EraSnapshot, IndividualExposure, StakingLedger } from '../logic/types.js';
import { sessionEntries } from './session.storage.js';
import type { StakingModuleState } from './staking.state.js';

const PALLET = 'Staking';

const account = (a: AccountId): Uint8Array => fromHex(a, 32);
const u32 = (v: number): Uint8Array => new ScaleWriter().u32(v).finish();
const balance = (v: bigint): Uint8Array => new ScaleWriter().u128(v).finish();

/** The full key of `item` with its SCALE key parts, hashed as the descriptor declares. */
function keyOf(item: StakingStorageItem, ...parts: Uint8Array[]): Uint8Array {
  const hashers = STAKING_STORAGE[item];
  if (parts.length !== hashers.length) throw new RangeError(`Staking.${item} takes ${hashers.length} key parts, got ${parts.length}`);
  if (parts.length === 0) return storagePrefix(PALLET, item);
  return storageMapKey(PALLET, item, ...parts.map((p, i): [(typeof hashers)[number], Uint8Array] => [hashers[i]!, p]));
}

const sorted = <V>(m: ReadonlyMap<AccountId, V>): Array<[AccountId, V]> => [...m.entries()].sort((a, b) => compareIds(a[0], b[0]));

// --- values, field by field as polkadot-sdk encodes them -------------------------------------------------

function ledgerValue(l: StakingLedger): Uint8Array {
  const w = new ScaleWriter().raw(account(l.stash)).compact(l.total).compact(l.active);
  w.vec(l.unlocking, (w, c) => w.compact(c.value).compact(c.era));
  // legacy_claimed_rewards: rewards are paid at the era end, never claimed, so there are none.
  w.vec([], () => undefined);
  return w.finish();
}

/** ValidatorPrefs { commission: Compact<Perbill>, blocked: false } (the module refuses blocked = true). */
const prefsValue = (commission: bigint): Uint8Array => new ScaleWriter().compact(commission).bool(false).finish();

const othersOf = (w: ScaleWriter, others: readonly IndividualExposure[]): ScaleWriter => w.vec(others, (w, o) => w.raw(account(o.who)).compact(o.value));

/** Exposure entries of one era's snapshot: full (ErasStakers), paged (Overview + Paged) and the prefs frozen at election. */
function* snapshotEntries(s: EraSnapshot): Generator<StorageEntryBytes> {
  const era = u32(s.era);
  let total = 0n;
  for (const v of s.validators) {
    const e = s.exposures.get(v)!;
    total += e.total;
    const stash = account(v);
    yield [keyOf('ErasStakers', era, stash), othersOf(new ScaleWriter().compact(e.total).compact(e.own), e.others).finish()];
    const pages: Array<readonly IndividualExposure[]> = [];
    for (let i = 0; i < e.others.length; i += STAKING_EXPOSURE_PAGE_SIZE) pages.push(e.others.slice(i, i + STAKING_EXPOSURE_PAGE_SIZE));
    yield [keyOf('ErasStakersOverview', era, stash), new ScaleWriter().compact(e.total).compact(e.own).u32(e.others.length).u32(pages.length).finish()];
    for (const [page, others] of pages.entries()) {
      const pageTotal = others.reduce((sum, o) => sum + o.value, 0n);
      yield [keyOf('ErasStakersPaged', era, stash, u32(page)), othersOf(new ScaleWriter().compact(pageTotal), others).finish()];
    }
    yield [keyOf('ErasValidatorPrefs', era, stash), prefsValue(s.commissions.get(v) ?? 0n)];
  }
  yield [keyOf('ErasTotalStake', era), balance(total)];
}

function* stakingEntries(m: StakingModuleState): Generator<StorageEntryBytes> {
  const s = m.staking;
  const p = s.params;
  yield [keyOf('ValidatorCount'), u32(p.validatorCount)];
  yield [keyOf('MinimumValidatorCount'), u32(p.minimumValidatorCount)];
  yield [keyOf('MinNominatorBond'), balance(p.minNominatorBond)];
  yield [keyOf('MinValidatorBond'), balance(p.minValidatorBond)];
  yield [keyOf('MinCommission'), u32(Number(p.minCommission))];
  for (const [stash, ledger] of sorted(s.ledgers)) {
    // The stash is its own controller: Bonded maps it to itself and Ledger is keyed by it.
    yield [keyOf('Bonded', account(stash)), account(stash)];
    yield [keyOf('Ledger', account(stash)), ledgerValue(ledger)];
  }
  for (const [stash, payee] of sorted(s.payees)) yield [keyOf('Payee', account(stash)), Uint8Array.of(REWARD_DESTINATION[payee])];
  for (const [stash, prefs] of sorted(s.validators)) yield [keyOf('Validators', account(stash)), prefsValue(prefs.commission)];
  yield [keyOf('CounterForValidators'), u32(s.validators.size)];
  for (const [stash, n] of sorted(s.nominators)) {
    const value = new ScaleWriter().vec(n.targets, (w, t) => w.raw(account(t))).u32(n.submittedIn).bool(false).finish();
    yield [keyOf('Nominators', account(stash)), value];
  }
  yield [keyOf('CounterForNominators'), u32(s.nominators.size)];
  // One election per era end, effective from the next block: the planned era is the active one. The era's
  // start time is not tracked (the state keeps its first height), so `start` is None, as Substrate has it
  // before the era's first block is finalized.
  yield [keyOf('CurrentEra'), u32(s.currentEra)];
  yield [keyOf('ActiveEra'), new ScaleWriter().u32(s.currentEra).u8(0).finish()];

  // Exposures and prefs of the active era and the one before (the module keeps no older snapshot).
  if (s.previous) yield* snapshotEntries(s.previous);
  yield* snapshotEntries(s.active);
  // Completed eras' summaries: what was paid (credit-from-pot) and the stake that backed the set. The two
  // newest are the snapshots' eras, whose ErasTotalStake the snapshots already gave (the same sum).
  const snapshotEras = new Set([s.active.era, ...(s.previous ? [s.previous.era] : [])]);
  for (const e of m.eras) {
    if (!snapshotEras.has(e.era)) yield [keyOf('ErasTotalStake', u32(e.era)), balance(e.totalStake)];
    if (e.paidOut) yield [keyOf('ErasValidatorReward', u32(e.era)), balance(e.paid)];
  }
  // Points of the era in progress; the module keeps only the total of finished eras, not who earned them.
  const points = sorted(s.points);
  const total = points.reduce((sum, [, p]) => sum + p, 0n);
  const rewardPoints = new ScaleWriter().u32(Number(total)).vec(points, (w, [v, p]) => w.raw(account(v)).u32(Number(p)));
  yield [keyOf('ErasRewardPoints', u32(s.active.era)), rewardPoints.finish()];
}

/**
 * The storage of a committed state (ModuleStateMachine.storage): the Staking pallet's and the Session
 * pallet's, both under this module (libs/chain MODULE_STORAGE_PALLETS routes both prefixes here).
 */
export function stakingStorage(m: StakingModuleState): ModuleStorageView {
  return storageView(function* () {
    yield* stakingEntries(m);
    yield* sessionEntries(m);
  }());
}
