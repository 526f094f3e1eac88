import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '@nestjs/common';
import { DomainError } from '@balanceai/platform';
import type { FastifyReply } from 'fastify';
import { sendError } from './gateway-exception.filter.js';

/** A reply and a logger that record what sendError does with them. */
function recorder(): { reply: FastifyReply; logger: Logger; sent: { status?: number; headers: Record<string, string>; body?: unknown }; logged: { error: string[]; warn: string[] } } {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const logged = { error: [] as string[], warn: [] as string[] };
  const reply = {
    sent: false,
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const logger = { error: (m: string) => logged.error.push(m), warn: (m: string) => logged.warn.push(m) };
  return { reply: reply as unknown as FastifyReply, logger: logger as unknown as Logger, sent, logged };
}

const FRAME = /\n\s+at /;

describe('sendError', () => {
  it('logs an internal error with its stack (kept: internal is not a refusal kind) and answers a bare 500', () => {
    const r = recorder();
    sendError(r.reply, new DomainError('INTERNAL', 'the ledger is inconsistent', 'internal'), r.logger);
    assert.equal(r.sent.status, 500);
    assert.deepEqual(r.sent.body, { code: 'INTERNAL', message: 'internal error' });
    assert.equal(r.logged.error.length, 1);
    assert.match(r.logged.error[0]!, FRAME, 'the log carries the stack');
    assert.match(r.logged.error[0]!, /the ledger is inconsistent/);
  });

  it('logs an unexpected throw with its stack', () => {
    const r = recorder();
    sendError(r.reply, new TypeError('x is undefined'), r.logger);
    assert.equal(r.sent.status, 500);
    assert.match(r.logged.error[0]!, FRAME);
  });

  it('answers a busy refusal 429 with Retry-After and logs nothing (a refusal has no stack to log)', () => {
    const r = recorder();
    const refusal = new DomainError('MEMPOOL_FULL', 'the mempool is full, retry later', 'busy', { retryAfterSeconds: '3' });
    sendError(r.reply, refusal, r.logger);
    assert.equal(r.sent.status, 429);
    assert.equal(r.sent.headers['retry-after'], '3');
    assert.equal(r.sent.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(r.sent.body, { code: 'MEMPOOL_FULL', message: 'the mempool is full, retry later' });
    assert.deepEqual(r.logged, { error: [], warn: [] });
    assert.doesNotMatch(refusal.stack ?? '', FRAME);
  });
});
