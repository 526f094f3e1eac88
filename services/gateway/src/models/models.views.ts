import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  MODELS_HISTORY_DEPTH,
  MODELS_STORAGE,
  PROVIDER_KINDS,
  PROVIDER_STATUSES,
  ChainError,
  decodeEraFund,
  decodeEraScore,
  decodeProviderInfo,
  fromHex,
  modelsKeyParts,
  storageMapKey,
  storagePrefix,
  toHex,
  type ModelsStorageItem,
  type ProviderInfo,
  type ProviderKind,
} from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';

// REST views of the models marketplace (docs/architecture.md §6), read from the Models pallet storage at a
// finalized block through consensus (ReadStorage / StorageKeys), decoded with libs/chain's Models codec.
// Amounts are decimal strings of base units; kinds and statuses lowercase.

/** The `:id` path parameter: a provider id (u32). */
export const PROVIDER_ID_PATTERN = '^(?:0|[1-9][0-9]{0,9})$';
const KINDS = ['model', 'agent'] as const;
const STATUSES = ['active', 'deregistered', 'slashed', 'closed'] as const;

export class ProviderView {
  @ApiProperty({ example: 0 }) id!: number;
  @ApiProperty({ description: '0x hex account id of the owner' }) owner!: string;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty() metadataUri!: string;
  @ApiProperty() endpoint!: string;
  @ApiProperty({ description: 'free + bonded BAI a caller must hold for access, base units' }) minAccessHolding!: string;
  @ApiProperty({ description: 'the validation lock, base units' }) lock!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'deregistered / slashed: the era at whose start the lock returns' }) unlockEra!: number | null;
  @ApiProperty() registeredEra!: number;
  @ApiProperty({ description: 'grants received, all eras' }) earned!: string;
  @ApiProperty({ description: 'slashed from the lock, all eras' }) slashed!: string;
}

export class ProvidersView {
  @ApiProperty({ description: 'the finalized block read' }) at!: string;
  @ApiProperty({ type: [ProviderView] }) providers!: ProviderView[];
}

export class ProviderEraView {
  @ApiProperty() era!: number;
  @ApiProperty({ description: 'stake-weighted median of the validators\' scores (0..65535)' }) consensus!: number;
  @ApiProperty({ description: 'Σ stake × min(score, consensus)' }) weight!: string;
  @ApiProperty({ description: 'grant paid at the era end, base units' }) paid!: string;
}

export class ProviderDetailView extends ProviderView {
  @ApiProperty() at!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty({ type: [ProviderEraView], description: `scores and earnings of the last ${MODELS_HISTORY_DEPTH} completed eras it was active in, most recent first` }) eras!: ProviderEraView[];
}

export class EraFundView {
  @ApiProperty() era!: number;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty({ description: 'the grants fund\'s balance at the era end' }) fund!: string;
  @ApiProperty() paid!: string;
  @ApiProperty() totalWeight!: string;
  @ApiProperty() providers!: number;
}

export class ModelsFundsView {
  @ApiProperty() at!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty({ description: 'every validation lock the models module holds' }) totalLocked!: string;
  @ApiProperty({ type: [EraFundView], description: 'both grants funds at each kept era end, most recent first (live balances: /v1/emissions/funds)' }) eras!: EraFundView[];
}

export class ProviderQuery {
  @ApiPropertyOptional({ enum: KINDS }) kind?: string;
  @ApiPropertyOptional({ enum: STATUSES }) status?: string;
  @ApiPropertyOptional({ description: 'substring of the name (case-insensitive)' }) q?: string;
}

const item = (name: ModelsStorageItem, parts: Uint8Array[] = []): string => {
  const hashers = MODELS_STORAGE[name];
  return toHex(parts.length === 0 ? storagePrefix('Models', name) : storageMapKey('Models', name, ...parts.map((p, i): [(typeof hashers)[number], Uint8Array] => [hashers[i]!, p])));
};

