// Integration scaffolding for a module service (staking, models, bridge): PostgreSQL migrated with the
// service's schema, its genesis in a temp dir, loopback ports and a module token; the service in-process or
// restarted as its built main.js; and a driver that sends blocks as consensus would and keeps what came back.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genesisToJson, type Genesis } from '@balanceai/chain';
import type { GrpcTestClient } from './grpc-client.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { freePort, waitFor } from './ports.js';

/** The config every module service's start function takes. */
export interface ModuleServiceConfig {
  readonly genesisFile: string;
  readonly databaseUrl: string;
  readonly grpcHost: string;
  readonly grpcPort: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly moduleToken: string;
}

export interface Closable {
  close(): Promise<void>;
}

/** A module service under test: its database, genesis file and ports, the in-process app or the child process. */
export class ModuleServiceHarness {
  app: Closable | null = null;
  child: ChildProcess | null = null;

  private constructor(
    private readonly serviceDir: string,
    private readonly postgres: PostgresServer,
    private readonly dir: string,
    readonly config: ModuleServiceConfig,
  ) {}

  /**
   * Starts PostgreSQL, creates `database` and migrates it with the service's Prisma schema (`serviceDir` is the
   * workspace dir, two levels under the repo root), writes `genesis` to a temp dir and picks free ports.
   */
  static async prepare(opts: { serviceDir: string; database: string; genesis: Genesis }): Promise<ModuleServiceHarness> {
    process.env.BAI_TESTCONTAINERS ??= '0';
    const postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase(opts.database);
    const migrate = spawnSync(process.execPath, [join(opts.serviceDir, '..', '..', 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], {
      cwd: opts.serviceDir,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });
    assert.equal(migrate.status, 0, migrate.stderr);
    const dir = mkdtempSync(join(tmpdir(), `bai-${opts.database}-`));
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, genesisToJson(opts.genesis));
    const config = { genesisFile, databaseUrl, grpcHost: '127.0.0.1', grpcPort: await freePort(), httpHost: '127.0.0.1', httpPort: await freePort(), moduleToken: randomBytes(32).toString('hex') };
    return new ModuleServiceHarness(opts.serviceDir, postgres, dir, config);
  }

  /** Closes the in-process app and starts the built service (dist/src/main.js) on the same config; waits for /readyz. */
  async restartAsProcess(grpcPortVar: string): Promise<void> {
    await this.app?.close();
    this.app = null;
    const c = this.config;
    this.child = spawn(process.execPath, [join(this.serviceDir, 'dist', 'src', 'main.js')], {
      env: {
        ...process.env,
        BAI_GENESIS_FILE: c.genesisFile,
        DATABASE_URL: c.databaseUrl,
        BAI_GRPC_HOST: c.grpcHost,
        [grpcPortVar]: String(c.grpcPort),
        BAI_HTTP_HOST: c.httpHost,
        BAI_HTTP_PORT: String(c.httpPort),
        BAI_MODULE_TOKEN: c.moduleToken,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor('/readyz', async () => ((await fetch(`http://127.0.0.1:${c.httpPort}/readyz`).catch(() => null))?.ok ? true : undefined), 30_000, 200);
  }

  /** Stops the app or the child, PostgreSQL, and removes the temp dir. */
  async stop(): Promise<void> {
    await this.app?.close();
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await this.postgres.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Free balances as the ledger keeps them; `apply` moves a response's transfers and refuses an overdraft. */
export class TestBalances {
  readonly free = new Map<string, bigint>();

  balance(account: string): bigint {
    return this.free.get(account) ?? 0n;
  }

  apply(transfers: readonly { readonly from: string; readonly to: string; readonly amount: string }[]): void {
    for (const t of transfers) {
      const amount = BigInt(t.amount);
      assert.ok(this.balance(t.from) >= amount, `overdraft of ${t.from}`);
      this.free.set(t.from, this.balance(t.from) - amount);
      this.free.set(t.to, this.balance(t.to) + amount);
    }
  }
}

/**
 * Sends blocks to ModuleRuntimeService: the request of a height is built once (a replay sends the same one),
 * `runHeight` executes it (raw bytes kept for replay checks), applies the response, commits and keeps the root.
 */
export class ModuleBlockDriver<Req extends object, Res> {
  readonly served = new Map<number, Buffer>();
  readonly roots = new Map<number, string>();
  readonly responses = new Map<number, Res>();
  private readonly sent = new Map<number, Req>();

  constructor(
    private readonly runtime: () => GrpcTestClient,
    private readonly build: (height: number) => Req,
    private readonly applyResponse: (res: Res) => void,
  ) {}

  request(height: number): Req {
    let req = this.sent.get(height);
    if (!req) this.sent.set(height, (req = this.build(height)));
    return req;
  }

  execute(height: number, raw = false): Promise<Res & Buffer> {
    return this.runtime().call<Res & Buffer>('ExecuteBlock', this.request(height), raw);
  }

  commit<C>(height: number): Promise<C> {
    return this.runtime().call<C>('Commit', { height: String(height) });
  }

  async runHeight(h: number): Promise<Res> {
    this.served.set(h, await this.execute(h, true));
    const res = await this.execute(h);
    this.applyResponse(res);
    this.roots.set(h, (await this.commit<{ root: string }>(h)).root);
    this.responses.set(h, res);
    return res;
  }
}
