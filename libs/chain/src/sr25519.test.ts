import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadCryptoNative } from '@balanceai/crypto-native';
import { keyFromUri, verifySignature, verifySignatures, type SignatureItem } from './keys.js';
import { sr25519Backend, sr25519VerifyMany, sr25519VerifyWasm } from './sr25519.js';
import { fromHex, toHex } from './hex.js';

const native = loadCryptoNative();
const ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

/** A deterministic corpus: valid signatures and every kind of bad input a peer or client can send. */
function corpus(): Array<SignatureItem & { kind: string }> {
  const signers = Array.from({ length: 40 }, (_, i) => keyFromUri(`//mixed//${i}`, 'sr25519'));
  const out: Array<SignatureItem & { kind: string }> = [];
  signers.forEach((s, i) => {
    const message = new TextEncoder().encode(`transfer ${i} BAI`);
    const signature = s.sign(message);
    const item = { type: 'sr25519' as const, publicKey: s.publicKey, message, signature };
    const withSig = (f: (b: Uint8Array) => void) => {
      const b = signature.slice();
      f(b);
      return b;
    };
    const withKey = (f: (b: Uint8Array) => void) => {
      const b = s.publicKey.slice();
      f(b);
      return b;
    };
    // s + ℓ: the same scalar, non-canonically encoded (schnorrkel refuses it when ≥ ℓ).
    let sPlusL = ORDER;
    for (let j = 62; j >= 32; j--) sPlusL += BigInt(signature[j]!) << BigInt(8 * (j - 32));
    sPlusL += BigInt(signature[63]! & 0x7f) << 248n;
    const nonCanonicalS = withSig((b) => {
      for (let j = 0; j < 32; j++) b[32 + j] = Number((sPlusL >> BigInt(8 * j)) & 0xffn);
      b[63]! |= 0x80;
    });
    out.push(
      { ...item, kind: 'valid' },
      { ...item, message: new TextEncoder().encode(`transfer ${i + 1} BAI`), kind: 'wrong message' },
      { ...item, publicKey: signers[(i + 1) % signers.length]!.publicKey, kind: 'other signer' },
      { ...item, signature: withSig((b) => (b[i % 32]! ^= 1)), kind: 'tampered R' },
      { ...item, signature: withSig((b) => (b[32 + (i % 31)]! ^= 1)), kind: 'tampered s' },
      { ...item, signature: withSig((b) => (b[63]! &= 0x7f)), kind: 'no schnorrkel marker' },
      { ...item, signature: nonCanonicalS, kind: 'non-canonical s (s + l)' },
      { ...item, signature: withSig((b) => b.fill(0xff, 32, 63)), kind: 's >= l' },
      { ...item, publicKey: withKey((b) => (b[0]! ^= 1)), kind: 'key: odd (negative) encoding' },
      { ...item, publicKey: withKey((b) => (b[31]! |= 0x80)), kind: 'key: high bit set' },
      { ...item, publicKey: withKey((b) => (b[(i * 7) % 32]! ^= 0x10)), kind: 'key: tampered' },
      { ...item, publicKey: s.publicKey.subarray(0, 31), kind: 'key: short' },
      { ...item, signature: signature.subarray(0, 63), kind: 'signature: short' },
    );
  });
  // Field elements ≥ p (non-canonical) and the identity, as public keys.
  const p = '0xedffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
  const pPlus2 = '0xefffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
  const first = out[0]!;
  for (const key of [p, pPlus2, `0x${'00'.repeat(32)}`, `0x${'ff'.repeat(32)}`]) out.push({ ...first, publicKey: fromHex(key), kind: `key ${key.slice(0, 8)}…` });
  return out;
}

describe('sr25519: native and wasm validators agree', () => {
  const items = corpus();
  const wasm = items.map((it) => sr25519VerifyWasm(it.publicKey, it.message, it.signature));

  it('the corpus holds valid and invalid signatures of every kind', () => {
    assert.equal(wasm.filter(Boolean).length, 40);
    items.forEach((it, i) => assert.equal(wasm[i], it.kind === 'valid', it.kind));
  });

  it('native single and batch verification answer exactly as the wasm, item by item', { skip: native ? false : 'native addon not built' }, () => {
    items.forEach((it, i) => assert.equal(native!.sr25519Verify(it.publicKey, it.message, it.signature), wasm[i], it.kind));
    assert.deepEqual(sr25519VerifyMany(items), wasm);
    // one bad item among many valid ones: only it fails
    const valid = items.filter((it) => it.kind === 'valid');
    const mixed = [...valid.slice(0, 20), items.find((it) => it.kind === 'tampered s')!, ...valid.slice(20)];
    assert.deepEqual(sr25519VerifyMany(mixed), mixed.map((it) => it.kind === 'valid'));
  });

  it('verifySignatures answers as verifySignature for each item, sr25519 and ed25519 mixed', () => {
    const ed = keyFromUri('//Alice', 'ed25519');
    const message = new Uint8Array([1, 2, 3]);
    const all: SignatureItem[] = [
      ...items,
      { type: 'ed25519', publicKey: ed.publicKey, message, signature: ed.sign(message) },
      { type: 'ed25519', publicKey: ed.publicKey, message: new Uint8Array([9]), signature: ed.sign(message) },
      { ...items[0]!, type: 'ed25519' },
    ];
    assert.deepEqual(verifySignatures(all), all.map((it) => verifySignature(it.type, it.publicKey, it.message, it.signature)));
    assert.deepEqual(verifySignatures(all), [...wasm, true, false, false]);
    assert.deepEqual(verifySignatures([]), []);
  });

  it('a process without the addon (BAI_CRYPTO_NATIVE=0) uses the wasm and gives the same answers', () => {
    const script = `
      const { verifySignatures, sr25519Backend, fromHex } = await import(${JSON.stringify(new URL('./index.js', import.meta.url).href)});
      const items = JSON.parse(process.argv[1]).map(([k, m, s]) => ({ type: 'sr25519', publicKey: fromHex(k), message: fromHex(m), signature: fromHex(s) }));
      console.log(JSON.stringify({ backend: sr25519Backend().name, ok: verifySignatures(items) }));`;
    const arg = JSON.stringify(items.map((it) => [toHex(it.publicKey), toHex(it.message), toHex(it.signature)]));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, arg], { env: { ...process.env, BAI_CRYPTO_NATIVE: '0' }, encoding: 'utf8' });
    const child = JSON.parse(out) as { backend: string; ok: boolean[] };
    assert.equal(child.backend, 'wasm');
    assert.deepEqual(child.ok, verifySignatures(items));
    assert.equal(sr25519Backend().name, native ? 'native' : 'wasm');
  });
});
