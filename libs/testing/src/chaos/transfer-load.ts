import { ONE_BAI, encodeTransfer, fromHex, keyFromUri, mortalEra, signExtrinsic, ss58Encode, toHex, type KeyPair } from '@balanceai/chain';

/** A mortal era long enough to outlive any perturbation, short enough that nothing replays later. */
const ERA_PERIOD = 64;
/** An accepted transfer not final after this long is submitted again (same bytes: it cannot apply twice). */
const RESUBMIT_AFTER_MS = 8_000;
const MAX_IN_FLIGHT = 64;

interface Sender {
  key: KeyPair;
  address: string;
  nonce: number;
  /** The next nonce must be read from the chain first (a refusal or an unknown outcome). */
  resync: boolean;
}

interface Accepted {
  hex: string;
  sentAtMs: number;
  lastSubmitMs: number;
}

export interface LoadFigures {
  offered: number;
  accepted: number;
  /** Refused by the node (retryable overload or a stale nonce): the client knows, nothing is lost. */
  refused: number;
  /** No answer (gateway restarting, timeout): the transfer may or may not land. */
  unknown: number;
  notSent: number;
  resubmitted: number;
}

/**
 * Steady transfers through the gateway's REST API from many dev accounts, as a careful wallet sends
 * them: mortal era, nonce from the chain after any doubt, and an accepted transfer resubmitted until it
 * is final. Remembers every accepted hash so the run can check each is final exactly once.
 */
export class TransferLoad {
  private readonly senders: Sender[];
  private readonly dest: Uint8Array;
  private head: { height: number; hash: Uint8Array } | null = null;
  private runtime: { genesisHash: Uint8Array; specVersion: number; transactionVersion: number } | null = null;
  readonly accepted = new Map<string, Accepted>();
  readonly final = new Set<string>();
  readonly figures: LoadFigures = { offered: 0, accepted: 0, refused: 0, unknown: 0, notSent: 0, resubmitted: 0 };
  private inFlight = 0;
  private next = 0;

  constructor(
    private readonly gatewayUrl: string,
    senderCount: number,
  ) {
    this.senders = Array.from({ length: senderCount }, (_, i) => {
      const key = keyFromUri(`//bench/${i}`, 'sr25519');
      return { key, address: ss58Encode(key.publicKey, 42), nonce: 0, resync: true };
    });
    this.dest = keyFromUri('//Ferdie', 'sr25519').publicKey;
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.gatewayUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
    return (await res.json()) as T;
  }

  /** Reads the runtime and the finalized head; call about once a second. */
  async refresh(): Promise<void> {
    if (!this.runtime) {
      const r = await this.get<{ genesisHash: string; specVersion: number; transactionVersion: number }>('/v1/runtime');
      this.runtime = { genesisHash: fromHex(r.genesisHash, 32), specVersion: r.specVersion, transactionVersion: r.transactionVersion };
    }
    const s = await this.get<{ finalized: { height: number; hash: string } }>('/v1/status');
    this.head = { height: s.finalized.height, hash: fromHex(s.finalized.hash, 32) };
  }

  private async post(hex: string): Promise<{ status: number; code?: string; hash?: string } | null> {
    try {
      const res = await fetch(`${this.gatewayUrl}/v1/extrinsics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extrinsic: hex }),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await res.json().catch(() => ({}))) as { hash?: string; code?: string };
      return { status: res.status, code: body.code, hash: body.hash };
    } catch {
      return null;
    }
  }

  /** Sends one transfer (if fewer than MAX_IN_FLIGHT are pending); never throws. */
  send(): void {
    this.figures.offered++;
    if (!this.head || !this.runtime || this.inFlight >= MAX_IN_FLIGHT) {
      this.figures.notSent++;
      return;
    }
    const sender = this.senders[this.next++ % this.senders.length]!;
    this.inFlight++;
    void this.sendFrom(sender).finally(() => this.inFlight--);
  }

  private async sendFrom(sender: Sender): Promise<void> {
    if (sender.resync) {
      try {
        sender.nonce = Number((await this.get<{ nextNonce: number | string }>(`/v1/accounts/${sender.address}`)).nextNonce);
        sender.resync = false;
      } catch {
        this.figures.unknown++;
        return;
      }
    }
    const head = this.head!;
    const rt = this.runtime!;
    const nonce = sender.nonce++;
    const hex = toHex(
      signExtrinsic(sender.key, encodeTransfer('allow_death', this.dest, ONE_BAI / 1000n), { era: mortalEra(head.height, ERA_PERIOD), nonce, tip: 0n }, {
        specVersion: rt.specVersion,
        transactionVersion: rt.transactionVersion,
        genesisHash: rt.genesisHash,
        birthHash: head.hash,
      }),
    );
    const r = await this.post(hex);
    if (r && r.status === 202 && r.hash) {
      this.figures.accepted++;
      const now = Date.now();
      this.accepted.set(r.hash, { hex, sentAtMs: now, lastSubmitMs: now });
      return;
    }
    sender.resync = true;
    if (r) this.figures.refused++;
    else this.figures.unknown++;
  }

  /** Marks the given hashes final; resubmits accepted transfers that have waited too long. */
  async settle(finalHashes: Iterable<string>): Promise<void> {
    for (const h of finalHashes) if (this.accepted.has(h)) this.final.add(h);
    const now = Date.now();
    for (const [hash, a] of this.accepted) {
      if (this.final.has(hash) || now - a.lastSubmitMs < RESUBMIT_AFTER_MS) continue;
      a.lastSubmitMs = now;
      this.figures.resubmitted++;
      await this.post(a.hex);
    }
  }

  pendingHashes(): string[] {
    return [...this.accepted.keys()].filter((h) => !this.final.has(h));
  }

  get pending(): number {
    return this.accepted.size - this.final.size;
  }
}
