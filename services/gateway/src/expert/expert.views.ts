import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { expertV1 } from '@balanceai/contracts';

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
  };
}
