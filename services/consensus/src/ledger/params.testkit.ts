import { ONE_BAI, toHex } from '@balanceai/chain';
import type { ExecutionContext } from './executor.js';
import type { ChainParams } from './params.js';

// The chain parameters and block context the ledger and mempool unit tests share.
export const GENESIS_HASH = new Uint8Array(32).fill(7);
/** Where the tests' fees go. */
export const POT = toHex(new Uint8Array(32).fill(1));
export const params: ChainParams = {
  genesisHash: GENESIS_HASH,
  specVersion: 1,
  transactionVersion: 1,
  existentialDeposit: ONE_BAI / 100n,
  baseFee: ONE_BAI / 1000n,
  byteFee: 10n ** 12n,
  maxExtrinsicBytes: 65_536,
  feeDestination: POT,
};
/** Building block 10, every earlier block's hash 0x0909…. */
export const ctx: ExecutionContext = { height: 10, blockHashAt: () => new Uint8Array(32).fill(9) };
