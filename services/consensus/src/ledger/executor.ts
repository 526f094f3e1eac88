import {
  PALLET,
  decodeBalancesCall,
  decodeExtrinsic,
  eraBirth,
  toHex,
  verifyExtrinsic,
  type BalancesTransfer,
  type DecodedExtrinsic,
} from '@balanceai/chain';
import { decodedOf } from './decoded.js';
import { accountKey, type Ledger, type LedgerEvent } from './ledger.js';
import { feeOf, type ChainParams } from './params.js';

/** Why an extrinsic was refused (mempool) or skipped (execution): stable codes, Substrate's meaning. */
export type ValidityError =
  | 'MALFORMED_EXTRINSIC'
  | 'EXTRINSIC_TOO_LARGE'
  | 'BAD_PROOF'
  | 'ANCIENT_BIRTH_BLOCK'
  | 'STALE_NONCE'
  | 'FUTURE_NONCE'
  | 'PAYMENT';

export const VALIDITY_MESSAGES: Record<ValidityError, string> = {
  MALFORMED_EXTRINSIC: 'the extrinsic bytes do not decode',
  EXTRINSIC_TOO_LARGE: 'the extrinsic exceeds the maximum size',
  BAD_PROOF: 'the signature does not verify for this chain (bad signature, or signed for another genesis hash or runtime version)',
  ANCIENT_BIRTH_BLOCK: 'the mortal era has expired (or its birth block is unknown)',
  STALE_NONCE: 'the nonce is below the account nonce (already used)',
  FUTURE_NONCE: 'the nonce is above the account nonce',
  PAYMENT: 'the account cannot pay the fee and stay above the existential deposit',
};

export interface ExecutionContext {
  /** Number of the block being executed. */
  height: number;
  /** Hash of a past block by number (for mortality), undefined when unknown or too old. */
  blockHashAt(n: number): Uint8Array | undefined;
  /** True when this node already verified this extrinsic's signature for that birth block (mempool). */
  isVerified?(hash: string, birth: number): boolean;
  /** Pallets served by a module service: their calls pay fee and nonce here, then go to the module. */
  modulePallets?: ReadonlySet<number>;
}

export interface ExtrinsicOutcome {
  index: number;
  hash: string;
  signer: string;
  nonce: number;
  call: string;
  args: Record<string, string>;
  /** false: skipped (invalid), nothing charged, nonce unchanged. */
  applied: boolean;
  success: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  fee: bigint;
  events: LedgerEvent[];
  /** Set for a module pallet's call: fee and nonce are done, the module decides success. */
  moduleCall?: { palletIndex: number; callIndex: number; args: Uint8Array };
}

/** Additional signed data of an extrinsic at `height`: what its signature must cover. */
export function birthHashOf(xt: DecodedExtrinsic, params: ChainParams, ctx: ExecutionContext): Uint8Array | undefined {
  if (xt.extra.era.kind === 'immortal') return params.genesisHash;
  const birth = eraBirth(xt.extra.era, ctx.height);
  if (birth === 0) return params.genesisHash;
  return ctx.blockHashAt(birth);
}

/**
 * The checks every extrinsic passes before anything of it runs (Substrate's validate): size, era,
 * signature, nonce, fee. Used by the mempool (with `allowFutureNonce`) and by block execution.
 */
export function checkValidity(
  xt: DecodedExtrinsic,
  ledger: Ledger,
  params: ChainParams,
  ctx: ExecutionContext,
  opts: {
    allowFutureNonce?: boolean;
    skipSignature?: boolean;
    /** accountKey(xt.signer) and toHex(xt.hash) when the caller has them already. */
    signerKey?: string;
    hashHex?: string;
  } = {},
): ValidityError | null {
  if (xt.bytes.length > params.maxExtrinsicBytes) return 'EXTRINSIC_TOO_LARGE';
  if (!opts.skipSignature) {
    const bad = checkSignature(xt, params, ctx, opts.hashHex);
    if (bad) return bad;
  } else if (!birthHashOf(xt, params, ctx)) {
    return 'ANCIENT_BIRTH_BLOCK';
  }
  const account = ledger.get(opts.signerKey ?? accountKey(xt.signer));
  if (xt.extra.nonce < account.nonce) return 'STALE_NONCE';
  if (xt.extra.nonce > account.nonce && !opts.allowFutureNonce) return 'FUTURE_NONCE';
  const fee = feeOf(params, xt.bytes.length, xt.extra.tip);
  if (account.free < fee + params.existentialDeposit) return 'PAYMENT';
  return null;
}

/** The birth block number an extrinsic's era names at `ctx.height` (0 = genesis, immortal). */
export function birthOf(xt: DecodedExtrinsic, ctx: ExecutionContext): number {
  return xt.extra.era.kind === 'immortal' ? 0 : eraBirth(xt.extra.era, ctx.height);
}

