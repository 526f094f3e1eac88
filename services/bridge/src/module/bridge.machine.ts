import { CallDecodeError, ChainError, blake2_256, bridgeReleaseWindow, decodeBridgeCall, moduleAccount, parseAccountId, toHex, type Genesis } from '@balanceai/chain';
import { blockOutput, type CheckTxInput, type CheckTxOutcome, type ExecuteBlockInput, type ExecuteBlockOutput, type ModuleStateMachine, type ModuleStorageView, type TransferOutput } from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import { executeBridgeBlock } from '../logic/block.js';
import { type BridgeParams, type BridgeState, type Transfer, ZERO_ACCOUNT, ZERO_H160, compareIds, emptyState } from '../logic/types.js';
import { encodeBridgeState } from './bridge.state.js';
import { bridgeStorage } from './bridge.storage.js';

export const BRIDGE_MODULE_NAME = 'bridge';
export const BRIDGE_PALLET_INDEX = 30;
/** moduleAccount('bridge'): the escrow. Consensus lets the module debit signers into it and credit out of it. */
export const BRIDGE_MODULE_ACCOUNT = toHex(moduleAccount(BRIDGE_MODULE_NAME));

export interface BridgeSetup {
  readonly params: BridgeParams;
  readonly moduleAccount: string;
}

/** The bridge setup of a genesis; the genesis must carry the `bridge` section (it also puts pallet 30 in the metadata). */
export function bridgeSetupFromGenesis(genesis: Genesis): BridgeSetup {
  const b = genesis.bridge;
  if (!b) {
    throw new DomainError('BAD_BRIDGE_GENESIS', 'the genesis has no "bridge" section: add one (relayers and threshold; other fields take the defaults) to run the bridge', 'internal');
  }
  return {
    params: {
      relayers: b.relayers.map((r) => toHex(parseAccountId(r))).sort(compareIds),
      threshold: b.threshold,
      lockTtlSecs: BigInt(b.lockTtlSecs),
      minLock: b.minLock,
      releaseLimit: b.releaseLimit,
      releaseWindow: BigInt(bridgeReleaseWindow(genesis.params.blockTimeMs)),
      chainId: genesis.chainId,
    },
    moduleAccount: BRIDGE_MODULE_ACCOUNT,
  };
}

/**
 * Bridge (pallet 30) on the module host: the pure logic (src/logic) with the contract. Transfers: DEBIT
 * signer → the bridge account (lock); CREDIT the bridge account → recipient (release) or → locker (refund).
 */
export class BridgeMachine implements ModuleStateMachine<BridgeState> {
  readonly name = BRIDGE_MODULE_NAME;
  readonly palletIndex = BRIDGE_PALLET_INDEX;

  constructor(readonly setup: BridgeSetup) {
    if (setup.params.releaseWindow < 1n) throw new RangeError('releaseWindow must be at least 1');
    if (setup.params.threshold < 1 || setup.params.threshold > setup.params.relayers.length) throw new RangeError('threshold must be 1..relayers');
  }

  initialState(): BridgeState {
    return emptyState(this.setup.params);
  }

  root(state: BridgeState): Uint8Array {
    return blake2_256(encodeBridgeState(state));
  }

  storage(state: BridgeState): ModuleStorageView {
    return bridgeStorage(state, this.setup.params.relayers);
  }

  executeBlock(state: BridgeState, input: ExecuteBlockInput): { state: BridgeState; output: ExecuteBlockOutput } {
    const ctx = input.context;
    if (ctx.height !== state.height + 1n) throw new DomainError('HEIGHT_GAP', `bridge is at ${state.height}, cannot execute ${ctx.height}`, 'conflict');
    const held = input.moduleBalances.get(this.setup.moduleAccount);
    if (held !== undefined && held < state.escrow) {
      // The bridge account must hold the whole escrow; less means the ledger and this module disagree: stop.
      throw new DomainError('ESCROW_MISMATCH', `the bridge account holds ${held}, less than the escrow ${state.escrow}`, 'internal', { held: held.toString(), escrow: state.escrow.toString() });
    }
    const out = executeBridgeBlock(state, {
      height: ctx.height,
      timeMs: ctx.timeMs,
      params: this.setup.params,
      calls: input.calls.map((c) => ({ extrinsicIndex: c.extrinsicIndex, signer: c.signer, callIndex: c.callIndex, args: c.args })),
      free: input.signerBalances,
    });
    return { state: out.state, output: blockOutput('Bridge', out, (t) => this.toWire(t)) };
  }

  /** Mempool check: the call decodes and passes the checks that need no state (relayer calls from relayers only). */
  checkTx(input: CheckTxInput): CheckTxOutcome {
    const bad = (code: string, message: string): CheckTxOutcome => ({ ok: false, errorCode: `Bridge.${code}`, errorMessage: message });
    let c;
    try {
      c = decodeBridgeCall(input.callIndex, input.args);
    } catch (err) {
      if (err instanceof CallDecodeError || err instanceof ChainError) return bad('BadCall', err.message);
      throw err;
    }
    const p = this.setup.params;
    if (c.call === 'lock') {
      if (c.amount === 0n) return bad('ZeroAmount', 'lock a positive amount');
      if (c.amount < p.minLock) return bad('BelowMinLock', `a lock must be at least ${p.minLock}`);
      if (c.ethRecipient === ZERO_H160) return bad('ZeroEthRecipient', 'the Ethereum recipient is the zero address');
      if (c.amount > input.signerFree) return bad('InsufficientBalance', `the lock ${c.amount} exceeds the free balance ${input.signerFree}`);
      return { ok: true };
    }
    if (!p.relayers.includes(input.signer)) return bad('NotRelayer', `${input.signer} is not a relayer`);
    if (c.call === 'attest_burn') {
      if (c.amount === 0n) return bad('ZeroAmount', 'a burn of nothing');
      if (c.recipient === ZERO_ACCOUNT) return bad('ZeroRecipient', 'the recipient is the zero account');
    }
    return { ok: true };
  }

  private toWire(t: Transfer): TransferOutput {
    const mod = this.setup.moduleAccount;
    if (t.kind === 'debit') return { kind: 'debit', from: t.from, to: mod, amount: t.amount };
    return { kind: 'credit', from: mod, to: t.to, amount: t.amount };
  }
}
