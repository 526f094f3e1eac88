import { Controller, Inject } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { DecodedExtrinsic, Genesis } from '@balanceai/chain';
import { toHex } from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import { contextFromTraceparent, currentSpanContext, DomainError, extractGrpcMetadata, inSpan, linkTo, spanContextFromTraceparent, tracer, traceparentOf } from '@balanceai/platform';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { MempoolRejection } from '../mempool/mempool.js';
import { ConsensusNode } from '../node/consensus-node.js';
import { decodeSubmitted, grpcError, rejectionError } from './consensus.api.js';
import { GENESIS } from './tokens.js';

/** SubmitExtrinsics limits (proto/balanceai/consensus/v1/consensus.proto). */
export const MAX_BATCH_EXTRINSICS = 1_024;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * balanceai.consensus.v1.SubmissionService: a gateway's batch of submissions in one call. Each extrinsic
 * is admitted exactly as SubmitExtrinsic would admit it, in order, with its own result; the pool does
 * the cheap refusals for the whole batch first, then one batch of signature checks in the workers.
 */
@Controller()
@consensusV1.SubmissionServiceControllerMethods()
export class SubmissionApi implements consensusV1.SubmissionServiceController {
  constructor(
    private readonly node: ConsensusNode,
    @Inject(GENESIS) private readonly genesis: { genesis: Genesis; hash: Uint8Array },
  ) {}

  submitExtrinsics(req: consensusV1.SubmitExtrinsicsRequest, metadata?: Metadata): Promise<consensusV1.SubmitExtrinsicsResponse> {
    return inSpan(
      'SubmitExtrinsics',
      { 'rpc.system': 'grpc', 'rpc.service': 'balanceai.consensus.v1.SubmissionService', 'rpc.method': 'SubmitExtrinsics', 'bai.batch.size': req.extrinsics?.length ?? 0 },
      () => this.submit(req),
      { kind: SpanKind.SERVER, parent: metadata ? extractGrpcMetadata(metadata) : undefined },
    );
  }

  private async submit(req: consensusV1.SubmitExtrinsicsRequest): Promise<consensusV1.SubmitExtrinsicsResponse> {
    try {
      const list = req.extrinsics ?? [];
      let chars = 0;
      for (const x of list) chars += typeof x === 'string' ? x.length : 0;
      if (list.length > MAX_BATCH_EXTRINSICS || chars > 2 * MAX_BATCH_BYTES + 2 * list.length) {
        throw new DomainError('BATCH_TOO_LARGE', `at most ${MAX_BATCH_EXTRINSICS} extrinsics and ${MAX_BATCH_BYTES} bytes per call`);
      }
      if (this.node.fatal) throw new DomainError('NODE_HALTED', 'this validator stopped after an app hash mismatch', 'unavailable');
      const max = this.genesis.genesis.params.maxExtrinsicBytes;
      const results: consensusV1.SubmitExtrinsicResult[] = list.map(() => ({ hash: '', errorCode: '', errorKind: '', errorMessage: '', retryAfterSeconds: 0 }));
      const decoded: DecodedExtrinsic[] = [];
      const at: number[] = [];
      list.forEach((text, i) => {
        try {
          const xt = decodeSubmitted(text, max);
          results[i]!.hash = toHex(xt.hash);
          decoded.push(xt);
          at.push(i);
        } catch (err) {
          fill(results[i]!, err as DomainError);
        }
      });
      // Each traced submission gets its own span in its client's trace, linked to this batch's span.
      const spans = at.map((i, j) => submissionSpan(req.traceparents?.[i], toHex(decoded[j]!.hash)));
      const outcomes = await this.node.submitMany(decoded, spans.map((span) => (span ? traceparentOf(span.spanContext()) : undefined)));
      outcomes.forEach((o, j) => {
        if (o instanceof MempoolRejection) fill(results[at[j]!]!, rejectionError(o));
        const span = spans[j];
        if (!span) return;
        if (o instanceof MempoolRejection) span.setStatus({ code: SpanStatusCode.ERROR, message: o.code });
        span.end();
      });
      return { results };
    } catch (err) {
      throw grpcError(err);
    }
  }
}

/** A SubmitExtrinsic span continuing one submission's trace (none for an untraced or malformed traceparent). */
function submissionSpan(traceparent: string | undefined, hash: string): Span | undefined {
  if (!traceparent || !spanContextFromTraceparent(traceparent)) return undefined;
  return tracer().startSpan(
    'SubmitExtrinsic',
    {
      kind: SpanKind.SERVER,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': 'balanceai.consensus.v1.SubmissionService', 'rpc.method': 'SubmitExtrinsics', 'bai.extrinsic.hash': hash },
      links: linkTo(currentSpanContext()),
    },
    contextFromTraceparent(traceparent),
  );
}

function fill(r: consensusV1.SubmitExtrinsicResult, err: DomainError): void {
  r.errorCode = err.code;
  r.errorKind = err.kind;
  r.errorMessage = err.message;
  const retry = Number(err.details?.retryAfterSeconds ?? 0);
  r.retryAfterSeconds = err.kind === 'busy' && Number.isInteger(retry) && retry > 0 ? retry : 0;
}
