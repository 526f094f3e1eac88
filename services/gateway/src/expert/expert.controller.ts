import { applyDecorators, Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse,
  ApiOperation, ApiParam, ApiPayloadTooLargeResponse, ApiQuery, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { DomainError } from '@balanceai/platform';
import { ApiErrors } from '../http/openapi.js';
import { MODEL_NAME_PATTERN } from '../http/request-params.js';
import { ErrorView } from '../http/views.js';
import { ExpertClient } from './expert-client.js';
import { rawBodyOf } from './expert-body.js';
import {
  AddModelBodyView, EvaluateBodyView, EvaluationView, ExpertModelListView, ExpertModelView, ToolkitAnswerView, addModelRequest,
  evaluationView, modelView,
} from './expert.views.js';

function objectBody(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BAD_REQUEST', 'body must be a JSON object (the risk toolkit request)', 'invalid', { field: 'body' });
  }
}

/**
 * The body of `GET /risks`, which the risk toolkit's Flask app serves like POST (`request.json`: JSON content type
 * required, else 400). Fastify parses no GET body, so the text the expert body hook kept is passed on as it came;
 * the expert service checks it (limits before parsing, then "must be a JSON object") as it does a POST body.
 */
export function getBodyJson(request: unknown): string {
  const type = (request as { headers?: Record<string, unknown> }).headers?.['content-type'];
  const mime = typeof type === 'string' ? type.split(';')[0]?.trim().toLowerCase() ?? '' : '';
  if (mime !== 'application/json' && !/^application\/[^/]+\+json$/.test(mime)) {
    throw new DomainError('BAD_REQUEST', 'GET /risks takes the request document as an application/json body, as POST does', 'invalid', { field: 'content-type' });
  }
  return rawBodyOf(request) ?? '';
}

/** The request document as sent: the raw text when the body hook kept it (it keeps 1.0 a float), else re-encoded. */
function requestJson(request: unknown, body: unknown): string {
  return rawBodyOf(request) ?? JSON.stringify(body);
}

