// Turns the worker's risk-data facts into the service answer: identified risks with their explanation, in a
// canonical order, and the risk answer signature.
import type { expertV1 } from '@balanceai/contracts';
import { canonicalJson, sha256Hex, type JsonObject, type JsonValue } from '../json.js';
import type { ExpertRequest } from './request.js';

/** A risk-data fact as the worker reports it: slot → value (null for nil). */
export type RiskFact = Record<string, JsonValue>;

/** A risk as toolkit mode reads it: its name, the printed (slot, value) pairs and the filled verbiage. */
export interface ToolkitRisk {
  name: string;
  params: [string, string][];
  explanation: string;
}

export interface ModelIdentity {
  name: string;
  version: string;
  digest: string;
  explanations: Record<string, string>;
}

const RISK_NAME_SLOT = 'risk-is';
const DEAL_SLOT = 'ot_pos_dealid';

function text(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

export function toIdentifiedRisk(fact: RiskFact, explanations: Record<string, string>): expertV1.IdentifiedRisk {
  const name = text(fact[RISK_NAME_SLOT]);
  const otPosDealid = text(fact[DEAL_SLOT]);
  const parameters: Record<string, string> = {};
  for (const slot of Object.keys(fact).sort()) {
    if (slot === RISK_NAME_SLOT || slot === DEAL_SLOT) continue;
    const value = fact[slot];
    if (value !== null && value !== undefined) parameters[slot] = text(value);
  }
  return { name, otPosDealid, parameters, explanation: explain(name, otPosDealid, parameters, explanations) };
}

/** Fills `{slot}` placeholders; a risk without a template still gets a readable line. */
export function explain(
  name: string, otPosDealid: string, parameters: Record<string, string>, explanations: Record<string, string>,
): string {
  const template = explanations[name];
  if (template === undefined) {
    const listed = Object.entries(parameters).map(([k, v]) => `${k}=${v}`).join(', ');
    return `${name}${otPosDealid ? ` on ${otPosDealid}` : ''}${listed ? ` (${listed})` : ''}`;
  }
  return template.replace(/\{([A-Za-z0-9_-]+)\}/g, (_, slot: string) =>
    slot === DEAL_SLOT ? otPosDealid : (parameters[slot] ?? ''),
  );
}

function riskJson(risk: expertV1.IdentifiedRisk): JsonObject {
  return { name: risk.name, ot_pos_dealid: risk.otPosDealid, parameters: risk.parameters };
}

/**
 * Risks sorted by name, deal and parameters: the answer does not depend on the order rules happened to fire in,
 * and the signature covers exactly what the caller sees.
 */
export function sortRisks(risks: expertV1.IdentifiedRisk[]): expertV1.IdentifiedRisk[] {
  return risks
    .map((risk) => ({ risk, key: canonicalJson(riskJson(risk)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ risk }) => risk);
}

export function riskSignature(model: ModelIdentity, document: JsonObject, risks: expertV1.IdentifiedRisk[]): string {
  return sha256Hex(
    canonicalJson({
      model: { name: model.name, version: model.version, digest: model.digest },
      request: document,
      risks: risks.map(riskJson),
    }),
  );
}

export function assembleResponse(
  model: ModelIdentity, request: ExpertRequest, facts: RiskFact[], evaluatedAt: Date,
): expertV1.EvaluateResponse {
  const identifiedRisks = sortRisks(facts.map((fact) => toIdentifiedRisk(fact, model.explanations)));
  const indicators = request.document['ot_indicators'];
  return {
    otUserId: request.otUserId,
    otTimestamp: evaluatedAt.toISOString(),
    riskSignature: riskSignature(model, request.document, identifiedRisks),
    identifiedRisks,
    otIndicatorsJson: JSON.stringify(Array.isArray(indicators) ? indicators : []),
    model: model.name,
    modelVersion: model.version,
    warnings: [],
    toolkitAnswerJson: JSON.stringify(
      toolkitAnswer(request.document['ot_user_id'] ?? -1, evaluatedAt, identifiedRisks, Array.isArray(indicators) ? indicators : [], []),
    ),
  };
}

/** Python's str() of a JSON scalar, as the toolkit writes the user id into its answer signature. */
export function pythonText(value: JsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return canonicalJson(value);
}

/**
 * The toolkit's answer: `identified_risks` as [{risk name: explanation}] in the order given, `ot_timestamp` in
 * seconds (a float), `ot_risk_answer_signature` as the toolkit makes it (user id, `_`, whole seconds), the
 * request's `ot_indicators`; `warnings` (dropped facts) only when there are any.
 */
export function toolkitAnswer(
  userId: JsonValue, evaluatedAt: Date, risks: { name: string; explanation: string }[], indicators: JsonValue, warnings: string[],
): JsonObject {
  const seconds = evaluatedAt.getTime() / 1000;
  const answer: JsonObject = {
    ot_user_id: userId,
    ot_timestamp: seconds,
    ot_risk_answer_signature: `${pythonText(userId)}_${Math.floor(seconds)}`,
    identified_risks: risks.map((risk) => ({ [risk.name]: risk.explanation })),
    ot_indicators: indicators,
  };
  if (warnings.length > 0) answer['warnings'] = warnings;
  return answer;
}
