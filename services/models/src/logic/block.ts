// One block of the models marketplace: the calls in block order, then (at an era end) the era end.
import { CallDecodeError, ChainError, decodeModelsCall, type ModelsError } from '@balanceai/chain';
import { applyCall, draftOf } from './calls.js';
import { endEra, eraOfHeight, isEraEnd } from './era.js';
import { type AccountId, type ActiveValidator, type ModelsEvent, type ModelsParams, type ModelsState, type Transfer, ModelsCallError } from './types.js';

export interface BlockCall {
  readonly extrinsicIndex: number;
  readonly signer: AccountId;
  readonly callIndex: number;
  readonly args: Uint8Array;
}

export interface BlockInput {
  readonly height: bigint;
  readonly eraLength: bigint;
  readonly params: ModelsParams;
  /** The block's active validators (stash, backing stake). */
  readonly validators: readonly ActiveValidator[];
  readonly calls: readonly BlockCall[];
  /** Free balances of the calls' signers when the module's turn begins. */
  readonly free: ReadonlyMap<AccountId, bigint>;
  /** The grants funds' balances when the module's turn begins. */
  readonly funds: { readonly model: bigint; readonly agent: bigint };
}

export interface CallResult {
  readonly extrinsicIndex: number;
  readonly error?: { readonly code: ModelsError; readonly message: string };
}

export interface BlockOutput {
  readonly state: ModelsState;
  readonly results: CallResult[];
  /** In order; extrinsicIndex null for the era end's. */
  readonly events: Array<{ readonly event: ModelsEvent; readonly extrinsicIndex: number | null }>;
  readonly transfers: Transfer[];
}

/**
 * Executes one block on a copy of `state` (never mutated). Each call sees the signer's free balance left by
 * the earlier calls of the block; a refused call changes nothing and reports `Models.<error>`.
 */
export function executeModelsBlock(state: ModelsState, input: BlockInput): BlockOutput {
  if (input.height !== state.height + 1n) throw new RangeError(`models is at ${state.height}, cannot execute ${input.height}`);
  const d = draftOf(state);
  d.height = input.height;
  const expectedEra = eraOfHeight(input.height, input.eraLength);
  if (d.era !== expectedEra) throw new RangeError(`models is in era ${d.era}, block ${input.height} is in era ${expectedEra}`);
  const free = new Map(input.free);
  const results: CallResult[] = [];
  const events: BlockOutput['events'] = [];
  const transfers: Transfer[] = [];
  for (const call of input.calls) {
    try {
      const decoded = decodeModelsCall(call.callIndex, call.args);
      const out = applyCall(d, { params: input.params, validators: input.validators, signer: call.signer, free: free.get(call.signer) ?? 0n }, decoded);
      for (const t of out.transfers) {
        if (t.kind === 'debit') free.set(t.from, (free.get(t.from) ?? 0n) - t.amount);
        else if (t.to !== 'developmentFund') free.set(t.to, (free.get(t.to) ?? 0n) + t.amount);
        transfers.push(t);
      }
      for (const event of out.events) events.push({ event, extrinsicIndex: call.extrinsicIndex });
      results.push({ extrinsicIndex: call.extrinsicIndex });
    } catch (err) {
      if (err instanceof ModelsCallError) results.push({ extrinsicIndex: call.extrinsicIndex, error: { code: err.code, message: err.message } });
      else if (err instanceof CallDecodeError || err instanceof ChainError) results.push({ extrinsicIndex: call.extrinsicIndex, error: { code: 'BadCall', message: err.message } });
      else throw err;
    }
  }
  d.funds = { ...input.funds };
  if (isEraEnd(input.height, input.eraLength)) {
    // The funds pay what they hold now: this block's mint (emissions runs first) is in them.
    const out = endEra(d, input.validators, input.funds);
    transfers.push(...out.transfers);
    for (const event of out.events) events.push({ event, extrinsicIndex: null });
    d.funds = {
      model: input.funds.model - out.transfers.filter((t) => t.kind === 'credit' && t.from === 'modelFund').reduce((s, t) => s + t.amount, 0n),
      agent: input.funds.agent - out.transfers.filter((t) => t.kind === 'credit' && t.from === 'agentFund').reduce((s, t) => s + t.amount, 0n),
    };
  }
  return { state: keepUnchanged(state, d), results, events, transfers };
}

const sameMap = <K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>, same: (x: V, y: V) => boolean = (x, y) => x === y): boolean => {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !same(v, w)) return false;
  }
  return true;
};

/**
 * The new state, reusing the old state's section objects wherever the block left them equal (entries are
 * immutable values, compared by reference), so the section encodings and hashes cached by object carry over
 * (module/models.state.ts).
 */
function keepUnchanged(old: ModelsState, d: ModelsState): ModelsState {
  return {
    ...d,
    providers: sameMap(old.providers, d.providers) ? old.providers : d.providers,
    weights: sameMap(old.weights, d.weights) ? old.weights : d.weights,
    reports: sameMap(old.reports, d.reports, (x, y) => sameMap(x, y)) ? old.reports : d.reports,
    history: old.history.length === d.history.length && old.history.every((e, i) => e === d.history[i]) ? old.history : d.history,
  };
}
