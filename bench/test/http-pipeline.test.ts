// HttpPipeline against Node's own HTTP server (the gateway's, under Fastify): every answer reaches the request
// it answers, pipelined or not, and a connection that dies fails its requests instead of losing them.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpPipeline, type AnswerSink } from '../src/http-pipeline.js';
import { postRequestBytes } from '../src/http-wire.js';

describe('HttpPipeline', () => {
  let server: http.Server;
  let port = 0;
  before(async () => {
    // Answers each request after a delay that depends on its body, so later requests finish first on the
    // server: Node must still answer them in order on a connection. `{"id":n}` with n % 5 == 0 is refused 429.
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { id, kill } = JSON.parse(Buffer.concat(chunks).toString()) as { id: number; kill?: boolean };
        if (kill) return req.socket.destroy();
        setTimeout(() => {
          if (id % 5 === 0) res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' }).end(JSON.stringify({ code: 'MEMPOOL_FULL' }));
          else res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
        }, (7 - (id % 7)) * 2);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const run = async (connections: number, depth: number, ids: number[], body: (id: number) => string) => {
    const answers = new Map<number, { status: number; retryAfter: number; body: string }>();
    const failures = new Map<number, string>();
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const check = () => answers.size + failures.size === ids.length && done();
    const sink: AnswerSink = {
      answer: (id, status, retryAfter, b) => (answers.set(id, { status, retryAfter, body: b.toString() }), check()),
      fail: (id, reason) => (failures.set(id, reason), check()),
    };
    const pipe = new HttpPipeline('127.0.0.1', port, connections, depth, sink);
    const queue = [...ids];
    const timer = setInterval(() => {
      while (pipe.free > 0 && queue.length > 0) {
        const id = queue.shift()!;
        pipe.send(id, postRequestBytes(`127.0.0.1:${port}`, '/v1/extrinsics', body(id)), performance.now());
      }
      pipe.flush();
    }, 1);
    await finished;
    clearInterval(timer);
    const inFlightAfter = pipe.inFlight;
    pipe.close();
    return { answers, failures, inFlightAfter };
  };

  for (const [connections, depth] of [[4, 1], [3, 8]] as const) {
    it(`matches every answer to its request over ${connections} connections × ${depth} in flight`, async () => {
      const ids = Array.from({ length: 300 }, (_, i) => i + 1);
      const { answers, failures, inFlightAfter } = await run(connections, depth, ids, (id) => JSON.stringify({ id }));
      assert.equal(failures.size, 0);
      assert.equal(inFlightAfter, 0);
      for (const id of ids) {
        const a = answers.get(id)!;
        if (id % 5 === 0) assert.deepEqual(a, { status: 429, retryAfter: 2, body: '{"code":"MEMPOOL_FULL"}' });
        else assert.deepEqual(a, { status: 202, retryAfter: -1, body: JSON.stringify({ id }) });
      }
    });
  }

  it('fails the requests in flight on a connection the server drops, and reconnects for the next ones', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const { answers, failures } = await run(1, 4, ids, (id) => JSON.stringify({ id, kill: id === 10 }));
    assert.ok(failures.has(10), 'the request the server dropped failed');
    for (const reason of failures.values()) assert.match(reason, /closed|ECONNRESET|EPIPE/);
    assert.equal(answers.size + failures.size, 40);
    assert.ok(answers.has(40), 'a later request went out on a new connection');
  });
});
