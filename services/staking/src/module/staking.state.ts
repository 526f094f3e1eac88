// The staking module's state (the pure logic's StakingState plus what the service adds: consensus keys,
// era bookkeeping) and its canonical SCALE encoding. The encoding is both the root's preimage and what the
// repository stores, so a stored state that decodes is byte-for-byte the state that was rooted.
import { STAKING_HISTORY_DEPTH, ScaleReader, ScaleWriter, fromHex, toHex } from '@balanceai/chain';
import { compareIds } from '../logic/arith.js';
import type {
  AccountId,
  EraSnapshot,
  Exposure,
  Nominations,
  RewardDestination,
  StakingLedger,
  StakingParams,
  StakingState,
  ValidatorPrefs,
} from '../logic/types.js';

/** What the module reports about a finished era (GetEras). */
export interface EraSummary {
  readonly era: number;
  readonly startHeight: bigint;
  readonly endHeight: bigint;
  readonly validatorCount: number;
  readonly totalStake: bigint;
  readonly totalPoints: bigint;
  /** The era reward computed from the pot at the era end. */
  readonly reward: bigint;
  /** What was actually transferred (0 while payouts are report-only). */
  readonly paid: bigint;
  readonly paidOut: boolean;
  readonly slashes: number;
  readonly slashed: bigint;
}

/** Completed eras kept for queries (Substrate's HistoryDepth): the metadata's HistoryDepth constant. */
export const HISTORY_DEPTH = STAKING_HISTORY_DEPTH;

export interface StakingModuleState {
  /** The last executed height (0 at genesis). */
  readonly height: bigint;
  readonly staking: StakingState;
  /** stash → 0x ed25519 consensus key (genesis validators' from the genesis, others' from set_consensus_key). Never removed. */
  readonly consensusKeys: ReadonlyMap<AccountId, string>;
  /** First block of the current era. */
  readonly eraStartHeight: bigint;
  /** Slashes applied during the current era (count, amount). */
  readonly eraSlashes: { readonly count: number; readonly amount: bigint };
  /** Completed eras, oldest first, at most HISTORY_DEPTH. */
  readonly eras: readonly EraSummary[];
  /** Total issuance as consensus reported it for the last executed block (0 if it never did). */
  readonly totalIssuance: bigint;
}

const PAYEE_TAG: Record<RewardDestination, number> = { Staked: 0, Stash: 1 };
const PAYEE_OF: readonly RewardDestination[] = ['Staked', 'Stash'];

const id = (w: ScaleWriter, a: AccountId): ScaleWriter => w.raw(fromHex(a, 32));
const readId = (r: ScaleReader): AccountId => toHex(r.raw(32));
const sortedEntries = <V>(m: ReadonlyMap<AccountId, V>): Array<[AccountId, V]> => [...m.entries()].sort((a, b) => compareIds(a[0], b[0]));

function writeSnapshot(w: ScaleWriter, s: EraSnapshot): void {
  w.u32(s.era);
  w.vec(s.validators, (w, v) => {
    id(w, v);
    const e = s.exposures.get(v)!;
    w.u128(e.total).u128(e.own);
    w.vec(e.others, (w, o) => id(w, o.who).u128(o.value));
    w.u32(Number(s.commissions.get(v) ?? 0n));
  });
}

function readSnapshot(r: ScaleReader): EraSnapshot {
  const era = r.u32();
  const exposures = new Map<AccountId, Exposure>();
  const commissions = new Map<AccountId, bigint>();
  const validators = r.vec((r) => {
    const v = readId(r);
    const total = r.u128();
    const own = r.u128();
    const others = r.vec((r) => ({ who: readId(r), value: r.u128() }));
    exposures.set(v, { total, own, others });
    commissions.set(v, BigInt(r.u32()));
    return v;
  });
  return { era, validators, exposures, commissions };
}

function writeSummary(w: ScaleWriter, e: EraSummary): void {
  w.u32(e.era).u64(e.startHeight).u64(e.endHeight).u32(e.validatorCount).u128(e.totalStake).compact(e.totalPoints);
  w.u128(e.reward).u128(e.paid).bool(e.paidOut).u32(e.slashes).u128(e.slashed);
}

function readSummary(r: ScaleReader): EraSummary {
  return {
    era: r.u32(),
    startHeight: r.u64(),
    endHeight: r.u64(),
    validatorCount: r.u32(),
    totalStake: r.u128(),
    totalPoints: r.compactBig(),
    reward: r.u128(),
    paid: r.u128(),
    paidOut: r.bool(),
    slashes: r.u32(),
    slashed: r.u128(),
  };
}

