import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../src/ports.js';

describe('freePort', () => {
  it('never hands out the same port twice in one process, though each is released at once', async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length);
  });
});
