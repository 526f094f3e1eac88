import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ONE_BAI,
  DEV_PHRASE,
  cryptoReady,
  devAccounts,
  devGenesis,
  encodeTransfer,
  formatBai,
  fromHex,
  generateMnemonic,
  genesisToJson,
  keyFromUri,
  mortalEra,
  parseAccountId,
  parseBai,
  signExtrinsic,
  ss58Encode,
  toHex,
  type KeyType,
} from '@balanceai/chain';
import { Devnet, REPO_ROOT } from '@balanceai/testing';

export class UsageError extends Error {}

/** The gateway did not answer: one line naming the URL, never a stack trace (main.ts prints `code` errors so). */
export class GatewayUnreachableError extends Error {
  readonly code = 'GATEWAY_UNREACHABLE';
  constructor(url: string, cause: unknown) {
    const reason = (cause as { cause?: { code?: string; message?: string } }).cause;
    super(`cannot reach the gateway at ${url} (${reason?.code ?? reason?.message ?? (cause as Error).message}); is it running? (--gateway URL)`);
    this.name = 'GatewayUnreachableError';
  }
}

/** Blocks a signed transaction stays valid for: mortal, so it can never be replayed after its era. */
export const TX_MORTALITY_BLOCKS = 64;

/**
 * A signed Balances transfer, mortal for TX_MORTALITY_BLOCKS from `birth` (the latest block): once a reaped
 * account's nonce restarts at 0, an immortal transfer it signed earlier could be replayed; a mortal one expires.
 */
export function signTransfer(
  pair: ReturnType<typeof keyFromUri>,
  call: { dest: Uint8Array; value: bigint; keepAlive: boolean },
  opts: { nonce: number; tip: bigint; birth: { number: number; hash: Uint8Array }; runtime: { specVersion: number; transactionVersion: number; genesisHash: Uint8Array } },
): Uint8Array {
  return signExtrinsic(
    pair,
    encodeTransfer(call.keepAlive ? 'keep_alive' : 'allow_death', call.dest, call.value),
    { era: mortalEra(opts.birth.number, TX_MORTALITY_BLOCKS), nonce: opts.nonce, tip: opts.tip },
    { ...opts.runtime, birthHash: opts.birth.hash },
  );
}

function keyType(v: string | undefined, fallback: KeyType): KeyType {
  const t = v ?? fallback;
  if (t !== 'sr25519' && t !== 'ed25519') throw new UsageError(`--type must be sr25519 or ed25519, got "${t}"`);
  return t;
}

export async function keysNew(opts: { type?: string; words?: string; prefix?: string }): Promise<void> {
  await cryptoReady();
  const words = opts.words === '24' ? 24 : 12;
  const mnemonic = generateMnemonic(words);
  const pair = keyFromUri(mnemonic, keyType(opts.type, 'sr25519'));
  const prefix = Number(opts.prefix ?? 42);
  console.log(JSON.stringify({ mnemonic, type: pair.type, publicKey: toHex(pair.publicKey), address: ss58Encode(pair.publicKey, prefix) }, null, 2));
}

export async function keysInspect(uri: string | undefined, opts: { type?: string; prefix?: string }): Promise<void> {
  if (!uri) throw new UsageError('usage: balanceai keys inspect <secret-uri | mnemonic | //Dev> [--type sr25519|ed25519]');
  await cryptoReady();
  const pair = keyFromUri(uri, keyType(opts.type, 'sr25519'));
  const prefix = Number(opts.prefix ?? 42);
  console.log(JSON.stringify({ type: pair.type, publicKey: toHex(pair.publicKey), address: ss58Encode(pair.publicKey, prefix) }, null, 2));
}

export async function genesis(opts: { validators?: string; out?: string; chain?: string; 'block-time'?: string; 'era-length'?: string }): Promise<void> {
  await cryptoReady();
  const validators = Number(opts.validators ?? 4);
  if (!Number.isInteger(validators) || validators < 1 || validators > 100) throw new UsageError('--validators must be an integer from 1 to 100');
  const { genesis: g, validatorKeys } = devGenesis({
    validators,
    chain: opts.chain,
    blockTimeMs: opts['block-time'] ? Number(opts['block-time']) : undefined,
    eraLength: opts['era-length'] ? Number(opts['era-length']) : undefined,
    // Genesis validators are bonded from block 0 (the staking module reads the bond from the genesis).
    stakingBond: 20_000n * ONE_BAI,
  });
  const json = genesisToJson(g);
  if (opts.out) {
    writeFileSync(opts.out, json);
    console.error(`genesis written to ${opts.out}; validator keys (dev derivations of the dev phrase): ${validatorKeys.join(', ')}`);
  } else {
    process.stdout.write(json);
  }
}

