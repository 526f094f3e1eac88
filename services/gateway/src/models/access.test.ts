import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScaleWriter, cryptoReady, keyFromUri, ss58Encode, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { EndpointError } from '@balanceai/chain';
import { toHttpError } from '../errors/http-error.js';
import { ACCESS_HEADERS, ReplayCache, accessPayload, bondedOf, endpointFailure, verifyCaller } from './access.js';

before(async () => {
  await cryptoReady();
});

const NOW = 1_800_000_000_000;

function signed(opts: { type?: 'sr25519' | 'ed25519'; ts?: number; body?: string; path?: string; provider?: number; method?: string } = {}) {
  const key = keyFromUri('//Alice', opts.type ?? 'sr25519');
  const body = new TextEncoder().encode(opts.body ?? '{"q":1}');
  const ts = opts.ts ?? NOW;
  const sig = key.sign(accessPayload({ method: opts.method ?? 'POST', path: opts.path ?? '/evaluate?x=1', timestampMs: ts, body, provider: opts.provider ?? 3 }));
  const headers: Record<string, string> = {
    [ACCESS_HEADERS.account]: ss58Encode(key.publicKey, 42),
    [ACCESS_HEADERS.timestamp]: String(ts),
    [ACCESS_HEADERS.signature]: toHex(sig),
    ...(opts.type === 'ed25519' ? { [ACCESS_HEADERS.keyType]: 'ed25519' } : {}),
  };
  return { key, headers, body };
}

const check = (h: Record<string, string>, body: Uint8Array, over: Partial<{ method: string; path: string; provider: number; nowMs: number }> = {}) =>
  verifyCaller({ headers: (n) => h[n], method: over.method ?? 'POST', path: over.path ?? '/evaluate?x=1', body, provider: over.provider ?? 3, nowMs: over.nowMs ?? NOW, windowMs: 30_000 });

/** Refused with `code`, and the gateway's one mapping (toHttpError) answers `status` with that code. */
const refused = (fn: () => unknown, status: number, code: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.deepEqual([toHttpError(e).status, toHttpError(e).body.code], [status, code]);
    return true;
  });

describe('access signatures', () => {
  it('accepts sr25519 and ed25519 signatures over method, path, timestamp, body hash and provider', () => {
    for (const type of ['sr25519', 'ed25519'] as const) {
      const { key, headers, body } = signed({ type });
      assert.deepEqual(check(headers, body), { account: toHex(key.publicKey), timestampMs: NOW, signature: headers[ACCESS_HEADERS.signature]!.toLowerCase() });
    }
  });

  it('refuses anything changed after signing, a stale timestamp and missing headers', () => {
    const { headers, body } = signed();
    refused(() => check(headers, new TextEncoder().encode('{"q":2}')), 401, 'ACCESS_BAD_SIGNATURE');
    refused(() => check(headers, body, { path: '/evaluate?x=2' }), 401, 'ACCESS_BAD_SIGNATURE');
    refused(() => check(headers, body, { method: 'PUT' }), 401, 'ACCESS_BAD_SIGNATURE');
    refused(() => check(headers, body, { provider: 4 }), 401, 'ACCESS_BAD_SIGNATURE');
    refused(() => check({ ...headers, [ACCESS_HEADERS.account]: ss58Encode(keyFromUri('//Bob', 'sr25519').publicKey, 42) }, body), 401, 'ACCESS_BAD_SIGNATURE');
    refused(() => check(headers, body, { nowMs: NOW + 30_001 }), 401, 'ACCESS_STALE');
    refused(() => check(headers, body, { nowMs: NOW - 30_001 }), 401, 'ACCESS_STALE');
    assert.ok(check(headers, body, { nowMs: NOW + 30_000 }));
    const { [ACCESS_HEADERS.signature]: _, ...unsigned } = headers;
    refused(() => check(unsigned, body), 401, 'ACCESS_UNSIGNED');
    refused(() => check({ ...headers, [ACCESS_HEADERS.account]: 'nope' }, body), 400, 'BAD_ADDRESS');
    refused(() => check({ ...headers, [ACCESS_HEADERS.keyType]: 'ecdsa' }, body), 400, 'BAD_KEY_TYPE');
    refused(() => check({ ...headers, [ACCESS_HEADERS.signature]: '0x12' }, body), 401, 'ACCESS_BAD_SIGNATURE');
  });

  it('uses a signature once within the window', () => {
    const cache = new ReplayCache(30_000);
    assert.equal(cache.use('0xaa', NOW), true);
    assert.equal(cache.use('0xaa', NOW + 1), false);
    assert.equal(cache.use('0xbb', NOW + 1), true);
  });

  it('reads the bonded total from a Staking.Ledger value', () => {
    const ledger = new ScaleWriter().raw(new Uint8Array(32).fill(1)).compact(20_000n * 10n ** 18n).compact(19_000n * 10n ** 18n).vec([], () => undefined).vec([], () => undefined).finish();
    assert.equal(bondedOf(toHex(ledger)), 20_000n * 10n ** 18n);
    assert.equal(bondedOf(null), 0n);
  });
});

describe('endpoint failures through the shared mapping', () => {
  it('a private endpoint is 403, a provider down or too talkative 502, slow 504, unresolvable 503, each with its code', () => {
    const cases: Array<[EndpointError['code'], number]> = [
      ['PROVIDER_ENDPOINT_PRIVATE', 403],
      ['PROVIDER_DOWN', 502],
      ['PROVIDER_TIMEOUT', 504],
      ['PROVIDER_RESPONSE_TOO_LARGE', 502],
      ['PROVIDER_ENDPOINT_UNRESOLVED', 503],
      ['PROVIDER_ENDPOINT_BAD', 502],
    ];
    for (const [code, status] of cases) {
      const http = toHttpError(endpointFailure(new EndpointError(code, 'x'), 7));
      assert.deepEqual([http.status, http.body.code, http.body.message], [status, code, 'provider 7: x']);
    }
  });
});
