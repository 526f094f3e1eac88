import {
  ExtrinsicDecodeError,
  ScaleWriter,
  decodeExtrinsic,
  decodeRuntimeCallArgs,
  encodeAccountNonce,
  encodeFeeDetails,
  encodeMetadataAtVersion,
  encodeMetadataVersions,
  encodeOpaqueMetadata,
  encodeRuntimeDispatchInfo,
  encodeRuntimeVersion,
  encodeTransactionValidity,
  eraDeath,
  runtimeVersion,
  toHex,
  type DecodedExtrinsic,
  type InvalidTransaction,
  type RuntimeCallArgs,
  type TransactionValidity,
} from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import type { ExecutionContext } from '../ledger/executor.js';
import { inclusionFeeOf, type ChainParams } from '../ledger/params.js';
import { poolValidity, type MempoolError } from '../mempool/mempool.js';
import type { ChainView } from '../node/chain-view.js';
import { discarded } from '../state/ledger-storage.js';
import type { StateAt } from '../state/storage-source.js';

export interface RuntimeCallDeps {
  params: ChainParams;
  chain(): ChainView;
  /** The next nonce of an account at the head: its ledger nonce plus its consecutive pending txs. */
  nextNonce(account: string, ledgerNonce: number): number;
  /** What validity checks read at a height (block hashes for mortality, the mempool's verified set). */
  executionContext(height: number): ExecutionContext;
  /** Runtime metadata at a version this chain serves (14, 15), SCALE with its magic. */
  metadata(version: number): Uint8Array | undefined;
}

/** A pool refusal as Substrate's InvalidTransaction / UnknownTransaction (what `author_submitExtrinsic`'s 1010 carries). */
export function validityErrorOf(code: MempoolError): TransactionValidity {
  const invalid: Partial<Record<MempoolError, InvalidTransaction>> = {
    BAD_PROOF: 'BadProof',
    ANCIENT_BIRTH_BLOCK: 'AncientBirthBlock',
    STALE_NONCE: 'Stale',
    FUTURE_NONCE: 'Future',
    TOO_MANY_FUTURE: 'Future',
    PAYMENT: 'Payment',
    EXTRINSIC_TOO_LARGE: 'ExhaustsResources',
  };
  const reason = invalid[code];
  if (!reason) throw new Error(`${code} is not a validity error`);
  return { invalid: reason };
}

/**
 * The runtime API (Substrate's `state_call`) as this node implements it: the same fee formula, nonce
 * and validity checks the ledger and the mempool apply, so what a wallet is told is what happens.
 */
export class RuntimeCalls {
  constructor(private readonly deps: RuntimeCallDeps) {}

  /** SCALE result of `method` at a finalized block (resolved by the caller, checked to be in the window). */
  call(method: string, data: Uint8Array, at: StateAt): Uint8Array {
    let args: RuntimeCallArgs;
    try {
      args = decodeRuntimeCallArgs(method, data);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // UNKNOWN_RUNTIME_API leaves as gRPC UNIMPLEMENTED (consensus.api.ts); BAD_RUNTIME_CALL_ARGS as INVALID_ARGUMENT.
      if (code === 'UNKNOWN_RUNTIME_API' || code === 'BAD_RUNTIME_CALL_ARGS') throw new DomainError(code, (err as Error).message);
      throw err;
    }
    const { params } = this.deps;
    switch (args.method) {
      case 'Core_version':
        return encodeRuntimeVersion(runtimeVersion(params));
      case 'Metadata_metadata':
        return encodeOpaqueMetadata(this.deps.metadata(14)!);
      case 'Metadata_metadata_versions':
        return encodeMetadataVersions();
      case 'Metadata_metadata_at_version':
        return encodeMetadataAtVersion(this.deps.metadata(args.version));
      case 'AccountNonceApi_account_nonce':
        return encodeAccountNonce(this.nonce(toHex(args.accountId), at));
      case 'TransactionPaymentApi_query_info': {
        this.mustDecode(args.extrinsic);
        const { baseFee, lenFee } = inclusionFeeOf(params, args.extrinsic.length);
        // partial_fee is the inclusion fee without the tip, as pallet-transaction-payment reports it.
        return encodeRuntimeDispatchInfo({ weight: { refTime: 0n, proofSize: 0n }, class: 'Normal', partialFee: baseFee + lenFee });
      }
      case 'TransactionPaymentApi_query_fee_details': {
        this.mustDecode(args.extrinsic);
        const { baseFee, lenFee } = inclusionFeeOf(params, args.extrinsic.length);
        return encodeFeeDetails({ inclusionFee: { baseFee, lenFee, adjustedWeightFee: 0n }, tip: 0n });
      }
      case 'TaggedTransactionQueue_validate_transaction':
        return encodeTransactionValidity(this.validate(args.extrinsic));
    }
  }

