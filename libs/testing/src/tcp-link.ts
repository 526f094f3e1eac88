import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports.js';

/**
 * A loopback TCP relay in front of a server, that a test can cut: every open connection is dropped and
 * new ones are refused for a while (a network partition between one process and, say, NATS).
 */
export class TcpLink {
  private readonly sockets = new Set<Socket>();
  private cutUntil = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async open(targetHost: string, targetPort: number): Promise<TcpLink> {
    const port = await freePort();
    const server = createServer();
    const link = new TcpLink(server, port);
    server.on('connection', (client) => {
      if (Date.now() < link.cutUntil) return client.destroy();
      const upstream = createConnection({ host: targetHost, port: targetPort });
      for (const s of [client, upstream]) {
        link.sockets.add(s);
        s.on('close', () => link.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return link;
  }

  /** Drops every connection through the link and refuses new ones for `ms`. */
  cut(ms: number): void {
    this.cutUntil = Date.now() + ms;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
