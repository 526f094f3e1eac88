import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRuntimeVersion, runtimeVersion, toHex, utf8 } from '@balanceai/chain';
import { CODE_KEY, codeValue, decodeRuntimeSpec, sameRuntime } from './runtime.js';

describe('runtime spec', () => {
  it('decodes Core_version into the chainHead spec: apis as an object by id', () => {
    const v = runtimeVersion({ specVersion: 7, transactionVersion: 3 });
    const spec = decodeRuntimeSpec(encodeRuntimeVersion(v));
    assert.deepEqual(spec, {
      specName: 'balanceai',
      implName: 'balanceai-node',
      specVersion: 7,
      implVersion: 0,
      transactionVersion: 3,
      apis: Object.fromEntries(v.apis.map(([id, version]) => [id, version])),
    });
    // Metadata v2 (0x37e397fc7c91f5e4) is what clients check before Metadata_metadata_at_version.
    assert.equal(spec.apis['0x37e397fc7c91f5e4'], 2);
    assert.ok(sameRuntime(spec, decodeRuntimeSpec(encodeRuntimeVersion(v))));
    assert.ok(!sameRuntime(spec, { ...spec, specVersion: 8 }));
    assert.ok(!sameRuntime(spec, { ...spec, apis: { ...spec.apis, '0x0000000000000000': 1 } }));
  });

  it('refuses trailing bytes', () => {
    const bytes = encodeRuntimeVersion(runtimeVersion({ specVersion: 1, transactionVersion: 1 }));
    assert.throws(() => decodeRuntimeSpec(new Uint8Array([...bytes, 0, 0])));
  });
});

describe(':code', () => {
  it('is the key of ":code"', () => {
    assert.equal(CODE_KEY, toHex(utf8(':code')));
    assert.equal(CODE_KEY, '0x3a636f6465');
  });

  it('stands in for the runtime code: the same for one runtime, different when its versions or metadata change', () => {
    const meta = utf8('metadata v15 bytes');
    const a = toHex(codeValue({ specVersion: 1, transactionVersion: 1 }, meta));
    assert.equal(toHex(codeValue({ specVersion: 1, transactionVersion: 1 }, utf8('metadata v15 bytes'))), a);
    assert.notEqual(toHex(codeValue({ specVersion: 2, transactionVersion: 1 }, meta)), a);
    assert.notEqual(toHex(codeValue({ specVersion: 1, transactionVersion: 2 }, meta)), a);
    assert.notEqual(toHex(codeValue({ specVersion: 1, transactionVersion: 1 }, utf8('other metadata'))), a);
    assert.ok(a.startsWith(toHex(utf8('balanceai-runtime:v1'))));
  });
});
