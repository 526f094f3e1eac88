// One block of the bridge: the release queue first (the 24 h allowance refilled to this height), then the
// calls in block order. Pure: (state, input) → output, never mutating `state`.
import { type BridgeCallData, type BridgeError, CallDecodeError, ChainError, bridgeLockId, decodeBridgeCall } from '@balanceai/chain';
import { type AccountId, type BridgeEvent, type BridgeParams, type BridgeState, type Burn, type Lock, type Transfer, BridgeCallError, ZERO_ACCOUNT, ZERO_H160, compareIds } from './types.js';

export interface BlockCall {
  readonly extrinsicIndex: number;
  readonly signer: AccountId;
  readonly callIndex: number;
  readonly args: Uint8Array;
}

export interface BlockInput {
  readonly height: bigint;
  /** The block's time (ms since the Unix epoch), from the block itself. */
  readonly timeMs: bigint;
  readonly params: BridgeParams;
  readonly calls: readonly BlockCall[];
  /** Free balances of the calls' signers when the module's turn begins. */
  readonly free: ReadonlyMap<AccountId, bigint>;
}

export interface CallResult {
  readonly extrinsicIndex: number;
  readonly error?: { readonly code: BridgeError; readonly message: string };
}

export interface BlockOutput {
  readonly state: BridgeState;
  readonly results: CallResult[];
  /** In order; extrinsicIndex null for releases of burns queued in earlier blocks. */
  readonly events: Array<{ readonly event: BridgeEvent; readonly extrinsicIndex: number | null }>;
  readonly transfers: Transfer[];
}

interface Draft {
  height: bigint;
  nextNonce: bigint;
  escrow: bigint;
  totals: { locked: bigint; released: bigint; refunded: bigint };
  locks: Map<string, Lock>;
  burns: Map<string, Burn>;
  queue: string[];
  allowance: { left: bigint; updatedAt: bigint };
}

const fail = (code: BridgeError, message: string): never => {
  throw new BridgeCallError(code, message);
};

const insertSorted = (list: readonly string[], id: string): string[] => [...list, id].sort(compareIds);

/** The allowance after refilling from its last update to `height`: min(limit, left + elapsed × limit / window). */
export function refilled(allowance: { left: bigint; updatedAt: bigint }, height: bigint, params: Pick<BridgeParams, 'releaseLimit' | 'releaseWindow'>): { left: bigint; updatedAt: bigint } {
  if (params.releaseLimit === 0n) return { left: 0n, updatedAt: height };
  const elapsed = height > allowance.updatedAt ? height - allowance.updatedAt : 0n;
  const left = allowance.left + (elapsed * params.releaseLimit) / params.releaseWindow;
  return { left: left > params.releaseLimit ? params.releaseLimit : left, updatedAt: height };
}

class BlockRun {
  readonly events: BlockOutput['events'] = [];
  readonly transfers: Transfer[] = [];

  constructor(
    readonly d: Draft,
    readonly p: BridgeParams,
    readonly timeSecs: bigint,
    readonly free: Map<AccountId, bigint>,
  ) {}

  private emit(event: BridgeEvent, at: number | null): void {
    this.events.push({ event, extrinsicIndex: at });
  }

  private credit(to: AccountId, amount: bigint): void {
    this.transfers.push({ kind: 'credit', to, amount });
    this.free.set(to, (this.free.get(to) ?? 0n) + amount);
  }

  private relayer(signer: AccountId): void {
    if (!this.p.relayers.includes(signer)) fail('NotRelayer', `${signer} is not a relayer`);
  }

