import { RpcClient } from '../rpc/client.js';
import { rpcUrl } from '../rpc/endpoint.js';
import { connectWebSocket } from '../rpc/ws-transport.js';
import { ChainRpc } from './chain.js';

/** What a wallet command does I/O with; unit tests hand in a fake node and collect the printed lines. */
export interface WalletEnv {
  connect(url: string): Promise<RpcClient>;
  print(line: string): void;
}

/** Flags every wallet command takes. */
export interface EndpointOpts {
  rpc?: string;
  gateway?: string;
}

/** Flags every signing command takes. */
export interface SignOpts extends EndpointOpts {
  from?: string;
  type?: string;
  tip?: string;
  timeout?: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

export const processEnv: WalletEnv = {
  connect: async (url) => new RpcClient(await connectWebSocket(url, { timeoutMs: CONNECT_TIMEOUT_MS }), url),
  print: (line) => console.log(line),
};

/** Runs `fn` on one connection and always closes it, so the process can exit. */
export async function withChain<T>(env: WalletEnv, opts: EndpointOpts, fn: (chain: ChainRpc) => Promise<T>): Promise<T> {
  const client = await env.connect(rpcUrl(opts));
  try {
    return await fn(new ChainRpc(client));
  } finally {
    client.close();
  }
}
