import type { moduleV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ActiveValidatorInput, CheckTxInput, ExecuteBlockInput } from './state-machine.js';

const UINT = /^(0|[1-9]\d*)$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
const MAX_U64 = (1n << 64n) - 1n;

function invalid(code: string, message: string): DomainError {
  return new DomainError(code, message, 'invalid');
}

export function parseUint64(text: string | undefined, field: string): bigint {
  if (typeof text !== 'string' || !UINT.test(text)) throw invalid('BAD_ARGUMENT', `${field} must be a decimal uint64`);
  const value = BigInt(text);
  if (value > MAX_U64) throw invalid('BAD_ARGUMENT', `${field} exceeds uint64`);
  return value;
}

export function parseAmount(text: string | undefined, field: string): bigint {
  if (typeof text !== 'string' || !UINT.test(text) || text.length > 78) throw invalid('BAD_AMOUNT', `${field} must be a decimal amount of base units`);
  return BigInt(text);
}

/** 0x hex of any length, lowercased. */
export function parseHex(text: string | undefined, field: string, bytes?: number): string {
  if (typeof text !== 'string' || !HEX.test(text) || (bytes !== undefined && text.length !== 2 + 2 * bytes)) {
    throw invalid('BAD_HEX', `${field} must be 0x-prefixed hex${bytes !== undefined ? ` of ${bytes} bytes` : ''}`);
  }
  return text.toLowerCase();
}

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

/** Account id: 0x hex of 32 bytes, lowercased so every module compares and sorts them the same way. */
export function parseAccount(text: string | undefined, field: string): string {
  return parseHex(text, field, 32);
}

function balances(list: readonly moduleV1.AccountBalance[], field: string): ReadonlyMap<string, bigint> {
  const entries = list.map((b, i) => [parseAccount(b.account, `${field}[${i}].account`), parseAmount(b.free, `${field}[${i}].free`)] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const map = new Map<string, bigint>();
  for (const [account, free] of entries) {
    if (map.has(account)) throw invalid('BAD_ARGUMENT', `${field} lists ${account} twice`);
    map.set(account, free);
  }
  return map;
}

function validator(v: moduleV1.ActiveValidator, field: string): ActiveValidatorInput {
  return {
    index: v.index,
    consensusKey: parseHex(v.consensusKey, `${field}.consensusKey`, 32),
    stash: parseAccount(v.stash, `${field}.stash`),
    backingStake: v.backingStake === '' ? 0n : parseAmount(v.backingStake, `${field}.backingStake`),
  };
}

/** Checks and converts the wire request once, so state machines only ever see bigints and canonical hex. */
export function parseExecuteBlockRequest(req: moduleV1.ExecuteBlockRequest): ExecuteBlockInput {
  const c = req.context;
  if (!c) throw invalid('BAD_ARGUMENT', 'context is required');
  const height = parseUint64(c.height, 'context.height');
  return {
    context: {
      height,
      blockHash: c.blockHash === '' ? '' : parseHex(c.blockHash, 'context.blockHash', 32),
      timeMs: parseUint64(c.timeMs, 'context.timeMs'),
      proposerIndex: c.proposerIndex,
      lastCommitSigners: [...c.lastCommitSigners],
      offences: c.offences.map((o, i) => ({
        validator: o.validator,
        height: parseUint64(o.height, `context.offences[${i}].height`),
        round: o.round,
        voteType: o.voteType,
      })),
      totalIssuance: c.totalIssuance === '' ? null : parseAmount(c.totalIssuance, 'context.totalIssuance'),
      validators: c.validators.map((v, i) => validator(v, `context.validators[${i}]`)),
    },
    calls: req.calls.map((call, i) => ({
      extrinsicIndex: call.extrinsicIndex,
      extrinsicHash: parseHex(call.extrinsicHash, `calls[${i}].extrinsicHash`, 32),
      signer: parseAccount(call.signer, `calls[${i}].signer`),
      callIndex: call.callIndex,
      args: hexToBytes(parseHex(call.args, `calls[${i}].args`)),
    })),
    signerBalances: balances(req.signerBalances, 'signerBalances'),
    moduleBalances: balances(req.moduleBalances, 'moduleBalances'),
  };
}

export function parseCheckTxRequest(req: moduleV1.CheckTxRequest): CheckTxInput {
  return {
    signer: parseAccount(req.signer, 'signer'),
    callIndex: req.callIndex,
    args: hexToBytes(parseHex(req.args, 'args')),
    signerFree: req.signerFree === '' ? 0n : parseAmount(req.signerFree, 'signerFree'),
  };
}
