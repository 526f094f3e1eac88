// The calls of pallet Models (20), each atomic: it checks everything first and either fails with a pallet
// error leaving the draft untouched, or changes the draft and returns its events and transfers.
import { MODELS_NAME_PATTERN, isProviderEndpoint, type ModelsCallData } from '@balanceai/chain';
import {
  type AccountId,
  type ActiveValidator,
  type EraRecord,
  type ModelsParams,
  type ModelsState,
  type Outcome,
  type Provider,
  type ReportReason,
  ModelsCallError,
  PERBILL_ONE,
} from './types.js';

/** The mutable copy of a state one block works on (the committed state is never touched). */
export interface Draft {
  height: bigint;
  era: number;
  nextId: number;
  providers: Map<number, Provider>;
  weights: Map<AccountId, ReadonlyArray<readonly [number, number]>>;
  reports: Map<number, Map<AccountId, ReportReason>>;
  history: EraRecord[];
  funds: { model: bigint; agent: bigint };
}

export function draftOf(s: ModelsState): Draft {
  return {
    height: s.height,
    era: s.era,
    nextId: s.nextId,
    providers: new Map(s.providers),
    weights: new Map(s.weights),
    reports: new Map([...s.reports].map(([p, m]) => [p, new Map(m)])),
    history: [...s.history],
    funds: { ...s.funds },
  };
}

/** Lowercase letters, digits, '.', '_' and '-', starting with a letter or digit: names appear in URLs. */
export const NAME_PATTERN = MODELS_NAME_PATTERN;

/** The context a call runs in: the block's active validators, the parameters, the signer's free balance. */
export interface CallContext {
  readonly params: ModelsParams;
  readonly validators: readonly ActiveValidator[];
  readonly signer: AccountId;
  readonly free: bigint;
}

const fail = (code: ModelsCallError['code'], message: string): never => {
  throw new ModelsCallError(code, message);
};

function checkEndpoint(endpoint: string): void {
  if (!isProviderEndpoint(endpoint)) fail('BadEndpoint', 'the endpoint must be an http:// or https:// URL without credentials');
}

function checkMetadataUri(uri: string): void {
  // Printable: no control characters (it is shown by wallets and explorers).
  if (uri.length === 0 || /[\u0000-\u001f\u007f]/.test(uri)) fail('BadMetadataUri', 'the metadata URI must be non-empty and printable');
}

function ownedActive(d: Draft, id: number, signer: AccountId): Provider {
  const p = d.providers.get(id);
  if (!p) return fail('UnknownProvider', `no provider ${id}`);
  if (p.owner !== signer) fail('NotOwner', `provider ${id} belongs to another account`);
  if (p.status !== 'Active') fail('NotActive', `provider ${id} is ${p.status}`);
  return p;
}

function isValidator(ctx: CallContext): void {
  if (!ctx.validators.some((v) => v.stash === ctx.signer)) fail('NotValidator', 'only an active validator (its stash) may score or report providers');
}

/** Deregistered and slashed providers' locks return at the start of this era. */
const unlockEraOf = (d: Draft, params: ModelsParams): number => d.era + params.unlockDelay;

/**
 * Applies one decoded call to the draft. Throws ModelsCallError (the draft unchanged) when refused.
 */
