import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { publishWithTrace, withNatsMessageSpan } from '@balanceai/platform';
import type { GossipChannel, P2PTransport } from './transport.js';

/** Gossip over core NATS: subject `p2p.<chainId>.<channel>`; block sync as request/reply on `.sync`. */
export class NatsTransport implements P2PTransport {
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly chainId: string,
  ) {}

  private subject(channel: string): string {
    return `p2p.${this.chainId}.${channel}`;
  }

  publish(channel: GossipChannel, data: Uint8Array): void {
    // txs carry the submitter's trace, so a block's execution span can link to it.
    if (channel === 'txs') publishWithTrace(this.nc, this.subject(channel), data);
    else this.nc.publish(this.subject(channel), data);
  }

  subscribe(channel: GossipChannel, handler: (data: Uint8Array) => void): void {
    this.subs.push(
      this.nc.subscribe(this.subject(channel), {
        callback: (err, msg) => {
          if (err) return;
          if (channel === 'txs') withNatsMessageSpan(msg, () => handler(msg.data));
          else handler(msg.data);
        },
      }),
    );
  }

  async requestBlocks(request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const reply = await this.nc.request(this.subject('sync'), request, { timeout: timeoutMs });
    return reply.data;
  }

  serveBlocks(handler: (request: Uint8Array) => Promise<Uint8Array | null>): void {
    this.subs.push(
      this.nc.subscribe(this.subject('sync'), {
        callback: (err, msg) => {
          if (err) return;
          void handler(msg.data)
            .then((reply) => reply && msg.respond(reply))
            .catch(() => {});
        },
      }),
    );
  }

  close(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }
}
