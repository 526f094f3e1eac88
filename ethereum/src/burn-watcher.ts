import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex, type PublicClient } from 'viem';
import { baiBridgeAbi } from './generated/contracts.js';
import { BridgeError } from './errors.js';

/** A `Burned` event that has the required number of confirmations. */
export interface ConfirmedBurn {
  /** keccak256(abi.encode(chainId, bridge, nonce)): unique across chains and deployments; what relayers attest. */
  burnId: Hex;
  nonce: bigint;
  from: Address;
  /** 32-byte BalanceAI account id. */
  baiRecipient: Hex;
  amount: bigint;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
}

export function burnIdOf(chainId: number, bridge: Address, nonce: bigint): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint256' }, { type: 'address' }, { type: 'uint256' }], [BigInt(chainId), bridge, nonce]),
  );
}

export interface BurnWatcherOptions {
  /** A block at height h has (head - h + 1) confirmations; burns are delivered once they have this many (>= 1). */
  confirmations: number;
  /** First block to scan (normally the bridge's deployment block). */
  fromBlock: bigint;
  /** Nonce of the last burn already handled (0n from deployment): the next delivered must be this + 1. */
  lastNonce?: bigint;
  /** Most blocks fetched per getLogs call. */
  maxRange?: bigint;
}

/**
 * Delivers BaiBridge burns once they are `confirmations` deep, in nonce order, each exactly once per watcher.
 * Reorgs shallower than `confirmations` are invisible to it (it never reads the unconfirmed tip); a reorg that
 * replaces a block it already delivered from raises `REORG_BEYOND_CONFIRMATIONS`, and a missing nonce raises
 * `BURN_NONCE_GAP`: both mean the confirmation depth is too small for this chain and need an operator.
 */
export class BurnWatcher {
  private nextBlock: bigint;
  private lastNonce: bigint;
  private lastDelivered?: { number: bigint; hash: Hex };
  private readonly chainId: number;

  constructor(
    private readonly publicClient: PublicClient,
    private readonly bridge: Address,
    private readonly opts: BurnWatcherOptions,
  ) {
    if (!Number.isInteger(opts.confirmations) || opts.confirmations < 1) {
      throw new BridgeError('BAD_ARGUMENT', `confirmations must be an integer >= 1, got ${opts.confirmations}`);
    }
    const chainId = publicClient.chain?.id;
    if (chainId === undefined) throw new BridgeError('BAD_ARGUMENT', 'the public client needs a chain (connect() sets one)');
    this.chainId = chainId;
    this.nextBlock = opts.fromBlock;
    this.lastNonce = opts.lastNonce ?? 0n;
  }

  /** Height below which everything has been scanned. */
  get scannedUpTo(): bigint {
    return this.nextBlock - 1n;
  }

  /** One step: returns the burns that became confirmed since the last call (possibly none). */
  async poll(): Promise<ConfirmedBurn[]> {
    const pc = this.publicClient;
    if (this.lastDelivered) {
      const block = await pc.getBlock({ blockNumber: this.lastDelivered.number });
      if (block.hash !== this.lastDelivered.hash) {
        throw new BridgeError(
          'REORG_BEYOND_CONFIRMATIONS',
          `block ${this.lastDelivered.number} changed from ${this.lastDelivered.hash} to ${block.hash} after its burns were delivered with ${this.opts.confirmations} confirmations`,
        );
      }
    }
    const head = await pc.getBlockNumber({ cacheTime: 0 }); // viem caches the head for pollingInterval otherwise
    const confirmedTip = head - BigInt(this.opts.confirmations) + 1n;
    if (confirmedTip < this.nextBlock) return [];
    const toBlock = this.opts.maxRange && confirmedTip - this.nextBlock + 1n > this.opts.maxRange
      ? this.nextBlock + this.opts.maxRange - 1n
      : confirmedTip;
    const tipBefore = await pc.getBlock({ blockNumber: toBlock });
    const logs = await pc.getContractEvents({
      address: this.bridge,
      abi: baiBridgeAbi,
      eventName: 'Burned',
      fromBlock: this.nextBlock,
      toBlock,
      strict: true,
    });
    // A reorg deeper than the confirmations during the call: leave the range for the next poll.
    const tipAfter = await pc.getBlock({ blockNumber: toBlock });
    if (tipAfter.hash !== tipBefore.hash) return [];
    const sorted = [...logs].sort((a, b) =>
      a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
    );
    const out: ConfirmedBurn[] = [];
    let expected = this.lastNonce;
    for (const log of sorted) {
      const { nonce, from, baiRecipient, amount } = log.args;
      if (nonce <= this.lastNonce) continue; // already handled (a restart with fromBlock before lastNonce)
      expected += 1n;
      if (nonce !== expected) {
        throw new BridgeError('BURN_NONCE_GAP', `expected burn nonce ${expected}, found ${nonce} in block ${log.blockNumber}`);
      }
      out.push({
        burnId: burnIdOf(this.chainId, this.bridge, nonce),
        nonce,
        from: getAddress(from),
        baiRecipient,
        amount,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        transactionHash: log.transactionHash,
        logIndex: log.logIndex,
      });
    }
    this.lastNonce = expected;
    this.nextBlock = toBlock + 1n;
    this.lastDelivered = { number: toBlock, hash: tipAfter.hash };
    return out;
  }

  /** Polls every `intervalMs` until the returned function is called. Errors go to `onError` (polling goes on
   *  for transient RPC errors; it stops on REORG_BEYOND_CONFIRMATIONS and BURN_NONCE_GAP). */
  watch(
    onBurns: (burns: ConfirmedBurn[]) => void | Promise<void>,
    opts: { intervalMs?: number; onError?: (err: unknown) => void } = {},
  ): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (stopped) return;
      try {
        const burns = await this.poll();
        if (burns.length > 0) await onBurns(burns);
      } catch (err) {
        opts.onError?.(err);
        if (err instanceof BridgeError && (err.code === 'REORG_BEYOND_CONFIRMATIONS' || err.code === 'BURN_NONCE_GAP')) {
          stopped = true;
        }
      }
      if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 1_000);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }
}