export const modelsKeys = {
  providersPrefix: () => item('Providers'),
  provider: (id: number) => item('Providers', modelsKeyParts.provider(id)),
  currentEra: () => item('CurrentEra'),
  totalLocked: () => item('TotalLocked'),
  eraScore: (era: number, id: number) => item('EraScores', modelsKeyParts.eraScore(era, id)),
  eraFund: (era: number, kind: ProviderKind) => item('EraFunds', modelsKeyParts.eraFund(era, kind)),
};

/** The provider id at the end of a Providers key (Twox64Concat of a u32: 8 hash bytes, then the id LE). */
export function providerIdOfKey(key: string): number {
  const b = fromHex(key);
  return new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true);
}

export function parseProviderId(text: string): number {
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(text) || Number(text) > 0xffff_ffff) throw new DomainError('BAD_PROVIDER_ID', `a provider id is a u32, got "${text}"`, 'invalid');
  return Number(text);
}

export interface ProviderFilter {
  kind?: ProviderKind;
  status?: (typeof PROVIDER_STATUSES)[number];
  q?: string;
}

export function parseProviderFilter(query: ProviderQuery): ProviderFilter {
  const out: ProviderFilter = {};
  if (query.kind !== undefined) {
    const i = (KINDS as readonly string[]).indexOf(query.kind);
    if (i < 0) throw new DomainError('BAD_QUERY', 'kind is model or agent', 'invalid');
    out.kind = PROVIDER_KINDS[i];
  }
  if (query.status !== undefined) {
    const i = (STATUSES as readonly string[]).indexOf(query.status);
    if (i < 0) throw new DomainError('BAD_QUERY', `status is one of ${STATUSES.join(', ')}`, 'invalid');
    out.status = PROVIDER_STATUSES[i];
  }
  if (query.q !== undefined) {
    if (query.q.length > 64) throw new DomainError('BAD_QUERY', 'q is at most 64 characters', 'invalid');
    out.q = query.q.toLowerCase();
  }
  return out;
}

export function matches(p: ProviderInfo, f: ProviderFilter): boolean {
  return (!f.kind || p.kind === f.kind) && (!f.status || p.status === f.status) && (!f.q || p.name.toLowerCase().includes(f.q));
}

/** A stored value that does not decode is the module's bug, not the caller's: 502 with the key. */
function decoded<T>(key: string, value: string, decode: (b: Uint8Array) => T): T {
  try {
    return decode(fromHex(value));
  } catch (err) {
    if (err instanceof ChainError || err instanceof RangeError) throw new DomainError('BAD_STORAGE_VALUE', `Models storage ${key} does not decode: ${err.message}`, 'internal');
    throw err;
  }
}

export function providerView(id: number, key: string, value: string): { info: ProviderInfo; view: ProviderView } {
  const info = decoded(key, value, decodeProviderInfo);
  return {
    info,
    view: {
      id,
      owner: toHex(info.owner),
      kind: info.kind.toLowerCase(),
      name: info.name,
      metadataUri: info.metadataUri,
      endpoint: info.endpoint,
      minAccessHolding: info.minAccessHolding.toString(),
      lock: info.lock.toString(),
      status: info.status.toLowerCase(),
      unlockEra: info.unlockEra,
      registeredEra: info.registeredEra,
      earned: info.earned.toString(),
      slashed: info.slashed.toString(),
    },
  };
}

export function eraScoreView(era: number, key: string, value: string): ProviderEraView {
  const s = decoded(key, value, decodeEraScore);
  return { era, consensus: s.consensus, weight: s.weight.toString(), paid: s.paid.toString() };
}

export function eraFundView(era: number, kind: ProviderKind, key: string, value: string): EraFundView {
  const f = decoded(key, value, decodeEraFund);
  return { era, kind: kind.toLowerCase(), fund: f.fund.toString(), paid: f.paid.toString(), totalWeight: f.totalWeight.toString(), providers: f.providers };
}

export const u32Of = (value: string): number => {
  const b = fromHex(value);
  return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0;
};

export const u128Of = (value: string): bigint => {
  const b = fromHex(value);
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
};
