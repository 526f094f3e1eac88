import { type Call, type StakingCallData, encodeStakingCall, formatBai, fromHex, keyFromUri, parseBai, toHex } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { amountArg, commissionArg, payeeArg, signerFrom, targetsArg, timeoutArg } from './args.js';
import { type SignOpts, type WalletEnv, withChain } from './env.js';
import { type Finalized, sendCall } from './submit.js';

/*
 * Staking calls (pallet 7, pallet-staking's indices), built with libs/chain's encoders and sent exactly as
 * a wallet sends them: signed here, submitted with author_submitAndWatchExtrinsic.
 */

export interface StakingOpts extends SignOpts {
  amount?: string;
  payee?: string;
  targets?: string;
  commission?: string;
  blocked?: boolean;
  spans?: string;
  key?: string;
}

const USAGE: Record<string, string> = {
  bond: 'usage: balanceai bond --from <secret-uri> --amount <BAI> [--payee Staked|Stash] [--rpc URL]',
  'bond-extra': 'usage: balanceai bond-extra --from <secret-uri> --amount <BAI> [--rpc URL]',
  unbond: 'usage: balanceai unbond --from <secret-uri> --amount <BAI> [--rpc URL]',
  withdraw: 'usage: balanceai withdraw --from <secret-uri> [--spans 0] [--rpc URL]',
  nominate: 'usage: balanceai nominate --from <secret-uri> --targets <address,address,…> [--rpc URL]',
  validate: 'usage: balanceai validate --from <secret-uri> [--commission PERCENT] [--blocked] [--rpc URL]',
  chill: 'usage: balanceai chill --from <secret-uri> [--rpc URL]',
  'set-consensus-key': 'usage: balanceai set-consensus-key --from <secret-uri> --key <0x ed25519 public key | ed25519 secret-uri> [--rpc URL]',
};

export const STAKING_COMMANDS = Object.keys(USAGE);

/** The call a command line asks for, and how it reads in the progress output. */
export function stakingCall(command: string, opts: StakingOpts): { label: string; call: Call } {
  const usage = USAGE[command];
  if (!usage) throw new UsageError(`unknown staking command "${command}"`);
  let data: StakingCallData;
  let detail = '';
  switch (command) {
    case 'bond': {
      const value = amountArg(opts.amount, usage);
      data = { call: 'bond', value, payee: payeeArg(opts.payee) };
      detail = ` ${formatBai(value)} BAI, rewards ${data.payee}`;
      break;
    }
    case 'bond-extra':
      data = { call: 'bond_extra', maxAdditional: amountArg(opts.amount, usage) };
      detail = ` ${formatBai(data.maxAdditional)} BAI`;
      break;
    case 'unbond':
      data = { call: 'unbond', value: amountArg(opts.amount, usage) };
      detail = ` ${formatBai(data.value)} BAI`;
      break;
    case 'withdraw': {
      const spans = Number(opts.spans ?? 0);
      if (!Number.isInteger(spans) || spans < 0 || spans > 0xffff_ffff) throw new UsageError('--spans must be a u32');
      data = { call: 'withdraw_unbonded', numSlashingSpans: spans };
      break;
    }
    case 'nominate': {
      const targets = targetsArg(opts.targets, usage);
      data = { call: 'nominate', targets };
      detail = ` ${targets.length} target${targets.length === 1 ? '' : 's'}`;
      break;
    }
    case 'validate': {
      const commission = commissionArg(opts.commission);
      data = { call: 'validate', commission, blocked: opts.blocked ?? false };
      detail = ` commission ${Number(commission) / 10_000_000}%${data.blocked ? ', blocked' : ''}`;
      break;
    }
    case 'set-consensus-key': {
      if (!opts.key) throw new UsageError(usage);
      // A validator's consensus votes are ed25519; the key is public, a secret URI is derived here for convenience.
      const key = /^0x[0-9a-fA-F]{64}$/.test(opts.key) ? fromHex(opts.key, 32) : keyFromUri(opts.key, 'ed25519').publicKey;
      data = { call: 'set_consensus_key', key };
      detail = ` ${toHex(key)}`;
      break;
    }
    default:
      data = { call: 'chill' };
  }
  return { label: `Staking.${data.call}${detail}`, call: encodeStakingCall(data) };
}

export async function staking(command: string, opts: StakingOpts, env: WalletEnv): Promise<Finalized> {
  const pair = await signerFrom(opts, USAGE[command] ?? '');
  const call = stakingCall(command, opts);
  return withChain(env, opts, (chain) => sendCall(chain, pair, call, { tip: opts.tip ? parseBai(opts.tip) : 0n, timeoutMs: timeoutArg(opts.timeout), print: env.print }));
}
