import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointError, isPrivateAddress, isPrivateEndpoint, pinEndpoint, privateEndpointsAllowed, type Resolver } from './models-endpoint.js';

const never: Resolver = () => Promise.reject(new Error('no DNS in unit tests'));
const answers = (...addresses: string[]): Resolver => () => Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));

describe('provider endpoints refused without BAI_ACCESS_PRIVATE_ENDPOINTS=allow', () => {
  it('loopback, private, link-local, CGNAT, unique-local and unspecified addresses as literals and localhost names', async () => {
    for (const url of ['http://127.0.0.1:9615/', 'http://localhost/', 'http://api.localhost/', 'http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::1]:8080/', 'http://[fd00::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/']) {
      assert.equal(await isPrivateEndpoint(url, never), true, url);
    }
    for (const url of ['https://8.8.8.8/', 'http://172.32.0.1/', 'http://[2001:db8::1]/', 'http://100.128.0.1/']) assert.equal(await isPrivateEndpoint(url, never), false, url);
  });

  it('a name is refused when any address it resolves to is private, and pinned to the first address otherwise', async () => {
    await assert.rejects(pinEndpoint('http://provider.example/', { allowPrivate: false, resolve: answers('93.184.216.34', '10.0.0.7') }), (e: unknown) => e instanceof EndpointError && e.code === 'PROVIDER_ENDPOINT_PRIVATE');
    const pinned = await pinEndpoint('http://provider.example:8080/x', { allowPrivate: false, resolve: answers('93.184.216.34', '2001:db8::1') });
    assert.deepEqual([pinned.address, pinned.family, pinned.url.port], ['93.184.216.34', 4, '8080']);
    const allowed = await pinEndpoint('http://provider.example/', { allowPrivate: true, resolve: answers('127.0.0.1') });
    assert.equal(allowed.address, '127.0.0.1');
  });

  it('names every other failure with its code', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof EndpointError ? e.code : String(e)));
    assert.equal(await code(pinEndpoint('http://nowhere.example/', { allowPrivate: false, resolve: never })), 'PROVIDER_ENDPOINT_UNRESOLVED');
    assert.equal(await code(pinEndpoint('http://nowhere.example/', { allowPrivate: false, resolve: answers() })), 'PROVIDER_ENDPOINT_UNRESOLVED');
    assert.equal(await code(pinEndpoint('ftp://8.8.8.8/', { allowPrivate: false })), 'PROVIDER_ENDPOINT_BAD');
    assert.equal(await code(pinEndpoint('not a url', { allowPrivate: false })), 'PROVIDER_ENDPOINT_BAD');
  });

  it('address rules', () => {
    assert.equal(isPrivateAddress('::ffff:7f00:1'), true);
    assert.equal(isPrivateAddress('::ffff:8.8.8.8'), false);
    assert.equal(isPrivateAddress('172.15.255.255'), false);
  });

  it('BAI_ACCESS_PRIVATE_ENDPOINTS is allow or deny (default deny)', () => {
    assert.equal(privateEndpointsAllowed(undefined), false);
    assert.equal(privateEndpointsAllowed(''), false);
    assert.equal(privateEndpointsAllowed('deny'), false);
    assert.equal(privateEndpointsAllowed(' allow '), true);
    assert.throws(() => privateEndpointsAllowed('yes'), /allow or deny/);
  });
});
