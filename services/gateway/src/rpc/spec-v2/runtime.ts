import { ScaleReader, ScaleWriter, blake2_256, concatBytes, toHex, utf8 } from '@balanceai/chain';

/**
 * The runtime of a block as the new JSON-RPC spec reports it (`finalizedBlockRuntime`, `newRuntime`):
 * a subset of sp_version::RuntimeVersion, with `apis` as an object `{ "0x<8-byte id>": version }`
 * (the legacy `state_getRuntimeVersion` has an array of pairs instead).
 */
export interface RuntimeSpec {
  specName: string;
  implName: string;
  specVersion: number;
  implVersion: number;
  transactionVersion: number;
  apis: Record<string, number>;
}

/** Decodes the SCALE result of `Core_version` (sp_version::RuntimeVersion; systemVersion is optional, as in old runtimes). */
export function decodeRuntimeSpec(bytes: Uint8Array): RuntimeSpec {
  const r = new ScaleReader(bytes);
  const specName = r.str();
  const implName = r.str();
  r.u32(); // authoringVersion
  const specVersion = r.u32();
  const implVersion = r.u32();
  const apis: Record<string, number> = {};
  for (const [id, version] of r.vec((x) => [toHex(x.raw(8)), x.u32()] as const)) apis[id] = version;
  const transactionVersion = r.u32();
  if (r.remaining > 0) r.u8(); // systemVersion (stateVersion)
  r.assertEnd('RuntimeVersion');
  return { specName, implName, specVersion, implVersion, transactionVersion, apis };
}

/** Whether two blocks' runtimes differ in anything a client builds on (so `newRuntime` is reported). */
export function sameRuntime(a: RuntimeSpec, b: RuntimeSpec): boolean {
  if (a.specName !== b.specName || a.implName !== b.implName || a.specVersion !== b.specVersion) return false;
  if (a.implVersion !== b.implVersion || a.transactionVersion !== b.transactionVersion) return false;
  const ka = Object.keys(a.apis);
  return ka.length === Object.keys(b.apis).length && ka.every((k) => a.apis[k] === b.apis[k]);
}

/** The well-known storage key `:code` (the runtime's WebAssembly in Substrate). */
export const CODE_KEY = toHex(utf8(':code'));

const CODE_MAGIC = utf8('balanceai-runtime:v1');

/**
 * What `:code` holds here. BalanceAI's runtime is not WebAssembly, so there is no code blob to serve;
 * clients still read `:code` (polkadot-api keys its metadata cache by the hash of it, and treats a
 * changed hash as a runtime upgrade). This value stands in for the code: the ASCII magic
 * `balanceai-runtime:v1`, then specVersion and transactionVersion (u32 LE) and blake2_256 of the runtime's
 * V15 metadata (the SCALE answer of `Metadata_metadata_at_version(15)`). It is stable for one runtime and
 * changes, with its hash, exactly when the runtime (its versions or its metadata) changes.
 */
export function codeValue(spec: Pick<RuntimeSpec, 'specVersion' | 'transactionVersion'>, metadataV15: Uint8Array): Uint8Array {
  const versions = new ScaleWriter().u32(spec.specVersion).u32(spec.transactionVersion).finish();
  return concatBytes(CODE_MAGIC, versions, blake2_256(metadataV15));
}
