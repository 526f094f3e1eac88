// Validation of a toolkit request document against a model: every problem is a BAD_REQUEST naming its field,
// so gRPC and REST callers get the same 400-class answer.
import { DomainError } from '@balanceai/platform';
import { isJsonObject, isJsonScalar, type JsonObject, type JsonScalar, type JsonValue } from '../json.js';
import type { InputSchema, InputType } from '../models/manifest.js';
import { CLIPS_NAME, INDICATOR_TEMPLATE, POSITION_TEMPLATE } from './facts.js';

export interface ExpertRequest {
  otUserId: string;
  /** Scalar keys of ot_risk_input (position-data taken out). */
  riskInput: Record<string, JsonScalar>;
  positions: Record<string, JsonScalar>[];
  profile: Record<string, JsonScalar>;
  correlationMatrix: Record<string, Record<string, number>>;
  indicators: Record<string, JsonScalar>[];
  /** The whole document as received: model Python hooks read it, and the risk signature covers it. */
  document: JsonObject;
}

/** What validation needs to know of the model: its declared input and the slots of its templates. */
export interface ModelShape {
  name: string;
  input: InputSchema;
  templates: Record<string, string[]>;
}

export const MAX_REQUEST_BYTES = 1024 * 1024;
const MAX_POSITIONS = 1000;
const MAX_INDICATORS = 2000;

export function badRequest(field: string, problem: string): DomainError {
  return new DomainError('BAD_REQUEST', `${field} ${problem}`, 'invalid', { field });
}

export function parseRequestJson(text: string): JsonObject {
  if (Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES) {
    throw new DomainError('REQUEST_TOO_LARGE', `the request exceeds ${MAX_REQUEST_BYTES} bytes`, 'too_large');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw badRequest('request_json', 'is not valid JSON');
  }
  if (!isJsonObject(document)) throw badRequest('request_json', 'must be a JSON object');
  return document;
}

export function validateRequest(document: JsonObject, model: ModelShape): ExpertRequest {
  const otUserId = document['ot_user_id'];
  if (typeof otUserId !== 'string' || otUserId.trim() === '') {
    throw badRequest('ot_user_id', 'is required and must be a non-empty string');
  }
  const riskInputRaw = document['ot_risk_input'];
  if (!isJsonObject(riskInputRaw)) throw badRequest('ot_risk_input', 'is required and must be an object');

  const riskInput: Record<string, JsonScalar> = {};
  let positionsRaw: JsonValue = [];
  for (const [key, value] of Object.entries(riskInputRaw)) {
    if (key === POSITION_TEMPLATE) {
      positionsRaw = value;
      continue;
    }
    riskInput[key] = scalarFact(`ot_risk_input.${key}`, key, value);
  }
  const profile = optionalScalars(document, 'ot_user_profile');
  for (const key of Object.keys(profile)) {
    if (key in riskInput) throw badRequest(`ot_user_profile.${key}`, 'repeats a key of ot_risk_input');
  }
  checkSection('ot_risk_input', riskInput, model.input.ot_risk_input);
  checkSection('ot_user_profile', profile, model.input.ot_user_profile);

  const positions = templateEntries(
    `ot_risk_input.${POSITION_TEMPLATE}`, positionsRaw, POSITION_TEMPLATE, model, MAX_POSITIONS,
  );
  positions.forEach((p, i) => checkSection(`ot_risk_input.${POSITION_TEMPLATE}[${i}]`, p, model.input[POSITION_TEMPLATE]));

  const indicators = document['ot_indicators'] === undefined || document['ot_indicators'] === null
    ? []
    : templateEntries('ot_indicators', document['ot_indicators'], INDICATOR_TEMPLATE, model, MAX_INDICATORS);
  indicators.forEach((p, i) => checkSection(`ot_indicators[${i}]`, p, model.input[INDICATOR_TEMPLATE]));

  return {
    otUserId,
    riskInput,
    positions,
    profile,
    correlationMatrix: correlationMatrix(document['ot_correlation_matrix']),
    indicators,
    document,
  };
}

