import { fromHex, toHex } from '@balanceai/chain';
import type { RpcClient } from '../rpc/client.js';
import { RpcProtocolError } from '../rpc/errors.js';
import { type AccountInfo, decodeAccountInfo, systemAccountKey } from './account-info.js';

/** A header as Substrate's JSON-RPC sends it (number as hex). */
export interface RpcHeader {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

export interface RpcBlock {
  block: { header: RpcHeader; extrinsics: string[] };
}

export interface RuntimeVersion {
  specName: string;
  specVersion: number;
  transactionVersion: number;
}

export interface ChainProperties {
  ss58Format: number;
  tokenDecimals: number;
  tokenSymbol: string;
}

/** `system_properties` may give one value or a list (multi-token chains); the first is the native token. */
function first<T>(v: T | T[] | undefined): T | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The standard Substrate JSON-RPC methods the wallet uses, typed. Nothing here is BalanceAI-specific: the
 * same calls work against any Substrate node, which is the point of going through this path.
 */
export class ChainRpc {
  constructor(readonly rpc: RpcClient) {}

  get url(): string {
    return this.rpc.url;
  }

  async genesisHash(): Promise<Uint8Array> {
    const hash = await this.blockHash(0);
    if (!hash) throw new RpcProtocolError(this.url, 'chain_getBlockHash [0] returned null (no genesis block)');
    return fromHex(hash, 32);
  }

  blockHash(number: number): Promise<string | null> {
    return this.rpc.request<string | null>('chain_getBlockHash', [number]);
  }

  async runtimeVersion(): Promise<RuntimeVersion> {
    const v = await this.rpc.request<Partial<RuntimeVersion> | null>('state_getRuntimeVersion');
    if (!v || typeof v.specVersion !== 'number' || typeof v.transactionVersion !== 'number') {
      throw new RpcProtocolError(this.url, `state_getRuntimeVersion lacks specVersion/transactionVersion: ${JSON.stringify(v)}`);
    }
    return { specName: v.specName ?? '', specVersion: v.specVersion, transactionVersion: v.transactionVersion };
  }

  async properties(): Promise<ChainProperties> {
    const p = (await this.rpc.request<Record<string, unknown> | null>('system_properties')) ?? {};
    return {
      // 42 is Substrate's generic prefix, what a chain that states none uses.
      ss58Format: Number(first(p.ss58Format as number | number[] | undefined) ?? 42),
      tokenDecimals: Number(first(p.tokenDecimals as number | number[] | undefined) ?? 18),
      tokenSymbol: String(first(p.tokenSymbol as string | string[] | undefined) ?? 'BAI'),
    };
  }

  /** The next nonce to sign with, counting transactions already in the pool (not just the stored nonce). */
  async accountNextIndex(address: string): Promise<number> {
    const n = await this.rpc.request<number>('system_accountNextIndex', [address]);
    if (!Number.isSafeInteger(n) || n < 0) throw new RpcProtocolError(this.url, `system_accountNextIndex returned ${JSON.stringify(n)}`);
    return n;
  }

  finalizedHead(): Promise<string> {
    return this.rpc.request<string>('chain_getFinalizedHead');
  }

  async header(hash?: string): Promise<{ number: number; header: RpcHeader }> {
    const header = await this.rpc.request<RpcHeader | null>('chain_getHeader', hash === undefined ? [] : [hash]);
    if (!header) throw new RpcProtocolError(this.url, `chain_getHeader ${hash ?? ''} returned null`);
    return { number: headerNumber(header), header };
  }

  async block(hash: string): Promise<RpcBlock> {
    const block = await this.rpc.request<RpcBlock | null>('chain_getBlock', [hash]);
    if (!block) throw new RpcProtocolError(this.url, `chain_getBlock ${hash} returned null (unknown block)`);
    return block;
  }

  async storage(key: Uint8Array, at?: string): Promise<Uint8Array | null> {
    const value = await this.rpc.request<string | null>('state_getStorage', at === undefined ? [toHex(key)] : [toHex(key), at]);
    return value === null ? null : fromHex(value);
  }

  async account(accountId: Uint8Array, at?: string): Promise<AccountInfo> {
    return decodeAccountInfo(await this.storage(systemAccountKey(accountId), at));
  }

  async metadata(at?: string): Promise<Uint8Array> {
    return fromHex(await this.rpc.request<string>('state_getMetadata', at === undefined ? [] : [at]));
  }
}

export function headerNumber(header: RpcHeader): number {
  const n = typeof header.number === 'number' ? header.number : Number.parseInt(header.number, 16);
  if (!Number.isSafeInteger(n) || n < 0) throw new RpcProtocolError('the gateway', `header number ${JSON.stringify(header.number)}`);
  return n;
}
