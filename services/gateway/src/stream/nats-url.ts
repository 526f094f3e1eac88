/** What `connect()` of @nats-io/transport-node needs for the gateway's NATS_URL. */
export interface NatsServerOptions {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * Splits credentials out of `NATS_URL` (`nats://user:pass@host:4222`, or `nats://token@host:4222`,
 * comma-separated for several servers): the NATS client does not read them from a server URL, and
 * server URLs end up in logs. Credentials come from the first server that has them.
 */
export function natsServerOptions(natsUrl: string): NatsServerOptions {
  const options: NatsServerOptions = { servers: [] };
  for (const raw of natsUrl.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const hasScheme = raw.includes('://');
    const url = new URL(hasScheme ? raw : `nats://${raw}`);
    if (url.username && options.user === undefined && options.token === undefined) {
      const user = decodeURIComponent(url.username);
      if (url.password) {
        options.user = user;
        options.pass = decodeURIComponent(url.password);
      } else {
        options.token = user;
      }
    }
    url.username = '';
    url.password = '';
    options.servers.push(hasScheme ? url.toString().replace(/\/$/, '') : url.host);
  }
  return options;
}
