// Wiring of the expert's marketplace surface (routes.ts) into the expert app: one provider that registers the
// routes on the HTTP adapter when the app initialises. BAI_EXPERT_CHAIN_URL (a gateway URL) enables loading
// marketplace models; the agent routes are always served.
import { Inject, type OnModuleInit, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpertConfig } from '../config.js';
import { ExpertEngine } from '../expert-engine.js';
import { gatewayProviderReader } from './chain.js';
import { MarketplaceLoader } from './loader.js';
import { registerMarketplaceRoutes, type FastifyLike } from './routes.js';

export const MARKETPLACE_CONFIG = Symbol('MARKETPLACE_CONFIG');

export interface MarketplaceConfig {
  /** BAI_EXPERT_CHAIN_URL: the gateway the on-chain registrations are read through; null disables loading. */
  readonly chainUrl: string | null;
  /** Body limit of the marketplace routes (the expert's request limit). */
  readonly maxBodyBytes: number;
}

export function marketplaceConfig(config: ExpertConfig, env: NodeJS.ProcessEnv = process.env): MarketplaceConfig {
  const raw = env['BAI_EXPERT_CHAIN_URL']?.trim();
  if (raw && !/^https?:\/\/[^/]+/.test(raw)) throw new Error(`BAI_EXPERT_CHAIN_URL must be an http(s) gateway URL, got "${raw}"`);
  return { chainUrl: raw || null, maxBodyBytes: config.limits.maxBytes };
}

class MarketplaceRoutes implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
    @Inject(ExpertEngine) private readonly engine: ExpertEngine,
    @Inject(MARKETPLACE_CONFIG) private readonly config: MarketplaceConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance() as FastifyLike | undefined;
    if (!fastify) return;
    const loader = this.config.chainUrl ? new MarketplaceLoader(gatewayProviderReader(this.config.chainUrl), (req, token) => this.engine.addModel(req, token)) : null;
    registerMarketplaceRoutes(fastify, this.engine, loader, this.config.maxBodyBytes);
  }
}

/** The providers ExpertAppModule.forRoot adds for the marketplace surface. */
export function marketplaceProviders(config: ExpertConfig): Provider[] {
  return [{ provide: MARKETPLACE_CONFIG, useFactory: () => marketplaceConfig(config) }, MarketplaceRoutes];
}
