// The models module's canonical state encoding: what the repository stores and what the root commits to
// (modelsStateRoot), so a stored state that decodes is byte for byte the state that was rooted. Changing it
// changes every root.
import { PROVIDER_KIND, PROVIDER_KINDS, blake2_256, PROVIDER_STATUS, PROVIDER_STATUSES, REPORT_REASON, REPORT_REASONS, ScaleReader, ScaleWriter, fromHex, toHex } from '@balanceai/chain';
import { type AccountId, type EraFund, type EraRecord, type EraScore, type ModelsState, type Provider, type ReportReason, compareIds } from '../logic/types.js';

const VERSION = 1;
const id = (w: ScaleWriter, a: AccountId): ScaleWriter => w.raw(fromHex(a, 32));
const readId = (r: ScaleReader): AccountId => toHex(r.raw(32));

function tagOf<T>(list: readonly T[], tag: number, what: string): T {
  const v = list[tag];
  if (v === undefined) throw new RangeError(`bad ${what} tag ${tag}`);
  return v;
}

/** Compact length prefix + (u32, u16) pairs, packed in one buffer (a vec of 10^6 pairs would be 2·10^6 writer parts). */
export function packWeights(list: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const prefix = new ScaleWriter().compact(list.length).finish();
  const out = new Uint8Array(prefix.length + 6 * list.length);
  out.set(prefix);
  const view = new DataView(out.buffer);
  let o = prefix.length;
  for (const [p, score] of list) {
    view.setUint32(o, p, true);
    view.setUint16(o + 4, score, true);
    o += 6;
  }
  return out;
}

/** One item per writer, appended as raw bytes: the outer writer holds one part per item. */
function vecOf<T>(items: readonly T[], write: (w: ScaleWriter, item: T) => void): Uint8Array {
  const w = new ScaleWriter().compact(items.length);
  for (const item of items) {
    const inner = new ScaleWriter();
    write(inner, item);
    w.raw(inner.finish());
  }
  return w.finish();
}

// Each section's bytes and hash are cached by the section's object: the block logic keeps an unchanged
// section's object (block.ts), so a block that changes no provider and no weight re-encodes and re-hashes
// only the few header bytes, however many providers and weights the state holds.
const bytesCache = new WeakMap<object, Uint8Array>();
const hashCache = new WeakMap<object, Uint8Array>();

function cached(section: object, encode: () => Uint8Array): Uint8Array {
  let b = bytesCache.get(section);
  if (!b) bytesCache.set(section, (b = encode()));
  return b;
}

const providersBytes = (s: ModelsState): Uint8Array =>
  cached(s.providers, () =>
    vecOf([...s.providers.values()].sort((a, b) => a.id - b.id), (w, p) => {
      w.u32(p.id);
      id(w, p.owner).u8(PROVIDER_KIND[p.kind]).str(p.name).str(p.metadataUri).str(p.endpoint);
      w.u128(p.minAccessHolding).u128(p.lock).u8(PROVIDER_STATUS[p.status]).u32(p.unlockEra).u32(p.registeredEra).u128(p.earned).u128(p.slashed);
    }),
  );

const weightsBytes = (s: ModelsState): Uint8Array =>
  cached(s.weights, () => vecOf([...s.weights.entries()].sort((a, b) => compareIds(a[0], b[0])), (w, [v, list]) => id(w, v).raw(packWeights(list))));

const reportsBytes = (s: ModelsState): Uint8Array =>
  cached(s.reports, () =>
    vecOf([...s.reports.entries()].sort((a, b) => a[0] - b[0]), (w, [p, by]) => {
      w.u32(p);
      w.vec([...by.entries()].sort((a, b) => compareIds(a[0], b[0])), (w, [v, reason]) => id(w, v).u8(REPORT_REASON[reason]));
    }),
  );