export async function devnet(opts: { validators?: string; port?: string; dir?: string; 'block-time'?: string; 'era-length'?: string; echo?: boolean }): Promise<void> {
  await cryptoReady();
  const dir = opts.dir ?? join(REPO_ROOT, '.devnet');
  mkdirSync(dir, { recursive: true });
  console.log('starting the BalanceAI devnet (NATS, PostgreSQL, validators, gateway)…');
  const net = await Devnet.start({
    validators: Number(opts.validators ?? 4),
    gatewayPort: Number(opts.port ?? 8080),
    blockTimeMs: opts['block-time'] ? Number(opts['block-time']) : undefined,
    eraLength: opts['era-length'] ? Number(opts['era-length']) : undefined,
    dir,
    echo: opts.echo ?? false,
    modules: ['emissions', 'staking'],
  });
  const accounts = devAccounts('sr25519');
  console.log(`
BalanceAI devnet "${net.genesis.chain}" (chain id ${net.genesis.chainId}) is running.
  gateway     ${net.gatewayUrl}   (REST /v1, OpenAPI ${net.gatewayUrl}/docs, WebSocket ${net.gatewayUrl.replace('http', 'ws')}/v1/ws/blocks)
  NATS        ${net.nats.url}
  PostgreSQL  ${net.postgres.adminUrl}
  validators  ${net.validators.map((_, i) => `#${i} gRPC ${net.validatorGrpcUrl(i)} metrics ${net.validatorHttpUrl(i)}/metrics`).join('\n              ')}
  logs        ${join(dir, 'logs')}
Dev accounts (sr25519, dev phrase "${DEV_PHRASE}"):
${accounts.map((a) => `  ${a.name.padEnd(8)} ${a.uri.padEnd(10)} ${ss58Encode(a.pair.publicKey, net.genesis.ss58Prefix)}`).join('\n')}
Try: balanceai transfer --from //Alice --to ${ss58Encode(accounts[1]!.pair.publicKey, net.genesis.ss58Prefix)} --amount 1.5 --gateway ${net.gatewayUrl}
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('\nstopping…');
  await net.stop();
  console.log('stopped.');
}

async function gatewayJson<T>(gateway: string, path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${gateway}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  } catch (err) {
    throw new GatewayUnreachableError(gateway, err);
  }
  const body = (await res.json().catch(() => ({}))) as T & { code?: string; message?: string };
  if (!res.ok) throw new UsageError(`gateway ${res.status}: ${body.code ?? ''} ${body.message ?? ''}`.trim());
  return body;
}

export async function transfer(opts: { from?: string; to?: string; amount?: string; gateway?: string; type?: string; 'keep-alive'?: boolean; tip?: string }): Promise<void> {
  if (!opts.from || !opts.to || !opts.amount) throw new UsageError('usage: balanceai transfer --from <secret-uri> --to <address> --amount <BAI> [--gateway URL] [--keep-alive]');
  await cryptoReady();
  const gateway = opts.gateway ?? 'http://127.0.0.1:8080';
  const pair = keyFromUri(opts.from, keyType(opts.type, 'sr25519'));
  const dest = parseAccountId(opts.to);
  const value = parseBai(opts.amount);
  const runtime = await gatewayJson<{ genesisHash: string; specVersion: number; transactionVersion: number; ss58Prefix: number }>(gateway, '/v1/runtime');
  const account = await gatewayJson<{ nextNonce: string }>(gateway, `/v1/accounts/${toHex(pair.publicKey)}`);
  const latest = await gatewayJson<{ number: string; hash: string }>(gateway, '/v1/blocks/latest');
  const xt = signTransfer(
    pair,
    { dest, value, keepAlive: opts['keep-alive'] ?? false },
    {
      nonce: Number(account.nextNonce),
      tip: opts.tip ? parseBai(opts.tip) : 0n,
      birth: { number: Number(latest.number), hash: fromHex(latest.hash) },
      runtime: { specVersion: runtime.specVersion, transactionVersion: runtime.transactionVersion, genesisHash: fromHex(runtime.genesisHash) },
    },
  );
  const { hash } = await gatewayJson<{ hash: string }>(gateway, '/v1/extrinsics', { method: 'POST', body: JSON.stringify({ extrinsic: toHex(xt) }) });
  console.log(`submitted ${hash}`);
  for (let i = 0; i < 60; i++) {
    const s = await gatewayJson<{ state: string; blockNumber?: string; errorCode?: string; fee?: string }>(gateway, `/v1/extrinsics/${hash}`);
    if (s.state === 'finalized' || s.state === 'failed') {
      console.log(JSON.stringify(s, null, 2));
      if (s.state === 'failed') process.exitCode = 1;
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new UsageError(`extrinsic ${hash} not finalized after 30 s`);
}

export async function account(address: string | undefined, opts: { gateway?: string }): Promise<void> {
  if (!address) throw new UsageError('usage: balanceai account <address> [--gateway URL]');
  const gateway = opts.gateway ?? 'http://127.0.0.1:8080';
  const a = await gatewayJson<{ address: string; free: string; reserved: string; nonce: string }>(gateway, `/v1/accounts/${encodeURIComponent(address)}`);
  console.log(JSON.stringify({ ...a, freeBai: formatBai(BigInt(a.free)) }, null, 2));
}

/** Applies every service's Prisma migrations to DATABASE_URL (one Postgres schema per service). */
export function migrate(): void {
  if (!process.env.DATABASE_URL) throw new UsageError('DATABASE_URL is required');
  for (const svc of ['consensus', 'emissions', 'staking']) {
    const dir = join(REPO_ROOT, 'services', svc);
    if (!existsSync(join(dir, 'prisma'))) continue;
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], { cwd: dir, stdio: 'inherit' });
  }
}

