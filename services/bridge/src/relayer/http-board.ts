// Cross-process signature collection: each relayer keeps the mint signatures it made and serves them on its
// own HTTP listener (loopback by default); a minter (the user, the CLI, the gateway) asks the relayers it
// knows and submits M of them to BaiBridge, which is the judge (signatures recover to relayers or not).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignatureBoard, SignedMint } from './relayer.js';

const LOCK_ID = /^0x[0-9a-f]{64}$/;

export interface RelayerHealth {
  readonly account: string;
  readonly lastTickOk: boolean;
  readonly lastTickAtMs: number;
  readonly consecutiveFailures: number;
}

/** Who this relayer is on Ethereum: served in /healthz so a reader (the gateway) can check its signatures. */
export interface RelayerIdentity {
  /** The address its EIP-712 Mint signatures recover to. */
  readonly ethAddress: string;
  /** The BaiBridge it signs for, and that contract's chain. */
  readonly bridge: string;
  readonly chainId: number;
}

/** Keeps this relayer's signatures and serves GET /v1/bridge/signatures/<lockId> and GET /healthz. */
export class HttpSignatureBoard implements SignatureBoard {
  private readonly byLock = new Map<string, SignedMint>();
  private server?: Server;

  constructor(
    private readonly health: () => RelayerHealth,
    private readonly identity?: RelayerIdentity,
  ) {}

  async publish(s: SignedMint): Promise<void> {
    this.byLock.set(s.message.lockId.toLowerCase(), s);
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
      };
      if (req.method !== 'GET') return send(405, { code: 'METHOD_NOT_ALLOWED', message: 'GET only' });
      const url = new URL(req.url ?? '/', 'http://relayer');
      if (url.pathname === '/healthz') {
        const h = this.health();
        return send(h.lastTickOk ? 200 : 503, { ...h, ...this.identity });
      }
      const m = /^\/v1\/bridge\/signatures\/(0x[0-9a-fA-F]+)$/.exec(url.pathname);
      if (!m) return send(404, { code: 'NOT_FOUND', message: 'GET /v1/bridge/signatures/<lockId> or /healthz' });
      const lockId = m[1]!.toLowerCase();
      if (!LOCK_ID.test(lockId)) return send(400, { code: 'BAD_LOCK_ID', message: 'a lock id is 32 bytes of 0x hex' });
      const s = this.byLock.get(lockId);
      if (!s) return send(404, { code: 'NOT_SIGNED', message: `this relayer has not signed ${lockId} (not final on BAI yet, or past its deadline)` });
      return send(200, s);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Asks each relayer URL for its signature of `lockId`; relayers that have none or are down are skipped. */
export async function collectSignatures(relayerUrls: readonly string[], lockId: string, timeoutMs = 5_000): Promise<SignedMint[]> {
  const out: SignedMint[] = [];
  await Promise.all(
    relayerUrls.map(async (u) => {
      try {
        const res = await fetch(`${u}/v1/bridge/signatures/${lockId.toLowerCase()}`, { signal: AbortSignal.timeout(timeoutMs) });
        if (res.status !== 200) return;
        const j = (await res.json()) as { message: { lockId: string; recipient: string; amount: string; deadline: string }; signer: string; signature: string };
        out.push({ message: { lockId: j.message.lockId, recipient: j.message.recipient, amount: BigInt(j.message.amount), deadline: BigInt(j.message.deadline) }, signer: j.signer, signature: j.signature });
      } catch {
        // unreachable relayer: the others may be enough
      }
    }),
  );
  return out.sort((a, b) => (a.signer.toLowerCase() < b.signer.toLowerCase() ? -1 : 1));
}
