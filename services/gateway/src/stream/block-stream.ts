import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ConsensusClient } from '../consensus/consensus-client.js';
import { blockMessage, chainStreamName, finalizedBlocksSubject, parseFinalizedNotice, type FinalizedBlockMessage } from './finalized-block.js';
import { FinalizedRelay } from './finalized-relay.js';
import { natsServerOptions } from './nats-url.js';

/**
 * Receives each finalized block once, in order: the feed message, that message as JSON (serialised once
 * for every listener), and the validator's whole GetBlock answer the message was built from.
 */
export type BlockListener = (block: FinalizedBlockMessage, json: string, source: consensusV1.GetBlockResponse) => void;

/** A relayed block: the feed message and the GetBlock answer it came from. */
interface RelayedBlock {
  number: number;
  hash: string;
  message: FinalizedBlockMessage;
  source: consensusV1.GetBlockResponse;
}

export interface BlockStreamOptions {
  natsUrl: string;
  chainId: string;
  /** Wait between attempts while NATS or the stream is not there yet. */
  retryMs?: number;
  /**
   * A consumer that delivered nothing for this long is replaced (default 10 s; blocks are finalized every
   * block time, so silence means a consumer lost with its NATS server, or a halted chain).
   */
  idleRestartMs?: number;
}

/** The validator reads the feed needs: each block comes from a healthy validator, never from NATS. */
export type BlockSource = Pick<ConsensusClient, 'call' | 'bestKnownHeight'>;

/**
 * Finalized blocks for in-process listeners (the WebSocket clients). NATS JetStream says which block is
 * new (an ordered consumer, new messages only); FinalizedRelay fetches it from a validator, checks the
 * hash and sends each height once, in order, filling gaps, also across NATS reconnects. Validators may
 * start after the gateway, so a missing stream or server is retried until `close()`.
 */
export class BlockStream {
  private readonly logger = new Logger('BlockStream');
  private readonly listeners = new Set<BlockListener>();
  private readonly relay: FinalizedRelay<RelayedBlock>;
  private connection: NatsConnection | undefined;
  private messages: ConsumerMessages | undefined;
  private closed = false;
  /** The current consumer was stopped to be replaced: create the next one without the retry pause. */
  private replaceNow = false;
  private running: Promise<void> | undefined;
  private consuming!: Promise<void>;
  private markConsuming!: () => void;

  constructor(
    private readonly options: BlockStreamOptions,
    blocks: BlockSource,
  ) {
    this.resetConsuming();
    this.relay = new FinalizedRelay<RelayedBlock>({
      fetchBlock: async (height) => {
        try {
          const source = await blocks.call('getBlock', { number: String(height) });
          const message = blockMessage(source);
          return message && { number: message.number, hash: message.hash, message, source };
        } catch (err) {
          if (err instanceof DomainError && err.kind === 'not_found') return undefined;
          throw err;
        }
      },
      bestKnownHeight: () => blocks.bestKnownHeight(),
      emit: (block) => this.emit(block),
      warn: (message) => this.logger.warn(message),
    });
  }

  /** Resolves once every notice received so far has been handled (for tests). */
  settled(): Promise<void> {
    return this.relay.idle();
  }

  /** Starts consuming in the background; never throws (retries instead). */
  start(): void {
    this.running ??= this.run();
  }

  /** Resolves once a consumer is attached, i.e. blocks published from now on will be delivered. */
  whenConsuming(): Promise<void> {
    return this.consuming;
  }

  subscribe(listener: BlockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.messages?.stop();
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !connection.isClosed()) await connection.close();
    await this.running;
  }

  private resetConsuming(): void {
    this.consuming = new Promise((resolve) => (this.markConsuming = resolve));
  }

  private async run(): Promise<void> {
    const stream = chainStreamName(this.options.chainId);
    const subject = finalizedBlocksSubject(this.options.chainId);
    const retryMs = this.options.retryMs ?? 1000;
    const idleRestartMs = this.options.idleRestartMs ?? 10_000;
    let lastProblem = '';
    while (!this.closed) {
      try {
        if (!this.connection) {
          this.connection = await connect({
            ...natsServerOptions(this.options.natsUrl),
            name: 'balanceai-gateway',
            maxReconnectAttempts: -1,
          });
          void this.restartConsumerOnReconnect(this.connection);
        }
        const consumer = await jetstream(this.connection).consumers.get(stream, {
          filter_subjects: subject,
          deliver_policy: DeliverPolicy.New,
        });
        const messages = await consumer.consume();
        this.messages = messages;
        this.replaceNow = false;
        if (this.closed) messages.stop();
        this.logger.log(`consuming ${subject} from stream ${stream}`);
        lastProblem = '';
        this.markConsuming();
        // An ordered consumer whose server died (the stream's leader moved) can go silent without an error
        // or a reconnect of our connection: replace one that delivers nothing for idleRestartMs.
        let lastMessageAt = Date.now();
        const watchdog = setInterval(() => {
          if (Date.now() - lastMessageAt <= idleRestartMs) return;
          this.logger.warn(`no finalized block for ${idleRestartMs} ms: starting a new block consumer`);
          this.replaceNow = true;
          messages.stop();
        }, Math.min(idleRestartMs, 1000));
        try {
          for await (const message of messages) {
            lastMessageAt = Date.now();
            this.deliver(message.string());
          }
        } finally {
          clearInterval(watchdog);
        }
        // The consumer ended: replaced on purpose (at once, so no block notice is missed), or without an
        // error (stream deleted, connection closed): start over after a pause.
        this.resetConsuming();
        if (!this.closed && !this.replaceNow) await new Promise((resolve) => setTimeout(resolve, retryMs));
      } catch (err) {
        if (this.closed) break;
        // Log a persisting problem once, not every retry.
        const problem = err instanceof Error ? err.message : String(err);
        if (problem !== lastProblem) this.logger.warn(`block stream not available yet (${problem}); retrying`);
        lastProblem = problem;
        if (this.connection?.isClosed()) this.connection = undefined;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  /**
   * After a reconnect (its NATS server died, the client moved to another node of the cluster) an ordered
   * consumer that lived on the dead server never delivers again: stop it, and `run` creates a new one.
   * Heights announced meanwhile are not lost: the relay fetches the gap from a validator.
   */
  private async restartConsumerOnReconnect(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type !== 'reconnect' || this.closed) continue;
      this.logger.warn('NATS reconnected: starting a new block consumer');
      this.replaceNow = true;
      this.messages?.stop();
    }
  }

  private deliver(payload: string): void {
    const notice = parseFinalizedNotice(payload);
    if (!notice) {
      this.logger.warn('dropped a malformed finalized-block message');
      return;
    }
    void this.relay.notify(notice);
  }

  private emit(block: RelayedBlock): void {
    // Serialised once for all clients.
    const json = JSON.stringify(block.message);
    for (const listener of this.listeners) listener(block.message, json, block.source);
  }
}
