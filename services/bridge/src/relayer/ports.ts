// The relayer's adapters: Ethereum through @balanceai/ethereum (viem), progress in a JSON file, and an
// in-process signature board (one process running several relayers, tests, the devnet).
import { readFile, rename, writeFile } from 'node:fs/promises';
import { getAddress, type Hex, type LocalAccount } from 'viem';
import { BurnWatcher, signMint, type BridgeClient } from '@balanceai/ethereum';
import type { ConfirmedBurnView, EthPort, MintAuthorisation, Progress, ProgressStore, SignatureBoard, SignedMint } from './relayer.js';

export interface ViemEthPortOptions {
  readonly client: BridgeClient;
  /** This relayer's Ethereum key. */
  readonly account: LocalAccount;
  /** Blocks a burn (and any evidence read) must be deep: a block at h has head − h + 1 confirmations. */
  readonly confirmations: number;
  /** The bridge's deployment block (first block scanned on a fresh start). */
  readonly fromBlock: bigint;
  /** Resume point from the saved progress. */
  readonly resume?: { readonly scannedUpTo: bigint; readonly lastNonce: bigint } | null;
}

export class ViemEthPort implements EthPort {
  private readonly watcher: BurnWatcher;
  private lastNonce: bigint;

  constructor(private readonly o: ViemEthPortOptions) {
    const r = o.resume;
    this.lastNonce = r?.lastNonce ?? 0n;
    this.watcher = new BurnWatcher(o.client.conn.publicClient, o.client.bridge, {
      confirmations: o.confirmations,
      fromBlock: r && r.scannedUpTo >= o.fromBlock ? r.scannedUpTo + 1n : o.fromBlock,
      lastNonce: r?.lastNonce ?? 0n,
    });
  }

  async signMint(m: MintAuthorisation): Promise<SignedMint> {
    const s = await signMint(this.o.account, this.o.client.domain, { lockId: m.lockId as Hex, recipient: getAddress(m.recipient), amount: m.amount, deadline: m.deadline });
    return { message: m, signer: s.signer, signature: s.signature };
  }

  async finalBlock(): Promise<bigint> {
    const head = await this.o.client.conn.publicClient.getBlockNumber({ cacheTime: 0 });
    const final = head - BigInt(this.o.confirmations) + 1n;
    return final < 0n ? 0n : final;
  }

  async lockStatus(lockId: string, block: bigint): Promise<'None' | 'Minted' | 'Cancelled'> {
    // Before the deployment block nothing was minted (and the contract has no code to ask).
    if (block < this.o.fromBlock) return 'None';
    return this.o.client.lockStatus(lockId as Hex, block);
  }

  async refundable(lockId: string, deadline: bigint, block: bigint): Promise<boolean> {
    if (block < this.o.fromBlock) return false;
    return (await this.o.client.checkRefundable(lockId as Hex, deadline, block)).refundable;
  }

  async pollBurns(): Promise<ConfirmedBurnView[]> {
    const burns = await this.watcher.poll();
    for (const b of burns) if (b.nonce > this.lastNonce) this.lastNonce = b.nonce;
    return burns.map((b) => ({ burnId: b.burnId.toLowerCase(), nonce: b.nonce, baiRecipient: b.baiRecipient.toLowerCase(), amount: b.amount }));
  }

  burnCursor() {
    return { scannedUpTo: this.watcher.scannedUpTo, lastNonce: this.lastNonce };
  }
}

/** Progress as JSON (bigints as decimal strings), written to a temporary file and renamed: never half-written. */
export class FileProgressStore implements ProgressStore {
  constructor(private readonly path: string) {}

  async load(): Promise<Progress | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const j = JSON.parse(text) as { scannedUpTo: string; lastNonce: string; pendingBurns: Array<{ burnId: string; nonce: string; baiRecipient: string; amount: string }>; signed: string[] };
    return {
      scannedUpTo: BigInt(j.scannedUpTo),
      lastNonce: BigInt(j.lastNonce),
      pendingBurns: j.pendingBurns.map((b) => ({ burnId: b.burnId, nonce: BigInt(b.nonce), baiRecipient: b.baiRecipient, amount: BigInt(b.amount) })),
      signed: j.signed,
    };
  }

  async save(p: Progress): Promise<void> {
    const text = JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    await writeFile(`${this.path}.tmp`, text);
    await rename(`${this.path}.tmp`, this.path);
  }
}

/** Signatures by lock id, as relayers publish them; `collect` gives what a minter submits. */
export class MemorySignatureBoard implements SignatureBoard {
  private readonly byLock = new Map<string, Map<string, SignedMint>>();

  async publish(s: SignedMint): Promise<void> {
    const m = this.byLock.get(s.message.lockId) ?? new Map<string, SignedMint>();
    m.set(s.signer.toLowerCase(), s);
    this.byLock.set(s.message.lockId, m);
  }

  collect(lockId: string): SignedMint[] {
    return [...(this.byLock.get(lockId)?.values() ?? [])];
  }
}
