import { encodeBridgeCall, formatBai, fromHex, parseBai, toHex } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { signerFrom, timeoutArg } from './args.js';
import { type SignOpts, type WalletEnv, withChain } from './env.js';
import { type Finalized, sendCall } from './submit.js';

// `balanceai bridge lock|status` (burn|mint: bridge-eth.ts): the BalanceAI end of the Interlink bridge (docs/architecture.md §7). A lock
// is pallet 30's `lock(eth_recipient, amount)`, signed here and sent over JSON-RPC like the other wallet
// commands; a status is the gateway's REST view of a lock or burn at the finalized head.

export const BRIDGE_USAGE = `usage: balanceai bridge lock --from <secret-uri> --eth <0x Ethereum address> --amount <BAI> [--tip BAI] [--rpc URL]
       balanceai bridge status <lockId|burnId> [--gateway http://127.0.0.1:8080]`;

const ETH_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BRIDGE_ID = /^0x[0-9a-fA-F]{64}$/;

/** `--eth 0x…`: 20 bytes of hex, not the zero address (the pallet refuses it: Bridge.ZeroEthRecipient). */
export function ethRecipientArg(text: string | undefined): string {
  if (text === undefined) throw new UsageError(BRIDGE_USAGE);
  if (!ETH_ADDRESS.test(text)) throw new UsageError(`--eth "${text}" is not an Ethereum address (0x and 40 hex digits)`);
  if (/^0x0{40}$/.test(text)) throw new UsageError('--eth is the zero address: wBAI minted there could never be moved');
  return text.toLowerCase();
}

/** `--amount 1.5` in BAI → base units; more than zero. */
export function lockAmountArg(text: string | undefined): bigint {
  if (text === undefined) throw new UsageError(BRIDGE_USAGE);
  const v = parseBai(text);
  if (v <= 0n) throw new UsageError('--amount must be more than 0');
  return v;
}

export function bridgeIdArg(text: string | undefined): string {
  if (text === undefined) throw new UsageError(BRIDGE_USAGE);
  if (!BRIDGE_ID.test(text)) throw new UsageError(`"${text}" is not a lock or burn id (0x and 64 hex digits)`);
  return text.toLowerCase();
}

