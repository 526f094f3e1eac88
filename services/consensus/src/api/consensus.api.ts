import { Controller, Get, HttpException, Inject, Res } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ExtrinsicDecodeError,
  decodeExtrinsic,
  decodeHeader,
  fromHex,
  parseAccountId,
  ss58Encode,
  toHex,
  type DecodedExtrinsic,
  type Genesis,
} from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import type { Metadata } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { DomainError, extractGrpcMetadata, healthCheck, inSpan, toGrpcError, type BaiMetrics } from '@balanceai/platform';
import { decodeBlock, decodeJustification } from '../block/block.js';
import { MempoolRejection } from '../mempool/mempool.js';
import { ConsensusNode } from '../node/consensus-node.js';
import { discarded } from '../state/ledger-storage.js';
import { ConsensusStore } from '../store/store.js';
import { stateServices, type StateServices } from './state-services.js';
import { GENESIS, METRICS } from './tokens.js';

const { ExtrinsicState } = consensusV1;

/** Refusals that depend on the chain's current state (well-formed input): 409. */
const CONFLICTS = new Set(['STALE_NONCE', 'ALREADY_IMPORTED', 'PRIORITY_TOO_LOW', 'PAYMENT', 'TOO_MANY_FUTURE']);

/** The domain error of a mempool refusal (mapped once, here, for SubmitExtrinsic and SubmitExtrinsics). */
export function rejectionError(err: MempoolRejection): DomainError {
  // A full pool is a retryable refusal: busy (429 / RESOURCE_EXHAUSTED), retry after about one block.
  if (err.code === 'MEMPOOL_FULL') return new DomainError(err.code, err.message, 'busy', { retryAfterSeconds: String(MEMPOOL_RETRY_AFTER_SECONDS) });
  const kind = err.code === 'EXTRINSIC_TOO_LARGE' ? 'too_large' : CONFLICTS.has(err.code) ? 'conflict' : 'invalid';
  return new DomainError(err.code, err.message, kind);
}

/** Retry-After of a full pool: about one block. */
export const MEMPOOL_RETRY_AFTER_SECONDS = 1;

/** Decodes a client's hex extrinsic, refusing what is too large or malformed (as SubmitExtrinsic's errors). */
export function decodeSubmitted(text: unknown, maxExtrinsicBytes: number): DecodedExtrinsic {
  if (typeof text !== 'string' || text.length > 2 + 2 * maxExtrinsicBytes) {
    throw new DomainError('EXTRINSIC_TOO_LARGE', `an extrinsic may have at most ${maxExtrinsicBytes} bytes`, 'too_large');
  }
  const bytes = hexArg(text, 'extrinsic');
  try {
    return decodeExtrinsic(bytes);
  } catch (err) {
    const code = err instanceof ExtrinsicDecodeError ? err.code : 'MALFORMED_EXTRINSIC';
    throw new DomainError(code, `cannot decode the extrinsic: ${(err as Error).message}`);
  }
}

export function grpcError(err: unknown): RpcException {
  // gRPC's own status for "this runtime has no such API" (ErrorKind has no UNIMPLEMENTED).
  if (err instanceof DomainError && err.code === 'UNKNOWN_RUNTIME_API') return new RpcException({ ...toGrpcError(err), code: GrpcStatus.UNIMPLEMENTED });
  if (err instanceof DomainError) return new RpcException(toGrpcError(err));
  if (err instanceof MempoolRejection) return new RpcException(toGrpcError(rejectionError(err)));
  return new RpcException(toGrpcError(new DomainError('INTERNAL', 'internal error', 'internal')));
}

function hexArg(text: string, what: string, length?: number): Uint8Array {
  try {
    return fromHex(text, length);
  } catch {
    throw new DomainError('BAD_HEX', `${what} must be 0x-prefixed hex${length ? ` of ${length} bytes` : ''}`);
  }
}

@Controller()
@consensusV1.ConsensusServiceControllerMethods()
export class ConsensusApi implements consensusV1.ConsensusServiceController {
  private state: StateServices | null = null;
  private readonly metadataHex = new Map<number, string>();

  constructor(
    private readonly node: ConsensusNode,
    private readonly store: ConsensusStore,
    @Inject(GENESIS) private readonly genesis: { genesis: Genesis; hash: Uint8Array },
  ) {}

