import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BridgeGenesis } from '@balanceai/chain';

// The Ethereum half of a devnet with the `bridge` module (docs/architecture.md §7): anvil, BaiBridge +
// WrappedBAI deployed, and one relayer per dev relayer key (//Charlie, //Dave, //Eve; 2 of 3), all from
// services/bridge's startBridgeDevnet. services/bridge's tests build on this package, so it is loaded at run
// time through its `./relayer` export (resolved from the repository root, like the services' `./main`),
// never as a build-time dependency of libs/testing.

/** What a devnet exposes of its Ethereum side. */
export interface DevnetBridge {
  /** anvil's JSON-RPC URL (loopback) and chain id. */
  readonly rpcUrl: string;
  readonly chainId: number;
  /** BaiBridge and WrappedBAI (wBAI) addresses. */
  readonly bridge: `0x${string}`;
  readonly token: `0x${string}`;
  readonly deployBlock: bigint;
  /** Each relayer's HTTP board (Mint signatures at /v1/bridge/signatures/<lockId>, /healthz), in key order. */
  readonly relayerUrls: string[];
  /** The relayers' BAI key URIs (the genesis section's relayers). */
  readonly relayerKeyUris: readonly string[];
  stop(): Promise<void>;
}

/** The part of `@balanceai/bridge/relayer` a devnet uses. */
interface BridgeRelayerPackage {
  readonly DEV_BRIDGE_RELAYERS: readonly string[];
  devBridgeGenesis(baiKeyUris: readonly string[], threshold: number, over?: Partial<BridgeGenesis>): BridgeGenesis;
  startBridgeDevnet(o: { gatewayUrl: string; dir: string; baiKeyUris?: readonly string[]; threshold?: number; confirmations?: number; log?: (line: string) => void; anvilPort?: number; relayerPorts?: readonly number[] }): Promise<Omit<DevnetBridge, 'relayerKeyUris'>>;
}

/** Matching mint signatures needed of the dev relayers (2 of 3: 2M > N). */
export const DEVNET_BRIDGE_THRESHOLD = 2;
/** Ethereum confirmations the devnet's relayers wait for (anvil mines a block a second and never reorgs). */
export const DEVNET_BRIDGE_CONFIRMATIONS = 2;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
let loaded: Promise<BridgeRelayerPackage> | undefined;

/** `@balanceai/bridge/relayer`, loaded once (a clear error when services/bridge is missing or not built). */
export function loadBridgeRelayer(): Promise<BridgeRelayerPackage> {
  loaded ??= (async () => {
    let file: string;
    try {
      file = createRequire(join(REPO_ROOT, 'package.json')).resolve('@balanceai/bridge/relayer');
    } catch (err) {
      throw new Error(`the bridge module needs @balanceai/bridge/relayer (npx tsc -b services/bridge): ${(err as Error).message}`);
    }
    return (await import(pathToFileURL(file).href)) as BridgeRelayerPackage;
  })();
  return loaded;
}

/**
 * Whether a devnet with these options starts the Ethereum half: only with the bridge module, and by default
 * only when the devnet chose the genesis section itself (its dev relayers); a caller that brings its own
 * section knows its relayers' keys and runs them itself unless it sets `bridgeEthereum: true`.
 */
export function devnetRunsEthereum(modules: readonly string[], opts: { bridge?: unknown; bridgeEthereum?: boolean }): boolean {
  return modules.includes('bridge') && (opts.bridgeEthereum ?? opts.bridge === undefined);
}

/** The genesis `bridge` section of a devnet: the caller's, else the dev relayers' (2 of 3) when the module runs. */
export async function devnetBridgeGenesis(modules: readonly string[], given: BridgeGenesis | undefined): Promise<BridgeGenesis | undefined> {
  if (given || !modules.includes('bridge')) return given;
  const pkg = await loadBridgeRelayer();
  return pkg.devBridgeGenesis(pkg.DEV_BRIDGE_RELAYERS, DEVNET_BRIDGE_THRESHOLD);
}

/** Ports of the Ethereum half chosen before the gateway starts (see bridgeGatewayEnv). */
export interface DevnetBridgePorts {
  readonly anvil: number;
  readonly relayers: readonly number[];
}

/** Starts anvil, deploys the contracts and starts the dev relayers against the devnet's gateway; logs go to `<dir>/logs/bridge.log`. */
export async function startDevnetBridge(gatewayUrl: string, dir: string, echo = false, ports?: DevnetBridgePorts): Promise<DevnetBridge> {
  const pkg = await loadBridgeRelayer();
  const log = createWriteStream(join(dir, 'logs', 'bridge.log'), { flags: 'a' });
  const d = await pkg
    .startBridgeDevnet({
      gatewayUrl,
      dir,
      baiKeyUris: pkg.DEV_BRIDGE_RELAYERS,
      threshold: DEVNET_BRIDGE_THRESHOLD,
      confirmations: DEVNET_BRIDGE_CONFIRMATIONS,
      anvilPort: ports?.anvil,
      relayerPorts: ports?.relayers,
      log: (line) => {
        log.write(`${line}\n`);
        if (echo) process.stdout.write(`[bridge] ${line}\n`);
      },
    })
    .catch((err: unknown) => {
      log.end();
      throw err;
    });
  return {
    rpcUrl: d.rpcUrl,
    chainId: d.chainId,
    bridge: d.bridge,
    token: d.token,
    deployBlock: d.deployBlock,
    relayerUrls: d.relayerUrls,
    relayerKeyUris: pkg.DEV_BRIDGE_RELAYERS,
    async stop() {
      try {
        await d.stop();
      } finally {
        log.end();
      }
    },
  };
}

/**
 * The gateway's view of the Ethereum half (services/gateway/src/bridge/bridge.ethereum.ts): where the relayers'
 * boards and Ethereum's JSON-RPC are, so /v1/bridge shows `signed k/M` with the signatures, burns before any
 * attestation and the wBAI supply. BaiBridge's address may be left out: the gateway takes the one the boards
 * report. The gateway reads it at start, so a devnet chooses these ports before starting the gateway.
 */
export function devnetBridgeGatewayEnv(ports: DevnetBridgePorts): Record<string, string> {
  return bridgeGatewayEnv({ rpcUrl: `http://127.0.0.1:${ports.anvil}`, relayerUrls: ports.relayers.map((p) => `http://127.0.0.1:${p}`), confirmations: DEVNET_BRIDGE_CONFIRMATIONS });
}

export function bridgeGatewayEnv(o: { rpcUrl: string; relayerUrls: readonly string[]; confirmations: number; bridge?: string }): Record<string, string> {
  return {
    BAI_BRIDGE_RELAYER_URLS: o.relayerUrls.join(','),
    BAI_BRIDGE_ETH_RPC_URL: o.rpcUrl,
    BAI_BRIDGE_CONFIRMATIONS: String(o.confirmations),
    ...(o.bridge ? { BAI_BRIDGE_CONTRACT: o.bridge } : {}),
  };
}