  /** Releases queued burns, oldest first, while escrow and the 24 h limit allow (a burn waiting a full window goes regardless of the limit). */
  drain(at: number | null): void {
    const { d, p } = this;
    while (d.queue.length > 0) {
      const b = d.burns.get(d.queue[0]!)!;
      if (d.escrow < b.amount) return;
      const limited = p.releaseLimit > 0n && b.amount > d.allowance.left && d.height - b.at < p.releaseWindow;
      if (limited) return;
      d.queue.shift();
      d.escrow -= b.amount;
      d.totals.released += b.amount;
      if (p.releaseLimit > 0n) d.allowance.left = d.allowance.left > b.amount ? d.allowance.left - b.amount : 0n;
      d.burns.set(b.id, { ...b, status: 'Released', at: d.height });
      this.credit(b.recipient, b.amount);
      this.emit({ type: 'Released', burnId: b.id, recipient: b.recipient, amount: b.amount }, at);
    }
  }

  /** Applies one call or throws BridgeCallError before changing anything. */
  apply(signer: AccountId, c: BridgeCallData, at: number): void {
    const { d, p } = this;
    switch (c.call) {
      case 'lock': {
        if (c.amount === 0n) fail('ZeroAmount', 'lock a positive amount');
        if (c.amount < p.minLock) fail('BelowMinLock', `a lock must be at least ${p.minLock}`);
        if (c.ethRecipient === ZERO_H160) fail('ZeroEthRecipient', 'the Ethereum recipient is the zero address');
        const free = this.free.get(signer) ?? 0n;
        if (c.amount > free) fail('InsufficientBalance', `the lock ${c.amount} exceeds the free balance ${free}`);
        const nonce = d.nextNonce;
        const id = bridgeLockId(p.chainId, nonce);
        const deadline = this.timeSecs + p.lockTtlSecs;
        d.nextNonce = nonce + 1n;
        d.escrow += c.amount;
        d.totals.locked += c.amount;
        d.locks.set(id, { id, nonce, owner: signer, ethRecipient: c.ethRecipient, amount: c.amount, deadline, lockedAt: d.height, status: 'Locked', finalAt: 0n, mintVotes: [], refundVotes: [] });
        this.transfers.push({ kind: 'debit', from: signer, amount: c.amount });
        this.free.set(signer, free - c.amount);
        this.emit({ type: 'Locked', lockId: id, owner: signer, ethRecipient: c.ethRecipient, amount: c.amount, deadline, nonce }, at);
        return;
      }
      case 'attest_minted':
      case 'refund': {
        this.relayer(signer);
        const lock = d.locks.get(c.lockId) ?? fail('UnknownLock', `no lock ${c.lockId}`);
        if (lock.status === 'Minted') fail('LockMinted', `lock ${c.lockId} was minted on Ethereum`);
        if (lock.status === 'Refunded') fail('LockRefunded', `lock ${c.lockId} was refunded`);
        const minted = c.call === 'attest_minted';
        const [mine, other] = minted ? [lock.mintVotes, lock.refundVotes] : [lock.refundVotes, lock.mintVotes];
        if (mine.includes(signer)) fail('AlreadyAttested', `${signer} already attested lock ${c.lockId}`);
        if (other.includes(signer)) fail('ConflictingAttestation', `${signer} attested lock ${c.lockId} ${minted ? 'refundable' : 'minted'}`);
        if (!minted) {
          if (this.timeSecs <= lock.deadline) fail('DeadlineNotPassed', `lock ${c.lockId} can be minted until ${lock.deadline}; the block time is ${this.timeSecs}`);
          if (mine.length + 1 >= p.threshold && d.escrow < lock.amount) fail('EscrowShortfall', `escrow ${d.escrow} cannot refund ${lock.amount}`);
        }
        const votes = insertSorted(mine, signer);
        const done = votes.length >= p.threshold;
        const next: Lock = minted
          ? { ...lock, mintVotes: votes, ...(done ? { status: 'Minted' as const, finalAt: d.height } : {}) }
          : { ...lock, refundVotes: votes, ...(done ? { status: 'Refunded' as const, finalAt: d.height } : {}) };
        d.locks.set(lock.id, next);
        this.emit(minted ? { type: 'MintAttested', lockId: lock.id, relayer: signer, attestations: votes.length } : { type: 'RefundAttested', lockId: lock.id, relayer: signer, attestations: votes.length }, at);
        if (done && minted) this.emit({ type: 'Minted', lockId: lock.id, amount: lock.amount }, at);
        if (done && !minted) {
          d.escrow -= lock.amount;
          d.totals.refunded += lock.amount;
          this.credit(lock.owner, lock.amount);
          this.emit({ type: 'Refunded', lockId: lock.id, owner: lock.owner, amount: lock.amount }, at);
        }
        return;
      }
      case 'attest_burn': {
        this.relayer(signer);
        if (c.amount === 0n) fail('ZeroAmount', 'a burn of nothing');
        if (c.recipient === ZERO_ACCOUNT) fail('ZeroRecipient', 'the recipient is the zero account');
        const burn: Burn = d.burns.get(c.burnId) ?? { id: c.burnId, status: 'Attesting', attestations: [], recipient: ZERO_ACCOUNT, amount: 0n, at: 0n };
        if (burn.status !== 'Attesting') fail('BurnAlreadyConfirmed', `burn ${c.burnId} is already ${burn.status.toLowerCase()}`);
        if (burn.attestations.some((a) => a.relayer === signer)) fail('AlreadyAttested', `${signer} already attested burn ${c.burnId}`);
        const attestations = [...burn.attestations, { relayer: signer, recipient: c.recipient, amount: c.amount }].sort((a, b) => compareIds(a.relayer, b.relayer));
        const matching = attestations.filter((a) => a.recipient === c.recipient && a.amount === c.amount).length;
        this.emit({ type: 'BurnAttested', burnId: c.burnId, relayer: signer, recipient: c.recipient, amount: c.amount, attestations: matching }, at);
        if (matching < p.threshold) {
          d.burns.set(c.burnId, { ...burn, attestations });
          return;
        }
        d.burns.set(c.burnId, { ...burn, attestations, status: 'Queued', recipient: c.recipient, amount: c.amount, at: d.height });
        d.queue.push(c.burnId);
        this.drain(at);
        if (d.burns.get(c.burnId)!.status === 'Queued') this.emit({ type: 'BurnQueued', burnId: c.burnId, recipient: c.recipient, amount: c.amount }, at);
        return;
      }
    }
  }
}