function scalarFact(field: string, key: string, value: JsonValue): JsonScalar {
  if (!CLIPS_NAME.test(key)) throw badRequest(field, 'is not a valid fact name (letters, digits, _ and -)');
  if (!isJsonScalar(value)) throw badRequest(field, 'must be a number, text, boolean or null');
  return value;
}

function optionalScalars(document: JsonObject, field: string): Record<string, JsonScalar> {
  const raw = document[field];
  if (raw === undefined || raw === null) return {};
  if (!isJsonObject(raw)) throw badRequest(field, 'must be an object');
  const out: Record<string, JsonScalar> = {};
  for (const [key, value] of Object.entries(raw)) out[key] = scalarFact(`${field}.${key}`, key, value);
  return out;
}

function templateEntries(
  field: string, raw: JsonValue, template: string, model: ModelShape, max: number,
): Record<string, JsonScalar>[] {
  if (!Array.isArray(raw)) throw badRequest(field, 'must be a list of objects');
  if (raw.length > max) throw badRequest(field, `holds more than ${max} entries`);
  if (raw.length === 0) return [];
  const slots = model.templates[template];
  if (!slots) throw badRequest(field, `is not read by model ${model.name} (it defines no ${template} template)`);
  const known = new Set(slots);
  return raw.map((entry, i) => {
    if (!isJsonObject(entry)) throw badRequest(`${field}[${i}]`, 'must be an object');
    const out: Record<string, JsonScalar> = {};
    for (const [key, value] of Object.entries(entry)) {
      const keyField = `${field}[${i}].${key}`;
      if (!known.has(key)) throw badRequest(keyField, `is not a slot of ${template} in model ${model.name}`);
      if (!isJsonScalar(value)) throw badRequest(keyField, 'must be a number, text, boolean or null');
      out[key] = value;
    }
    return out;
  });
}

function correlationMatrix(raw: JsonValue | undefined): Record<string, Record<string, number>> {
  if (raw === undefined || raw === null) return {};
  if (!isJsonObject(raw)) throw badRequest('ot_correlation_matrix', 'must be an object of asset → asset → coefficient');
  const matrix: Record<string, Record<string, number>> = {};
  for (const [assetA, row] of Object.entries(raw)) {
    if (!isJsonObject(row)) throw badRequest(`ot_correlation_matrix.${assetA}`, 'must be an object of asset → coefficient');
    matrix[assetA] = {};
    for (const [assetB, coefficient] of Object.entries(row)) {
      if (typeof coefficient !== 'number' || coefficient < -1 || coefficient > 1) {
        throw badRequest(`ot_correlation_matrix.${assetA}.${assetB}`, 'must be a number between -1 and 1');
      }
      (matrix[assetA] as Record<string, number>)[assetB] = coefficient;
    }
  }
  return matrix;
}

/** Checks the keys a manifest declares; keys it does not declare pass through to the model unchecked. */
function checkSection(field: string, values: Record<string, JsonScalar>, schema: Record<string, InputType> | undefined): void {
  if (!schema) return;
  for (const [key, type] of Object.entries(schema)) {
    const problem = typeProblem(values[key], type);
    if (problem) throw badRequest(`${field}.${key}`, problem);
  }
}

export function typeProblem(value: JsonScalar | undefined, type: InputType): string | undefined {
  if (Array.isArray(type)) {
    if (value === undefined || value === null) return `is required (one of ${type.join(', ')})`;
    return type.includes(String(value)) ? undefined : `must be one of ${type.join(', ')}`;
  }
  const optional = type.endsWith('?');
  const base = optional ? type.slice(0, -1) : type;
  if (value === undefined || value === null) return optional ? undefined : `is required (${base})`;
  switch (base) {
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        ? undefined
        : 'must be a number';
    case 'string':
      return (typeof value === 'string' && value !== '') || typeof value === 'number' ? undefined : 'must be non-empty text';
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'must be true or false';
    default:
      return `has an unknown declared type ${base}`;
  }
}
