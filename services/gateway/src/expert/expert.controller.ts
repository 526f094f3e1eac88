import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiQuery,
  ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { DomainError } from '@balanceai/platform';
import { ApiErrors } from '../http/openapi.js';
import { MODEL_NAME_PATTERN } from '../http/request-params.js';
import { ErrorView } from '../http/views.js';
import { ExpertClient } from './expert-client.js';
import {
  EvaluateBodyView, EvaluationView, ExpertModelListView, ExpertModelView, evaluationView, modelView,
} from './expert.views.js';

/** REST routes of the AI expert system, proxied to ExpertService over gRPC (validation happens there). */
@ApiTags('expert')
@Controller('v1/expert')
export class ExpertController {
  constructor(@Inject(ExpertClient) private readonly expert: ExpertClient) {}

  @Get('models')
  @ApiErrors({ 503: 'EXPERT_UNAVAILABLE' })
  @ApiOkResponse({ type: ExpertModelListView, description: 'every model at its newest version' })
  async models(): Promise<ExpertModelListView> {
    const { models } = await this.expert.call('listModels', {});
    return { models: models.map(modelView) };
  }

  @Get('models/:name')
  @ApiParam({ name: 'name', example: 'crypto-risk', schema: { type: 'string', pattern: MODEL_NAME_PATTERN } })
  @ApiErrors({ 503: 'EXPERT_UNAVAILABLE' })
  @ApiQuery({ name: 'version', required: false, description: 'MAJOR.MINOR.PATCH; newest when absent' })
  @ApiOkResponse({ type: ExpertModelView })
  @ApiNotFoundResponse({ type: ErrorView, description: 'MODEL_NOT_FOUND' })
  async model(@Param('name') name: string, @Query('version') version?: string): Promise<ExpertModelView> {
    const { model } = await this.expert.call('getModel', { name, version: version ?? '' });
    if (!model) throw new DomainError('MODEL_NOT_FOUND', `no expert model ${name}`, 'not_found');
    return modelView(model);
  }

  @Post('evaluate')
  @HttpCode(200)
  @ApiQuery({ name: 'model', required: false, description: 'model name; the built-in crypto-risk when absent' })
  @ApiQuery({ name: 'version', required: false, description: 'model version; newest when absent' })
  @ApiBody({ type: EvaluateBodyView, description: 'the risk toolkit request document, unchanged' })
  @ApiOkResponse({ type: EvaluationView, description: 'the identified risks with their explanations' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_REQUEST naming the field' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'MODEL_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorView, description: 'MODEL_LOAD_FAILED, EVALUATION_FAILED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'EVALUATION_TIMEOUT, EXPERT_BUSY, EXPERT_UNAVAILABLE' })
  async evaluate(
    @Body() body: unknown,
    @Query('model') model?: string,
    @Query('version') version?: string,
  ): Promise<EvaluationView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('BAD_REQUEST', 'body must be a JSON object (the risk toolkit request)', 'invalid', { field: 'body' });
    }
    // Access by holding (docs/architecture.md §6) will be checked here once the models marketplace exposes
    // min_access_holding: the caller's signature identifies the account, the expert service stays access-agnostic.
    const response = await this.expert.call('evaluate', {
      model: model ?? '', modelVersion: version ?? '', requestJson: JSON.stringify(body),
    });
    return evaluationView(response);
  }
}
