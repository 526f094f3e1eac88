// Metering of the marketplace's access proxy (issue 11): every request forwarded to a provider is one JSON
// event on NATS, `bai.<chain>.metering.access.<provider>` (inside the chain's JetStream stream, which keeps
// `bai.<chain>.>`; the gateway's NATS user needs publish permission on `bai.<chain>.metering.>`), and counts
// in Prometheus counters. The proxy never waits for NATS: an event that cannot be published now is counted
// as dropped and logged, the request is answered anyway.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Counter, Registry } from 'prom-client';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG } from '../consensus/consensus.providers.js';
import { natsServerOptions } from '../stream/nats-url.js';
import type { MeteringEvent } from './access.js';

/** The subject of one provider's metering events. */
export const meteringSubject = (chainId: string, provider: number): string => `bai.${chainId}.metering.access.${provider}`;

/** What can publish (a NATS connection, or a test's recorder). */
export interface MeteringPublisher {
  publish(subject: string, data: string): void;
}

export class AccessMeter {
  readonly registry: Registry;
  private readonly requests: Counter<'provider' | 'status'>;
  private readonly bytes: Counter<'provider' | 'direction'>;
  private readonly dropped: Counter;
  private readonly log = new Logger('AccessMetering');

  constructor(
    private readonly chainId: string,
    private publisher: MeteringPublisher | null = null,
    registry: Registry = new Registry(),
  ) {
    this.registry = registry;
    const registers = [registry];
    this.requests = new Counter({ name: 'bai_access_requests_total', help: 'Requests the access proxy forwarded to a provider, by provider and the status the caller got', labelNames: ['provider', 'status'], registers });
    this.bytes = new Counter({ name: 'bai_access_bytes_total', help: 'Body bytes through the access proxy, by provider and direction (request, response)', labelNames: ['provider', 'direction'], registers });
    this.dropped = new Counter({ name: 'bai_access_metering_dropped_total', help: 'Metering events not published on NATS (no connection, or publish failed)', registers });
  }

  setPublisher(publisher: MeteringPublisher | null): void {
    this.publisher = publisher;
  }

  /** Counts the event and publishes it; never throws. */
  record(e: MeteringEvent): void {
    const provider = String(e.provider);
    this.requests.inc({ provider, status: String(e.status) });
    this.bytes.inc({ provider, direction: 'request' }, e.requestBytes);
    this.bytes.inc({ provider, direction: 'response' }, e.responseBytes);
    const publisher = this.publisher;
    if (!publisher) {
      this.dropped.inc();
      return;
    }
    try {
      publisher.publish(meteringSubject(this.chainId, e.provider), JSON.stringify({ type: 'access', ...e }));
    } catch (err) {
      this.dropped.inc();
      this.log.warn(`metering event for provider ${provider} not published: ${(err as Error).message}`);
    }
  }
}

/** AccessMeter with its own NATS connection (NATS_URL, the gateway's user), connected in the background until the app stops. */
@Injectable()
export class ManagedAccessMeter extends AccessMeter implements OnModuleInit, OnApplicationShutdown {
  private connection: NatsConnection | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    super(config.chainId);
  }

  onModuleInit(): void {
    this.connecting = this.connectLoop();
  }

  private async connectLoop(): Promise<void> {
    while (!this.closed) {
      try {
        const nc = await connect({ ...natsServerOptions(this.config.natsUrl), name: 'balanceai-gateway-metering', maxReconnectAttempts: -1 });
        if (this.closed) {
          await nc.close();
          return;
        }
        this.connection = nc;
        this.setPublisher({ publish: (subject, data) => nc.publish(subject, data) });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.setPublisher(null);
    await this.connecting;
    const nc = this.connection;
    this.connection = undefined;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}