const historyBytes = (s: ModelsState): Uint8Array =>
  cached(s.history, () =>
    vecOf(s.history, (w, e) => {
      w.u32(e.era);
      w.raw(vecOf(e.scores, (w, x) => w.u32(x.provider).u16(x.consensus).u128(x.weight).u128(x.paid)));
      w.vec(e.funds, (w, f) => w.u8(PROVIDER_KIND[f.kind]).u128(f.fund).u128(f.paid).u128(f.totalWeight).u32(f.providers));
    }),
  );

const header = (s: ModelsState): Uint8Array => new ScaleWriter().u8(VERSION).u64(s.height).u32(s.era).u32(s.nextId).u128(s.funds.model).u128(s.funds.agent).finish();

/** The canonical encoding (what the repository stores): header, then providers, weights, reports, history. */
export function encodeModelsState(s: ModelsState): Uint8Array {
  return new ScaleWriter().raw(header(s)).raw(providersBytes(s)).raw(weightsBytes(s)).raw(reportsBytes(s)).raw(historyBytes(s)).finish();
}

/**
 * The state root: blake2_256(header ‖ blake2_256(providers) ‖ blake2_256(weights) ‖ blake2_256(reports) ‖
 * blake2_256(history)), each section as encodeModelsState writes it. It commits to exactly the stored bytes.
 */
export function modelsStateRoot(s: ModelsState): Uint8Array {
  const sectionHash = (section: object, bytes: () => Uint8Array): Uint8Array => {
    let h = hashCache.get(section);
    if (!h) hashCache.set(section, (h = blake2_256(bytes())));
    return h;
  };
  return blake2_256(
    new ScaleWriter()
      .raw(header(s))
      .raw(sectionHash(s.providers, () => providersBytes(s)))
      .raw(sectionHash(s.weights, () => weightsBytes(s)))
      .raw(sectionHash(s.reports, () => reportsBytes(s)))
      .raw(sectionHash(s.history, () => historyBytes(s)))
      .finish(),
  );
}

export function decodeModelsState(bytes: Uint8Array): ModelsState {
  const r = new ScaleReader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw new RangeError(`unknown models state encoding version ${version}`);
  const height = r.u64();
  const era = r.u32();
  const nextId = r.u32();
  const funds = { model: r.u128(), agent: r.u128() };
  const providers = new Map<number, Provider>();
  r.vec((r) => {
    const pid = r.u32();
    const p: Provider = {
      id: pid,
      owner: readId(r),
      kind: tagOf(PROVIDER_KINDS, r.u8(), 'kind'),
      name: r.str(),
      metadataUri: r.str(),
      endpoint: r.str(),
      minAccessHolding: r.u128(),
      lock: r.u128(),
      status: tagOf(PROVIDER_STATUSES, r.u8(), 'status'),
      unlockEra: r.u32(),
      registeredEra: r.u32(),
      earned: r.u128(),
      slashed: r.u128(),
    };
    providers.set(pid, p);
  });
  const weights = new Map<AccountId, Array<readonly [number, number]>>();
  r.vec((r) => weights.set(readId(r), r.vec((r) => [r.u32(), r.u16()] as const)));
  const reports = new Map<number, Map<AccountId, ReportReason>>();
  r.vec((r) => {
    const p = r.u32();
    const by = new Map<AccountId, ReportReason>();
    r.vec((r) => by.set(readId(r), tagOf(REPORT_REASONS, r.u8(), 'reason')));
    reports.set(p, by);
  });
  const history: EraRecord[] = r.vec((r) => {
    const e = r.u32();
    const scores: EraScore[] = r.vec((r) => ({ provider: r.u32(), consensus: r.u16(), weight: r.u128(), paid: r.u128() }));
    const fundsOf: EraFund[] = r.vec((r) => ({ kind: tagOf(PROVIDER_KINDS, r.u8(), 'kind'), fund: r.u128(), paid: r.u128(), totalWeight: r.u128(), providers: r.u32() }));
    return { era: e, scores, funds: fundsOf };
  });
  r.assertEnd('models state');
  return { height, era, nextId, providers, weights, reports, history, funds };
}
