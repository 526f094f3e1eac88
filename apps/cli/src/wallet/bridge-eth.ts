import { formatBai, parseAccountId, parseBai, toHex } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { BridgeStatusError, bridgeIdArg, gatewayHttpUrl, type StatusEnv } from './bridge.js';

// `balanceai bridge burn|mint`: the Ethereum end of the Interlink bridge from the command line. burn sends
// BaiBridge.burn(amount, baiRecipient) from the user's Ethereum key and prints the burn id to follow with
// `bridge status`; mint submits BaiBridge.mint for a lock with the relayers' signatures the gateway collected
// (`GET /v1/bridge/locks/<id>`: signed k/M) — anyone may, the user included. The Ethereum client is
// services/bridge's `@balanceai/bridge/user` (viem), loaded only for these two commands.

export const BRIDGE_ETH_USAGE = `usage: balanceai bridge burn --amount <wBAI> --to <BAI account> [--eth-rpc URL] [--eth-key 0x… | BAI_ETH_PRIVATE_KEY] [--bridge 0x…] [--gateway URL]
       balanceai bridge mint <lockId> [--eth-rpc URL] [--eth-key 0x… | BAI_ETH_PRIVATE_KEY] [--bridge 0x…] [--gateway URL]
  --eth-rpc defaults to BAI_ETH_RPC_URL, else http://127.0.0.1:8545 (the devnet's anvil prints its own);
  --bridge defaults to the BaiBridge the gateway reports (GET /v1/bridge: wbai.bridge).`;

export interface EthUserPort {
  burnForBai(o: { rpcUrl: string; privateKey: string; bridge: string; amount: bigint; baiRecipient: string }): Promise<{ burnId: string; nonce: bigint; chainId: number; from: string; txHash: string; blockNumber: bigint }>;
  submitMint(o: {
    rpcUrl: string;
    privateKey: string;
    bridge: string;
    message: { lockId: string; recipient: string; amount: bigint; deadline: bigint };
    signatures: ReadonlyArray<{ signer: string; signature: string }>;
  }): Promise<{ txHash: string; blockNumber: bigint; balance: bigint }>;
}

export interface BridgeEthEnv extends StatusEnv {
  readonly vars: Readonly<Record<string, string | undefined>>;
  user(): Promise<EthUserPort>;
}

export const processBridgeEthEnv = (status: StatusEnv): BridgeEthEnv => ({
  ...status,
  vars: process.env,
  user: async () => (await import('@balanceai/bridge/user')) as EthUserPort,
});