export function applyCall(d: Draft, ctx: CallContext, c: ModelsCallData): Outcome {
  const { params, signer } = ctx;
  switch (c.call) {
    case 'register': {
      if (!NAME_PATTERN.test(c.name)) fail('BadName', 'a name is 1-64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
      checkMetadataUri(c.metadataUri);
      checkEndpoint(c.endpoint);
      for (const p of d.providers.values()) {
        if (p.kind === c.kind && p.name === c.name && p.status !== 'Closed') fail('NameTaken', `${c.kind} name "${c.name}" is provider ${p.id}'s`);
      }
      const min = c.kind === 'Model' ? params.modelMinLock : params.agentMinLock;
      if (c.lock < min) fail('LockTooLow', `a ${c.kind} lock must be at least ${min}`);
      if (c.lock > ctx.free) fail('InsufficientBalance', `the lock ${c.lock} exceeds the free balance ${ctx.free}`);
      if (d.nextId > 0xffff_ffff) fail('BadCall', 'provider ids are exhausted');
      const id = d.nextId;
      d.nextId = id + 1;
      d.providers.set(id, {
        id,
        owner: signer,
        kind: c.kind,
        name: c.name,
        metadataUri: c.metadataUri,
        endpoint: c.endpoint,
        minAccessHolding: c.minAccessHolding,
        lock: c.lock,
        status: 'Active',
        unlockEra: 0,
        registeredEra: d.era,
        earned: 0n,
        slashed: 0n,
      });
      return {
        events: [{ type: 'Registered', provider: id, owner: signer, kind: c.kind, lock: c.lock, name: c.name }],
        transfers: [{ kind: 'debit', from: signer, amount: c.lock }],
      };
    }
    case 'update': {
      const p = ownedActive(d, c.provider, signer);
      checkMetadataUri(c.metadataUri);
      checkEndpoint(c.endpoint);
      d.providers.set(p.id, { ...p, metadataUri: c.metadataUri, endpoint: c.endpoint, minAccessHolding: c.minAccessHolding });
      return { events: [{ type: 'Updated', provider: p.id }], transfers: [] };
    }
    case 'top_up': {
      if (c.amount === 0n) fail('ZeroAmount', 'top up by a positive amount');
      const p = ownedActive(d, c.provider, signer);
      if (c.amount > ctx.free) fail('InsufficientBalance', `${c.amount} exceeds the free balance ${ctx.free}`);
      const lock = p.lock + c.amount;
      d.providers.set(p.id, { ...p, lock });
      return { events: [{ type: 'ToppedUp', provider: p.id, amount: c.amount, lock }], transfers: [{ kind: 'debit', from: signer, amount: c.amount }] };
    }
    case 'deregister': {
      const p = ownedActive(d, c.provider, signer);
      const unlockEra = unlockEraOf(d, params);
      d.providers.set(p.id, { ...p, status: 'Deregistered', unlockEra });
      return { events: [{ type: 'Deregistered', provider: p.id, unlockEra }], transfers: [] };
    }
    case 'set_weights': {
      isValidator(ctx);
      if (d.weights.has(signer)) fail('WeightsAlreadySet', `weights for era ${d.era} are already set`);
      if (c.weights.length > params.maxWeights) fail('TooManyWeights', `at most ${params.maxWeights} weights`);
      const sorted = [...c.weights].sort((a, b) => a[0] - b[0]);
      for (let i = 0; i < sorted.length; i++) {
        const [id] = sorted[i]!;
        if (i > 0 && sorted[i - 1]![0] === id) fail('DuplicateWeight', `provider ${id} is scored twice`);
        const p = d.providers.get(id);
        if (!p) fail('UnknownProvider', `no provider ${id}`);
        else if (p.status !== 'Active') fail('NotActive', `provider ${id} is ${p.status}`);
      }
      d.weights.set(signer, sorted);
      return { events: [{ type: 'WeightsSet', validator: signer, era: d.era, count: sorted.length }], transfers: [] };
    }
    case 'report': {
      isValidator(ctx);
      const p = d.providers.get(c.provider);
      if (!p) return fail('UnknownProvider', `no provider ${c.provider}`);
      // Slashable until its lock returns; a slashed provider is not slashed twice.
      if (p.status !== 'Active' && p.status !== 'Deregistered') fail('NotActive', `provider ${p.id} is ${p.status}`);
      const reports = new Map(d.reports.get(p.id) ?? []);
      if (reports.has(signer)) fail('AlreadyReported', `provider ${p.id} is already reported by this validator in era ${d.era}`);
      reports.set(signer, c.reason);
      const active = new Set(ctx.validators.map((v) => v.stash));
      const count = [...reports.keys()].filter((v) => active.has(v)).length;
      const n = ctx.validators.length;
      const out: Outcome = { events: [{ type: 'Reported', provider: p.id, validator: signer, reason: c.reason, reports: count, validators: n }], transfers: [] };
      if (3 * count > 2 * n) {
        const amount = (p.lock * BigInt(params.slashFraction)) / PERBILL_ONE;
        const unlockEra = unlockEraOf(d, params);
        d.providers.set(p.id, { ...p, lock: p.lock - amount, slashed: p.slashed + amount, status: 'Slashed', unlockEra });
        d.reports.delete(p.id);
        out.events.push({ type: 'ProviderSlashed', provider: p.id, amount, unlockEra });
        if (amount > 0n) out.transfers.push({ kind: 'credit', from: 'module', to: 'developmentFund', amount });
      } else {
        d.reports.set(p.id, reports);
      }
      return out;
    }
  }
}

/** Every lock the module account must hold. */
export function totalLocked(providers: ReadonlyMap<number, Provider>): bigint {
  let sum = 0n;
  for (const p of providers.values()) sum += p.lock;
  return sum;
}