  /** Storage and runtime calls, built on first use (the node's modules are known once it started). */
  private get services(): StateServices {
    return (this.state ??= stateServices(this.node, this.store, this.genesis));
  }

  private get ss58(): number {
    return this.genesis.genesis.ss58Prefix;
  }

  submitExtrinsic(req: consensusV1.SubmitExtrinsicRequest, metadata?: Metadata): Promise<consensusV1.SubmitExtrinsicResponse> {
    // A server span continuing the gateway's trace (W3C traceparent in the gRPC metadata).
    return inSpan(
      'SubmitExtrinsic',
      { 'rpc.system': 'grpc', 'rpc.service': 'balanceai.consensus.v1.ConsensusService', 'rpc.method': 'SubmitExtrinsic' },
      () => this.submit(req),
      { kind: SpanKind.SERVER, parent: metadata ? extractGrpcMetadata(metadata) : undefined },
    );
  }

  private async submit(req: consensusV1.SubmitExtrinsicRequest): Promise<consensusV1.SubmitExtrinsicResponse> {
    try {
      const xt = decodeSubmitted(req.extrinsic, this.genesis.genesis.params.maxExtrinsicBytes);
      if (this.node.fatal) throw new DomainError('NODE_HALTED', 'this validator stopped after an app hash mismatch', 'unavailable');
      return { hash: await this.node.submit(xt) };
    } catch (err) {
      throw grpcError(err);
    }
  }

  async getExtrinsic(req: consensusV1.GetExtrinsicRequest): Promise<consensusV1.GetExtrinsicResponse> {
    try {
      const hash = toHex(hexArg(req.hash, 'hash', 32));
      const empty: consensusV1.GetExtrinsicResponse = {
        hash, state: ExtrinsicState.EXTRINSIC_STATE_UNKNOWN, blockNumber: '0', blockHash: '', index: 0, signer: '', nonce: '0', fee: '0',
        errorCode: '', errorMessage: '', events: [],
      };
      const row = await this.store.extrinsicByHash(hash);
      if (row) {
        const block = await this.store.blockByHeight(row.height);
        return {
          ...empty,
          state: row.applied && row.success ? ExtrinsicState.EXTRINSIC_STATE_FINALIZED : ExtrinsicState.EXTRINSIC_STATE_FAILED,
          blockNumber: String(row.height),
          blockHash: block?.hash ?? '',
          index: row.index,
          signer: row.signer ? ss58Encode(fromHex(row.signer), this.ss58) : '',
          nonce: String(row.nonce),
          fee: row.fee.toString(),
          errorCode: row.errorCode ?? '',
          errorMessage: row.errorMessage ?? '',
          events: toEvents(row.events),
        };
      }
      if (this.node.mempool.has(hash)) return { ...empty, state: ExtrinsicState.EXTRINSIC_STATE_PENDING };
      return empty;
    } catch (err) {
      throw grpcError(err);
    }
  }

  async getChainStatus(): Promise<consensusV1.GetChainStatusResponse> {
    // One snapshot: height, hash, time and issuance are of the same committed block.
    const head = this.node.committed.head;
    const issuance = this.node.committed.ledger.totalIssuance;
    const online = this.node.validatorsOnline();
    return {
      chain: this.genesis.genesis.chain,
      chainId: this.genesis.genesis.chainId,
      genesisHash: toHex(this.genesis.hash),
      finalizedHeight: String(head.height),
      finalizedHash: toHex(head.blockHash),
      finalizedTimeMs: String(head.timeMs),
      consensusHeight: String(head.height + 1),
      consensusRound: this.node.consensusRound,
      validators: this.node.currentValidators.map((v, index) => ({
        index,
        consensusKey: ss58Encode(v.key, this.ss58),
        stash: v.stash.startsWith('0x') ? ss58Encode(fromHex(v.stash, 32), this.ss58) : v.stash,
        online: online[index]?.online ?? false,
        lastSeenHeight: String(online[index]?.lastSeenHeight ?? 0),
      })),
      validatorsOnline: online.filter((o) => o.online).length,
      mempoolSize: this.node.mempool.size,
      totalIssuance: issuance.toString(),
      selfIndex: this.node.selfIndex ?? -1,
      syncing: this.node.isSyncing,
    };
  }