/** The gateway's http(s) base URL: `--gateway`, else `--rpc` with ws→http, else http://127.0.0.1:8080. */
export function gatewayHttpUrl(opts: { rpc?: string; gateway?: string }): string {
  if (opts.rpc !== undefined && opts.gateway !== undefined) throw new UsageError('give --rpc or --gateway, not both');
  const text = opts.gateway ?? opts.rpc ?? 'http://127.0.0.1:8080';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  const http = ({ 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' } as Record<string, string>)[url.protocol];
  if (!http) throw new UsageError(`"${text}" must be an http://, https://, ws:// or wss:// URL`);
  url.protocol = http;
  return url.toString().replace(/\/$/, '');
}

export interface LockResult extends Finalized {
  /** From the Locked event, when the events were read. */
  lockId?: string;
  deadline?: bigint;
}

/** Bridge.lock: `amount` of the signer's free BAI into escrow, minted as wBAI to `--eth` once relayers sign. */
export async function bridgeLock(opts: SignOpts & { eth?: string; amount?: string }, env: WalletEnv): Promise<LockResult> {
  const ethRecipient = ethRecipientArg(opts.eth);
  const amount = lockAmountArg(opts.amount);
  const pair = await signerFrom(opts, BRIDGE_USAGE);
  const done = await withChain(env, opts, (chain) =>
    sendCall(
      chain,
      pair,
      { label: `Bridge.lock ${formatBai(amount)} BAI for ${ethRecipient} on Ethereum`, call: encodeBridgeCall({ call: 'lock', ethRecipient, amount }) },
      { tip: opts.tip ? parseBai(opts.tip) : 0n, timeoutMs: timeoutArg(opts.timeout), print: env.print },
    ),
  );
  const locked = done.events?.find((e) => e.pallet === 'Bridge' && e.name === 'Locked');
  const f = locked?.fields as { lock_id?: unknown; deadline?: unknown } | undefined;
  if (typeof f?.lock_id !== 'string') return done;
  const deadline = typeof f.deadline === 'bigint' ? f.deadline : BigInt(f.deadline as number);
  env.print(`lock id ${f.lock_id}`);
  env.print(`mint deadline ${new Date(Number(deadline) * 1000).toISOString()} (Unix ${deadline}): relayers sign the mint until then; after it, the lock is refunded`);
  return { ...done, lockId: toHex(fromHex(f.lock_id, 32)), deadline };
}

export interface StatusEnv {
  fetch(url: string): Promise<{ status: number; json(): Promise<unknown> }>;
  print(line: string): void;
}

export const processStatusEnv: StatusEnv = {
  fetch: (url) => fetch(url, { signal: AbortSignal.timeout(10_000) }),
  print: (line) => console.log(line),
};

export class BridgeStatusError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The gateway's view of a lock or a burn (the lock first: ids of both are 32 bytes). */
export async function bridgeStatus(idText: string | undefined, opts: { rpc?: string; gateway?: string }, env: StatusEnv): Promise<{ kind: 'lock' | 'burn'; view: Record<string, unknown> }> {
  const id = bridgeIdArg(idText);
  const base = gatewayHttpUrl(opts);
  for (const kind of ['lock', 'burn'] as const) {
    let res: { status: number; json(): Promise<unknown> };
    try {
      res = await env.fetch(`${base}/v1/bridge/${kind}s/${id}`);
    } catch (err) {
      throw new BridgeStatusError('GATEWAY_UNREACHABLE', `cannot reach the gateway at ${base}: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 200) {
      printView(kind, body, env);
      return { kind, view: body };
    }
    const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
    if (res.status === 404 && (code === 'LOCK_NOT_FOUND' || code === 'BURN_NOT_FOUND')) continue;
    throw new BridgeStatusError(code, `${code}: ${typeof body.message === 'string' ? body.message : `the gateway answered ${res.status}`}`);
  }
  throw new BridgeStatusError('NOT_FOUND', `no lock or attested burn ${id} at the finalized head of ${base}`);
}

function printView(kind: 'lock' | 'burn', v: Record<string, unknown>, env: StatusEnv): void {
  const bai = (x: unknown) => (typeof x === 'string' ? `${formatBai(BigInt(x))} BAI` : '-');
  if (kind === 'lock') {
    env.print(`lock ${String(v.lockId)}: ${String(v.status)}`);
    env.print(`  ${bai(v.amount)} from ${String(v.owner)} to ${String(v.ethRecipient)} on Ethereum`);
    env.print(`  locked at #${String(v.lockedAt)}, mint deadline ${String(v.deadline)} (Unix s)${v.finalAt ? `, final at #${String(v.finalAt)}` : ''}`);
    env.print(`  minted reports ${(v.mintAttestations as unknown[] | undefined)?.length ?? 0}/${String(v.threshold)}, refund attestations ${(v.refundAttestations as unknown[] | undefined)?.length ?? 0}/${String(v.threshold)}`);
    const sigs = v.signatures as unknown[] | undefined;
    if (v.status !== 'minted' && v.status !== 'refunded' && sigs) {
      env.print(`  relayer signatures collected ${sigs.length} (${String(v.threshold)} needed)${sigs.length >= Number(v.threshold) ? `: anyone can mint now, e.g. balanceai bridge mint ${String(v.lockId)}` : typeof v.signaturesNote === 'string' ? ` (${v.signaturesNote})` : ''}`);
    }
  } else {
    env.print(`burn ${String(v.burnId)}: ${String(v.status)}`);
    if (v.recipient) env.print(`  ${bai(v.amount)} to ${String(v.recipient)}${v.statusAt ? ` at #${String(v.statusAt)}` : ''}`);
    env.print(`  attestations ${(v.attestations as unknown[] | undefined)?.length ?? 0} (threshold ${String(v.threshold)})`);
    const eth = v.ethereum as { nonce?: string; blockNumber?: string; confirmations?: string; required?: number } | null | undefined;
    if (eth) env.print(`  on Ethereum: nonce ${String(eth.nonce)} in block ${String(eth.blockNumber)}, ${String(eth.confirmations)} confirmations (${String(eth.required)} needed)`);
  }
  env.print(`  at finalized block ${String(v.at)}`);
}
