import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpWireError, ResponseParser, postRequestBytes } from './http-wire.js';

interface Seen {
  status: number;
  retryAfter: number;
  body: string;
  close: boolean;
}

function collect(): { parser: ResponseParser; seen: Seen[] } {
  const seen: Seen[] = [];
  const parser = new ResponseParser((status, retryAfter, body, close) => seen.push({ status, retryAfter, body: body.toString('utf8'), close }));
  return { parser, seen };
}

const accepted = 'HTTP/1.1 202 Accepted\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: 77\r\nDate: Sun, 29 Nov 2026 04:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=72\r\n\r\n{"hash":"0x0000000000000000000000000000000000000000000000000000000000000001"}';
const busy = 'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Type: application/json\r\nContent-Length: 46\r\n\r\n{"code":"MEMPOOL_FULL","message":"pool full."}';

describe('ResponseParser', () => {
  it('reads status, Retry-After and the Content-Length body of pipelined responses in one chunk', () => {
    const { parser, seen } = collect();
    parser.feed(Buffer.from(accepted + busy + accepted));
    assert.equal(seen.length, 3);
    assert.deepEqual(seen.map((s) => s.status), [202, 429, 202]);
    assert.deepEqual(seen.map((s) => s.retryAfter), [-1, 3, -1]);
    assert.equal(JSON.parse(seen[1]!.body).code, 'MEMPOOL_FULL');
    assert.equal(JSON.parse(seen[0]!.body).hash.length, 66);
    assert.equal(seen[0]!.close, false);
    assert.equal(parser.buffered, 0);
  });

  it('gives the same answers whatever the split of the bytes into chunks', () => {
    const wire = Buffer.from(busy + accepted + busy);
    const whole = collect();
    whole.parser.feed(wire);
    for (let size = 1; size <= 17; size += 4) {
      const { parser, seen } = collect();
      for (let i = 0; i < wire.length; i += size) parser.feed(wire.subarray(i, i + size));
      assert.deepEqual(seen, whole.seen, `chunks of ${size} bytes`);
    }
    // a split exactly between head and body, and inside the CRLFCRLF
    const at = busy.indexOf('\r\n\r\n') + 2;
    const { parser, seen } = collect();
    parser.feed(Buffer.from(busy.slice(0, at)));
    assert.equal(seen.length, 0);
    parser.feed(Buffer.from(busy.slice(at)));
    assert.deepEqual(seen, [whole.seen[0]]);
  });

  it('does not keep a view of a chunk the socket may reuse', () => {
    const { parser, seen } = collect();
    const chunk = Buffer.from(busy.slice(0, busy.length - 5));
    parser.feed(chunk);
    chunk.fill(0);
    parser.feed(Buffer.from(busy.slice(busy.length - 5)));
    assert.equal(JSON.parse(seen[0]!.body).code, 'MEMPOOL_FULL');
  });

  it('decodes a chunked body, extensions and trailers included', () => {
    const { parser, seen } = collect();
    const wire = 'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nretry-after:  1 \r\n\r\n7;x=y\r\n{"code"\r\n11\r\n:"UNAVAILABLE_X"}\r\n0\r\nX-Trailer: a\r\n\r\n' + accepted;
    for (let i = 0; i < wire.length; i += 5) parser.feed(Buffer.from(wire.slice(i, i + 5)));
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[0], { status: 503, retryAfter: 1, body: '{"code":"UNAVAILABLE_X"}', close: false });
    assert.equal(seen[1]!.status, 202);
  });

  it('skips 1xx responses, reads Connection: close and an HTTP-date Retry-After as absent', () => {
    const { parser, seen } = collect();
    parser.feed(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: Sun, 29 Nov 2026 04:00:03 GMT\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n'));
    assert.deepEqual(seen, [{ status: 429, retryAfter: -1, body: '', close: true }]);
  });

  it('refuses what it cannot delimit or read', () => {
    assert.throws(() => collect().parser.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close')), HttpWireError);
    assert.throws(() => collect().parser.feed(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n\r\n')), HttpWireError);
    assert.throws(() => collect().parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n')), HttpWireError);
    assert.throws(() => collect().parser.feed(Buffer.alloc(20_000, 65)), HttpWireError);
  });
});

describe('postRequestBytes', () => {
  it('builds a keep-alive POST whose Content-Length counts the body in bytes', () => {
    const bytes = postRequestBytes('127.0.0.1:8080', '/v1/extrinsics', '{"extrinsic":"0xé"}').toString('utf8');
    const [head, body] = bytes.split('\r\n\r\n');
    assert.equal(head, 'POST /v1/extrinsics HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nContent-Length: 20');
    assert.equal(body, '{"extrinsic":"0xé"}');
  });
});
