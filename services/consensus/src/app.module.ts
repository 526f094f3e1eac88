import { readFileSync } from 'node:fs';
import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { cryptoReady, genesisFromJson, genesisHash, keyFromUri, parseAccountId, toHex, type Genesis } from '@balanceai/chain';
import { ConsensusApi, GrpcHealthController, HealthController } from './api/consensus.api.js';
import { SubmissionApi } from './api/submission.api.js';
import { CONFIG, GENESIS, METRICS } from './api/tokens.js';
import { createMetrics, shutdownTracing, type BaiMetrics } from '@balanceai/platform';
import type { ConsensusConfig } from './config.js';
import { VerifyPool } from './mempool/verify-pool.js';
import { chainParamsOf } from './ledger/params.js';
import { ConsensusNode } from './node/consensus-node.js';
import { FinalizedPublisher } from './events/finalized-publisher.js';
import { ModuleSet } from './modules/module-set.js';
import { ConsensusStore } from './store/store.js';
import { PersistFailure } from './execution/block-executor.js';
import { Gauge } from 'prom-client';

/** Exit status after a failed block write: the supervisor (Kubernetes, the devnet) restarts the node. */
export const EXIT_RESTART = 75;

const NATS = Symbol('NATS');

class Lifecycle implements OnApplicationShutdown {
  constructor(
    private readonly node: ConsensusNode,
    private readonly store: ConsensusStore,
    private readonly nats: NatsConnection,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.node.stop();
    await this.nats.drain().catch(() => {});
    await this.store.close();
    await shutdownTracing();
  }
}

/** The genesis funds a module pays out of: era rewards from the staking pot, grants from the grants funds. */
function moduleFunds(genesis: Genesis, module: string): string[] {
  const hex = (address: string) => toHex(parseAccountId(address));
  if (module === 'staking') return [hex(genesis.accounts.stakingRewardPot)];
  if (module === 'models') return [hex(genesis.accounts.modelsGrantsFund), hex(genesis.accounts.agentsGrantsFund)];
  return [];
}

@Module({})
export class ConsensusModule {
  static forRoot(config: ConsensusConfig): DynamicModule {
    return {
      module: ConsensusModule,
      controllers: [ConsensusApi, SubmissionApi, HealthController, GrpcHealthController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: GENESIS,
          useFactory: async () => {
            await cryptoReady();
            const genesis = genesisFromJson(readFileSync(config.genesisFile, 'utf8'));
            return { genesis, hash: genesisHash(genesis) };
          },
        },
        { provide: ConsensusStore, useFactory: () => new ConsensusStore(config.databaseUrl) },
        { provide: METRICS, useFactory: () => createMetrics('consensus') },
        {
          provide: NATS,
          useFactory: () => connect({ ...config.nats, name: 'bai-consensus', maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true }),
        },
        {
          provide: ConsensusNode,
          inject: [GENESIS, ConsensusStore, NATS, METRICS],
          useFactory: async (g: { genesis: ReturnType<typeof genesisFromJson>; hash: Uint8Array }, store: ConsensusStore, nats: NatsConnection, metrics: BaiMetrics) => {
            let stopped = false;
            const modules =
              config.modules.length > 0
                ? new ModuleSet(
                    config.modules,
                    () => stopped,
                    (module) => moduleFunds(g.genesis, module),
                    (module, seconds) => metrics.moduleExecutionSeconds.observe({ module }, seconds),
                  )
                : null;
            const node = new ConsensusNode({
              genesis: g.genesis,
              genesisHash: g.hash,
              params: chainParamsOf(g.genesis, g.hash),
              validatorKey: config.validatorKey ? keyFromUri(config.validatorKey, 'ed25519') : null,
              store,
              nats,
              events: new FinalizedPublisher(nats, g.genesis.chainId, config.streamReplicas),
              modules,
              metrics,
              mempool: config.mempool,
              verifier: config.verifyWorkers > 0 ? new VerifyPool(config.verifyWorkers) : null,
            });
            metrics.onCollect(() => {
              metrics.mempoolSize.set(node.mempool.size);
              metrics.validatorsOnline.set(node.validatorsOnline().filter((v) => v.online).length);
              metrics.consensusHeight.set(node.committedHeight + 1);
              metrics.finalizedHeight.set(node.committedHeight);
            });
            node.onStop(() => {
              stopped = true;
              modules?.close();
            });
            const buffers = new Gauge({ name: 'bai_consensus_buffer_size', help: 'Entries in each bounded consensus buffer', labelNames: ['buffer'], registers: [metrics.registry] });
            metrics.onCollect(() => {
              for (const [buffer, size] of Object.entries(node.bufferSizes)) buffers.set({ buffer }, size);
            });
            await node.start((err) => {
              new Logger('Consensus').error(`halting: ${err.message}`);
              // A failed block write leaves memory and disk apart: exit, and the restart replays from disk.
              if (err instanceof PersistFailure) process.exit(EXIT_RESTART);
            });
            return node;
          },
        },
        { provide: Lifecycle, inject: [ConsensusNode, ConsensusStore, NATS], useFactory: (n: ConsensusNode, s: ConsensusStore, c: NatsConnection) => new Lifecycle(n, s, c) },
      ],
    };
  }
}
