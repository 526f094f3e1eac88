import { ChainError } from './errors.js';
import { ScaleWriter } from './scale.js';
import { BALANCES_PALLET, SYSTEM_PALLET } from './frame-pallets.js';
import { type RuntimeApiDescriptor, RUNTIME_API_DESCRIPTORS } from './runtime-api.js';
import { type FieldSpec, type PalletDescriptor, type Primitive, type RuntimeTypeName, type StorageHasher, type TypeSpec, type VariantSpec, MetaType } from './meta-types.js';

// The type model and the System/Balances descriptors used to live here; importers of './metadata.js' keep working.
export * from './meta-types.js';
export * from './frame-pallets.js';

const { Balance, Era, H256, MultiAddress, MultiSignature } = MetaType;
const T = MetaType;

/*
 * Runtime metadata V14 (what @polkadot/api, polkadot-api and wallets read to build calls and decode
 * storage and events), encoded here from plain descriptors so that each module service can declare its
 * pallet's calls, events, errors, storage and constants without @polkadot/types at runtime.
 */

/** The signed extensions, in order, with their extrinsic and additional-signed types (see extrinsic.ts). */
const SIGNED_EXTENSIONS: Array<{ identifier: string; type: TypeSpec; additional: TypeSpec }> = [
  { identifier: 'CheckNonZeroSender', type: T.composite(['frame_system', 'extensions', 'check_non_zero_sender', 'CheckNonZeroSender'], []), additional: T.unit },
  { identifier: 'CheckSpecVersion', type: T.composite(['frame_system', 'extensions', 'check_spec_version', 'CheckSpecVersion'], []), additional: T.u32 },
  { identifier: 'CheckTxVersion', type: T.composite(['frame_system', 'extensions', 'check_tx_version', 'CheckTxVersion'], []), additional: T.u32 },
  { identifier: 'CheckGenesis', type: T.composite(['frame_system', 'extensions', 'check_genesis', 'CheckGenesis'], []), additional: H256 },
  { identifier: 'CheckMortality', type: T.composite(['frame_system', 'extensions', 'check_mortality', 'CheckMortality'], [{ type: Era, typeName: 'Era' }]), additional: H256 },
  { identifier: 'CheckNonce', type: T.composite(['frame_system', 'extensions', 'check_nonce', 'CheckNonce'], [{ type: T.compact(T.u32), typeName: 'T::Nonce' }]), additional: T.unit },
  { identifier: 'CheckWeight', type: T.composite(['frame_system', 'extensions', 'check_weight', 'CheckWeight'], []), additional: T.unit },
  {
    identifier: 'ChargeTransactionPayment',
    type: T.composite(['pallet_transaction_payment', 'ChargeTransactionPayment'], [{ type: T.compact(Balance), typeName: 'BalanceOf<T>' }]),
    additional: T.unit,
  },
];

// --- encoding ------------------------------------------------------------------------------------------------

const PRIMITIVE_INDEX: Record<Primitive, number> = {
  bool: 0, char: 1, str: 2, u8: 3, u16: 4, u32: 5, u64: 6, u128: 7, u256: 8, i8: 9, i16: 10, i32: 11, i64: 12, i128: 13, i256: 14,
};
const HASHER_INDEX: Record<StorageHasher, number> = {
  Blake2_128: 0, Blake2_256: 1, Blake2_128Concat: 2, Twox128: 3, Twox256: 4, Twox64Concat: 5, Identity: 6,
};

export class MetadataError extends ChainError {
  constructor(message: string) {
    super('BAD_METADATA', message);
  }
}

function writeField(w: ScaleWriter, f: FieldSpec & { id: number }): void {
  w.option(f.name, (w, n) => w.str(n));
  w.compact(f.id);
  w.option(f.typeName, (w, n) => w.str(n));
  w.vec(f.docs ?? [], (w, d) => w.str(d));
}

/** The portable type registry: each distinct type once, ids in registration order. */
class PortableRegistry {
  private readonly ids = new Map<string, number>();
  private readonly entries: Uint8Array[] = [];

  constructor(private readonly runtimeTypes: Partial<Record<RuntimeTypeName, () => number>>) {}

  get count(): number {
    return this.entries.length;
  }

