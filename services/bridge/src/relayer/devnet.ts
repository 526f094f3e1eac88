// The Ethereum half of a bridge devnet, for libs/testing's Devnet, the CLI and tests: anvil from npm (a
// block a second), BaiBridge + WrappedBAI deployed by anvil's first account, and one relayer per BAI
// relayer key, each serving its signatures on loopback. Ethereum relayer keys are derived from the BAI key
// URIs (keccak256 of a label), so a devnet is reproducible; never use them outside a devnet.
import { join } from 'node:path';
import { keccak256, toHex as viemHex, type Address, type Hex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { DEFAULT_BRIDGE_GENESIS, keyFromUri, toHex, type BridgeGenesis } from '@balanceai/chain';
import { connect, deployBridge, sortAddresses, startAnvil, type Anvil } from '@balanceai/ethereum';
import { startRelayer } from './main.js';

/** anvil's well-known development mnemonic (its accounts hold test ETH). */
export const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';

export const devEthRelayerKey = (baiKeyUri: string): Hex => keccak256(viemHex(`bai-devnet-relayer:${baiKeyUri}`));

/** The genesis `bridge` section for these relayer key URIs (sr25519). */
export function devBridgeGenesis(baiKeyUris: readonly string[], threshold: number, over: Partial<BridgeGenesis> = {}): BridgeGenesis {
  return { ...DEFAULT_BRIDGE_GENESIS, relayers: baiKeyUris.map((u) => toHex(keyFromUri(u, 'sr25519').publicKey)), threshold, ...over };
}

export interface BridgeDevnetOptions {
  readonly gatewayUrl: string;
  /** The BAI relayer keys, as in the genesis section (default //Charlie, //Dave, //Eve). */
  readonly baiKeyUris?: readonly string[];
  readonly threshold?: number;
  readonly confirmations?: number;
  /** Where the relayers keep their progress files. */
  readonly dir: string;
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
  /**
   * Ports chosen in advance (default: any free one), so a gateway started before the Ethereum half can be
   * told where the relayers' boards and anvil will be (BAI_BRIDGE_RELAYER_URLS, BAI_BRIDGE_ETH_RPC_URL).
   */
  readonly anvilPort?: number;
  readonly relayerPorts?: readonly number[];
}

export interface BridgeDevnet {
  readonly anvil: Anvil;
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly bridge: Address;
  readonly token: Address;
  readonly deployBlock: bigint;
  /** Each relayer's HTTP base URL (signatures and /healthz), in baiKeyUris order. */
  readonly relayerUrls: string[];
  /** Stops relayer i (as a crash between ticks would) / starts it again from its progress file. */
  stopRelayer(i: number): Promise<void>;
  startRelayer(i: number): Promise<void>;
  stop(): Promise<void>;
}

export const DEV_BRIDGE_RELAYERS = ['//Charlie', '//Dave', '//Eve'] as const;

export async function startBridgeDevnet(o: BridgeDevnetOptions): Promise<BridgeDevnet> {
  const uris = o.baiKeyUris ?? DEV_BRIDGE_RELAYERS;
  const anvil = await startAnvil({ blockTime: 1, port: o.anvilPort });
  const running: Array<{ stop(): Promise<void> } | null> = uris.map(() => null);
  const ports: number[] = uris.map((_, i) => o.relayerPorts?.[i] ?? 0);
  try {
    const deployer = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: 0 });
    const conn = connect({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: deployer, pollingIntervalMs: 200 });
    const ethKeys = uris.map((u) => privateKeyToAccount(devEthRelayerKey(u)));
    const d = await deployBridge(conn, { relayers: sortAddresses(ethKeys.map((k) => k.address)), threshold: BigInt(o.threshold ?? 2) });
    const start = async (i: number) => {
      const r = await startRelayer(
        {
          gatewayUrl: o.gatewayUrl,
          baiKeyUri: uris[i]!,
          ethRpcUrl: anvil.rpcUrl,
          ethChainId: anvil.chainId,
          bridge: d.bridge,
          ethPrivateKey: devEthRelayerKey(uris[i]!),
          confirmations: o.confirmations ?? 2,
          fromBlock: d.deployBlock,
          stateFile: join(o.dir, `relayer-${i}.json`),
          httpHost: '127.0.0.1',
          httpPort: ports[i]!,
          intervalMs: o.intervalMs ?? 500,
        },
        o.log,
      );
      ports[i] = r.port;
      running[i] = r;
    };
    for (let i = 0; i < uris.length; i++) await start(i);
    const stopOne = async (i: number) => {
      const r = running[i];
      running[i] = null;
      await r?.stop();
    };
    return {
      anvil,
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      bridge: d.bridge,
      token: d.token,
      deployBlock: d.deployBlock,
      relayerUrls: ports.map((p) => `http://127.0.0.1:${p}`),
      stopRelayer: stopOne,
      startRelayer: async (i) => {
        if (!running[i]) await start(i);
      },
      async stop() {
        for (let i = 0; i < running.length; i++) await stopOne(i);
        await anvil.stop();
      },
    };
  } catch (err) {
    for (const r of running) await r?.stop();
    await anvil.stop();
    throw err;
  }
}
