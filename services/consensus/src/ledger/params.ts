import { parseAccountId, toHex, type Genesis } from '@balanceai/chain';

/** The ledger's genesis parameters, resolved once. */
export interface ChainParams {
  genesisHash: Uint8Array;
  specVersion: number;
  transactionVersion: number;
  existentialDeposit: bigint;
  baseFee: bigint;
  byteFee: bigint;
  maxExtrinsicBytes: number;
  /** Fees go to the staking reward pot (0x-hex account id). */
  feeDestination: string;
}

export function chainParamsOf(genesis: Genesis, genesisHash: Uint8Array): ChainParams {
  return {
    genesisHash,
    specVersion: genesis.params.specVersion,
    transactionVersion: genesis.params.transactionVersion,
    existentialDeposit: genesis.params.existentialDeposit,
    baseFee: genesis.params.baseFee,
    byteFee: genesis.params.byteFee,
    maxExtrinsicBytes: genesis.params.maxExtrinsicBytes,
    feeDestination: toHex(parseAccountId(genesis.accounts.stakingRewardPot)),
  };
}

/** The inclusion fee's parts for an extrinsic of `length` encoded bytes (no weight fee: calls have no weights here). */
export function inclusionFeeOf(params: ChainParams, length: number): { baseFee: bigint; lenFee: bigint } {
  return { baseFee: params.baseFee, lenFee: params.byteFee * BigInt(length) };
}

/** fee = base + per byte × encoded length + tip: what the signer pays whatever the call's outcome. */
export function feeOf(params: ChainParams, length: number, tip: bigint): bigint {
  const { baseFee, lenFee } = inclusionFeeOf(params, length);
  return baseFee + lenFee + tip;
}