  add(spec: TypeSpec): number {
    if (spec.kind === 'runtime') {
      const resolve = this.runtimeTypes[spec.name];
      if (!resolve) throw new MetadataError(`${spec.name} is not available here`);
      return resolve();
    }
    // Children first, so the structural key below can refer to them by id.
    const w = new ScaleWriter();
    let path: string[] = [];
    let params: Array<{ name: string; id?: number }> = [];
    let docs: string[] = [];
    const def = new ScaleWriter();
    switch (spec.kind) {
      case 'primitive':
        def.u8(5).u8(PRIMITIVE_INDEX[spec.primitive]);
        break;
      case 'compact':
        def.u8(6).compact(this.add(spec.of));
        break;
      case 'sequence':
        def.u8(2).compact(this.add(spec.of));
        break;
      case 'array':
        def.u8(3).u32(spec.len).compact(this.add(spec.of));
        break;
      case 'tuple': {
        const ids = spec.items.map((t) => this.add(t));
        def.u8(4).vec(ids, (w, id) => w.compact(id));
        break;
      }
      case 'composite':
      case 'variant': {
        path = spec.path;
        docs = spec.docs ?? [];
        params = (spec.params ?? []).map((p) => ({ name: p.name, id: p.type ? this.add(p.type) : undefined }));
        const body = new ScaleWriter();
        if (spec.kind === 'composite') {
          body.u8(0);
          const resolved = spec.fields.map((f) => ({ ...f, id: this.add(f.type) }));
          body.vec(resolved, writeField);
        } else {
          const seen = new Set<number>();
          for (const v of spec.variants) {
            if (seen.has(v.index)) throw new MetadataError(`${path.join('::')}: duplicate variant index ${v.index}`);
            seen.add(v.index);
          }
          body.u8(1);
          const variants = spec.variants.map((v) => ({ ...v, fields: (v.fields ?? []).map((f) => ({ ...f, id: this.add(f.type) })) }));
          body.vec(variants, (w, v) => {
            w.str(v.name);
            w.vec(v.fields, writeField);
            w.u8(v.index);
            w.vec(v.docs ?? [], (w, d) => w.str(d));
          });
        }
        def.raw(body.finish());
        break;
      }
    }
    w.vec(path, (w, s) => w.str(s));
    w.vec(params, (w, p) => {
      w.str(p.name);
      w.option(p.id, (w, id) => w.compact(id));
    });
    w.raw(def.finish());
    w.vec(docs, (w, d) => w.str(d));
    const typeBytes = w.finish();
    const key = Buffer.from(typeBytes).toString('base64');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.entries.length;
    this.ids.set(key, id);
    this.entries.push(new ScaleWriter().compact(id).raw(typeBytes).finish());
    return id;
  }

  encode(): Uint8Array {
    const w = new ScaleWriter().compact(this.entries.length);
    for (const e of this.entries) w.raw(e);
    return w.finish();
  }
}

const METADATA_MAGIC = Uint8Array.of(0x6d, 0x65, 0x74, 0x61); // "meta"
const RUNTIME_CRATE = 'balanceai_runtime';

export interface BuildMetadataOptions {
  /** 14 (the default) or 15, which adds pallet docs, the extrinsic's parts, runtime APIs and outer enums. */
  version?: 14 | 15;
  /** The runtime APIs V15 lists (default: the ones this chain serves, runtime-api.ts). */
  apis?: readonly RuntimeApiDescriptor[];
}

/**
 * Runtime metadata ("meta" magic, then version 14 or 15) for the given pallets, by default System and
 * Balances. Later pallets (Staking 7, Emissions 10, …) add their descriptors to the list.
 * V15 is what polkadot.js builds `api.call.*` from, and what polkadot-api and dedot prefer.
 */
