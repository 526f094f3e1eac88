import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BRIDGE_GENESIS, cryptoReady, keyFromUri, toHex } from '@balanceai/chain';
import { DEVNET_BRIDGE_CONFIRMATIONS, DEVNET_BRIDGE_THRESHOLD, bridgeGatewayEnv, devnetBridgeGatewayEnv, devnetBridgeGenesis, devnetRunsEthereum } from './devnet-bridge.js';

describe('devnet bridge', () => {
  it('puts the dev relayers (//Charlie //Dave //Eve, 2 of 3) into the genesis when the bridge module runs', async () => {
    await cryptoReady();
    const section = await devnetBridgeGenesis(['emissions', 'bridge'], undefined);
    assert.ok(section);
    assert.deepEqual(section.relayers, ['//Charlie', '//Dave', '//Eve'].map((u) => toHex(keyFromUri(u, 'sr25519').publicKey)));
    assert.equal(section.threshold, DEVNET_BRIDGE_THRESHOLD);
    assert.ok(2 * section.threshold > section.relayers.length);
    assert.equal(section.lockTtlSecs, DEFAULT_BRIDGE_GENESIS.lockTtlSecs);
  });

  it("keeps a caller's section, and adds none without the module", async () => {
    const own = { ...DEFAULT_BRIDGE_GENESIS, relayers: ['0x' + '01'.repeat(32)], threshold: 1 };
    assert.equal(await devnetBridgeGenesis(['bridge'], own), own);
    assert.equal(await devnetBridgeGenesis(['emissions', 'staking'], undefined), undefined);
  });

  it('starts the Ethereum half only with the module, by default only for its own dev relayers', () => {
    assert.equal(devnetRunsEthereum(['emissions', 'bridge'], {}), true);
    assert.equal(devnetRunsEthereum(['emissions'], {}), false);
    assert.equal(devnetRunsEthereum(['emissions'], { bridgeEthereum: true }), false);
    assert.equal(devnetRunsEthereum(['bridge'], { bridge: {} }), false);
    assert.equal(devnetRunsEthereum(['bridge'], { bridge: {}, bridgeEthereum: true }), true);
    assert.equal(devnetRunsEthereum(['bridge'], { bridgeEthereum: false }), false);
  });

  it('tells the gateway where the boards and Ethereum are (the contract only when given)', () => {
    const env = bridgeGatewayEnv({ rpcUrl: 'http://127.0.0.1:8545', relayerUrls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], confirmations: 2 });
    assert.deepEqual(env, { BAI_BRIDGE_RELAYER_URLS: 'http://127.0.0.1:1,http://127.0.0.1:2', BAI_BRIDGE_ETH_RPC_URL: 'http://127.0.0.1:8545', BAI_BRIDGE_CONFIRMATIONS: '2' });
    assert.equal(bridgeGatewayEnv({ rpcUrl: 'http://e', relayerUrls: [], confirmations: 1, bridge: '0xb' }).BAI_BRIDGE_CONTRACT, '0xb');
    assert.deepEqual(devnetBridgeGatewayEnv({ anvil: 8545, relayers: [9620, 9622] }), {
      BAI_BRIDGE_RELAYER_URLS: 'http://127.0.0.1:9620,http://127.0.0.1:9622',
      BAI_BRIDGE_ETH_RPC_URL: 'http://127.0.0.1:8545',
      BAI_BRIDGE_CONFIRMATIONS: String(DEVNET_BRIDGE_CONFIRMATIONS),
    });
  });
});
