// The scoring worker's I/O: reads the chain through a gateway's REST API, probes providers over HTTP and
// submits set_weights signed with the validator's stash key. One `tick()` does at most one era's scoring;
// `run()` ticks until stopped. It never touches a module or a database: it is a client like a wallet.
import { performance } from 'node:perf_hooks';
import { EndpointError, IMMORTAL, encodeModelsCall, endpointRequest, fromHex, pinEndpoint, signExtrinsic, toHex, type EndpointPolicy, type KeyPair, type PinnedEndpoint } from '@balanceai/chain';
import { shouldScore, weightsOf, type ProbeResult } from './scoring.js';

export interface WorkerOptions {
  /** e.g. http://127.0.0.1:8080 */
  gatewayUrl: string;
  /** The validator's stash key (its controller: set_weights is refused from any other account). */
  key: KeyPair;
  eraLength: number;
  maxWeights: number;
  /** Per probe request (default 3 s). */
  probeTimeoutMs?: number;
  /** Providers probed at once (default 16). */
  concurrency?: number;
  /** Probe loopback / private endpoints too (BAI_ACCESS_PRIVATE_ENDPOINTS=allow, devnets); default false, as the access proxy. */
  privateEndpoints?: boolean;
  log?: (line: string) => void;
}

interface ProviderJson {
  id: number;
  endpoint: string;
  status: string;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const body = (await res.json()) as T & { code?: string; message?: string };
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${body.code ?? ''} ${body.message ?? ''}`);
  return body;
}

/**
 * Probes one endpoint: its health, then a sample request of its capability. The endpoint rules are the
 * access proxy's (libs/chain models-endpoint): a private address is not probed unless the policy allows it
 * (it scores as down), and the host is resolved once and pinned for both requests.
 */
export async function probe(endpoint: string, timeoutMs: number, policy: EndpointPolicy = { allowPrivate: false }): Promise<ProbeResult> {
  const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  const started = performance.now();
  let pinned: PinnedEndpoint;
  try {
    pinned = await pinEndpoint(base, policy);
  } catch (err) {
    if (err instanceof EndpointError) return { healthy: false, sampleOk: false, latencyMs: performance.now() - started, refused: err.code };
    throw err;
  }
  // Both requests go to the address checked once (pinned: the resolver answers it again, nothing else).
  const pinnedPolicy: EndpointPolicy = { allowPrivate: policy.allowPrivate, resolve: async () => [{ address: pinned.address, family: pinned.family }] };
  const limits = { timeoutMs, maxResponseBytes: 1024 * 1024 };
  const healthy = await endpointRequest(new URL('health', base), { method: 'GET', ...limits }, pinnedPolicy).then(
    (r) => r.status >= 200 && r.status < 300,
    () => false,
  );
  if (!healthy) return { healthy, sampleOk: false, latencyMs: performance.now() - started };
  const sampleStart = performance.now();
  const sampleOk = await endpointRequest(
    new URL('sample', base),
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"input":"balanceai-probe"}'), ...limits },
    pinnedPolicy,
  ).then(
    (r) => {
      if (r.status < 200 || r.status >= 300) return false;
      try {
        JSON.parse(new TextDecoder().decode(r.body));
        return true;
      } catch {
        return false;
      }
    },
    () => false,
  );
  return { healthy, sampleOk, latencyMs: performance.now() - sampleStart };
}

export class ScoringWorker {
  private lastScoredEra: number | null = null;
  private stopped = false;

  constructor(private readonly o: WorkerOptions) {}

  /** Scores the current era if it is time to; returns the submitted extrinsic's hash, or null. */
  async tick(): Promise<{ era: number; hash: string; weights: Array<[number, number]> } | null> {
    const { gatewayUrl, key } = this.o;
    const status = await json<{ finalized: { height: number } }>(`${gatewayUrl}/v1/status`);
    const { score, era } = shouldScore(status.finalized.height, this.o.eraLength, this.lastScoredEra);
    if (!score) return null;
    const { providers } = await json<{ providers: ProviderJson[] }>(`${gatewayUrl}/v1/models/providers?status=active`);
    const results = new Map<number, ProbeResult>();
    const queue = [...providers];
    const workers = Array.from({ length: Math.min(this.o.concurrency ?? 16, queue.length) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) results.set(p.id, await probe(p.endpoint, this.o.probeTimeoutMs ?? 3_000, { allowPrivate: this.o.privateEndpoints ?? false }));
    });
    await Promise.all(workers);
    const weights = weightsOf(results, this.o.maxWeights);
    const runtime = await json<{ genesisHash: string; specVersion: number; transactionVersion: number }>(`${gatewayUrl}/v1/runtime`);
    const account = await json<{ nextNonce: number }>(`${gatewayUrl}/v1/accounts/${toHex(key.publicKey)}`);
    const genesisHash = fromHex(runtime.genesisHash, 32);
    const xt = signExtrinsic(key, encodeModelsCall({ call: 'set_weights', weights }), { era: IMMORTAL, nonce: account.nextNonce, tip: 0n }, {
      specVersion: runtime.specVersion,
      transactionVersion: runtime.transactionVersion,
      genesisHash,
      birthHash: genesisHash,
    });
    const { hash } = await json<{ hash: string }>(`${gatewayUrl}/v1/extrinsics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extrinsic: toHex(xt) }),
    });
    this.lastScoredEra = era;
    this.o.log?.(`era ${era}: scored ${weights.length} providers, set_weights ${hash}`);
    return { era, hash, weights };
  }

  /** Ticks every `intervalMs` until stop(); a failed tick is logged and retried at the next. */
  async run(intervalMs = 2_000): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (err) {
        this.o.log?.(`scoring failed, retrying: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
