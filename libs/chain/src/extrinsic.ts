import { CallDecodeError, ExtrinsicDecodeError, ScaleError } from './errors.js';
import { blake2_256 } from './hash.js';
import { concatBytes } from './hex.js';
import { type KeyPair, type KeyType, verifySignature } from './keys.js';
import { ScaleReader, ScaleWriter } from './scale.js';

/** Fixed pallet indices of the BalanceAI runtime (they are part of every call's encoding). */
export const PALLET = { System: 0, Timestamp: 2, Balances: 5, TransactionPayment: 6, Staking: 7, Session: 9, Emissions: 10, Models: 20, Bridge: 30 } as const;

/** pallet_balances call indices, as in polkadot-sdk (wallets encode these numbers). */
export const BALANCES_CALL = { transfer_allow_death: 0, transfer_keep_alive: 3 } as const;

/** Substrate's extrinsic format version 4, with the "signed" bit. */
const SIGNED_V4 = 0x84;
const MULTI_ADDRESS_ID = 0;
const SIGNATURE_TYPE_TAG: Record<KeyType, number> = { ed25519: 0, sr25519: 1 };
const MAX_PAYLOAD_UNHASHED = 256;

// --- eras ------------------------------------------------------------------------------------------

export type Era = { kind: 'immortal' } | { kind: 'mortal'; period: number; phase: number };
export const IMMORTAL: Era = { kind: 'immortal' };

/** Substrate's Era::mortal: period rounded up to a power of two in 4..65536, phase quantised. */
export function mortalEra(currentBlock: number, period: number): Era {
  let p = 1;
  while (p < period && p < 1 << 16) p *= 2;
  p = Math.min(Math.max(p, 4), 1 << 16);
  const phase = currentBlock % p;
  const quantizeFactor = Math.max(p >> 12, 1);
  return { kind: 'mortal', period: p, phase: Math.floor(phase / quantizeFactor) * quantizeFactor };
}

/** First block in which a transaction with this era is valid (Substrate's Era::birth). */
export function eraBirth(era: Era, currentBlock: number): number {
  if (era.kind === 'immortal') return 0;
  return Math.floor((Math.max(currentBlock, era.phase) - era.phase) / era.period) * era.period + era.phase;
}

/** First block in which it is no longer valid (Era::death); immortal: never. */
export function eraDeath(era: Era, currentBlock: number): number {
  if (era.kind === 'immortal') return Number.MAX_SAFE_INTEGER;
  return eraBirth(era, currentBlock) + era.period;
}

export function encodeEra(era: Era): Uint8Array {
  if (era.kind === 'immortal') return Uint8Array.of(0);
  const { period, phase } = era;
  const quantizeFactor = Math.max(period >> 12, 1);
  const trailingZeros = Math.log2(period);
  const encoded = Math.min(15, Math.max(1, trailingZeros - 1)) | (Math.floor(phase / quantizeFactor) << 4);
  return Uint8Array.of(encoded & 0xff, encoded >> 8);
}

function readEra(r: ScaleReader): Era {
  const first = r.u8();
  if (first === 0) return IMMORTAL;
  const encoded = first | (r.u8() << 8);
  const period = 2 << (encoded % 16);
  const quantizeFactor = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantizeFactor;
  if (period < 4 || phase >= period) throw new ScaleError('invalid mortal era');
  return { kind: 'mortal', period, phase };
}

// --- calls -----------------------------------------------------------------------------------------

export interface Call {
  palletIndex: number;
  callIndex: number;
  /** SCALE bytes of the call's arguments. */
  args: Uint8Array;
}

export function encodeCall(call: Call): Uint8Array {
  return new ScaleWriter().u8(call.palletIndex).u8(call.callIndex).raw(call.args).finish();
}

function encodeMultiAddressId(accountId: Uint8Array): Uint8Array {
  if (accountId.length !== 32) throw new CallDecodeError(`an account id is 32 bytes, got ${accountId.length}`);
  return concatBytes(Uint8Array.of(MULTI_ADDRESS_ID), accountId);
}

/** A Balances transfer; `dest` is the 32-byte account id. */
export function encodeTransfer(kind: 'allow_death' | 'keep_alive', dest: Uint8Array, value: bigint): Call {
  const callIndex = kind === 'allow_death' ? BALANCES_CALL.transfer_allow_death : BALANCES_CALL.transfer_keep_alive;
  const args = new ScaleWriter().raw(encodeMultiAddressId(dest)).compact(value).finish();
  return { palletIndex: PALLET.Balances, callIndex, args };
}

export interface BalancesTransfer {
  name: 'transfer_allow_death' | 'transfer_keep_alive';
  dest: Uint8Array;
  value: bigint;
}

export function decodeBalancesCall(call: Call): BalancesTransfer {
  if (call.palletIndex !== PALLET.Balances) throw new CallDecodeError(`pallet ${call.palletIndex} is not Balances`);
  let name: BalancesTransfer['name'];
  if (call.callIndex === BALANCES_CALL.transfer_allow_death) name = 'transfer_allow_death';
  else if (call.callIndex === BALANCES_CALL.transfer_keep_alive) name = 'transfer_keep_alive';
  else throw new CallDecodeError(`unknown Balances call index ${call.callIndex}`);
  try {
    const r = new ScaleReader(call.args);
    const addressKind = r.u8();
    if (addressKind !== MULTI_ADDRESS_ID) throw new CallDecodeError(`destination MultiAddress variant ${addressKind} is not supported (only Id)`);
    const dest = r.raw(32).slice();
    const value = r.compactU128();
    r.assertEnd(`${name} arguments`);
    return { name, dest, value };
  } catch (err) {
    if (err instanceof ScaleError) throw new CallDecodeError(`bad ${name} arguments: ${err.message}`);
    throw err;
  }
}