export interface BridgeEthOpts {
  amount?: string;
  to?: string;
  'eth-rpc'?: string;
  'eth-key'?: string;
  bridge?: string;
  gateway?: string;
  rpc?: string;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function ethRpc(opts: BridgeEthOpts, env: BridgeEthEnv): string {
  const url = opts['eth-rpc'] ?? env.vars.BAI_ETH_RPC_URL ?? 'http://127.0.0.1:8545';
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--eth-rpc "${url}" must be an http(s) URL`);
  return url;
}

function ethKey(opts: BridgeEthOpts, env: BridgeEthEnv): string {
  const key = opts['eth-key'] ?? env.vars.BAI_ETH_PRIVATE_KEY;
  if (!key) throw new UsageError(`no Ethereum key: set BAI_ETH_PRIVATE_KEY (or --eth-key, visible to other users of this machine)\n${BRIDGE_ETH_USAGE}`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('the Ethereum key must be 0x and 64 hex digits');
  return key;
}

async function getJson(env: StatusEnv, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: { status: number; json(): Promise<unknown> };
  try {
    res = await env.fetch(url);
  } catch (err) {
    throw new BridgeStatusError('GATEWAY_UNREACHABLE', `cannot reach the gateway at ${url}: ${(err as Error).message}`);
  }
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** BaiBridge's address: --bridge, else the gateway's (wbai.bridge of GET /v1/bridge). */
async function bridgeAddress(opts: BridgeEthOpts, base: string, env: BridgeEthEnv): Promise<string> {
  if (opts.bridge !== undefined) {
    if (!ADDRESS.test(opts.bridge)) throw new UsageError(`--bridge "${opts.bridge}" is not an Ethereum address`);
    return opts.bridge;
  }
  const { status, body } = await getJson(env, `${base}/v1/bridge`);
  const w = body.wbai as { bridge?: unknown } | null | undefined;
  if (status === 200 && typeof w?.bridge === 'string') return w.bridge;
  const why = status === 200 ? String(body.ethereumNote ?? 'it reports no Ethereum side') : `${String(body.code ?? `HTTP_${status}`)}: ${String(body.message ?? '')}`;
  throw new BridgeStatusError('BRIDGE_ADDRESS_UNKNOWN', `the gateway at ${base} does not tell BaiBridge's address (${why}): give --bridge 0x…`);
}

/** Burns wBAI on Ethereum for a BalanceAI account; the relayers release as much BAI once it is confirmed. */
export async function bridgeBurn(opts: BridgeEthOpts, env: BridgeEthEnv): Promise<{ burnId: string; nonce: bigint }> {
  if (opts.amount === undefined || opts.to === undefined) throw new UsageError(BRIDGE_ETH_USAGE);
  const amount = parseBai(opts.amount);
  if (amount <= 0n) throw new UsageError('--amount must be more than 0');
  let recipient: string;
  try {
    recipient = toHex(parseAccountId(opts.to));
  } catch (err) {
    throw new UsageError(`--to "${opts.to}" is not a BalanceAI account (SS58 or 0x and 64 hex digits): ${(err as Error).message}`);
  }
  const rpcUrl = ethRpc(opts, env);
  const privateKey = ethKey(opts, env);
  const base = gatewayHttpUrl(opts);
  const bridge = await bridgeAddress(opts, base, env);
  const done = await (await env.user()).burnForBai({ rpcUrl, privateKey, bridge, amount, baiRecipient: recipient });
  env.print(`burned ${formatBai(amount)} wBAI from ${done.from} for ${recipient} (tx ${done.txHash}, Ethereum block ${done.blockNumber})`);
  env.print(`burn id ${done.burnId}`);
  env.print(`nonce ${done.nonce} on BaiBridge ${bridge} (chain ${done.chainId})`);
  env.print(`follow it: balanceai bridge status ${done.burnId} --gateway ${base}   (burned → confirmed → attested k/M → released)`);
  return { burnId: done.burnId, nonce: done.nonce };
}

/** Submits BaiBridge.mint for a lock with M of the relayers' signatures as the gateway collected them. */
export async function bridgeMint(idText: string | undefined, opts: BridgeEthOpts, env: BridgeEthEnv): Promise<{ txHash: string }> {
  const lockId = bridgeIdArg(idText);
  const rpcUrl = ethRpc(opts, env);
  const privateKey = ethKey(opts, env);
  const base = gatewayHttpUrl(opts);
  const { status, body: v } = await getJson(env, `${base}/v1/bridge/locks/${lockId}`);
  if (status !== 200) throw new BridgeStatusError(String(v.code ?? `HTTP_${status}`), `${String(v.code ?? `HTTP_${status}`)}: ${String(v.message ?? `the gateway answered ${status}`)}`);
  if (v.status === 'minted') throw new BridgeStatusError('LOCK_ALREADY_MINTED', `lock ${lockId} is already minted`);
  if (v.status === 'refunded') throw new BridgeStatusError('LOCK_REFUNDED', `lock ${lockId} was refunded on BalanceAI: it can never be minted`);
  const threshold = Number(v.threshold);
  const signatures = (v.signatures as Array<{ signer: string; signature: string }> | undefined) ?? [];
  if (signatures.length < threshold) {
    const note = typeof v.signaturesNote === 'string' ? ` (${v.signaturesNote})` : '';
    throw new BridgeStatusError('TOO_FEW_SIGNATURES', `lock ${lockId} is ${String(v.status)}: ${signatures.length} of the ${threshold} relayer signatures needed${note}; try again once the relayers signed`);
  }
  const m = v.mint as { lockId: string; recipient: string; amount: string; deadline: string };
  const message = { lockId: m.lockId, recipient: m.recipient, amount: BigInt(m.amount), deadline: BigInt(m.deadline) };
  const bridge = await bridgeAddress(opts, base, env);
  const done = await (await env.user()).submitMint({ rpcUrl, privateKey, bridge, message, signatures: signatures.slice(0, threshold) });
  env.print(`minted ${formatBai(message.amount)} wBAI to ${message.recipient} (tx ${done.txHash}, Ethereum block ${done.blockNumber}); its balance is ${formatBai(done.balance)} wBAI`);
  env.print(`the relayers report it to BalanceAI: balanceai bridge status ${lockId} --gateway ${base} shows minted`);
  return { txHash: done.txHash };
}