/**
 * Canonical SCALE of the module state: every map in ascending account order, params excluded (they come
 * from the genesis and are the same on every node). Changing this changes every root: version it.
 */
export function encodeStakingModuleState(m: StakingModuleState): Uint8Array {
  const s = m.staking;
  const w = new ScaleWriter();
  w.u8(1); // encoding version
  w.u64(m.height).u64(m.eraStartHeight).u128(m.totalIssuance).u32(m.eraSlashes.count).u128(m.eraSlashes.amount);
  w.u32(s.currentEra);
  w.vec(sortedEntries(s.ledgers), (w, [k, l]) => {
    id(w, k).u128(l.total).u128(l.active);
    w.vec(l.unlocking, (w, c) => w.u128(c.value).u32(c.era));
  });
  w.vec(sortedEntries(s.payees), (w, [k, p]) => id(w, k).u8(PAYEE_TAG[p]));
  w.vec(sortedEntries(s.validators), (w, [k, v]) => id(w, k).u32(Number(v.commission)));
  w.vec(sortedEntries(s.nominators), (w, [k, n]) => {
    id(w, k);
    w.vec(n.targets, id);
    w.u32(n.submittedIn);
  });
  writeSnapshot(w, s.active);
  w.option(s.previous, writeSnapshot);
  w.vec(sortedEntries(s.points), (w, [k, p]) => id(w, k).compact(p));
  const slashed = [...s.slashed].map((key) => {
    const i = key.indexOf(':');
    return { era: Number(key.slice(0, i)), who: key.slice(i + 1) };
  });
  slashed.sort((a, b) => a.era - b.era || compareIds(a.who, b.who));
  w.vec(slashed, (w, x) => id(w.u32(x.era), x.who));
  w.vec(sortedEntries(m.consensusKeys), (w, [k, key]) => id(w, k).raw(fromHex(key, 32)));
  w.vec(m.eras, writeSummary);
  return w.finish();
}

export function decodeStakingModuleState(bytes: Uint8Array, params: StakingParams): StakingModuleState {
  const r = new ScaleReader(bytes);
  const version = r.u8();
  if (version !== 1) throw new RangeError(`unknown staking state encoding version ${version}`);
  const height = r.u64();
  const eraStartHeight = r.u64();
  const totalIssuance = r.u128();
  const eraSlashes = { count: r.u32(), amount: r.u128() };
  const currentEra = r.u32();
  const ledgers = new Map<AccountId, StakingLedger>();
  r.vec((r) => {
    const stash = readId(r);
    const total = r.u128();
    const active = r.u128();
    const unlocking = r.vec((r) => ({ value: r.u128(), era: r.u32() }));
    ledgers.set(stash, { stash, total, active, unlocking });
  });
  const payees = new Map<AccountId, RewardDestination>();
  r.vec((r) => {
    const k = readId(r);
    const tag = r.u8();
    const p = PAYEE_OF[tag];
    if (!p) throw new RangeError(`bad payee tag ${tag}`);
    payees.set(k, p);
  });
  const validators = new Map<AccountId, ValidatorPrefs>();
  r.vec((r) => validators.set(readId(r), { commission: BigInt(r.u32()) }));
  const nominators = new Map<AccountId, Nominations>();
  r.vec((r) => {
    const k = readId(r);
    const targets = r.vec(readId);
    nominators.set(k, { targets, submittedIn: r.u32() });
  });
  const active = readSnapshot(r);
  const previous = r.option(readSnapshot) ?? null;
  const points = new Map<AccountId, bigint>();
  r.vec((r) => points.set(readId(r), r.compactBig()));
  const slashed = new Set<string>();
  r.vec((r) => {
    const era = r.u32();
    slashed.add(`${era}:${readId(r)}`);
  });
  const consensusKeys = new Map<AccountId, string>();
  r.vec((r) => consensusKeys.set(readId(r), toHex(r.raw(32))));
  const eras = r.vec(readSummary);
  r.assertEnd('staking state');
  const staking: StakingState = { params, currentEra, ledgers, payees, validators, nominators, active, previous, points, slashed };
  return { height, staking, consensusKeys, eraStartHeight, eraSlashes, eras, totalIssuance };
}
