import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';

// REST views of the validator's gRPC answers. Heights, indices, nonces and times are JSON numbers
// (all far below 2^53); amounts stay decimal strings of base units, hashes and bytes 0x hex.
// The classes document the shapes in OpenAPI; the functions build them without reflection.

/** uint64 arrives as a decimal string (proto-loader `longs: String`). */
function safeNumber(text: string, field: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new DomainError('INTERNAL', `${field} out of range: ${text}`, 'internal');
  return value;
}

/** Validators send JSON objects as strings; a client should not have to parse twice. */
function parseJsonField(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class EventView {
  @ApiProperty({ example: 'Balances' }) module!: string;
  @ApiProperty({ example: 'Transfer' }) name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'event fields; amounts as decimal strings' })
  data!: unknown;
}

function eventView(event: consensusV1.Event): EventView {
  return { module: event.module, name: event.name, data: parseJsonField(event.dataJson) };
}

export class ValidatorView {
  @ApiProperty() index!: number;
  @ApiProperty({ description: 'SS58 of the ed25519 consensus key' }) consensusKey!: string;
  @ApiProperty({ description: 'SS58 of the stash account' }) stash!: string;
  @ApiProperty() online!: boolean;
  @ApiProperty() lastSeenHeight!: number;
}

export class FinalizedView {
  @ApiProperty() height!: number;
  @ApiProperty({ example: '0x…' }) hash!: string;
  @ApiProperty({ description: 'block time, unix milliseconds' }) timeMs!: number;
}

export class ConsensusProgressView {
  @ApiProperty() height!: number;
  @ApiProperty() round!: number;
}

export class StatusView {
  @ApiProperty() chain!: string;
  @ApiProperty() chainId!: string;
  @ApiProperty() genesisHash!: string;
  @ApiProperty({ type: () => FinalizedView }) finalized!: FinalizedView;
  @ApiProperty({ type: () => ConsensusProgressView }) consensus!: ConsensusProgressView;
  @ApiProperty({ type: () => [ValidatorView] }) validators!: ValidatorView[];
  @ApiProperty() validatorsOnline!: number;
  @ApiProperty() mempoolSize!: number;
  @ApiProperty({ description: 'base units, decimal string', example: '5880000000000000000000000' }) totalIssuance!: string;
  @ApiProperty({ description: 'the answering node is catching up' }) syncing!: boolean;
}

export function statusView(s: consensusV1.GetChainStatusResponse): StatusView {
  return {
    chain: s.chain,
    chainId: s.chainId,
    genesisHash: s.genesisHash,
    finalized: {
      height: safeNumber(s.finalizedHeight, 'finalizedHeight'),
      hash: s.finalizedHash,
      timeMs: safeNumber(s.finalizedTimeMs, 'finalizedTimeMs'),
    },
    consensus: { height: safeNumber(s.consensusHeight, 'consensusHeight'), round: s.consensusRound },
    validators: s.validators.map((v) => ({
      index: v.index,
      consensusKey: v.consensusKey,
      stash: v.stash,
      online: v.online,
      lastSeenHeight: safeNumber(v.lastSeenHeight, 'lastSeenHeight'),
    })),
    validatorsOnline: s.validatorsOnline,
    mempoolSize: s.mempoolSize,
    totalIssuance: s.totalIssuance,
    syncing: s.syncing,
  };
}

export class BlockExtrinsicView {
  @ApiProperty() index!: number;
  @ApiProperty() hash!: string;
  @ApiProperty() signer!: string;
  @ApiProperty() nonce!: number;
  @ApiProperty({ example: 'Balances.transfer_keep_alive' }) call!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) args!: unknown;
  @ApiProperty() success!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true }) errorCode!: string | null;
  @ApiProperty({ description: 'base units, decimal string' }) fee!: string;
}