  async getBlock(req: consensusV1.GetBlockRequest): Promise<consensusV1.GetBlockResponse> {
    try {
      const stored =
        req.hash !== undefined && req.hash !== ''
          ? await this.store.blockByHash(toHex(hexArg(req.hash, 'hash', 32)))
          : await this.blockAtHeight(req.number);
      if (!stored) throw new DomainError('BLOCK_NOT_FOUND', 'no finalized block with that number or hash', 'not_found');
      const header = decodeHeader(stored.header);
      const rows = await this.store.extrinsicsOfBlock(stored.height);
      const decoded = stored.height === 0 ? null : decodeBlock(stored.header, stored.body);
      const evidenceCount = decoded?.evidence.length ?? 0;
      const lastCommitSigners = decoded?.lastCommit?.precommits.map((v) => v.validator) ?? [];
      const commitSigners = stored.height === 0 ? [] : decodeJustification(stored.justification).precommits.map((v) => v.validator);
      return {
        number: String(stored.height),
        hash: stored.hash,
        parentHash: toHex(header.parentHash),
        stateRoot: toHex(header.stateRoot),
        extrinsicsRoot: toHex(header.extrinsicsRoot),
        timeMs: String(stored.timeMs),
        proposerIndex: stored.proposer,
        round: stored.round,
        header: toHex(stored.header),
        extrinsics: rows.map((r) => ({
          index: r.index,
          // The bytes as submitted: blake2_256(data) is the extrinsic hash.
          data: decoded?.extrinsics[r.index] ? toHex(decoded.extrinsics[r.index]!) : '0x',
          hash: r.hash,
          signer: r.signer ? ss58Encode(fromHex(r.signer), this.ss58) : '',
          nonce: String(r.nonce),
          call: r.call,
          argsJson: JSON.stringify(r.args),
          success: r.applied && r.success,
          errorCode: r.errorCode ?? '',
          fee: r.fee.toString(),
        })),
        commitSigners,
        justification: stored.height === 0 ? '0x' : toHex(stored.justification),
        evidenceCount,
        events: toEvents(stored.events),
        lastCommitSigners,
        lastCommitSignerKeys: lastCommitSigners.map((i) => {
          const key = this.node.validatorSets.at(stored.height - 1)[i]?.key;
          return key ? ss58Encode(key, this.ss58) : '';
        }),
      };
    } catch (err) {
      throw grpcError(err);
    }
  }

  /** A u64 height as a decimal string; above what the chain can have reached it is simply not found. */
  private async blockAtHeight(number: string | undefined) {
    const text = number === undefined || number === '' ? '0' : number;
    if (!/^\d{1,20}$/.test(text) || BigInt(text) > 0xffff_ffff_ffff_ffffn) throw new DomainError('BAD_BLOCK_NUMBER', 'number must be a block number (u64, decimal)');
    const height = BigInt(text);
    return height > BigInt(Number.MAX_SAFE_INTEGER) ? null : this.store.blockByHeight(Number(height));
  }

  async getAccount(req: consensusV1.GetAccountRequest): Promise<consensusV1.GetAccountResponse> {
    try {
      let id: Uint8Array;
      try {
        id = parseAccountId(req.address);
      } catch (err) {
        throw new DomainError('BAD_ADDRESS', (err as Error).message);
      }
      const key = toHex(id);
      const a = this.node.committed.ledger.get(key);
      return {
        address: ss58Encode(id, this.ss58),
        free: a.free.toString(),
        reserved: a.reserved.toString(),
        nonce: String(a.nonce),
        nextNonce: String(this.node.mempool.nextNonce(key, a.nonce)),
      };
    } catch (err) {
      throw grpcError(err);
    }
  }

  async readStorage(req: consensusV1.ReadStorageRequest): Promise<consensusV1.ReadStorageResponse> {
    try {
      return await this.services.storage.readStorage(req);
    } catch (err) {
      throw grpcError(err);
    }
  }

