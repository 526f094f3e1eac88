// The relayer's BalanceAI side over a gateway: the finalized head from GET /v1/status, the Bridge pallet's
// open locks (Bridge.OpenLocks, then each Bridge.Locks entry) and the burns it asks about at that block over
// JSON-RPC (state_getStorage at the block hash),
// and attestations signed with the relayer's BAI key, submitted with POST /v1/extrinsics.
import { IMMORTAL, ScaleReader, decodeBurnInfo, decodeLockInfo, encodeBridgeCall, fromHex, signExtrinsic, storageMapKey, storagePrefix, toHex, type BridgeCallData, type KeyPair } from '@balanceai/chain';
import type { BaiPort, BaiSnapshot, BurnView, LockView } from './relayer.js';

export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface RuntimeInfo {
  genesisHash: Uint8Array;
  specVersion: number;
  transactionVersion: number;
}

export class GatewayBaiPort implements BaiPort {
  private runtime?: RuntimeInfo;
  private nextNonce = -1;

  constructor(
    private readonly url: string,
    private readonly key: KeyPair,
    private readonly timeoutMs = 10_000,
  ) {}

  private async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  private async rpc<T>(method: string, params: unknown[]): Promise<T> {
    const r = await this.json<{ result?: T; error?: { message?: string } }>('POST', '/', { jsonrpc: '2.0', id: 1, method, params });
    if (r.status !== 200 || r.body.error) throw new GatewayError('RPC_FAILED', `${method}: ${r.status} ${JSON.stringify(r.body.error ?? r.body)}`);
    return r.body.result as T;
  }

  async finalized(burnIds: readonly string[]): Promise<BaiSnapshot> {
    const st = await this.json<{ finalized: { height: number; hash: string; timeMs: number } }>('GET', '/v1/status');
    if (st.status !== 200) throw new GatewayError('STATUS_FAILED', `GET /v1/status → ${st.status}`);
    const { height, hash, timeMs } = st.body.finalized;
    const get = (key: Uint8Array) => this.rpc<string | null>('state_getStorage', [toHex(key), hash]);
    // Bridge.OpenLocks lists the locks still Locked: one read, then each of them (never the whole history).
    const openRaw = await get(storagePrefix('Bridge', 'OpenLocks'));
    const open = openRaw === null ? [] : new ScaleReader(fromHex(openRaw)).vec((r) => toHex(r.raw(32)));
    const locks: LockView[] = [];
    for (const id of open) {
      const v = await get(storageMapKey('Bridge', 'Locks', ['Blake2_128Concat', fromHex(id)]));
      if (v === null) throw new GatewayError('INCONSISTENT_STATE', `Bridge.OpenLocks lists ${id}, Bridge.Locks has no entry`);
      const l = decodeLockInfo(fromHex(v));
      locks.push({ id, nonce: l.nonce, ethRecipient: l.ethRecipient, amount: l.amount, deadline: l.deadline, status: l.status, mintVotes: l.mintAttestations, refundVotes: l.refundAttestations });
    }
    const burns = new Map<string, BurnView>();
    for (const id of burnIds) {
      const v = await get(storageMapKey('Bridge', 'Burns', ['Blake2_128Concat', fromHex(id)]));
      if (v === null) continue;
      const b = decodeBurnInfo(fromHex(v));
      burns.set(id, { id, status: b.status, attesters: b.attestations.map((a) => a.relayer) });
    }
    return { height: BigInt(height), timeMs: BigInt(timeMs), locks, burns };
  }

  async submit(call: BridgeCallData): Promise<void> {
    if (!this.runtime) {
      const r = await this.json<{ genesisHash: string; specVersion: number; transactionVersion: number }>('GET', '/v1/runtime');
      if (r.status !== 200) throw new GatewayError('RUNTIME_FAILED', `GET /v1/runtime → ${r.status}`);
      this.runtime = { genesisHash: fromHex(r.body.genesisHash), specVersion: r.body.specVersion, transactionVersion: r.body.transactionVersion };
    }
    const who = toHex(this.key.publicKey);
    const acct = await this.json<{ nextNonce: number }>('GET', `/v1/accounts/${who}`);
    if (acct.status !== 200) throw new GatewayError('ACCOUNT_FAILED', `GET /v1/accounts → ${acct.status}`);
    const nonce = Math.max(acct.body.nextNonce, this.nextNonce);
    const rt = this.runtime;
    const xt = signExtrinsic(this.key, encodeBridgeCall(call), { era: IMMORTAL, nonce, tip: 0n }, { specVersion: rt.specVersion, transactionVersion: rt.transactionVersion, genesisHash: rt.genesisHash, birthHash: rt.genesisHash });
    const res = await this.json<{ hash?: string; code?: string; message?: string }>('POST', '/v1/extrinsics', { extrinsic: toHex(xt) });
    if (res.status !== 202) {
      this.nextNonce = -1;
      throw new GatewayError(res.body.code ?? 'SUBMIT_FAILED', `${call.call} refused: ${res.status} ${res.body.message ?? ''}`);
    }
    this.nextNonce = nonce + 1;
  }
}
