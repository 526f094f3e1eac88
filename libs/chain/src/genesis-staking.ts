import { GenesisError } from './errors.js';
import type { Genesis } from './genesis.js';
import { moduleAccount } from './module-account.js';
import { parseAccountId, ss58Encode } from './ss58.js';
import { toHex } from './hex.js';

/**
 * A genesis whose validators are bonded from block 0: `bond` moves from each genesis validator's stash
 * to the staking module account's genesis balance (issuance unchanged). The staking module reads that
 * balance as the genesis validators' self-bonds, split equally.
 */
export function withGenesisBonds(genesis: Genesis, bond: bigint): Genesis {
  const hexId = (address: string) => toHex(parseAccountId(address));
  const stashes = new Set(genesis.validators.map((v) => hexId(v.stash)));
  const account = toHex(moduleAccount('staking'));
  let moved = 0n;
  const balances = genesis.balances
    .filter((b) => hexId(b.address) !== account)
    .map((b) => {
      if (!stashes.has(hexId(b.address))) return b;
      if (b.free - bond < genesis.params.existentialDeposit) throw new GenesisError('balances', `stash ${b.address} cannot bond ${bond}`);
      moved += bond;
      return { ...b, free: b.free - bond };
    });
  if (moved !== bond * BigInt(stashes.size)) throw new GenesisError('balances', 'every genesis validator stash needs a genesis balance');
  const already = genesis.balances.find((b) => hexId(b.address) === account)?.free ?? 0n;
  balances.push({ address: ss58Encode(moduleAccount('staking'), genesis.ss58Prefix), free: already + moved });
  return { ...genesis, balances };
}
