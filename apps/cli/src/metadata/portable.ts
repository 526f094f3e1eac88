import { ScaleReader } from '@balanceai/chain';

/*
 * A reader for the runtime metadata a chain serves (`state_getMetadata`, V14 or V15): the portable type
 * registry and the pallets, which is what it takes to decode events and name dispatch errors. It reads the
 * chain's own description rather than our descriptors, so the CLI decodes whatever runtime it talks to.
 */

export interface Field {
  name?: string;
  type: number;
}

export interface Variant {
  name: string;
  index: number;
  fields: Field[];
}

export type TypeDef =
  | { tag: 'composite'; fields: Field[] }
  | { tag: 'variant'; variants: Variant[] }
  | { tag: 'sequence'; type: number }
  | { tag: 'array'; len: number; type: number }
  | { tag: 'tuple'; types: number[] }
  | { tag: 'primitive'; primitive: Primitive }
  | { tag: 'compact'; type: number }
  | { tag: 'bitSequence' };

export type Primitive = 'bool' | 'char' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256';
const PRIMITIVES: Primitive[] = ['bool', 'char', 'str', 'u8', 'u16', 'u32', 'u64', 'u128', 'u256', 'i8', 'i16', 'i32', 'i64', 'i128', 'i256'];

export interface PortableType {
  id: number;
  path: string[];
  def: TypeDef;
}

export interface StorageEntry {
  name: string;
  valueType: number;
}

export interface PalletMetadata {
  name: string;
  index: number;
  storage: StorageEntry[];
  eventType?: number;
  errorType?: number;
}

export interface RuntimeMetadata {
  version: 14 | 15;
  types: Map<number, PortableType>;
  pallets: PalletMetadata[];
}

export class MetadataReadError extends Error {
  readonly code = 'BAD_METADATA';
}

const MAGIC = 0x6174656d; // "meta", little-endian

const texts = (r: ScaleReader): string[] => r.vec((r) => r.str());
const typeId = (r: ScaleReader): number => r.compactU32();

function readFields(r: ScaleReader): Field[] {
  return r.vec((r) => {
    const name = r.option((r) => r.str());
    const type = typeId(r);
    r.option((r) => r.str()); // type name
    texts(r); // docs
    return { name, type };
  });
}

function readTypeDef(r: ScaleReader): TypeDef {
  const tag = r.u8();
  switch (tag) {
    case 0:
      return { tag: 'composite', fields: readFields(r) };
    case 1:
      return {
        tag: 'variant',
        variants: r.vec((r) => {
          const name = r.str();
          const fields = readFields(r);
          const index = r.u8();
          texts(r);
          return { name, index, fields };
        }),
      };
    case 2:
      return { tag: 'sequence', type: typeId(r) };
    case 3: {
      const len = r.u32();
      return { tag: 'array', len, type: typeId(r) };
    }
    case 4:
      return { tag: 'tuple', types: r.vec(typeId) };
    case 5: {
      const p = PRIMITIVES[r.u8()];
      if (!p) throw new MetadataReadError('unknown primitive type');
      return { tag: 'primitive', primitive: p };
    }
    case 6:
      return { tag: 'compact', type: typeId(r) };
    case 7:
      typeId(r);
      typeId(r);
      return { tag: 'bitSequence' };
    default:
      throw new MetadataReadError(`unknown TypeDef variant ${tag}`);
  }
}

function readStorage(r: ScaleReader): StorageEntry[] {
  r.str(); // prefix
  return r.vec((r) => {
    const name = r.str();
    r.u8(); // modifier
    const kind = r.u8();
    let valueType: number;
    if (kind === 0) valueType = typeId(r);
    else if (kind === 1) {
      r.vec((r) => r.u8()); // hashers
      typeId(r); // key
      valueType = typeId(r);
    } else throw new MetadataReadError(`unknown storage entry type ${kind}`);
    r.bytes(); // default
    texts(r);
    return { name, valueType };
  });
}

/** Parses `RuntimeMetadataPrefixed` V14 or V15 up to the pallets; the rest (extrinsic, APIs) is not needed here. */
export function parseMetadata(bytes: Uint8Array): RuntimeMetadata {
  try {
    const r = new ScaleReader(bytes);
    if (r.u32() !== MAGIC) throw new MetadataReadError('runtime metadata does not start with "meta"');
    const version = r.u8();
    if (version !== 14 && version !== 15) throw new MetadataReadError(`runtime metadata V${version} is not supported (V14, V15)`);
    const types = new Map<number, PortableType>();
    const count = r.compactU32();
    for (let i = 0; i < count; i++) {
      const id = typeId(r);
      const path = texts(r);
      r.vec((r) => (r.str(), r.option(typeId))); // type params
      const def = readTypeDef(r);
      texts(r);
      types.set(id, { id, path, def });
    }
    const pallets = r.vec((r): PalletMetadata => {
      const name = r.str();
      const storage = r.option(readStorage) ?? [];
      r.option(typeId); // calls
      const eventType = r.option(typeId);
      r.vec((r) => (r.str(), typeId(r), r.bytes(), texts(r))); // constants
      const errorType = r.option(typeId);
      const index = r.u8();
      if (version === 15) texts(r);
      return { name, index, storage, eventType, errorType };
    });
    return { version, types, pallets };
  } catch (err) {
    if (err instanceof MetadataReadError) throw err;
    throw new MetadataReadError(`cannot read the runtime metadata: ${(err as Error).message}`);
  }
}
