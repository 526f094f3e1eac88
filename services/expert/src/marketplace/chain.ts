// The on-chain side of a marketplace model: its Models.Providers entry at the finalized head, read through
// a gateway's REST API (GET /v1/models/providers/{id}, itself read from consensus), like any wallet.
import { DomainError } from '@balanceai/platform';

export interface OnChainProvider {
  readonly id: number;
  /** "model" or "agent". */
  readonly kind: string;
  /** "active", "deregistered", "slashed" or "closed". */
  readonly status: string;
  readonly name: string;
  readonly metadataUri: string;
  /** The finalized block it was read at. */
  readonly at: string;
}

/** The provider with this id, or null when the chain has none. */
export type ProviderReader = (id: number) => Promise<OnChainProvider | null>;

export function gatewayProviderReader(gatewayUrl: string, timeoutMs = 10_000): ProviderReader {
  const base = gatewayUrl.replace(/\/$/, '');
  return async (id) => {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/models/providers/${id}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new DomainError('MARKETPLACE_CHAIN_UNAVAILABLE', `the chain cannot be read at ${base}: ${(err as Error).message}`, 'unavailable');
    }
    if (res.status === 404) {
      const body = (await res.json().catch(() => ({}))) as { code?: string };
      if (body.code === 'PROVIDER_NOT_FOUND') return null;
      throw new DomainError('MARKETPLACE_CHAIN_UNAVAILABLE', `${base} does not serve /v1/models (${body.code ?? 404}): is the models module running?`, 'unavailable');
    }
    if (!res.ok) throw new DomainError('MARKETPLACE_CHAIN_UNAVAILABLE', `the chain read at ${base} answered ${res.status}`, 'unavailable');
    const p = (await res.json()) as OnChainProvider;
    return { id: p.id, kind: p.kind, status: p.status, name: p.name, metadataUri: p.metadataUri, at: p.at };
  };
}
