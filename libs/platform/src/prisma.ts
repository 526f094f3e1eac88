import { PrismaPg } from '@prisma/adapter-pg';

const PG_CHAR = 18;
const PG_NAME = 19;
const PG_TEXT = 25;
let patched = false;

/**
 * prisma/orm#27403: the pg driver adapter cannot deserialize `name`/`char` columns, which the schema
 * engine reads from the catalogs during migrations. Reporting them as text is exact (both are strings).
 */
function patchCatalogColumnTypes(adapter: object): void {
  if (patched) return;
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as {
    performIO?: (this: unknown, query: unknown) => Promise<{ fields: Array<{ dataTypeID: number }> }>;
  };
  const original = queryable.performIO;
  if (typeof original !== 'function') return;
  queryable.performIO = async function performIO(this: unknown, query: unknown) {
    const result = await original.call(this, query);
    for (const field of result.fields) {
      if (field.dataTypeID === PG_NAME || field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
    }
    return result;
  };
  patched = true;
}

/**
 * The Prisma driver adapter for a service's database. Built from the URL's parts, not `connectionString`,
 * so the migrate shadow database really is another database (STACK.md snag 2).
 */
export function pgAdapter(databaseUrl: string, opts: { schema?: string; maxConnections?: number } = {}): PrismaPg {
  const u = new URL(databaseUrl);
  const factory = new PrismaPg(
    {
      host: u.hostname,
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: u.pathname.replace(/^\//, '') || 'postgres',
      max: opts.maxConnections ?? 5,
      // idle pooled sockets must not keep a finished CLI (prisma migrate) alive for the idle timeout
      allowExitOnIdle: true,
    },
    opts.schema ? { schema: opts.schema } : undefined,
  );
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    patchCatalogColumnTypes(adapter);
    return adapter;
  };
  return factory;
}
