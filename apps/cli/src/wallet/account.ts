import { formatBai, parseAccountId, ss58Encode, toHex } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { transferable } from './account-info.js';
import { type EndpointOpts, type WalletEnv, withChain } from './env.js';

/** `System.Account` of one address at the finalized head, decoded; amounts in base units and in BAI. */
export async function account(address: string | undefined, opts: EndpointOpts, env: WalletEnv): Promise<void> {
  if (!address) throw new UsageError('usage: balanceai account <address> [--rpc URL]');
  const id = parseAccountId(address);
  await withChain(env, opts, async (chain) => {
    const [props, finalized] = await Promise.all([chain.properties(), chain.finalizedHead()]);
    const [head, info] = await Promise.all([chain.header(finalized), chain.account(id, finalized)]);
    env.print(
      JSON.stringify(
        {
          address: ss58Encode(id, props.ss58Format),
          accountId: toHex(id),
          at: { number: head.number, hash: finalized },
          nonce: info.nonce,
          consumers: info.consumers,
          providers: info.providers,
          free: info.free.toString(),
          reserved: info.reserved.toString(),
          frozen: info.frozen.toString(),
          freeBai: formatBai(info.free),
          reservedBai: formatBai(info.reserved),
          frozenBai: formatBai(info.frozen),
          transferableBai: formatBai(transferable(info)),
        },
        null,
        2,
      ),
    );
  });
}
