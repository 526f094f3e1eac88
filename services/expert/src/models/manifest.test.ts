import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError, compareVersions, parseManifest } from './manifest.js';

describe('parseManifest', () => {
  it('reads name, version, description and the typed input sections', () => {
    const manifest = parseManifest({
      name: 'fx-risk', version: '2.1.0', description: 'FX',
      input: { ot_risk_input: { ot_user_balance: 'number' }, 'position-data': { ot_pos_direction: ['BUY', 'SELL'] } },
    });
    assert.deepEqual(manifest.input['position-data'], { ot_pos_direction: ['BUY', 'SELL'] });
  });

  it('refuses an unknown input type, section or a version that is not MAJOR.MINOR.PATCH', () => {
    assert.throws(() => parseManifest({ name: 'a', version: '1.0.0', description: '', input: { ot_risk_input: { x: 'date' } } }), ManifestError);
    assert.throws(() => parseManifest({ name: 'a', version: '1.0.0', description: '', input: { elsewhere: {} } }), ManifestError);
    assert.throws(() => parseManifest({ name: 'a', version: 'v1', description: '' }), ManifestError);
    assert.throws(() => parseManifest({ name: 'Not Valid', version: '1.0.0', description: '' }), ManifestError);
  });
});

describe('compareVersions', () => {
  it('orders versions numerically, not as text', () => {
    assert.ok(compareVersions('1.10.0', '1.9.0') > 0);
    assert.equal(compareVersions('2.0.0', '2.0.0'), 0);
  });
});
