import { BALANCES_PALLET, SYSTEM_PALLET, ScaleWriter, buildMetadata, storagePrefix, toHex } from '@balanceai/chain';
import { RpcClient } from '../rpc/client.js';
import { type AccountInfo, EMPTY_ACCOUNT, systemAccountKey } from '../wallet/account-info.js';
import type { WalletEnv } from '../wallet/env.js';
import { FakeTransport, type Handler } from './fake-transport.js';

/** Block hashes that say their number: 0x0000…00nn. */
export const hashOf = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;
export const GENESIS = hashOf(0);

function encodeAccount(a: AccountInfo): string {
  return toHex(new ScaleWriter().u32(a.nonce).u32(a.consumers).u32(a.providers).u32(a.sufficients).u128(a.free).u128(a.reserved).u128(a.frozen).u128(a.flags).finish());
}

/** System.Events of a block whose extrinsic `index` ended in ExtrinsicSuccess, or ExtrinsicFailed(Balances error `failWith`). */
function encodeOutcome(index: number, failWith?: number): string {
  const w = new ScaleWriter().compact(1).u8(0).u32(index).u8(0);
  if (failWith === undefined) w.u8(0);
  else w.u8(1).u8(3).u8(5).raw(Uint8Array.of(failWith, 0, 0, 0));
  return toHex(w.compact(1_000).compact(0).u8(0).u8(0).u8(0).finish());
}

/**
 * A chain behind a fake JSON-RPC endpoint, enough for the wallet commands: blocks 0..finalized with
 * hashes from hashOf, System.Account per block, and a pool that puts a submitted extrinsic at index 1 of
 * the next block and reports ready → inBlock → finalized (or what `submitOutcome` says).
 */
export class FakeChain {
  finalized = 100;
  nonce = 7;
  tokenDecimals = 18;
  /** Extrinsics per block (index 0 is someone else's, so "ours" is not trivially first). */
  readonly blocks = new Map<number, string[]>();
  readonly accounts = new Map<string, Map<number, AccountInfo>>();
  readonly submitted: string[] = [];
  /** What author_submitAndWatchExtrinsic does: statuses to send, or a handler override. */
  submitStatuses: (blockHash: string) => unknown[] = (h) => ['ready', { inBlock: h }, { finalized: h }];
  failWith?: number;
  readonly transport: FakeTransport;
  readonly lines: string[] = [];

  constructor(extra: Record<string, Handler> = {}) {
    for (let n = 0; n <= this.finalized; n++) this.blocks.set(n, ['0x0400']);
    const header = (n: number) => ({ parentHash: hashOf(Math.max(0, n - 1)), number: `0x${n.toString(16)}`, stateRoot: hashOf(0), extrinsicsRoot: hashOf(0), digest: { logs: [] } });
    const numberOf = (hash: unknown): number => {
      const n = Number.parseInt(String(hash).slice(2), 16);
      return this.blocks.has(n) ? n : -1;
    };
    this.transport = new FakeTransport({
      chain_getBlockHash: ([n]) => (this.blocks.has(Number(n)) ? hashOf(Number(n)) : null),
      state_getRuntimeVersion: () => ({ specName: 'balanceai', implName: 'balanceai', specVersion: 3, transactionVersion: 2, apis: [], stateVersion: 1 }),
      system_properties: () => ({ ss58Format: 42, tokenDecimals: this.tokenDecimals, tokenSymbol: 'BAI' }),
      system_accountNextIndex: () => this.nonce,
      chain_getFinalizedHead: () => hashOf(this.finalized),
      chain_getHeader: ([h]) => (numberOf(h ?? hashOf(this.finalized)) < 0 ? null : header(numberOf(h ?? hashOf(this.finalized)))),
      chain_getBlock: ([h]) => (numberOf(h) < 0 ? null : { block: { header: header(numberOf(h)), extrinsics: this.blocks.get(numberOf(h)) }, justifications: null }),
      state_getMetadata: () => toHex(buildMetadata([SYSTEM_PALLET, BALANCES_PALLET])),
      state_getStorage: ([key, at]) => {
        const n = numberOf(at ?? hashOf(this.finalized));
        if (key === toHex(storagePrefix('System', 'Events'))) return n === this.finalized && this.submitted.length > 0 ? encodeOutcome(1, this.failWith) : '0x00';
        for (const [id, history] of this.accounts) {
          if (key !== toHex(systemAccountKey(Uint8Array.from(Buffer.from(id.slice(2), 'hex'))))) continue;
          const at_ = [...history.keys()].filter((b) => b <= n).sort((a, b) => b - a)[0];
          return at_ === undefined ? null : encodeAccount(history.get(at_)!);
        }
        return null;
      },
      author_submitAndWatchExtrinsic: ([xt], node) => {
        this.submitted.push(String(xt));
        this.finalized++;
        this.blocks.set(this.finalized, ['0x0400', String(xt)]);
        for (const s of this.submitStatuses(hashOf(this.finalized))) node.notify('author_extrinsicUpdate', 'tx-1', s);
        return 'tx-1';
      },
      author_unwatchExtrinsic: () => true,
      ...extra,
    });
  }

  /** The account's AccountInfo from block `from` on. */
  setAccount(id: Uint8Array, from: number, info: Partial<AccountInfo>): void {
    const key = toHex(id);
    if (!this.accounts.has(key)) this.accounts.set(key, new Map());
    this.accounts.get(key)!.set(from, { ...EMPTY_ACCOUNT, ...info });
  }

  env(): WalletEnv {
    return { connect: async (url) => new RpcClient(this.transport, url), print: (line) => this.lines.push(line) };
  }
}