/**
 * Executes one block on a copy of `state`. Each call sees the balances left by the earlier calls of the
 * block; a refused call changes nothing and reports `Bridge.<error>`.
 */
export function executeBridgeBlock(state: BridgeState, input: BlockInput): BlockOutput {
  if (input.height !== state.height + 1n) throw new RangeError(`bridge is at ${state.height}, cannot execute ${input.height}`);
  const d: Draft = {
    height: input.height,
    nextNonce: state.nextNonce,
    escrow: state.escrow,
    totals: { ...state.totals },
    locks: new Map(state.locks),
    burns: new Map(state.burns),
    queue: [...state.queue],
    allowance: refilled(state.allowance, input.height, input.params),
  };
  const run = new BlockRun(d, input.params, input.timeMs / 1000n, new Map(input.free));
  run.drain(null);
  const results: CallResult[] = [];
  for (const call of input.calls) {
    let decoded: BridgeCallData;
    try {
      decoded = decodeBridgeCall(call.callIndex, call.args);
    } catch (err) {
      if (err instanceof CallDecodeError || err instanceof ChainError) {
        results.push({ extrinsicIndex: call.extrinsicIndex, error: { code: 'BadCall', message: err.message } });
        continue;
      }
      throw err;
    }
    try {
      run.apply(call.signer, decoded, call.extrinsicIndex);
      results.push({ extrinsicIndex: call.extrinsicIndex });
    } catch (err) {
      if (err instanceof BridgeCallError) results.push({ extrinsicIndex: call.extrinsicIndex, error: { code: err.code, message: err.message } });
      else throw err;
    }
  }
  const next: BridgeState = { height: d.height, nextNonce: d.nextNonce, escrow: d.escrow, totals: d.totals, locks: d.locks, burns: d.burns, queue: d.queue, allowance: d.allowance };
  return { state: next, results, events: run.events, transfers: run.transfers };
}
