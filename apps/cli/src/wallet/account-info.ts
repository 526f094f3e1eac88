import { ScaleReader, storageMapKey } from '@balanceai/chain';

/** frame_system::AccountInfo<Nonce = u32, pallet_balances::AccountData<u128>>, as `System.Account` stores it. */
export interface AccountInfo {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  free: bigint;
  reserved: bigint;
  frozen: bigint;
  flags: bigint;
}

/** What `System.Account` holds for an account that does not exist (the item's Default). */
export const EMPTY_ACCOUNT: AccountInfo = Object.freeze({ nonce: 0, consumers: 0, providers: 0, sufficients: 0, free: 0n, reserved: 0n, frozen: 0n, flags: 0n });

/** twox128("System") ‖ twox128("Account") ‖ blake2_128(id) ‖ id. */
export function systemAccountKey(accountId: Uint8Array): Uint8Array {
  return storageMapKey('System', 'Account', ['Blake2_128Concat', accountId]);
}

/** Decodes the storage value; `null` (no such key) is the empty account, as the item's Default modifier says. */
export function decodeAccountInfo(bytes: Uint8Array | null): AccountInfo {
  if (bytes === null) return { ...EMPTY_ACCOUNT };
  const r = new ScaleReader(bytes);
  const info: AccountInfo = {
    nonce: r.u32(),
    consumers: r.u32(),
    providers: r.u32(),
    sufficients: r.u32(),
    free: r.u128(),
    reserved: r.u128(),
    frozen: r.u128(),
    flags: r.u128(),
  };
  // A longer value means a different AccountInfo layout: refuse it rather than show wrong balances.
  r.assertEnd('System.Account value (AccountInfo)');
  return info;
}

/**
 * What the account can send: free minus what is frozen (staking locks), as pallet-balances computes the
 * reducible balance before the existential deposit.
 */
export function transferable(info: AccountInfo): bigint {
  return info.free > info.frozen ? info.free - info.frozen : 0n;
}
