// A bridge relayer (docs/architecture.md §7): one per relayer, with its own Ethereum key (EIP-712 mint
// authorisations) and BAI key (attestations). It never trusts what it has not seen final:
//   BAI → Ethereum: every lock still `Locked` in the finalized BAI state gets this relayer's Mint signature,
//     published on the signature board (anyone, the user included, submits the mint with M of them);
//     a lock minted at a final Ethereum block is reported (`attest_minted`); a lock refundable at a final
//     Ethereum block (cancelled, or unprocessed past its deadline: BridgeClient.checkRefundable) is attested
//     for refund (`refund`), only once BalanceAI's own block time is past the deadline too.
//   Ethereum → BAI: burns with the configured confirmations (BurnWatcher: reorgs shallower than that are
//     invisible) are attested (`attest_burn`) until the pallet shows them confirmed.
// Each step is idempotent against the chain's state, so a crash between steps repeats at most a signature
// or a submission that the pallet refuses (AlreadyAttested); progress (the burn watcher's position, burns not
// yet attested, locks already signed) is saved after each tick. Submissions not reflected in the finalized
// state after `retryBlocks` BAI blocks are sent again; a failing tick is retried with exponential backoff.
import type { BridgeCallData, BurnStatus, LockStatus } from '@balanceai/chain';

export interface LockView {
  readonly id: string;
  readonly nonce: bigint;
  readonly ethRecipient: string;
  readonly amount: bigint;
  readonly deadline: bigint;
  readonly status: LockStatus;
  readonly mintVotes: readonly string[];
  readonly refundVotes: readonly string[];
}

export interface BurnView {
  readonly id: string;
  readonly status: BurnStatus;
  readonly attesters: readonly string[];
}

/** The bridge pallet's state at the finalized BAI head (open locks; the burns asked for). */
export interface BaiSnapshot {
  readonly height: bigint;
  readonly timeMs: bigint;
  readonly locks: readonly LockView[];
  readonly burns: ReadonlyMap<string, BurnView>;
}

export interface BaiPort {
  /** The locks still Locked, and the burns among `burnIds` the pallet knows, at the finalized head. */
  finalized(burnIds: readonly string[]): Promise<BaiSnapshot>;
  /** Signs the call with this relayer's BAI key and submits it (resolves when the node accepted it). */
  submit(call: BridgeCallData): Promise<void>;
}

export interface MintAuthorisation {
  readonly lockId: string;
  readonly recipient: string;
  readonly amount: bigint;
  readonly deadline: bigint;
}

export interface SignedMint {
  readonly message: MintAuthorisation;
  readonly signer: string;
  readonly signature: string;
}

/** Where relayers publish their mint signatures for anyone to collect. */
export interface SignatureBoard {
  publish(s: SignedMint): Promise<void>;
}

export interface ConfirmedBurnView {
  readonly burnId: string;
  readonly nonce: bigint;
  /** 32-byte BAI account, 0x hex. */
  readonly baiRecipient: string;
  readonly amount: bigint;
}

export interface EthPort {
  /** This relayer's EIP-712 Mint signature. */
  signMint(m: MintAuthorisation): Promise<SignedMint>;
  /** The newest Ethereum block this relayer treats as final (head − confirmations + 1). */
  finalBlock(): Promise<bigint>;
  lockStatus(lockId: string, block: bigint): Promise<'None' | 'Minted' | 'Cancelled'>;
  refundable(lockId: string, deadline: bigint, block: bigint): Promise<boolean>;
  /** Burns newly confirmed since the last call (in nonce order, each once). */
  pollBurns(): Promise<ConfirmedBurnView[]>;
  /** What to persist so a restarted watcher resumes after the burns already delivered. */
  burnCursor(): { readonly scannedUpTo: bigint; readonly lastNonce: bigint };
}

export interface Progress {
  scannedUpTo: bigint;
  lastNonce: bigint;
  /** Confirmed burns not yet seen confirmed on BAI. */
  pendingBurns: ConfirmedBurnView[];
  /** Locks this relayer has signed a mint for. */
  signed: string[];
}

export interface ProgressStore {
  load(): Promise<Progress | null>;
  save(p: Progress): Promise<void>;
}

export interface RelayerOptions {
  /** This relayer's BAI account, 0x hex. */
  readonly account: string;
  readonly bai: BaiPort;
  readonly eth: EthPort;
  readonly board: SignatureBoard;
  readonly store: ProgressStore;
  /** Resubmit a call not reflected after this many BAI blocks (default 10). */
  readonly retryBlocks?: bigint;
  readonly log?: (line: string) => void;
}

export interface TickReport {
  readonly signed: number;
  readonly submitted: BridgeCallData[];
}

