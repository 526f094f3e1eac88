import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { MODELS_HISTORY_DEPTH, PROVIDER_KINDS } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView } from '../http/views.js';
import {
  ModelsFundsView,
  PROVIDER_ID_PATTERN,
  ProviderDetailView,
  ProviderQuery,
  ProvidersView,
  eraFundView,
  eraScoreView,
  matches,
  modelsKeys,
  parseProviderFilter,
  parseProviderId,
  providerIdOfKey,
  providerView,
  u128Of,
  u32Of,
  type ProviderView,
} from './models.views.js';

/** Keys read per ReadStorage (consensus caps StorageKeys pages at 1,000). */
const PAGE = 1_000;

/**
 * REST routes of the models marketplace (docs/architecture.md §6): the Models pallet storage at the finalized
 * head, read through consensus like a wallet's state_getStorage, so the answer is what every validator agreed.
 */
@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  private async read(at: string, keys: string[]): Promise<{ at: string; values: Array<string | null> }> {
    const values: Array<string | null> = [];
    let block = at;
    for (let i = 0; i < keys.length; i += PAGE) {
      const r = await this.consensus.call('readStorage', { at: block, keys: keys.slice(i, i + PAGE) });
      block = r.at;
      for (const e of r.entries) values.push(e.present ? e.value : null);
    }
    return { at: block, values };
  }

  @Get('providers')
  @ApiOperation({ summary: 'Registered models and agents (lock, status, earnings), filtered by kind, status and a name substring' })
  @ApiOkResponse({ type: ProvidersView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_QUERY' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NODE_UNAVAILABLE' })
  async providers(@Query() query: ProviderQuery): Promise<ProvidersView> {
    const filter = parseProviderFilter(query);
    const prefix = modelsKeys.providersPrefix();
    const keys: string[] = [];
    let at = '';
    let startKey = '';
    for (;;) {
      const page = await this.consensus.call('storageKeys', { at, prefix, count: PAGE, startKey });
      at = page.at;
      keys.push(...page.keys);
      if (page.keys.length < PAGE) break;
      startKey = page.keys[page.keys.length - 1]!;
    }
    const { values } = await this.read(at, keys);
    const providers: ProviderView[] = [];
    keys.forEach((key, i) => {
      const value = values[i];
      if (value === null || value === undefined) return;
      const { info, view } = providerView(providerIdOfKey(key), key, value);
      if (matches(info, filter)) providers.push(view);
    });
    providers.sort((a, b) => a.id - b.id);
    return { at, providers };
  }

  @Get('providers/:id')
  @ApiOperation({ summary: 'One provider with its lock, and its consensus score, weight and grant of each kept era' })
  @ApiParam({ name: 'id', description: 'provider id (u32)', schema: { type: 'string', pattern: PROVIDER_ID_PATTERN } })
  @ApiOkResponse({ type: ProviderDetailView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_PROVIDER_ID' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'PROVIDER_NOT_FOUND' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NODE_UNAVAILABLE' })
  async provider(@Param('id') idText: string): Promise<ProviderDetailView> {
    const id = parseProviderId(idText);
    const head = await this.read('', [modelsKeys.provider(id), modelsKeys.currentEra()]);
    const value = head.values[0];
    if (!value) throw new DomainError('PROVIDER_NOT_FOUND', `no provider ${id}`, 'not_found');
    const currentEra = head.values[1] ? u32Of(head.values[1]) : 0;
    const { view } = providerView(id, modelsKeys.provider(id), value);
    const eras = Array.from({ length: Math.min(MODELS_HISTORY_DEPTH, currentEra) }, (_, i) => currentEra - 1 - i);
    const keys = eras.map((e) => modelsKeys.eraScore(e, id));
    const scores = await this.read(head.at, keys);
    return {
      ...view,
      at: head.at,
      currentEra,
      eras: eras.flatMap((e, i) => (scores.values[i] ? [eraScoreView(e, keys[i]!, scores.values[i]!)] : [])),
    };
  }

  @Get('funds')
  @ApiOperation({ summary: 'Total validation locks, and both grants funds at each kept era end: balance divided, paid, total weight' })
  @ApiOkResponse({ type: ModelsFundsView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NODE_UNAVAILABLE' })
  async funds(): Promise<ModelsFundsView> {
    const head = await this.read('', [modelsKeys.currentEra(), modelsKeys.totalLocked()]);
    const currentEra = head.values[0] ? u32Of(head.values[0]) : 0;
    const eras = Array.from({ length: Math.min(MODELS_HISTORY_DEPTH, currentEra) }, (_, i) => currentEra - 1 - i);
    const wanted = eras.flatMap((era) => PROVIDER_KINDS.map((kind) => ({ era, kind, key: modelsKeys.eraFund(era, kind) })));
    const r = await this.read(head.at, wanted.map((w) => w.key));
    return {
      at: head.at,
      currentEra,
      totalLocked: (head.values[1] ? u128Of(head.values[1]) : 0n).toString(),
      eras: wanted.flatMap((w, i) => (r.values[i] ? [eraFundView(w.era, w.kind, w.key, r.values[i]!)] : [])),
    };
  }
}