export class BlockView {
  @ApiProperty() number!: number;
  @ApiProperty() hash!: string;
  @ApiProperty() parentHash!: string;
  @ApiProperty() stateRoot!: string;
  @ApiProperty() extrinsicsRoot!: string;
  @ApiProperty({ description: 'block time, unix milliseconds' }) timeMs!: number;
  @ApiProperty() proposerIndex!: number;
  @ApiProperty() round!: number;
  @ApiProperty({ description: 'SCALE-encoded header; block hash = blake2_256 of it' }) header!: string;
  @ApiProperty({ description: 'SCALE-encoded BFT commit' }) justification!: string;
  @ApiProperty({ type: [Number], description: 'validator indices whose precommits finalized the block' }) commitSigners!: number[];
  @ApiProperty() evidenceCount!: number;
  @ApiProperty({ type: [Number], description: "validator indices of the previous block's commit carried in this block (era points)" }) lastCommitSigners!: number[];
  @ApiProperty({ type: [String], description: 'the same signers as SS58 consensus keys' }) lastCommitSignerKeys!: string[];
  @ApiProperty({ type: () => [BlockExtrinsicView] }) extrinsics!: BlockExtrinsicView[];
  @ApiProperty({ type: () => [EventView] }) events!: EventView[];
}

export function blockView(b: consensusV1.GetBlockResponse): BlockView {
  return {
    number: safeNumber(b.number, 'number'),
    hash: b.hash,
    parentHash: b.parentHash,
    stateRoot: b.stateRoot,
    extrinsicsRoot: b.extrinsicsRoot,
    timeMs: safeNumber(b.timeMs, 'timeMs'),
    proposerIndex: b.proposerIndex,
    round: b.round,
    header: b.header,
    justification: b.justification,
    commitSigners: b.commitSigners,
    evidenceCount: b.evidenceCount,
    lastCommitSigners: b.lastCommitSigners,
    lastCommitSignerKeys: b.lastCommitSignerKeys,
    extrinsics: b.extrinsics.map((x) => ({
      index: x.index,
      hash: x.hash,
      signer: x.signer,
      nonce: safeNumber(x.nonce, 'nonce'),
      call: x.call,
      args: parseJsonField(x.argsJson),
      success: x.success,
      errorCode: x.errorCode || null,
      fee: x.fee,
    })),
    events: b.events.map(eventView),
  };
}

export type ExtrinsicStateName = 'pending' | 'finalized' | 'failed' | 'unknown';

const stateNames: Record<number, ExtrinsicStateName> = {
  1: 'pending',
  2: 'finalized',
  3: 'failed',
  4: 'unknown',
};

export class InclusionView {
  @ApiProperty() number!: number;
  @ApiProperty() hash!: string;
  @ApiProperty({ description: 'position of the extrinsic in the block' }) index!: number;
}

export class ExtrinsicErrorView {
  @ApiProperty({ example: 'Balances.InsufficientBalance' }) code!: string;
  @ApiProperty() message!: string;
}

export class ExtrinsicStatusView {
  @ApiProperty() hash!: string;
  @ApiProperty({ enum: ['pending', 'finalized', 'failed', 'unknown'] }) state!: ExtrinsicStateName;
  @ApiPropertyOptional({ type: () => InclusionView, nullable: true, description: 'set when finalized or failed' })
  block!: InclusionView | null;
  @ApiPropertyOptional({ type: String, nullable: true }) signer!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) nonce!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'base units, decimal string' }) fee!: string | null;
  @ApiPropertyOptional({ type: () => ExtrinsicErrorView, nullable: true, description: 'set when failed' })
  error!: ExtrinsicErrorView | null;
  @ApiProperty({ type: () => [EventView] }) events!: EventView[];
}

export function extrinsicStatusView(x: consensusV1.GetExtrinsicResponse): ExtrinsicStatusView {
  const state = stateNames[x.state] ?? 'unknown';
  const included = state === 'finalized' || state === 'failed';
  return {
    hash: x.hash,
    state,
    block: included ? { number: safeNumber(x.blockNumber, 'blockNumber'), hash: x.blockHash, index: x.index } : null,
    signer: x.signer || null,
    nonce: x.signer ? safeNumber(x.nonce, 'nonce') : null,
    fee: included ? x.fee : null,
    error: state === 'failed' ? { code: x.errorCode, message: x.errorMessage } : null,
    events: x.events.map(eventView),
  };
}