const SERVICES: Record<string, string> = {
  consensus: 'services/consensus/dist/src/main.js',
  emissions: 'services/emissions/dist/src/main.js',
  staking: 'services/staking/dist/src/main.js',
  gateway: 'services/gateway/dist/src/main.js',
  expert: 'services/expert/dist/src/main.js',
};

/**
 * `run <service>`: starts one service in this process (the container image's entry point).
 * `run validator` starts a validator's consensus and module services together in one process
 * (the monolithic mode a small devnet uses); each keeps its own ports.
 */
export async function runService(what: string | undefined): Promise<void> {
  if (what === 'validator') return runValidator();
  const file = what ? SERVICES[what] : undefined;
  if (!file) throw new UsageError(`usage: balanceai run <${[...Object.keys(SERVICES), 'validator'].join('|')}>`);
  process.argv[1] = join(REPO_ROOT, file);
  await import(join(REPO_ROOT, file));
}

/**
 * Consensus and its modules in one process: they share BAI_MODULE_TOKEN(_FILE) when given, else a fresh
 * random token for this run, which nobody outside the process knows (the module ports still refuse strangers).
 */
async function runValidator(): Promise<void> {
  type Service = { loadConfig(env: NodeJS.ProcessEnv): unknown };
  const emissions = (await import(join(REPO_ROOT, 'services/emissions/dist/src/index.js'))) as Service & { startEmissions(c: unknown): Promise<unknown> };
  const staking = (await import(join(REPO_ROOT, 'services/staking/dist/src/index.js'))) as Service & { startStaking(c: unknown): Promise<unknown> };
  const consensus = (await import(join(REPO_ROOT, 'services/consensus/dist/src/index.js'))) as Service & { startConsensus(c: unknown): Promise<unknown> };
  const httpPort = Number(process.env.BAI_HTTP_PORT ?? 9615);
  const tokenGiven = process.env.BAI_MODULE_TOKEN || process.env.BAI_MODULE_TOKEN_FILE;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(tokenGiven ? {} : { BAI_MODULE_TOKEN: randomBytes(32).toString('hex') }),
    // BAI_GRPC_HOST opens consensus to the gateway; the modules' gRPC stays on loopback unless said otherwise.
    BAI_GRPC_HOST: process.env.BAI_MODULE_GRPC_HOST ?? '127.0.0.1',
  };
  const emissionsGrpc = process.env.BAI_EMISSIONS_GRPC_PORT ?? '50061';
  const stakingGrpc = process.env.BAI_STAKING_GRPC_PORT ?? '50062';
  await emissions.startEmissions(
    emissions.loadConfig({ ...env, BAI_HTTP_PORT: process.env.BAI_EMISSIONS_HTTP_PORT ?? String(httpPort + 1), BAI_EMISSIONS_GRPC_PORT: emissionsGrpc }),
  );
  await staking.startStaking(
    staking.loadConfig({ ...env, BAI_HTTP_PORT: process.env.BAI_STAKING_HTTP_PORT ?? String(httpPort + 2), BAI_STAKING_GRPC_PORT: stakingGrpc }),
  );
  await consensus.startConsensus(
    consensus.loadConfig({ ...env, BAI_GRPC_HOST: process.env.BAI_GRPC_HOST, BAI_MODULES: process.env.BAI_MODULES ?? `emissions=127.0.0.1:${emissionsGrpc},staking=127.0.0.1:${stakingGrpc}` }),
  );
}
