import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natsServerOptions } from './nats-url.js';

describe('natsServerOptions', () => {
  it('passes plain server URLs through', () => {
    assert.deepEqual(natsServerOptions('nats://nats:4222'), { servers: ['nats://nats:4222'] });
    assert.deepEqual(natsServerOptions('nats://a:4222, b:4222'), { servers: ['nats://a:4222', 'b:4222'] });
  });

  it('takes user and password out of the URL, so they reach the server as credentials and not the logs', () => {
    assert.deepEqual(natsServerOptions('nats://gateway:s%40cret@nats:4222,nats://gateway:s%40cret@nats-2:4222'), {
      servers: ['nats://nats:4222', 'nats://nats-2:4222'],
      user: 'gateway',
      pass: 's@cret',
    });
  });

  it('reads a lone user part as a token', () => {
    assert.deepEqual(natsServerOptions('nats://t0ken@nats:4222'), { servers: ['nats://nats:4222'], token: 't0ken' });
  });
});
