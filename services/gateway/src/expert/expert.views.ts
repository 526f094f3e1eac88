import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { expertV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';

// REST views of the expert service. The evaluate body and answer keep the risk toolkit's snake_case keys, so a
// toolkit client can post its payload unchanged.

export class ExpertModelView {
  @ApiProperty({ example: 'crypto-risk' }) name!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String], description: 'every version the node holds, oldest first' }) versions!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'expected input keys and their types per section' })
  input!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'risk name → explanation template' })
  explanations!: Record<string, string>;
  @ApiProperty({ description: 'extends CLIPS with Python functions' }) has_python!: boolean;
  @ApiPropertyOptional({ description: 'why the model does not load (CLIPS or Python problem), when it does not' })
  load_error?: string;
  @ApiProperty({ description: 'sha256 of the model files' }) digest!: string;
}

export class ExpertModelListView {
  @ApiProperty({ type: [ExpertModelView] }) models!: ExpertModelView[];
}

export class EvaluateBodyView {
  @ApiProperty({ example: '1' }) ot_user_id!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'scalar user facts (ot_user_balance, ot_user_timeframe, ot_user_diversification, ot_user_limitpertrade, ' +
      'ot_user_riskrewardratio, …) and "position-data": a list of position objects (one slot per key)',
  })
  ot_risk_input!: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'more scalar user facts' })
  ot_user_profile?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'asset → asset → coefficient in [-1, 1]' })
  ot_correlation_matrix?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'indicator-data facts, echoed in the answer' })
  ot_indicators?: unknown[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'instrument → daily closes (built-in model: realised volatility)' })
  ot_price_history?: Record<string, unknown>;
}

export class IdentifiedRiskView {
  @ApiProperty({ example: 'position-stop-loss', description: 'the risk-data fact’s risk-is' }) name!: string;
  @ApiProperty({ example: 'D1' }) ot_pos_dealid!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { name_1: 'BTC/USD', param_5: 'BTC' } })
  parameters!: Record<string, string>;
  @ApiProperty({ example: 'Position D1 in BTC has no stop-loss order.' }) explanation!: string;
}

export class EvaluationView {
  @ApiProperty() ot_user_id!: string;
  @ApiProperty({ description: 'RFC 3339; the only field that differs between identical evaluations' }) ot_timestamp!: string;
  @ApiProperty({ description: 'sha256 over model, input and risks: equal for equal input and model version' })
  ot_risk_signature!: string;
  @ApiProperty() model!: string;
  @ApiProperty() model_version!: string;
  @ApiProperty({ type: [IdentifiedRiskView] }) identified_risks!: IdentifiedRiskView[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) ot_indicators!: unknown[];
  @ApiPropertyOptional({ type: [String], description: 'facts dropped because the model refused them (toolkit mode), and similar notes' })
  warnings?: string[];
}

export class ToolkitAnswerView {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }],
    nullable: true,
    description: 'the request’s ot_user_id as sent (-1 when absent)',
  })
  ot_user_id!: unknown;
  @ApiProperty({ type: 'number', description: 'seconds since 1970, with a fraction' }) ot_timestamp!: number;
  @ApiProperty({ example: '1_1795902924', description: 'user id, `_`, whole seconds (the toolkit’s format)' })
  ot_risk_answer_signature!: string;
  @ApiProperty({
    type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } },
    description: 'one { risk name: explanation } per risk, in the order the model asserted them',
  })
  identified_risks!: Record<string, string>[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) ot_indicators!: unknown[];
  @ApiPropertyOptional({ type: [String], description: 'facts dropped because the model refused them; absent when none' })
  warnings?: string[];
}

export class AddModelBodyView {
  @ApiProperty({ example: 'fx-risk', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) name!: string;
  @ApiProperty({ example: '1.0.0', pattern: '^\\d+\\.\\d+\\.\\d+$' }) version!: string;
  @ApiPropertyOptional() description?: string;
  @ApiPropertyOptional({ enum: ['toolkit', 'native'], description: 'toolkit (default) or native' }) mode?: string;
  @ApiProperty({ description: 'the CLIPS source' }) model_clp!: string;
  @ApiPropertyOptional({ description: 'Python functions registered into CLIPS' }) functions_py?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'risk name → explanation' })
  explanations?: Record<string, string>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'native mode: input schema per section' })
  input?: Record<string, unknown>;
}

function text(body: Record<string, unknown>, key: string, required: boolean): string {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new DomainError('BAD_REQUEST', `${key} is required`, 'invalid', { field: key });
    return '';
  }
  if (typeof value !== 'string') throw new DomainError('BAD_REQUEST', `${key} must be text`, 'invalid', { field: key });
  return value;
}

/** The AddModel request of a POST /v1/expert/models body; the expert service validates the rest. */
export function addModelRequest(body: Record<string, unknown>): expertV1.AddModelRequest {
  const explanations = body['explanations'] ?? {};
  if (typeof explanations !== 'object' || explanations === null || Array.isArray(explanations) ||
    !Object.values(explanations).every((v) => typeof v === 'string')) {
    throw new DomainError('BAD_REQUEST', 'explanations must map risk names to text', 'invalid', { field: 'explanations' });
  }
  const input = body['input'];
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new DomainError('BAD_REQUEST', 'input must be an object', 'invalid', { field: 'input' });
  }
  return {
    name: text(body, 'name', true),
    version: text(body, 'version', true),
    description: text(body, 'description', false),
    mode: text(body, 'mode', false),
    modelClp: text(body, 'model_clp', true),
    functionsPy: text(body, 'functions_py', false),
    explanations: explanations as Record<string, string>,
    inputSchemaJson: input === undefined ? '' : JSON.stringify(input),
  };
}

export function modelView(model: expertV1.Model): ExpertModelView {
  const view: ExpertModelView = {
    name: model.name,
    version: model.version,
    description: model.description,
    versions: model.versions,
    input: JSON.parse(model.inputSchemaJson || '{}') as unknown,
    explanations: model.explanations,
    has_python: model.hasPython,
    digest: model.digest,
  };
  if (model.loadError) view.load_error = model.loadError;
  return view;
}

export function evaluationView(response: expertV1.EvaluateResponse): EvaluationView {
  return {
    ot_user_id: response.otUserId,
    ot_timestamp: response.otTimestamp,
    ot_risk_signature: response.riskSignature,
    model: response.model,
    model_version: response.modelVersion,
    identified_risks: response.identifiedRisks.map((risk) => ({
      name: risk.name, ot_pos_dealid: risk.otPosDealid, parameters: risk.parameters, explanation: risk.explanation,
    })),
    ot_indicators: JSON.parse(response.otIndicatorsJson || '[]') as unknown[],
    ...(response.warnings.length > 0 ? { warnings: response.warnings } : {}),
  };
}