  /**
   * AccountNonceApi at the head counts the account's ready pending txs too (what a wallet must sign
   * next, as GetAccount's next_nonce); at an older block, the nonce the ledger had then.
   */
  private nonce(id: string, at: StateAt): number {
    const chain = this.deps.chain();
    const a = chain.window.account(id, at.height, chain.ledger);
    if (a === undefined) throw discarded(at, chain.window.oldest);
    const ledgerNonce = a?.nonce ?? 0;
    return at.height === chain.window.head ? this.deps.nextNonce(id, ledgerNonce) : ledgerNonce;
  }

  /**
   * The fee the ledger charges for these bytes. The extrinsic must decode as this chain's (a wallet's
   * fee estimate signs with a dummy signature, which is fine: only the length counts).
   */
  private mustDecode(extrinsic: Uint8Array): DecodedExtrinsic {
    try {
      return decodeExtrinsic(extrinsic);
    } catch (err) {
      throw new DomainError('BAD_RUNTIME_CALL_ARGS', `the extrinsic does not decode: ${(err as Error).message}`);
    }
  }

  /**
   * What the mempool would say, without adding it: validated against the finalized head, as the pool
   * admits. Future nonces are valid and `require` their predecessor, as frame_system's CheckNonce tags them.
   */
  private validate(bytes: Uint8Array): TransactionValidity {
    let xt: DecodedExtrinsic;
    try {
      xt = decodeExtrinsic(bytes);
    } catch (err) {
      if (!(err instanceof ExtrinsicDecodeError)) throw err;
      switch (err.code) {
        case 'UNSIGNED_EXTRINSIC':
          return { unknown: 'NoUnsignedValidator' };
        case 'UNSUPPORTED_ADDRESS':
          return { invalid: 'BadSigner' };
        case 'UNSUPPORTED_SIGNATURE':
          return { invalid: 'BadProof' };
        default:
          throw new DomainError('BAD_RUNTIME_CALL_ARGS', `the extrinsic does not decode: ${err.message}`);
      }
    }
    const chain = this.deps.chain();
    const height = chain.height + 1;
    const refusal = poolValidity(xt, chain.ledger, this.deps.params, this.deps.executionContext(height));
    if (refusal) return validityErrorOf(refusal.code);
    const accountNonce = chain.ledger.get(toHex(xt.signer)).nonce;
    const tag = (nonce: number) => new ScaleWriter().raw(xt.signer).u32(nonce).finish();
    const death = eraDeath(xt.extra.era, height);
    return {
      ok: {
        priority: xt.extra.tip > MAX_U64 ? MAX_U64 : xt.extra.tip,
        requires: xt.extra.nonce > accountNonce ? [tag(xt.extra.nonce - 1)] : [],
        provides: [tag(xt.extra.nonce)],
        longevity: xt.extra.era.kind === 'immortal' ? MAX_U64 : BigInt(Math.max(1, death - height)),
        propagate: true,
      },
    };
  }
}

const MAX_U64 = (1n << 64n) - 1n;