/** The OpenAPI of the toolkit's risks route, served at /risks and /v1/expert/risks, by POST or by GET with a body. */
function ToolkitRisksDocs(method: 'post' | 'get'): MethodDecorator {
  return applyDecorators(
    ...(method === 'get'
      ? [ApiOperation({ summary: 'POST risks with GET, as the risk toolkit serves it: the request document as an application/json body' })]
      : [ApiBody({ type: EvaluateBodyView, description: 'the risk toolkit request document, unchanged' })]),
    ApiQuery({ name: 'model', required: false, description: 'model name; the node default when absent' }),
    ApiOkResponse({ type: ToolkitAnswerView, description: 'the risk toolkit’s own answer shape' }),
    ApiBadRequestResponse({
      type: ErrorView,
      description: method === 'get' ? 'BAD_REQUEST (no JSON body, not application/json), REQUEST_TOO_DEEP, TOO_MANY_POSITIONS' : 'BAD_REQUEST, REQUEST_TOO_DEEP, TOO_MANY_POSITIONS',
    }),
    ApiNotFoundResponse({ type: ErrorView, description: 'MODEL_NOT_FOUND' }),
    ApiConflictResponse({ type: ErrorView, description: 'MODEL_LOAD_FAILED, EVALUATION_FAILED' }),
    ApiPayloadTooLargeResponse({ type: ErrorView, description: 'REQUEST_TOO_LARGE' }),
    ApiServiceUnavailableResponse({ type: ErrorView, description: 'EVALUATION_TIMEOUT, EXPERT_BUSY, EXPERT_UNAVAILABLE' }),
  );
}

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
  @ApiPayloadTooLargeResponse({ type: ErrorView, description: 'REQUEST_TOO_LARGE (the expert body limit, BAI_EXPERT_MAX_BODY_BYTES)' })
  async evaluate(
    @Req() request: unknown,
    @Body() body: unknown,
    @Query('model') model?: string,
    @Query('version') version?: string,
  ): Promise<EvaluationView> {
    objectBody(body);
    // Access by holding (docs/architecture.md §6) will be checked here once the models marketplace exposes
    // min_access_holding: the caller's signature identifies the account, the expert service stays access-agnostic.
    const response = await this.expert.call('evaluate', {
      model: model ?? '', modelVersion: version ?? '', requestJson: requestJson(request, body),
    });
    return evaluationView(response);
  }

  @Post('risks')
  @HttpCode(200)
  @ToolkitRisksDocs('post')
  async risks(@Req() request: unknown, @Body() body: unknown, @Query('model') model?: string): Promise<Record<string, unknown>> {
    return toolkitRisks(this.expert, request, body, model);
  }

  @Get('risks')
  @ToolkitRisksDocs('get')
  async risksWithGet(@Req() request: unknown, @Query('model') model?: string): Promise<Record<string, unknown>> {
    return toolkitAnswerOf(this.expert, getBodyJson(request), model);
  }

  @Post('models')
  @HttpCode(201)
  @ApiHeader({ name: 'x-bai-admin-token', required: true, description: 'the expert service’s BAI_EXPERT_ADMIN_TOKEN' })
  @ApiBody({ type: AddModelBodyView })
  @ApiCreatedResponse({ type: ExpertModelView, description: 'the model version, loaded and served' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_REQUEST' })
  @ApiForbiddenResponse({ type: ErrorView, description: 'MODEL_ADMIN_DENIED: x-bai-admin-token missing or wrong, or adding models disabled on the node' })
  @ApiConflictResponse({ type: ErrorView, description: 'MODEL_VERSION_EXISTS, MODEL_LOAD_FAILED' })
  @ApiPayloadTooLargeResponse({ type: ErrorView, description: 'REQUEST_TOO_LARGE' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'EXPERT_UNAVAILABLE' })
  async addModel(@Body() body: unknown, @Headers('x-bai-admin-token') token?: string): Promise<ExpertModelView> {
    objectBody(body);
    const { model } = await this.expert.addModel(addModelRequest(body as Record<string, unknown>), token ?? '');
    if (!model) throw new DomainError('INTERNAL', 'the expert service answered no model', 'internal');
    return modelView(model);
  }
}

/** POST /risks as the risk toolkit answers it: `{ ot_user_id, ot_timestamp, ot_risk_answer_signature, identified_risks, ot_indicators }`. */
async function toolkitRisks(expert: ExpertClient, request: unknown, body: unknown, model?: string): Promise<Record<string, unknown>> {
  objectBody(body);
  return toolkitAnswerOf(expert, requestJson(request, body), model);
}

async function toolkitAnswerOf(expert: ExpertClient, text: string, model?: string): Promise<Record<string, unknown>> {
  const response = await expert.call('evaluate', { model: model ?? '', modelVersion: '', requestJson: text });
  return JSON.parse(response.toolkitAnswerJson || '{}') as Record<string, unknown>;
}

/** The risk toolkit's own route, at the path its clients call (`POST /risks` on the toolkit's host). */
@ApiTags('expert')
@Controller()
export class ToolkitRisksController {
  constructor(@Inject(ExpertClient) private readonly expert: ExpertClient) {}

  @Post('risks')
  @HttpCode(200)
  @ToolkitRisksDocs('post')
  async risks(@Req() request: unknown, @Body() body: unknown, @Query('model') model?: string): Promise<Record<string, unknown>> {
    return toolkitRisks(this.expert, request, body, model);
  }

  @Get('risks')
  @ToolkitRisksDocs('get')
  async risksWithGet(@Req() request: unknown, @Query('model') model?: string): Promise<Record<string, unknown>> {
    return toolkitAnswerOf(this.expert, getBodyJson(request), model);
  }
}
