// One block of the staking module, in the order the service runs it:
//   1. era points for the signers of the previous block's commit (carried in this block),
//   2. slashes for the evidence in this block,
//   3. the staking calls, in block order, each seeing the signer's free balance left by the earlier ones,
//   4. at the last block of an era: payout of the pot, election, switch to the next era.
import { applyCall, type CallOutcome } from './calls.js';
import { endEra, isEraEnd, notePoints } from './era.js';
import { applySlash, type Offence } from './slashing.js';
import type { AccountId, StakingCall, StakingEvent, StakingState, Transfer } from './types.js';

export interface StakingBlockInput {
  readonly height: bigint;
  readonly eraLength: bigint;
  readonly commitSigners: readonly AccountId[];
  readonly evidence: readonly Offence[];
  readonly calls: ReadonlyArray<{ readonly signer: AccountId; readonly call: StakingCall }>;
  /** Free balances of the calls' signers when staking's turn begins. */
  readonly freeBalances: ReadonlyMap<AccountId, bigint>;
  /** Balance of the staking reward pot when staking's turn begins. */
  readonly rewardPot: bigint;
}

export interface StakingBlockOutput {
  readonly callResults: CallOutcome[];
  readonly transfers: Transfer[];
  readonly events: StakingEvent[];
  /** Set only at an era end: the validators (and backing) consensus uses from the next block. */
  readonly nextValidators: ReadonlyArray<{ readonly stash: AccountId; readonly backing: bigint }> | null;
}

export function executeStakingBlock(state: StakingState, block: StakingBlockInput): StakingBlockOutput {
  const transfers: Transfer[] = [];
  const events: StakingEvent[] = [];
  notePoints(state, block.commitSigners);
  for (const offence of block.evidence) {
    const r = applySlash(state, offence);
    transfers.push(...r.transfers);
    events.push(...r.events);
  }
  const free = new Map(block.freeBalances);
  const callResults: CallOutcome[] = [];
  for (const { signer, call } of block.calls) {
    const r = applyCall(state, signer, call, free.get(signer) ?? 0n);
    callResults.push(r);
    if (!r.ok) continue;
    for (const t of r.transfers) {
      if ('account' in t.from) free.set(t.from.account, (free.get(t.from.account) ?? 0n) - t.amount);
      if ('account' in t.to) free.set(t.to.account, (free.get(t.to.account) ?? 0n) + t.amount);
    }
    transfers.push(...r.transfers);
    events.push(...r.events);
  }
  let nextValidators: StakingBlockOutput['nextValidators'] = null;
  if (isEraEnd(block.height, block.eraLength)) {
    const r = endEra(state, block.rewardPot);
    transfers.push(...r.transfers);
    events.push(...r.events);
    nextValidators = r.nextValidators;
  }
  return { callResults, transfers, events, nextValidators };
}