// --- signed extrinsics -------------------------------------------------------------------------------

/** The "extra" that travels in the extrinsic: CheckMortality's era, CheckNonce, ChargeTransactionPayment's tip. */
export interface SignedExtra {
  era: Era;
  nonce: number;
  tip: bigint;
}

/** Signed but not transmitted: spec/tx version, genesis hash and the era's birth block hash. */
export interface AdditionalSigned {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  /** The hash of block eraBirth(era); the genesis hash when the era is immortal. */
  birthHash: Uint8Array;
}

export interface DecodedExtrinsic {
  bytes: Uint8Array;
  /** blake2_256(bytes), the transaction hash wallets show. */
  hash: Uint8Array;
  signer: Uint8Array;
  signatureType: KeyType;
  signature: Uint8Array;
  extra: SignedExtra;
  call: Call;
  callBytes: Uint8Array;
}

function encodeExtra(extra: SignedExtra): Uint8Array {
  // Extension order: CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckMortality,
  // CheckNonce, CheckWeight, ChargeTransactionPayment; only these three carry extrinsic data.
  return new ScaleWriter().raw(encodeEra(extra.era)).compact(extra.nonce).compact(extra.tip).finish();
}

function encodeAdditional(a: AdditionalSigned): Uint8Array {
  if (a.genesisHash.length !== 32 || a.birthHash.length !== 32) throw new ScaleError('genesis and birth hashes are 32 bytes');
  return new ScaleWriter().u32(a.specVersion).u32(a.transactionVersion).raw(a.genesisHash).raw(a.birthHash).finish();
}

/** What the signer signs: call ‖ extra ‖ additional, blake2_256'd when longer than 256 bytes (as Substrate). */
export function signingPayload(callBytes: Uint8Array, extra: SignedExtra, additional: AdditionalSigned): Uint8Array {
  const payload = concatBytes(callBytes, encodeExtra(extra), encodeAdditional(additional));
  return payload.length > MAX_PAYLOAD_UNHASHED ? blake2_256(payload) : payload;
}

/** Signs a call and returns the complete encoded UncheckedExtrinsic (with its compact length prefix). */
export function signExtrinsic(pair: KeyPair, call: Call, extra: SignedExtra, additional: AdditionalSigned): Uint8Array {
  const callBytes = encodeCall(call);
  const signature = pair.sign(signingPayload(callBytes, extra, additional));
  const body = new ScaleWriter()
    .u8(SIGNED_V4)
    .raw(encodeMultiAddressId(pair.publicKey))
    .u8(SIGNATURE_TYPE_TAG[pair.type])
    .raw(signature)
    .raw(encodeExtra(extra))
    .raw(callBytes)
    .finish();
  return new ScaleWriter().bytes(body).finish();
}

/**
 * Decodes a signed v4 extrinsic. Structure only: the signature is checked by verifyExtrinsic, the
 * call's arguments by the pallet that owns it. Trailing bytes anywhere are an error.
 */
export function decodeExtrinsic(bytes: Uint8Array): DecodedExtrinsic {
  try {
    const outer = new ScaleReader(bytes);
    const body = outer.bytes();
    outer.assertEnd('the extrinsic (length prefix does not match)');
    const r = new ScaleReader(body);
    const version = r.u8();
    if ((version & 0x80) === 0) throw new ExtrinsicDecodeError('UNSIGNED_EXTRINSIC', 'the extrinsic is not signed');
    if ((version & 0x7f) !== 4) throw new ExtrinsicDecodeError('UNSUPPORTED_VERSION', `extrinsic version ${version & 0x7f} is not supported (only 4)`);
    const addressKind = r.u8();
    if (addressKind !== MULTI_ADDRESS_ID) {
      throw new ExtrinsicDecodeError('UNSUPPORTED_ADDRESS', `signer MultiAddress variant ${addressKind} is not supported (only Id)`);
    }
    const signer = r.raw(32).slice();
    const signatureTag = r.u8();
    let signatureType: KeyType;
    if (signatureTag === SIGNATURE_TYPE_TAG.ed25519) signatureType = 'ed25519';
    else if (signatureTag === SIGNATURE_TYPE_TAG.sr25519) signatureType = 'sr25519';
    else if (signatureTag === 2) throw new ExtrinsicDecodeError('UNSUPPORTED_SIGNATURE', 'ECDSA signatures are not supported (sr25519 or ed25519)');
    else throw new ExtrinsicDecodeError('UNSUPPORTED_SIGNATURE', `unknown MultiSignature variant ${signatureTag}`);
    const signature = r.raw(64).slice();
    const era = readEra(r);
    const nonce = r.compactU32();
    const tip = r.compactU128();
    const callStart = r.offset;
    const palletIndex = r.u8();
    const callIndex = r.u8();
    const args = r.raw(r.remaining).slice();
    const callBytes = body.slice(callStart);
    return {
      bytes,
      hash: blake2_256(bytes),
      signer,
      signatureType,
      signature,
      extra: { era, nonce, tip },
      call: { palletIndex, callIndex, args },
      callBytes,
    };
  } catch (err) {
    if (err instanceof ScaleError) throw new ExtrinsicDecodeError('MALFORMED_EXTRINSIC', `malformed extrinsic: ${err.message}`);
    throw err;
  }
}

/** Checks the signature against the chain's additional data (wrong chain, spec, or birth block → false). */
export function verifyExtrinsic(xt: DecodedExtrinsic, additional: AdditionalSigned): boolean {
  const payload = signingPayload(xt.callBytes, xt.extra, additional);
  return verifySignature(xt.signatureType, xt.signer, payload, xt.signature);
}