export function buildMetadata(pallets: PalletDescriptor[] = [SYSTEM_PALLET, BALANCES_PALLET], opts: BuildMetadataOptions = {}): Uint8Array {
  const version = opts.version ?? 14;
  if (version !== 14 && version !== 15) throw new MetadataError(`metadata version ${String(version)} is not supported (14 or 15)`);
  const sorted = [...pallets].sort((a, b) => a.index - b.index);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.index === sorted[i - 1]!.index) throw new MetadataError(`two pallets use index ${sorted[i]!.index}`);
  }
  const palletType = (p: PalletDescriptor, what: 'Call' | 'Event' | 'Error', variants: VariantSpec[]): TypeSpec =>
    T.variant([p.crate, 'pallet', what], variants, [{ name: 'T' }]);
  const runtimeEnum = (name: string, key: 'calls' | 'events' | 'errors', what: 'Call' | 'Event' | 'Error'): TypeSpec =>
    T.variant(
      [RUNTIME_CRATE, name],
      sorted
        .filter((p) => p[key] !== undefined)
        .map((p) => ({ name: p.name, index: p.index, fields: [{ type: palletType(p, what, p[key]!), typeName: `${p.crate}::${what}<Runtime>` }] })),
    );
  const hasCalls = sorted.some((p) => p.calls !== undefined);
  const extraType = T.tuple(...SIGNED_EXTENSIONS.map((e) => e.type));
  const uncheckedExtrinsic = T.composite(
    ['sp_runtime', 'generic', 'unchecked_extrinsic', 'UncheckedExtrinsic'],
    [{ type: T.vec(T.u8) }],
    [
      { name: 'Address', type: MultiAddress },
      // V14 (unchanged since it shipped) says () when no pallet has calls; the V15 call type is always the enum.
      { name: 'Call', type: hasCalls || version === 15 ? T.runtimeCall : T.unit },
      { name: 'Signature', type: MultiSignature },
      { name: 'Extra', type: extraType },
    ],
  );

  // The runtime-wide types are registered on first use, each once.
  const runtimeIds: Partial<Record<RuntimeTypeName, number>> = {};
  const once = (name: RuntimeTypeName, spec: () => TypeSpec) => () => (runtimeIds[name] ??= registry.add(spec()));
  const registry: PortableRegistry = new PortableRegistry({
    RuntimeCall: once('RuntimeCall', () => runtimeEnum('RuntimeCall', 'calls', 'Call')),
    RuntimeEvent: once('RuntimeEvent', () => runtimeEnum('RuntimeEvent', 'events', 'Event')),
    RuntimeError: once('RuntimeError', () => runtimeEnum('RuntimeError', 'errors', 'Error')),
    UncheckedExtrinsic: once('UncheckedExtrinsic', () => uncheckedExtrinsic),
  });

  const w = new ScaleWriter();
  w.vec(sorted, (w, p) => {
    w.str(p.name);
    w.option(p.storage, (w, s) => {
      w.str(s.prefix);
      w.vec(s.items, (w, item) => {
        w.str(item.name);
        w.u8(item.modifier === 'Optional' ? 0 : 1);
        if (item.kind === 'plain') {
          w.u8(0).compact(registry.add(item.value));
        } else {
          w.u8(1);
          w.vec(item.hashers, (w, h) => w.u8(HASHER_INDEX[h]));
          w.compact(registry.add(item.key));
          w.compact(registry.add(item.value));
        }
        w.bytes(item.fallback);
        w.vec(item.docs ?? [], (w, d) => w.str(d));
      });
    });
    w.option(p.calls, (w, calls) => w.compact(registry.add(palletType(p, 'Call', calls))));
    w.option(p.events, (w, events) => w.compact(registry.add(palletType(p, 'Event', events))));
    w.vec(p.constants ?? [], (w, c) => {
      w.str(c.name);
      w.compact(registry.add(c.type));
      w.bytes(c.value);
      w.vec(c.docs ?? [], (w, d) => w.str(d));
    });
    w.option(p.errors, (w, errors) => w.compact(registry.add(palletType(p, 'Error', errors))));
    w.u8(p.index);
    if (version === 15) w.vec(p.docs ?? [], (w, d) => w.str(d));
  });
  const palletsBytes = w.finish();

  const extensionIds = SIGNED_EXTENSIONS.map((e) => ({ identifier: e.identifier, type: registry.add(e.type), additional: registry.add(e.additional) }));
  const extrinsicType = registry.add(T.uncheckedExtrinsic);
  const writeExtensions = (w: ScaleWriter) => w.vec(extensionIds, (w, e) => w.str(e.identifier).compact(e.type).compact(e.additional));
  const extrinsic = new ScaleWriter();
  if (version === 14) {
    extrinsic.compact(extrinsicType).u8(4);
  } else {
    extrinsic.u8(4).compact(registry.add(MultiAddress)).compact(registry.add(T.runtimeCall)).compact(registry.add(MultiSignature)).compact(registry.add(extraType));
  }
  writeExtensions(extrinsic);
  const runtimeType = registry.add(T.composite([RUNTIME_CRATE, 'Runtime'], []));

  const tail = new ScaleWriter();
  if (version === 15) {
    tail.vec(opts.apis ?? RUNTIME_API_DESCRIPTORS, (w, api) => {
      w.str(api.name);
      w.vec(api.methods, (w, m) => {
        w.str(m.name);
        w.vec(m.inputs, (w, input) => w.str(input.name).compact(registry.add(input.type)));
        w.compact(registry.add(m.output));
        w.vec(m.docs ?? [], (w, d) => w.str(d));
      });
      w.vec(api.docs ?? [], (w, d) => w.str(d));
    });
    tail.compact(registry.add(T.runtimeCall)).compact(registry.add(T.runtimeEvent)).compact(registry.add(T.runtimeError));
    tail.compact(0); // custom: an empty map
  }

  return new ScaleWriter()
    .raw(METADATA_MAGIC)
    .u8(version)
    .raw(registry.encode())
    .raw(palletsBytes)
    .raw(extrinsic.finish())
    .compact(runtimeType)
    .raw(tail.finish())
    .finish();
}
