// A model folder's manifest.json and explanations.json, validated: what a model declares about itself.
import { isJsonObject, type JsonValue } from '../json.js';

/**
 * The type of one input key: "number" (numbers or numeric text), "string" (text or numbers), "boolean"
 * (true/false or their text); a trailing "?" makes the key optional and lets it be null; a list is an enumeration.
 */
export type InputType = string | string[];

/** Sections of the request a manifest may describe, each key → type. */
export const INPUT_SECTIONS = ['ot_risk_input', 'ot_user_profile', 'position-data', 'indicator-data'] as const;
export type InputSection = (typeof INPUT_SECTIONS)[number];
export type InputSchema = Partial<Record<InputSection, Record<string, InputType>>>;

/**
 * How requests become facts and risks become answers: `toolkit` exactly as BalanceAI's risk toolkit does it
 * (facts as text from Python's str(), unfit facts dropped with a warning, risks read from printed facts, the
 * toolkit's verbiage placeholders); `native` the typed fact builder, input schema and {slot} explanations.
 */
export type ModelMode = 'native' | 'toolkit';
export const MODEL_MODES: readonly ModelMode[] = ['native', 'toolkit'];

export interface ModelManifest {
  name: string;
  version: string;
  description: string;
  input: InputSchema;
  mode: ModelMode;
}

export const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const VERSION = /^\d+\.\d+\.\d+$/;
const TYPES = new Set(['number', 'string', 'boolean']);

export class ManifestError extends Error {}

export function parseManifest(raw: JsonValue): ModelManifest {
  if (!isJsonObject(raw)) throw new ManifestError('manifest.json must hold an object');
  const { name, version, description, input, mode } = raw;
  if (mode !== undefined && !(MODEL_MODES as readonly unknown[]).includes(mode)) {
    throw new ManifestError(`manifest mode must be one of ${MODEL_MODES.join(', ')}`);
  }
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new ManifestError('manifest name must be lower-case letters, digits and dashes (at most 64)');
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new ManifestError('manifest version must be MAJOR.MINOR.PATCH');
  }
  if (typeof description !== 'string') throw new ManifestError('manifest description must be text');
  const schema: InputSchema = {};
  if (input !== undefined) {
    if (!isJsonObject(input)) throw new ManifestError('manifest input must be an object of sections');
    for (const [section, keys] of Object.entries(input)) {
      if (!(INPUT_SECTIONS as readonly string[]).includes(section)) {
        throw new ManifestError(`manifest input section ${section} is not one of ${INPUT_SECTIONS.join(', ')}`);
      }
      if (!isJsonObject(keys)) throw new ManifestError(`manifest input.${section} must be an object`);
      const types: Record<string, InputType> = {};
      for (const [key, type] of Object.entries(keys)) {
        if (Array.isArray(type) && type.every((t) => typeof t === 'string')) types[key] = type as string[];
        else if (typeof type === 'string' && TYPES.has(type.replace(/\?$/, ''))) types[key] = type;
        else throw new ManifestError(`manifest input.${section}.${key} has an unknown type`);
      }
      schema[section as InputSection] = types;
    }
  }
  return { name, version, description, input: schema, mode: (mode as ModelMode | undefined) ?? 'native' };
}

export function parseExplanations(raw: JsonValue): Record<string, string> {
  if (!isJsonObject(raw)) throw new ManifestError('explanations.json must map risk names to text');
  const explanations: Record<string, string> = {};
  for (const [risk, text] of Object.entries(raw)) {
    if (typeof text !== 'string') throw new ManifestError(`explanation of ${risk} must be text`);
    explanations[risk] = text;
  }
  return explanations;
}

/** Orders MAJOR.MINOR.PATCH versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
