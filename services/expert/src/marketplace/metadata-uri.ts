// What a marketplace model's on-chain `metadata_uri` must carry for this expert service to load it (issue 11):
// the sha256 of its CLIPS source and, when it has Python functions, of those, plus the version it is served
// as, in the URI's fragment: `<where the files are>#clp-sha256=<64 hex>&py-sha256=<64 hex>&version=1.2.0`.
// The part before `#` is free (ipfs://…, https://…); only the fragment binds the bytes.
import { createHash } from 'node:crypto';
import { DomainError } from '@balanceai/platform';

export interface ModelMetadata {
  /** sha256 (lowercase hex) of the model's .clp source, exactly as loaded. */
  readonly clpSha256: string;
  /** sha256 of its Python functions; null when the model has none. */
  readonly pySha256: string | null;
  /** MAJOR.MINOR.PATCH, the version the expert serves it as. */
  readonly version: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const VERSION = /^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$/;

const bad = (message: string) => new DomainError('MARKETPLACE_BAD_METADATA_URI', message, 'invalid');

export function parseModelMetadataUri(uri: string): ModelMetadata {
  const hash = uri.indexOf('#');
  if (hash < 0) throw bad(`the metadata URI "${uri}" has no fragment: it must end in #clp-sha256=<hex>&version=<x.y.z>`);
  const params = new Map<string, string>();
  for (const part of uri.slice(hash + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (params.has(key)) throw bad(`the metadata URI names ${key} twice`);
    params.set(key, eq < 0 ? '' : part.slice(eq + 1));
  }
  const clp = params.get('clp-sha256')?.toLowerCase();
  if (!clp || !HEX64.test(clp)) throw bad('the metadata URI needs clp-sha256=<64 hex digits>');
  const py = params.get('py-sha256')?.toLowerCase();
  if (py !== undefined && !HEX64.test(py)) throw bad('py-sha256 must be 64 hex digits');
  const version = params.get('version') ?? '';
  if (!VERSION.test(version)) throw bad('the metadata URI needs version=MAJOR.MINOR.PATCH');
  return { clpSha256: clp, pySha256: py ?? null, version };
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The fragment a provider appends to its metadata URI for these files (what `register` should carry). */
export function modelMetadataFragment(files: { modelClp: string; functionsPy?: string; version: string }): string {
  return `#clp-sha256=${sha256Hex(files.modelClp)}${files.functionsPy ? `&py-sha256=${sha256Hex(files.functionsPy)}` : ''}&version=${files.version}`;
}
