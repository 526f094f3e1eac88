import type { Address, PublicClient } from 'viem';
import { wrappedBaiAbi } from './generated/contracts.js';
import { BridgeError } from './errors.js';

/** The bridge invariant, pure: wBAI in circulation never exceeds the BAI held in bridge escrow. */
export function supplyInvariantHolds(wbaiSupply: bigint, baiEscrow: bigint): boolean {
  return wbaiSupply <= baiEscrow;
}

export interface SupplyCheck {
  ok: boolean;
  wbaiSupply: bigint;
  baiEscrow: bigint;
  /** The Ethereum block the supply was read at. */
  blockNumber: bigint;
}

/**
 * Reads wBAI totalSupply (at `blockNumber`, default the latest block) and compares it with the BAI escrow
 * balance the caller read on BalanceAI. Used by the pallet-30 tests after every block.
 */
export async function checkSupplyInvariant(
  publicClient: PublicClient,
  token: Address,
  baiEscrow: bigint,
  blockNumber?: bigint,
): Promise<SupplyCheck> {
  const at = blockNumber ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  const wbaiSupply = await publicClient.readContract({ address: token, abi: wrappedBaiAbi, functionName: 'totalSupply', blockNumber: at });
  return { ok: supplyInvariantHolds(wbaiSupply, baiEscrow), wbaiSupply, baiEscrow, blockNumber: at };
}

/** As checkSupplyInvariant, throwing `INVARIANT_VIOLATED` when it does not hold. */
export async function assertSupplyInvariant(
  publicClient: PublicClient,
  token: Address,
  baiEscrow: bigint,
  blockNumber?: bigint,
): Promise<SupplyCheck> {
  const check = await checkSupplyInvariant(publicClient, token, baiEscrow, blockNumber);
  if (!check.ok) {
    throw new BridgeError(
      'INVARIANT_VIOLATED',
      `wBAI supply ${check.wbaiSupply} exceeds BAI escrow ${check.baiEscrow} at Ethereum block ${check.blockNumber}`,
    );
  }
  return check;
}