export class AccountView {
  @ApiProperty() address!: string;
  @ApiProperty({ description: 'base units, decimal string' }) free!: string;
  @ApiProperty({ description: 'base units, decimal string' }) reserved!: string;
  @ApiProperty({ description: 'nonce at the finalized head' }) nonce!: number;
  @ApiProperty({ description: 'nonce to sign the next extrinsic with (counts ready mempool txs)' }) nextNonce!: number;
}

export function accountView(a: consensusV1.GetAccountResponse): AccountView {
  return {
    address: a.address,
    free: a.free,
    reserved: a.reserved,
    nonce: safeNumber(a.nonce, 'nonce'),
    nextNonce: safeNumber(a.nextNonce, 'nextNonce'),
  };
}

export class TokenView {
  @ApiProperty({ example: 'BAI' }) symbol!: string;
  @ApiProperty({ example: 18 }) decimals!: number;
}

export class FeesView {
  @ApiProperty({ description: 'base units, decimal string' }) baseFee!: string;
  @ApiProperty({ description: 'base units per encoded byte, decimal string' }) byteFee!: string;
}

export class RuntimeView {
  @ApiProperty() chain!: string;
  @ApiProperty() genesisHash!: string;
  @ApiProperty() specVersion!: number;
  @ApiProperty() transactionVersion!: number;
  @ApiProperty({ example: 42 }) ss58Prefix!: number;
  @ApiProperty({ type: () => TokenView }) token!: TokenView;
  @ApiProperty({ description: 'runtime metadata V14, SCALE with magic prefix, 0x hex' }) metadata!: string;
  @ApiProperty({ type: () => FeesView }) fees!: FeesView;
  @ApiProperty({ description: 'base units, decimal string' }) existentialDeposit!: string;
  @ApiProperty() blockTimeMs!: number;
}

export function runtimeView(r: consensusV1.GetRuntimeResponse): RuntimeView {
  return {
    chain: r.chain,
    genesisHash: r.genesisHash,
    specVersion: r.specVersion,
    transactionVersion: r.transactionVersion,
    ss58Prefix: r.ss58Prefix,
    token: { symbol: r.tokenSymbol, decimals: r.tokenDecimals },
    metadata: r.metadata,
    fees: { baseFee: r.baseFee, byteFee: r.byteFee },
    existentialDeposit: r.existentialDeposit,
    blockTimeMs: safeNumber(r.blockTimeMs, 'blockTimeMs'),
  };
}

export class SubmittedView {
  @ApiProperty({ description: 'blake2_256 of the extrinsic bytes' }) hash!: string;
}

export class ErrorView {
  @ApiProperty({ example: 'BAD_HEX' }) code!: string;
  @ApiProperty() message!: string;
}

export class ValidatorHealthItemView {
  @ApiProperty({ example: '10.0.0.2:50051' }) url!: string;
  @ApiProperty({ enum: ['healthy', 'stale', 'behind', 'syncing', 'halted', 'unreachable', 'unknown'] }) state!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'last finalized height it reported' }) height!: number | null;
  @ApiProperty({ description: 'its finalized height rose recently' }) advancing!: boolean;
  @ApiProperty({ description: 'calls go to this validator' }) chosen!: boolean;
  @ApiPropertyOptional({ description: 'why it is unreachable', example: 'DEADLINE_EXCEEDED' }) reason?: string;
}

export class ReadinessView {
  @ApiProperty({ enum: ['ready', 'unavailable'] }) status!: 'ready' | 'unavailable';
  @ApiPropertyOptional({ example: 'NODE_UNAVAILABLE', description: 'when unavailable' }) code?: string;
  @ApiPropertyOptional({ description: 'when unavailable' }) message?: string;
  @ApiProperty({ type: String, nullable: true, description: 'the validator calls go to' }) validator!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'its finalized height' }) finalizedHeight!: number | null;
  @ApiProperty({ type: [ValidatorHealthItemView] }) validators!: ValidatorHealthItemView[];
}
