// Turns a validated toolkit request into CLIPS facts with typed values. The worker asserts them through CLIPS's
// fact builder, never by parsing request text, so a value cannot smuggle CLIPS code into the environment.
import type { JsonScalar } from '../json.js';
import type { ExpertRequest } from './request.js';

/** A CLIPS value as the worker decodes it: nil, integer (decimal digits), float, symbol or string. */
export type ClipsValue = null | ['i', string] | ['f', number] | ['s', string] | ['t', string];

export interface TemplateFact {
  template: string;
  slots: Record<string, ClipsValue>;
}

export interface OrderedFact {
  ordered: string;
  values: ClipsValue[];
}

export type Fact = TemplateFact | OrderedFact;

export const POSITION_TEMPLATE = 'position-data';
export const INDICATOR_TEMPLATE = 'indicator-data';

/** A CLIPS symbol usable as a fact or slot name. */
export const CLIPS_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/;
// Symbol characters that never delimit a CLIPS token; anything else travels as a CLIPS string.
const PLAIN_SYMBOL = /^[A-Za-z0-9_\-+*/.:,=!@#%^'[\]{}]+$/;
const INT64_MAX = 2n ** 63n - 1n;

/** The toolkit's sanitising of text values: spaces become `_`, parentheses and `$` are removed. */
export function sanitiseText(text: string): string {
  return text.replace(/ /g, '_').replace(/[()$]/g, '');
}

/**
 * A request scalar as the toolkit's CLIPS would read it: numbers and numeric text become numbers, true/false and
 * plain words become symbols (so rules can match `(ot_pos_direction BUY)`), null becomes nil.
 */
export function toClipsValue(value: JsonScalar): ClipsValue {
  if (value === null) return null;
  if (typeof value === 'boolean') return ['s', value ? 'true' : 'false'];
  if (typeof value === 'number') return numberValue(value);
  const text = sanitiseText(value);
  if (INTEGER.test(text)) {
    const big = BigInt(text);
    return big <= INT64_MAX && big >= -INT64_MAX - 1n ? ['i', big.toString()] : ['f', Number(text)];
  }
  if (FLOAT.test(text)) return ['f', Number(text)];
  if (PLAIN_SYMBOL.test(text)) return ['s', text];
  return ['t', text];
}

function numberValue(value: number): ClipsValue {
  // JSON cannot tell 1 from 1.0: integral numbers become CLIPS integers (documented in the README).
  if (Number.isSafeInteger(value)) return ['i', String(value)];
  return ['f', value];
}

function slotsOf(entry: Record<string, JsonScalar>): Record<string, ClipsValue> {
  const slots: Record<string, ClipsValue> = {};
  for (const key of Object.keys(entry).sort()) slots[key] = toClipsValue(entry[key] as JsonScalar);
  return slots;
}

/**
 * The facts of a request, in a fixed order: user facts (risk input, then profile) by key, positions and
 * indicators in request order. Equal requests give equal fact lists, which keeps evaluations deterministic.
 */
export function buildFacts(request: ExpertRequest): Fact[] {
  const facts: Fact[] = [];
  const scalars = { ...request.profile, ...request.riskInput };
  for (const key of Object.keys(scalars).sort()) {
    facts.push({ ordered: key, values: [toClipsValue(scalars[key] as JsonScalar)] });
  }
  for (const position of request.positions) facts.push({ template: POSITION_TEMPLATE, slots: slotsOf(position) });
  for (const indicator of request.indicators) facts.push({ template: INDICATOR_TEMPLATE, slots: slotsOf(indicator) });
  return facts;
}