/** What a signature covers besides the call and its extra (Substrate's additional signed data). */
export function additionalSigned(params: ChainParams, birthHash: Uint8Array): Parameters<typeof verifyExtrinsic>[1] {
  return { specVersion: params.specVersion, transactionVersion: params.transactionVersion, genesisHash: params.genesisHash, birthHash };
}

/**
 * The signature check (the costly part of validity): BAD_PROOF, ANCIENT_BIRTH_BLOCK or null. Skipped
 * when this node already verified the same extrinsic against the same birth block.
 */
export function checkSignature(xt: DecodedExtrinsic, params: ChainParams, ctx: ExecutionContext, hashHex?: string): ValidityError | null {
  const birthHash = birthHashOf(xt, params, ctx);
  if (!birthHash) return 'ANCIENT_BIRTH_BLOCK';
  if (ctx.isVerified?.(hashHex ?? toHex(xt.hash), birthOf(xt, ctx))) return null;
  const additional = (birth: Uint8Array) => additionalSigned(params, birth);
  if (verifyExtrinsic(xt, additional(birthHash))) return null;
  return expiredEra(xt, ctx, additional) ? 'ANCIENT_BIRTH_BLOCK' : 'BAD_PROOF';
}

/**
 * A mortal era names its birth block only by phase: a signature made for an earlier block of the same
 * phase (a whole period or more ago) means the era has expired. Checked only when the signature failed.
 */
function expiredEra(
  xt: DecodedExtrinsic,
  ctx: ExecutionContext,
  additional: (birth: Uint8Array) => Parameters<typeof verifyExtrinsic>[1],
): boolean {
  const era = xt.extra.era;
  if (era.kind !== 'mortal') return false;
  let birth = eraBirth(era, ctx.height);
  for (let k = 0; k < 8; k++) {
    birth -= era.period;
    if (birth < 0) return false;
    const hash = ctx.blockHashAt(birth);
    if (!hash) return false;
    if (verifyExtrinsic(xt, additional(hash))) return true;
  }
  return false;
}

/**
 * Executes a finalized block's extrinsics on the ledger, in block order (docs/architecture.md §3 step 1):
 * invalid ones are skipped (no fee, no nonce), valid ones pay their fee into the staking pot, bump the
 * nonce, then run their call; a failed call keeps the fee charged. Deterministic: no clock, no randomness.
 */
export function executeExtrinsics(
  ledger: Ledger,
  params: ChainParams,
  ctx: ExecutionContext,
  extrinsics: Uint8Array[],
): ExtrinsicOutcome[] {
  return extrinsics.map((bytes, index) => executeOne(ledger, params, ctx, bytes, index));
}

function executeOne(ledger: Ledger, params: ChainParams, ctx: ExecutionContext, bytes: Uint8Array, index: number): ExtrinsicOutcome {
  let xt: DecodedExtrinsic;
  try {
    // Decoded when the proposal arrived (decodeOnce), or now.
    xt = decodedOf(bytes) ?? decodeExtrinsic(bytes);
  } catch (err) {
    return skipped(index, bytes, 'MALFORMED_EXTRINSIC', (err as Error).message);
  }
  const hash = toHex(xt.hash);
  const signerKey = accountKey(xt.signer);
  const nonce = xt.extra.nonce;
  let balancesCall: BalancesTransfer | Error | null = null;
  if (xt.call.palletIndex === PALLET.Balances) {
    try {
      balancesCall = decodeBalancesCall(xt.call);
    } catch (err) {
      balancesCall = err as Error;
    }
  }
  const call = callName(xt, balancesCall);
  const invalid = checkValidity(xt, ledger, params, ctx, { signerKey, hashHex: hash });
  if (invalid) {
    return outcome(index, hash, signerKey, nonce, call, {}, false, false, invalid, VALIDITY_MESSAGES[invalid], 0n, []);
  }
  const fee = feeOf(params, bytes.length, xt.extra.tip);
  const signer = ledger.get(signerKey);
  ledger.set(signerKey, { free: signer.free - fee, reserved: signer.reserved, nonce: signer.nonce + 1 });
  const pot = ledger.get(params.feeDestination);
  ledger.set(params.feeDestination, { free: pot.free + fee, reserved: pot.reserved, nonce: pot.nonce });
  const events: LedgerEvent[] = [
    { module: 'TransactionPayment', name: 'TransactionFeePaid', data: { who: signerKey, actualFee: fee.toString(), tip: xt.extra.tip.toString() } },
  ];
  if (ctx.modulePallets?.has(xt.call.palletIndex)) {
    // Success or failure comes from the module after the ledger's pass (docs/architecture.md §3 step 2).
    const o = outcome(index, hash, signerKey, nonce, call, {}, true, true, null, null, fee, events);
    o.moduleCall = { palletIndex: xt.call.palletIndex, callIndex: xt.call.callIndex, args: xt.call.args };
    return o;
  }
  const args: Record<string, string> = {};
  const result = dispatch(ledger, params, xt, signerKey, balancesCall, args, events);
  if (result) {
    events.push({ module: 'System', name: 'ExtrinsicFailed', data: { error: result.code } });
    return outcome(index, hash, signerKey, nonce, call, args, true, false, result.code, result.message, fee, events);
  }
  events.push({ module: 'System', name: 'ExtrinsicSuccess', data: {} });
  return outcome(index, hash, signerKey, nonce, call, args, true, true, null, null, fee, events);
}

