import { randomBytes } from 'node:crypto';

// Who may do what on the devnet's NATS (deploy/README.md "NATS users" has the same model for the chart).
// Subjects: gossip p2p.<chain>.{proposal,vote,txs,status,sync}; finalized blocks and module events
// bai.<chain>.> in the JetStream stream BAI_<CHAIN>; the JetStream API $JS.API.>.

export type NatsRole = 'validator' | 'gateway' | 'operator';

export interface NatsUser {
  user: string;
  password: string;
  role: NatsRole;
}

interface Permissions {
  publish: string[];
  subscribe: string[];
  /** Lets the user answer requests it received (sync replies) without publishing on _INBOX.> at large. */
  allowResponses: boolean;
}

/** The JetStream stream of a chain: `BAI_` + the chain id upper-cased, other characters as `_` (as consensus names it). */
export function chainStreamName(chainId: string): string {
  return `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The gossip subjects a validator publishes: one per message kind consensus sends. */
export const GOSSIP_KINDS = ['proposal', 'vote', 'txs', 'status', 'sync'] as const;

/**
 * - validator: gossip of its chain, finalized blocks and events of its chain, create/inspect the chain's
 *   stream; nothing else (no stream delete/update/purge, no consumers).
 * - gateway: publishes nothing on p2p.> and only its access metering events on bai.<chain>.metering.>; reads the
 *   stream through an ephemeral ordered consumer.
 * - operator: everything (the test harness, benchmarks, an operator's tools). Never given to a service.
 */
export function natsPermissions(role: NatsRole, chainId: string): Permissions | null {
  const stream = chainStreamName(chainId);
  switch (role) {
    case 'validator':
      return {
        publish: [...GOSSIP_KINDS.map((k) => `p2p.${chainId}.${k}`), `bai.${chainId}.>`, '$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`],
        subscribe: [`p2p.${chainId}.>`, '_INBOX.>'],
        allowResponses: true,
      };
    case 'gateway':
      return {
        publish: [
          `bai.${chainId}.metering.>`,
          '$JS.API.INFO',
          `$JS.API.STREAM.INFO.${stream}`,
          `$JS.API.CONSUMER.CREATE.${stream}`,
          `$JS.API.CONSUMER.CREATE.${stream}.>`,
          `$JS.API.CONSUMER.INFO.${stream}.>`,
          `$JS.API.CONSUMER.DELETE.${stream}.>`,
          `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
        ],
        subscribe: ['_INBOX.>'],
        allowResponses: false,
      };
    case 'operator':
      return null;
  }
}

/** A fresh user with a random password (hex: safe in a URL and in the config file). */
export function newNatsUser(user: string, role: NatsRole): NatsUser {
  return { user, password: randomBytes(24).toString('hex'), role };
}

const quote = (s: string) => JSON.stringify(s);
const list = (items: string[]) => `[${items.map(quote).join(', ')}]`;

/** One node of a local NATS cluster: its route listener and the other nodes' routes. */
export interface NatsClusterConfig {
  /** The cluster's name (the same on every node). */
  name: string;
  host: string;
  port: number;
  /** The other nodes' route listeners, `host:port`. */
  routes: string[];
  /** Routes authenticate with this user (the same on every node). */
  routeUser: { user: string; password: string };
}

/**
 * A nats-server (2.9) configuration: JetStream on, listening on `host:port`, and only the given users
 * (no anonymous connections: there is no `no_auth_user`); with no users at all, an open server. With `cluster`, the node joins a cluster
 * (JetStream clustering needs a unique `server_name`); its clients are not told the other nodes'
 * addresses (`no_advertise`): they use the server list they were given, so a test's relays stay in the path.
 */
export function natsServerConfig(opts: {
  host: string;
  port: number;
  storeDir: string;
  chainId: string;
  users: NatsUser[];
  serverName?: string;
  /** Monitoring endpoint (/varz, /connz, /routez, /jsz) on `host`. */
  monitorPort?: number;
  cluster?: NatsClusterConfig;
}): string {
  const users = opts.users.map((u) => {
    const p = natsPermissions(u.role, opts.chainId);
    const permissions = p
      ? ` permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} }${p.allowResponses ? ', allow_responses: true' : ''} }`
      : '';
    return `    { user: ${quote(u.user)}, password: ${quote(u.password)}${permissions ? `,${permissions}` : ''} }`;
  });
  const c = opts.cluster;
  const routeAuth = c ? `${encodeURIComponent(c.routeUser.user)}:${encodeURIComponent(c.routeUser.password)}@` : '';
  return [
    ...(opts.serverName ? [`server_name: ${quote(opts.serverName)}`] : []),
    `listen: ${quote(`${opts.host}:${opts.port}`)}`,
    ...(opts.monitorPort ? [`http: ${quote(`${opts.host}:${opts.monitorPort}`)}`] : []),
    `jetstream { store_dir: ${quote(opts.storeDir)} }`,
    ...(c
      ? [
          'cluster {',
          `  name: ${quote(c.name)}`,
          `  listen: ${quote(`${c.host}:${c.port}`)}`,
          '  no_advertise: true',
          `  authorization { user: ${quote(c.routeUser.user)}, password: ${quote(c.routeUser.password)}, timeout: 2 }`,
          `  routes: ${list(c.routes.map((r) => `nats-route://${routeAuth}${r}`))}`,
          '}',
        ]
      : []),
    // Without users, anonymous clients may connect (a plain test server); with users, only they may.
    ...(users.length > 0 ? ['authorization {', '  users = [', ...users, '  ]', '}'] : []),
    '',
  ].join('\n');
}

/**
 * `nats://user:password@host:port` (the password is hex, so nothing needs escaping); for a
 * comma-separated server list, every server gets the credentials.
 */
export function natsUrlWithCredentials(plainUrl: string, user: NatsUser): string {
  return plainUrl
    .split(',')
    .map((server) => {
      const url = new URL(server.trim());
      url.username = encodeURIComponent(user.user);
      url.password = encodeURIComponent(user.password);
      return url.toString().replace(/\/$/, '');
    })
    .join(',');
}
