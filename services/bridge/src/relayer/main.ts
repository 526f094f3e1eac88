// One bridge relayer as a process. Configuration (read once, failing fast with the variable's name):
//   BAI_GATEWAY_URL            the gateway it reads finalized Bridge state from and submits attestations to
//   BAI_RELAYER_KEY_URI        its BAI key (sr25519 secret URI; or BAI_RELAYER_KEY_URI_FILE)
//   ETH_RPC_URL, ETH_CHAIN_ID  the Ethereum node
//   BAI_BRIDGE_CONTRACT        the BaiBridge address
//   ETH_RELAYER_PRIVATE_KEY    its Ethereum key, 0x hex (or ETH_RELAYER_PRIVATE_KEY_FILE)
//   BAI_BRIDGE_CONFIRMATIONS   Ethereum confirmations before a burn or a mint/refund fact counts (default 12)
//   BAI_BRIDGE_FROM_BLOCK      the bridge's deployment block (default 0)
//   BAI_RELAYER_STATE_FILE     progress file (default ./relayer-state.json)
//   BAI_RELAYER_HTTP_HOST/PORT where it serves its signatures and /healthz (127.0.0.1:9620)
//   BAI_RELAYER_INTERVAL_MS    tick interval (default 2000)
import { readFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { cryptoReady, keyFromUri, toHex } from '@balanceai/chain';
import { BridgeClient, connect } from '@balanceai/ethereum';
import { GatewayBaiPort } from './bai-gateway.js';
import { HttpSignatureBoard } from './http-board.js';
import { FileProgressStore, ViemEthPort } from './ports.js';
import { Relayer } from './relayer.js';

export class RelayerConfigError extends Error {}

export interface RelayerConfig {
  gatewayUrl: string;
  baiKeyUri: string;
  ethRpcUrl: string;
  ethChainId: number;
  bridge: Address;
  ethPrivateKey: Hex;
  confirmations: number;
  fromBlock: bigint;
  stateFile: string;
  httpHost: string;
  httpPort: number;
  intervalMs: number;
}

export function loadRelayerConfig(env: NodeJS.ProcessEnv = process.env): RelayerConfig {
  const need = (name: string): string => {
    const file = env[`${name}_FILE`];
    const v = file ? readFileSync(file, 'utf8').trim() : env[name];
    if (!v) throw new RelayerConfigError(`${name} is required`);
    return v;
  };
  const int = (name: string, dflt: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new RelayerConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  const bridge = need('BAI_BRIDGE_CONTRACT');
  if (!/^0x[0-9a-fA-F]{40}$/.test(bridge)) throw new RelayerConfigError('BAI_BRIDGE_CONTRACT must be a 20-byte 0x address');
  const pk = need('ETH_RELAYER_PRIVATE_KEY');
  if (!/^0x[0-9a-fA-F]{64}$/.test(pk)) throw new RelayerConfigError('ETH_RELAYER_PRIVATE_KEY must be 32 bytes of 0x hex');
  return {
    gatewayUrl: need('BAI_GATEWAY_URL').replace(/\/$/, ''),
    baiKeyUri: need('BAI_RELAYER_KEY_URI'),
    ethRpcUrl: need('ETH_RPC_URL'),
    ethChainId: int('ETH_CHAIN_ID', 1, 1),
    bridge: bridge as Address,
    ethPrivateKey: pk as Hex,
    confirmations: int('BAI_BRIDGE_CONFIRMATIONS', 12, 1),
    fromBlock: BigInt(int('BAI_BRIDGE_FROM_BLOCK', 0, 0)),
    stateFile: env['BAI_RELAYER_STATE_FILE'] || 'relayer-state.json',
    httpHost: env['BAI_RELAYER_HTTP_HOST'] || '127.0.0.1',
    httpPort: int('BAI_RELAYER_HTTP_PORT', 9620, 0),
    intervalMs: int('BAI_RELAYER_INTERVAL_MS', 2_000, 50),
  };
}

/** Starts a relayer; resolves with its HTTP port and a stop function. */
export async function startRelayer(c: RelayerConfig, log: (line: string) => void = (l) => console.error(l)): Promise<{ port: number; stop(): Promise<void> }> {
  await cryptoReady();
  const baiKey = keyFromUri(c.baiKeyUri, 'sr25519');
  const ethAccount = privateKeyToAccount(c.ethPrivateKey);
  const conn = connect({ rpcUrl: c.ethRpcUrl, chainId: c.ethChainId, pollingIntervalMs: 500 });
  const client = await BridgeClient.attach(conn, c.bridge);
  const store = new FileProgressStore(c.stateFile);
  let relayer: Relayer | undefined;
  const board = new HttpSignatureBoard(
    () => relayer?.health() ?? { account: toHex(baiKey.publicKey), lastTickOk: false, lastTickAtMs: 0, consecutiveFailures: 0 },
    { ethAddress: ethAccount.address.toLowerCase(), bridge: client.bridge.toLowerCase(), chainId: c.ethChainId },
  );
  relayer = new Relayer({
    account: toHex(baiKey.publicKey),
    bai: new GatewayBaiPort(c.gatewayUrl, baiKey),
    eth: new ViemEthPort({ client, account: ethAccount, confirmations: c.confirmations, fromBlock: c.fromBlock, resume: await store.load() }),
    board,
    store,
    log,
  });
  const port = await board.listen(c.httpHost, c.httpPort);
  const abort = new AbortController();
  const loop = relayer.run(abort.signal, c.intervalMs);
  log(`relayer ${toHex(baiKey.publicKey)} (Ethereum ${ethAccount.address}) on http://${c.httpHost}:${port}`);
  return {
    port,
    async stop() {
      abort.abort();
      await loop;
      await board.close();
    },
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: RelayerConfig;
  try {
    config = loadRelayerConfig();
  } catch (err) {
    if (err instanceof RelayerConfigError) {
      console.error(`bridge relayer: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startRelayer(config)
    .then((r) => {
      const bye = () => void r.stop().then(() => process.exit(0));
      process.once('SIGTERM', bye);
      process.once('SIGINT', bye);
    })
    .catch((err: unknown) => {
      console.error(`bridge relayer failed to start: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    });
}
