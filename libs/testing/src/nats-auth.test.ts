// The generated nats-server configuration and the URL helpers, as text (no server: see test/ for that).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natsServerConfig, natsUrlWithCredentials, type NatsUser } from './nats-auth.js';
import { natsConnectOptions } from './nats.js';

const user: NatsUser = { user: 'validator-0', password: 'ab12', role: 'validator' };

describe('natsServerConfig', () => {
  it('a single server: no cluster block, users with permissions', () => {
    const text = natsServerConfig({ host: '127.0.0.1', port: 4222, storeDir: '/s', chainId: 'c', users: [user] });
    assert.match(text, /^listen: "127\.0\.0\.1:4222"$/m);
    assert.doesNotMatch(text, /cluster|server_name/);
    assert.match(text, /\{ user: "validator-0", password: "ab12", permissions: \{ publish: \{ allow: \["p2p\.c\.proposal"/);
  });

  it('a cluster node: server name, monitoring, routes to the others with the route user, no client advertising', () => {
    const text = natsServerConfig({
      host: '127.0.0.1',
      port: 4222,
      storeDir: '/s/node-0',
      chainId: 'c',
      users: [user],
      serverName: 'nats-0',
      monitorPort: 8222,
      cluster: { name: 'bai-devnet', host: '127.0.0.1', port: 6222, routes: ['127.0.0.1:6223', '127.0.0.1:6224'], routeUser: { user: 'route', password: 'p w' } },
    });
    assert.match(text, /^server_name: "nats-0"$/m);
    assert.match(text, /^http: "127\.0\.0\.1:8222"$/m);
    assert.match(text, /^ {2}listen: "127\.0\.0\.1:6222"$/m);
    assert.match(text, /^ {2}no_advertise: true$/m);
    assert.match(text, /^ {2}authorization \{ user: "route", password: "p w", timeout: 2 \}$/m);
    assert.match(text, /^ {2}routes: \["nats-route:\/\/route:p%20w@127\.0\.0\.1:6223", "nats-route:\/\/route:p%20w@127\.0\.0\.1:6224"\]$/m);
  });

  it('without users: no authorization block (an open test server)', () => {
    assert.doesNotMatch(natsServerConfig({ host: '127.0.0.1', port: 1, storeDir: '/s', chainId: 'c', users: [] }), /authorization/);
  });
});

describe('NATS URLs of a cluster', () => {
  it('credentials go on every server of a list, and come off again for the client', () => {
    const url = natsUrlWithCredentials('nats://127.0.0.1:1,nats://127.0.0.1:2', user);
    assert.equal(url, 'nats://validator-0:ab12@127.0.0.1:1,nats://validator-0:ab12@127.0.0.1:2');
    assert.deepEqual(natsConnectOptions(url), { servers: ['nats://127.0.0.1:1', 'nats://127.0.0.1:2'], user: 'validator-0', pass: 'ab12' });
  });

  it('one server without credentials', () => {
    assert.deepEqual(natsConnectOptions('nats://127.0.0.1:4222'), { servers: ['nats://127.0.0.1:4222'] });
  });
});