export class Relayer {
  private progress: Progress = { scannedUpTo: 0n, lastNonce: 0n, pendingBurns: [], signed: [] };
  private readonly inflight = new Map<string, bigint>();
  private loaded = false;
  private status = { lastTickOk: false, lastTickAtMs: 0, consecutiveFailures: 0 };

  constructor(private readonly o: RelayerOptions) {}

  /** The progress a restarted relayer resumes from (null before the first save). */
  static async resumeFrom(store: ProgressStore): Promise<Progress | null> {
    return store.load();
  }

  private async submitOnce(key: string, height: bigint, call: BridgeCallData, out: BridgeCallData[]): Promise<void> {
    const at = this.inflight.get(key);
    if (at !== undefined && height <= at + (this.o.retryBlocks ?? 10n)) return;
    await this.o.bai.submit(call);
    this.inflight.set(key, height);
    out.push(call);
  }

  /** One pass over both chains. Throws on a failed read or submission (the loop backs off and retries). */
  async tick(): Promise<TickReport> {
    const { account: me, bai, eth, board, store } = this.o;
    if (!this.loaded) {
      const saved = await store.load();
      if (saved) this.progress = { ...saved, pendingBurns: [...saved.pendingBurns], signed: [...saved.signed] };
      this.loaded = true;
    }
    const snap = await bai.finalized(this.progress.pendingBurns.map((b) => b.burnId));
    const final = await eth.finalBlock();
    const nowSecs = snap.timeMs / 1000n;
    const signed = new Set(this.progress.signed);
    const submitted: BridgeCallData[] = [];
    let newlySigned = 0;
    for (const lock of [...snap.locks].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0))) {
      if (lock.status !== 'Locked') {
        signed.delete(lock.id);
        continue;
      }
      if (!signed.has(lock.id) && nowSecs <= lock.deadline) {
        await board.publish(await eth.signMint({ lockId: lock.id, recipient: lock.ethRecipient, amount: lock.amount, deadline: lock.deadline }));
        signed.add(lock.id);
        newlySigned++;
      }
      if (lock.mintVotes.includes(me) || lock.refundVotes.includes(me)) continue;
      const status = await eth.lockStatus(lock.id, final);
      if (status === 'Minted') await this.submitOnce(`minted:${lock.id}`, snap.height, { call: 'attest_minted', lockId: lock.id }, submitted);
      else if (nowSecs > lock.deadline && (await eth.refundable(lock.id, lock.deadline, final))) {
        await this.submitOnce(`refund:${lock.id}`, snap.height, { call: 'refund', lockId: lock.id }, submitted);
      }
    }
    // A lock no longer open is final on BAI: forget it (the list stays as small as the open locks).
    const open = new Set(snap.locks.filter((l) => l.status === 'Locked').map((l) => l.id));
    this.progress.signed = [...signed].filter((id) => open.has(id)).sort();
    const fresh = await eth.pollBurns();
    const cursor = eth.burnCursor();
    this.progress.pendingBurns.push(...fresh);
    this.progress.scannedUpTo = cursor.scannedUpTo;
    this.progress.lastNonce = cursor.lastNonce;
    // Save before submitting: a burn delivered by the watcher is never lost to a crash.
    await store.save(this.progress);
    const stillPending: ConfirmedBurnView[] = [];
    for (const b of this.progress.pendingBurns) {
      const seen = snap.burns.get(b.burnId);
      if (seen && (seen.status !== 'Attesting' || seen.attesters.includes(me))) continue;
      stillPending.push(b);
      await this.submitOnce(`burn:${b.burnId}`, snap.height, { call: 'attest_burn', burnId: b.burnId, recipient: b.baiRecipient, amount: b.amount }, submitted);
    }
    this.progress.pendingBurns = stillPending;
    await store.save(this.progress);
    return { signed: newlySigned, submitted };
  }

  /** Whether the last tick of `run` succeeded, when, and how many failed in a row. */
  health(): { account: string; lastTickOk: boolean; lastTickAtMs: number; consecutiveFailures: number } {
    return { account: this.o.account, ...this.status };
  }

  /** Ticks every `intervalMs` until `signal` aborts; a failed tick is retried after 2^k × intervalMs (at most maxBackoffMs). */
  async run(signal: AbortSignal, intervalMs = 1_000, maxBackoffMs = 30_000): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.tick();
        failures = 0;
        this.status = { lastTickOk: true, lastTickAtMs: Date.now(), consecutiveFailures: 0 };
      } catch (err) {
        failures++;
        this.status = { lastTickOk: false, lastTickAtMs: Date.now(), consecutiveFailures: failures };
        this.o.log?.(`relayer ${this.o.account}: tick failed (${failures} in a row): ${(err as Error).message}`);
      }
      const wait = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures);
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