  async storageKeys(req: consensusV1.StorageKeysRequest): Promise<consensusV1.StorageKeysResponse> {
    try {
      return await this.services.storage.storageKeys(req);
    } catch (err) {
      throw grpcError(err);
    }
  }

  async runtimeCall(req: consensusV1.RuntimeCallRequest): Promise<consensusV1.RuntimeCallResponse> {
    try {
      // The largest argument is an extrinsic (validate_transaction: plus source and a block hash).
      const maxHexChars = 2 + 2 * (this.genesis.genesis.params.maxExtrinsicBytes + 64);
      const text = req.data === undefined || req.data === '' ? '0x' : req.data;
      if (typeof text !== 'string' || text.length > maxHexChars) throw new DomainError('BAD_RUNTIME_CALL_ARGS', 'the call data is larger than any runtime API argument');
      let data: Uint8Array;
      try {
        data = fromHex(text);
      } catch {
        throw new DomainError('BAD_RUNTIME_CALL_ARGS', 'data must be 0x-prefixed hex');
      }
      const { storage, runtime } = this.services;
      const at = await storage.resolve(req.at);
      const window = this.node.committed.window;
      if (!window.holds(at.height)) throw discarded(at, window.oldest);
      return { at: at.hash, height: String(at.height), result: toHex(runtime.call(req.method ?? '', data, at)) };
    } catch (err) {
      throw grpcError(err);
    }
  }

  /** Metadata of a version as 0x hex, converted once ('' for a version not served). */
  private metadataHexOf(version: number): string {
    let text = this.metadataHex.get(version);
    if (text === undefined) {
      const m = this.services.metadata(version);
      this.metadataHex.set(version, (text = m ? toHex(m) : ''));
    }
    return text;
  }

  async getRuntime(): Promise<consensusV1.GetRuntimeResponse> {
    const g = this.genesis.genesis;
    return {
      chain: g.chain,
      genesisHash: toHex(this.genesis.hash),
      specVersion: g.params.specVersion,
      transactionVersion: g.params.transactionVersion,
      ss58Prefix: g.ss58Prefix,
      tokenSymbol: g.tokenSymbol,
      tokenDecimals: g.tokenDecimals,
      metadata: this.metadataHexOf(14),
      metadataV15: this.metadataHexOf(15),
      baseFee: g.params.baseFee.toString(),
      byteFee: g.params.byteFee.toString(),
      existentialDeposit: g.params.existentialDeposit.toString(),
      blockTimeMs: String(g.params.blockTimeMs),
    };
  }
}

function toEvents(events: unknown): consensusV1.Event[] {
  if (!Array.isArray(events)) return [];
  return events.map((e) => {
    const ev = e as { module?: string; name?: string; data?: unknown };
    return { module: ev.module ?? '', name: ev.name ?? '', dataJson: JSON.stringify(ev.data ?? {}) };
  });
}

/** Liveness, readiness and Prometheus metrics on BAI_HTTP_PORT. */
@Controller()
export class HealthController {
  constructor(
    private readonly node: ConsensusNode,
    @Inject(METRICS) private readonly registry: BaiMetrics,
  ) {}

  @Get('healthz')
  healthz() {
    if (this.node.fatal) throw new HttpException({ status: 'halted', reason: this.node.fatal.message }, 503);
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz() {
    const online = this.node.validatorsOnline().filter((v) => v.online).length;
    const ready = !this.node.fatal && !this.node.isSyncing;
    const body = { ready, syncing: this.node.isSyncing, height: this.node.committedHeight, validatorsOnline: online };
    if (!ready) throw new HttpException(body, 503);
    return body;
  }

  @Get('metrics')
  async metrics(@Res() reply: { header(name: string, value: string): { send(body: string): unknown } }): Promise<void> {
    reply.header('Content-Type', this.registry.contentType).send(await this.registry.metricsText());
  }
}

/** grpc.health.v1: SERVING while this validator executes blocks; NOT_SERVING once halted or while syncing. */
@Controller()
export class GrpcHealthController {
  constructor(private readonly node: ConsensusNode) {}

  @GrpcMethod('Health', 'Check')
  check(req: { service?: string }) {
    return healthCheck(req.service ?? '', ['balanceai.consensus.v1.ConsensusService'], !this.node.fatal && !this.node.isSyncing);
  }
}
