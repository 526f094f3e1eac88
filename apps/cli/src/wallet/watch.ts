import { formatBai, parseAccountId, ss58Encode } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { type AccountInfo } from './account-info.js';
import { timeoutArg } from './args.js';
import { type ChainRpc, type RpcHeader, headerNumber } from './chain.js';
import { type EndpointOpts, type WalletEnv, withChain } from './env.js';
import { RpcProtocolError, RpcTimeoutError } from '../rpc/errors.js';

export interface WatchOpts extends EndpointOpts {
  account?: string;
  count?: string;
  timeout?: string;
}

const signed = (d: bigint): string => (d > 0n ? `+${formatBai(d)}` : formatBai(d));

function balanceLine(address: string, now: AccountInfo, before: AccountInfo | undefined): string {
  const delta = (k: 'free' | 'reserved' | 'frozen') => (before && now[k] !== before[k] ? ` (${signed(now[k] - before[k])})` : '');
  return `  ${address} free ${formatBai(now.free)}${delta('free')} reserved ${formatBai(now.reserved)}${delta('reserved')} frozen ${formatBai(now.frozen)}${delta('frozen')} nonce ${now.nonce}`;
}

const same = (a: AccountInfo, b: AccountInfo): boolean =>
  a.free === b.free && a.reserved === b.reserved && a.frozen === b.frozen && a.nonce === b.nonce;

/**
 * Follows chain_subscribeFinalizedHeads and prints one line per finalized block: number, hash, extrinsic
 * count. Substrate notifies only the newest finalized head, so when one notification finalizes several
 * blocks the ones in between are fetched by number: every block gets its line. With `--account`, the
 * account's balance at each block, printed when it changes.
 */
export async function watch(opts: WatchOpts, env: WalletEnv, signal?: AbortSignal): Promise<void> {
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (!(count >= 1) || (count !== Infinity && !Number.isInteger(count))) throw new UsageError('--count must be a positive integer');
  const accountId = opts.account === undefined ? undefined : parseAccountId(opts.account);
  // Silence is normal between blocks; a timeout applies only when asked for (`--timeout`).
  const headTimeout = opts.timeout === undefined ? undefined : timeoutArg(opts.timeout);
  await withChain(env, opts, async (chain) => {
    const ss58 = (await chain.properties()).ss58Format;
    const address = accountId && ss58Encode(accountId, ss58);
    const sub = await chain.rpc.subscribe<RpcHeader>('chain_subscribeFinalizedHeads', [], 'chain_unsubscribeFinalizedHeads');
    const stop = () => void sub.close();
    signal?.addEventListener('abort', stop, { once: true });
    let printed = 0;
    let last: number | undefined;
    let balance: AccountInfo | undefined;
    try {
      while (printed < count) {
        const head = await sub.next(headTimeout, () => new RpcTimeoutError(chain.url, 'chain_subscribeFinalizedHeads (next head)', headTimeout!));
        const n = headerNumber(head);
        if (last !== undefined && n <= last) continue; // a repeat, e.g. after the gateway switched validators
        for (let k = last === undefined ? n : last + 1; k <= n && printed < count; k++) {
          balance = await printBlock(chain, k, env, accountId && address ? { id: accountId, address, before: balance } : undefined);
          printed++;
        }
        last = n;
      }
    } catch (err) {
      if (signal?.aborted) return; // Ctrl-C: the closed subscription is how we stop
      throw err;
    } finally {
      signal?.removeEventListener('abort', stop);
      void sub.close();
    }
  });
}

async function printBlock(
  chain: ChainRpc,
  number: number,
  env: WalletEnv,
  account: { id: Uint8Array; address: string; before: AccountInfo | undefined } | undefined,
): Promise<AccountInfo | undefined> {
  const hash = await chain.blockHash(number);
  if (!hash) throw new RpcProtocolError(chain.url, `no hash for finalized block #${number}`);
  const { block } = await chain.block(hash);
  env.print(`#${number} ${hash} ${block.extrinsics.length} extrinsic${block.extrinsics.length === 1 ? '' : 's'}`);
  if (!account) return undefined;
  const now = await chain.account(account.id, hash);
  if (!account.before || !same(now, account.before)) env.print(balanceLine(account.address, now, account.before));
  return now;
}