/** One allocation per outcome, fields always in this order (one hidden class for every outcome). */
function outcome(
  index: number,
  hash: string,
  signer: string,
  nonce: number,
  call: string,
  args: Record<string, string>,
  applied: boolean,
  success: boolean,
  errorCode: string | null,
  errorMessage: string | null,
  fee: bigint,
  events: LedgerEvent[],
): ExtrinsicOutcome {
  return { index, hash, signer, nonce, call, args, applied, success, errorCode, errorMessage, fee, events };
}

function skipped(index: number, bytes: Uint8Array, code: ValidityError, message: string): ExtrinsicOutcome {
  return {
    index,
    hash: '',
    signer: '',
    nonce: 0,
    call: 'unknown',
    args: {},
    applied: false,
    success: false,
    errorCode: code,
    errorMessage: message || VALIDITY_MESSAGES[code],
    fee: 0n,
    events: [],
  };
}

/** `balancesCall`: the Balances call decoded once (an Error when it does not decode), null for other pallets. */
function callName(xt: DecodedExtrinsic, balancesCall: BalancesTransfer | Error | null): string {
  if (xt.call.palletIndex === PALLET.Balances) {
    return balancesCall instanceof Error || !balancesCall ? 'Balances.unknown' : `Balances.${balancesCall.name}`;
  }
  return `${xt.call.palletIndex}.${xt.call.callIndex}`;
}

/** Runs the call; returns its pallet-style error, or null on success. Mutates only on success. */
function dispatch(
  ledger: Ledger,
  params: ChainParams,
  xt: DecodedExtrinsic,
  from: string,
  call: BalancesTransfer | Error | null,
  args: Record<string, string>,
  events: LedgerEvent[],
): { code: string; message: string } | null {
  if (xt.call.palletIndex !== PALLET.Balances || call === null) {
    return { code: 'System.CallUnavailable', message: `pallet ${xt.call.palletIndex} has no callable module on this chain yet` };
  }
  if (call instanceof Error) return { code: 'System.BadCall', message: call.message };
  const to = accountKey(call.dest);
  args.dest = to;
  args.value = call.value.toString();
  return transfer(ledger, params, from, to, call.value, call.name === 'transfer_keep_alive', events);
}

/** pallet_balances transfer semantics with an existential deposit; dust is moved to the pot, never burned. */
export function transfer(
  ledger: Ledger,
  params: ChainParams,
  from: string,
  to: string,
  value: bigint,
  keepAlive: boolean,
  events: LedgerEvent[],
): { code: string; message: string } | null {
  const ed = params.existentialDeposit;
  const sender = ledger.get(from);
  if (value > sender.free) return { code: 'Balances.InsufficientBalance', message: `transfer of ${value} exceeds the free balance ${sender.free}` };
  if (from === to || value === 0n) {
    events.push({ module: 'Balances', name: 'Transfer', data: { from, to, amount: value.toString() } });
    return null;
  }
  const remaining = sender.free - value;
  if (keepAlive && remaining < ed) {
    return { code: 'Balances.Expendability', message: 'transfer_keep_alive would take the sender below the existential deposit' };
  }
  const receiver = ledger.get(to);
  const receiverIsNew = !ledger.exists(to);
  if (receiver.free + value < ed) {
    return { code: 'Balances.ExistentialDeposit', message: `the receiver would hold less than the existential deposit ${ed}` };
  }
  ledger.set(to, { ...receiver, free: receiver.free + value });
  if (receiverIsNew) events.push({ module: 'Balances', name: 'Endowed', data: { account: to, freeBalance: value.toString() } });
  events.push({ module: 'Balances', name: 'Transfer', data: { from, to, amount: value.toString() } });
  if (remaining < ed && sender.reserved === 0n) {
    // The sender is reaped: its dust goes to the fee destination so issuance is unchanged.
    const pot = ledger.get(params.feeDestination);
    ledger.set(params.feeDestination, { ...pot, free: pot.free + remaining });
    ledger.set(from, { free: 0n, reserved: 0n, nonce: 0 });
    events.push({ module: 'Balances', name: 'DustLost', data: { account: from, amount: remaining.toString() } });
    events.push({ module: 'System', name: 'KilledAccount', data: { account: from } });
  } else {
    ledger.set(from, { ...ledger.get(from), free: remaining });
  }
  return null;
}
