import { blake2_256 } from './hash.js';
import { utf8 } from './hex.js';

/**
 * The account a module service holds funds in (bonds, model locks, bridge escrow): derived from the
 * module's name like Substrate's PalletId accounts, so no key controls it and every node agrees on it.
 */
export function moduleAccount(name: string): Uint8Array {
  return blake2_256(utf8(`modl/${name}`));
}
