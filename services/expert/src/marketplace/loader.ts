// Loading a marketplace model into the running expert service (issue 11): the provider registered it on
// chain (pallet 20, kind model) with a metadata URI carrying the sha256 of its files; whoever administers this
// node hands over the files; they are served at once (the engine's AddModel, no restart) only if the provider
// is registered and active, is a model, and every file hashes to what the chain says.
import type { expertV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { OnChainProvider, ProviderReader } from './chain.js';
import { parseModelMetadataUri, sha256Hex } from './metadata-uri.js';

export interface MarketplaceModelFiles {
  /** The on-chain provider id (Models.Providers key). */
  readonly provider: number;
  readonly modelClp: string;
  readonly functionsPy?: string;
  readonly description?: string;
  /** "toolkit" (default) or "native". */
  readonly mode?: string;
  readonly explanations?: Record<string, string>;
  readonly inputSchemaJson?: string;
}

export interface LoadedMarketplaceModel {
  readonly provider: number;
  /** The model's name in the expert: its on-chain name. */
  readonly name: string;
  readonly version: string;
  readonly clpSha256: string;
  /** The finalized block the registration was read at. */
  readonly at: string;
  readonly model: expertV1.Model | undefined;
}

export type AddModel = (request: expertV1.AddModelRequest, adminToken: string | undefined) => Promise<expertV1.AddModelResponse>;

export class MarketplaceLoader {
  constructor(
    private readonly readProvider: ProviderReader,
    private readonly addModel: AddModel,
  ) {}

  /**
   * Checks the registration and the hashes, then adds the model version. Refusals: MARKETPLACE_MODEL_NOT_REGISTERED
   * (no such provider: 404), MARKETPLACE_NOT_A_MODEL (an agent: 400), MARKETPLACE_MODEL_INACTIVE (403),
   * MARKETPLACE_BAD_METADATA_URI (400), MARKETPLACE_HASH_MISMATCH (403, details: file, expected, actual);
   * then the engine's own (MODEL_ADMIN_DENIED, MODEL_VERSION_EXISTS, MODEL_LOAD_FAILED, …).
   */
  async load(files: MarketplaceModelFiles, adminToken: string | undefined): Promise<LoadedMarketplaceModel> {
    if (!Number.isInteger(files.provider) || files.provider < 0 || files.provider > 0xffff_ffff) {
      throw new DomainError('BAD_REQUEST', 'provider is a provider id (u32)', 'invalid', { field: 'provider' });
    }
    if (typeof files.modelClp !== 'string' || files.modelClp.length === 0) throw new DomainError('BAD_REQUEST', 'modelClp is required', 'invalid', { field: 'modelClp' });
    const onChain = await this.readProvider(files.provider);
    const p = registered(files.provider, onChain);
    const meta = parseModelMetadataUri(p.metadataUri);
    checkHash('model.clp', meta.clpSha256, files.modelClp);
    if (meta.pySha256 !== null) checkHash('functions.py', meta.pySha256, files.functionsPy ?? '');
    else if (files.functionsPy) {
      throw new DomainError('MARKETPLACE_HASH_MISMATCH', `provider ${p.id} registered no Python functions (no py-sha256 in its metadata URI); functions.py refused`, 'forbidden', { file: 'functions.py', expected: '', actual: sha256Hex(files.functionsPy) });
    }
    const added = await this.addModel(
      {
        name: p.name,
        version: meta.version,
        description: files.description ?? `marketplace provider ${p.id}`,
        mode: files.mode ?? 'toolkit',
        modelClp: files.modelClp,
        functionsPy: files.functionsPy ?? '',
        explanations: files.explanations ?? {},
        inputSchemaJson: files.inputSchemaJson ?? '',
      },
      adminToken,
    );
    return { provider: p.id, name: p.name, version: meta.version, clpSha256: meta.clpSha256, at: p.at, model: added.model };
  }
}

function registered(id: number, p: OnChainProvider | null): OnChainProvider {
  if (!p) throw new DomainError('MARKETPLACE_MODEL_NOT_REGISTERED', `no provider ${id} is registered on chain: register the model (pallet 20) first`, 'not_found');
  if (p.kind !== 'model') throw new DomainError('MARKETPLACE_NOT_A_MODEL', `provider ${id} is registered as ${p.kind}, not as a model`, 'invalid');
  if (p.status !== 'active') throw new DomainError('MARKETPLACE_MODEL_INACTIVE', `provider ${id} is ${p.status} on chain`, 'forbidden');
  return p;
}

function checkHash(file: string, expected: string, text: string): void {
  const actual = sha256Hex(text);
  if (actual !== expected) {
    throw new DomainError('MARKETPLACE_HASH_MISMATCH', `${file} hashes to sha256 ${actual}, the on-chain registration says ${expected}`, 'forbidden', { file, expected, actual });
  }
}
