import { fromHex, ScaleError, ScaleReader, toHex } from '@balanceai/chain';

/** A header as Substrate's RPC serialises it: `number` as 0x hex, each digest item as its SCALE hex. */
export interface HeaderJson {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

// sp_runtime::generic::DigestItem tags and what follows each.
const DIGEST_OTHER = 0;
const DIGEST_CONSENSUS = 4;
const DIGEST_SEAL = 5;
const DIGEST_PRE_RUNTIME = 6;
const DIGEST_RUNTIME_ENVIRONMENT_UPDATED = 8;

/** What the gateway needs of a SCALE header: its JSON, and whether it announces a runtime change. */
export interface DecodedHeader {
  json: HeaderJson;
  number: number;
  /** The header carries DigestItem::RuntimeEnvironmentUpdated: runtime version and metadata may differ from here on. */
  runtimeUpdated: boolean;
}

/**
 * Decodes a SCALE header (what GetBlock's `header` holds) straight into Substrate's JSON. Digest items
 * are passed through as the exact bytes they were encoded as, never re-encoded, so the JSON a client
 * hashes back is the validator's header.
 */
export function decodeHeader(headerHex: string): DecodedHeader {
  const bytes = fromHex(headerHex);
  const r = new ScaleReader(bytes);
  const parentHash = toHex(r.raw(32));
  const number = r.compactU32();
  const stateRoot = toHex(r.raw(32));
  const extrinsicsRoot = toHex(r.raw(32));
  const count = r.compactU32();
  const logs: string[] = [];
  let runtimeUpdated = false;
  for (let i = 0; i < count; i++) {
    const start = r.offset;
    const tag = r.u8();
    switch (tag) {
      case DIGEST_OTHER:
        r.bytes();
        break;
      case DIGEST_CONSENSUS:
      case DIGEST_SEAL:
      case DIGEST_PRE_RUNTIME:
        r.raw(4);
        r.bytes();
        break;
      case DIGEST_RUNTIME_ENVIRONMENT_UPDATED:
        runtimeUpdated = true;
        break;
      default:
        throw new ScaleError(`unknown digest item type ${tag}`);
    }
    logs.push(toHex(bytes.subarray(start, r.offset)));
  }
  if (r.remaining !== 0) throw new ScaleError(`${r.remaining} bytes after the header`);
  return { json: { parentHash, number: `0x${number.toString(16)}`, stateRoot, extrinsicsRoot, digest: { logs } }, number, runtimeUpdated };
}

/** sp_version::RuntimeVersion as `state_getRuntimeVersion` returns it. */
export interface RuntimeVersionJson {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  /** [8-byte API id as 0x hex, version] */
  apis: Array<[string, number]>;
  transactionVersion: number;
  /** Substrate serialises `systemVersion` since 2024 and `stateVersion` before; clients read either. */
  systemVersion: number;
  stateVersion: number;
}

/** Decodes the SCALE `RuntimeVersion` that the `Core_version` runtime call returns. */
export function decodeRuntimeVersion(hex: string): RuntimeVersionJson {
  const r = new ScaleReader(fromHex(hex));
  const specName = r.str();
  const implName = r.str();
  const authoringVersion = r.u32();
  const specVersion = r.u32();
  const implVersion = r.u32();
  const apis = r.vec((x): [string, number] => [toHex(x.raw(8)), x.u32()]);
  // Core API v3 ends here; v4 added transaction_version and state (now system) version.
  const transactionVersion = r.remaining >= 4 ? r.u32() : 1;
  const systemVersion = r.remaining >= 1 ? r.u8() : 0;
  return { specName, implName, authoringVersion, specVersion, implVersion, apis, transactionVersion, systemVersion, stateVersion: systemVersion };
}

/** A block number as Substrate accepts it in params: a JSON number or 0x hex (`NumberOrHex`). */
export function parseBlockNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(value)) {
    const n = Number.parseInt(value.slice(2), 16);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}
