import { encodeTransfer, formatBai, parseAccountId, parseBai } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { amountArg, signerFrom, timeoutArg } from './args.js';
import { type SignOpts, type WalletEnv, withChain } from './env.js';
import { type Finalized, sendCall } from './submit.js';

const TRANSFER_USAGE = 'usage: balanceai transfer --from <secret-uri> --to <address> --amount <BAI> [--keep-alive] [--tip BAI] [--rpc URL]';

/** Balances.transfer_allow_death (or transfer_keep_alive), signed here and sent through JSON-RPC. */
export async function transfer(opts: SignOpts & { to?: string; amount?: string; 'keep-alive'?: boolean }, env: WalletEnv): Promise<Finalized> {
  if (!opts.to) throw new UsageError(TRANSFER_USAGE);
  const value = amountArg(opts.amount, TRANSFER_USAGE);
  const dest = parseAccountId(opts.to);
  const pair = await signerFrom(opts, TRANSFER_USAGE);
  const keepAlive = opts['keep-alive'] ?? false;
  return withChain(env, opts, (chain) =>
    sendCall(
      chain,
      pair,
      { label: `Balances.transfer_${keepAlive ? 'keep_alive' : 'allow_death'} ${formatBai(value)} BAI to ${opts.to}`, call: encodeTransfer(keepAlive ? 'keep_alive' : 'allow_death', dest, value) },
      { tip: opts.tip ? parseBai(opts.tip) : 0n, timeoutMs: timeoutArg(opts.timeout), print: env.print },
    ),
  );
}
