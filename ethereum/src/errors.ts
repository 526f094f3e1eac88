import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from 'viem';
import { baiBridgeAbi, wrappedBaiAbi } from './generated/contracts.js';

/** Stable error codes of the Ethereum side of the bridge (client checks and decoded contract reverts). */
export type BridgeErrorCode =
  // decoded from BaiBridge / WrappedBAI custom errors
  | 'BRIDGE_PAUSED'
  | 'NOT_GUARDIAN'
  | 'ZERO_AMOUNT'
  | 'ZERO_RECIPIENT'
  | 'DEADLINE_EXPIRED'
  | 'DEADLINE_NOT_PASSED'
  | 'LOCK_ALREADY_PROCESSED'
  | 'TOO_FEW_SIGNATURES'
  | 'INVALID_SIGNATURE'
  | 'SIGNERS_NOT_ASCENDING'
  | 'NOT_RELAYER'
  | 'WRONG_NONCE'
  | 'INVALID_RELAYER_SET'
  | 'OUTFLOW_LIMIT_EXCEEDED'
  | 'INVALID_MINT_LIMIT'
  | 'NOT_BRIDGE'
  | 'INSUFFICIENT_BALANCE'
  // client-side
  | 'DUPLICATE_SIGNER'
  | 'SIGNER_MISMATCH'
  | 'NO_WALLET'
  | 'RPC_UNREACHABLE'
  | 'TX_REVERTED'
  | 'REORG_BEYOND_CONFIRMATIONS'
  | 'BURN_NONCE_GAP'
  | 'INVARIANT_VIOLATED'
  | 'BAD_ARGUMENT'
  | 'ANVIL_START_FAILED'
  | 'CONTRACT_REVERTED';

export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    /** For decoded reverts: the Solidity error name and its arguments. */
    readonly revert?: { errorName: string; args: readonly unknown[] },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const REVERT_CODES: Record<string, BridgeErrorCode> = {
  BridgePaused: 'BRIDGE_PAUSED',
  NotGuardian: 'NOT_GUARDIAN',
  ZeroAmount: 'ZERO_AMOUNT',
  ZeroRecipient: 'ZERO_RECIPIENT',
  DeadlineExpired: 'DEADLINE_EXPIRED',
  DeadlineNotPassed: 'DEADLINE_NOT_PASSED',
  LockAlreadyProcessed: 'LOCK_ALREADY_PROCESSED',
  TooFewSignatures: 'TOO_FEW_SIGNATURES',
  InvalidSignature: 'INVALID_SIGNATURE',
  SignersNotAscending: 'SIGNERS_NOT_ASCENDING',
  NotRelayer: 'NOT_RELAYER',
  WrongNonce: 'WRONG_NONCE',
  InvalidRelayerSet: 'INVALID_RELAYER_SET',
  OutflowLimitExceeded: 'OUTFLOW_LIMIT_EXCEEDED',
  InvalidMintLimit: 'INVALID_MINT_LIMIT',
  NotBridge: 'NOT_BRIDGE',
  ERC20InsufficientBalance: 'INSUFFICIENT_BALANCE',
};

/** Maps a viem error that carries a decoded contract revert to a BridgeError; other errors pass through. */
export function toBridgeError(err: unknown): unknown {
  if (err instanceof BridgeError) return err;
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      let errorName = reverted.data?.errorName;
      let args: readonly unknown[] = reverted.data?.args ?? [];
      if (!errorName && reverted.raw) {
        // A revert bubbled up from the token (ERC20InsufficientBalance…): decode with both ABIs.
        try {
          const decoded = decodeErrorResult({ abi: [...baiBridgeAbi, ...wrappedBaiAbi], data: reverted.raw });
          errorName = decoded.errorName;
          args = decoded.args ?? [];
        } catch {
          // unknown error data: keep the generic code
        }
      }
      const code = (errorName && REVERT_CODES[errorName]) || 'CONTRACT_REVERTED';
      const detail = errorName ? `${errorName}(${args.map(String).join(', ')})` : reverted.shortMessage;
      return new BridgeError(code, `bridge contract reverted: ${detail}`, { errorName: errorName ?? '', args }, { cause: err });
    }
    // Paths that do not decode custom errors (a deployment's gas estimate): decode the raw revert data.
    const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string' && /^0x[0-9a-f]{8}/i.test((e as { data: string }).data));
    const data = (withData as { data?: Hex } | null)?.data;
    if (data) {
      try {
        const decoded = decodeErrorResult({ abi: [...baiBridgeAbi, ...wrappedBaiAbi], data });
        const args = decoded.args ?? [];
        const code = REVERT_CODES[decoded.errorName] ?? 'CONTRACT_REVERTED';
        return new BridgeError(code, `bridge contract reverted: ${decoded.errorName}(${args.map(String).join(', ')})`, { errorName: decoded.errorName, args }, { cause: err });
      } catch {
        // not one of ours: fall through
      }
    }
  }
  return err;
}
