// The chain over the gateway's JSON-RPC WebSocket (`ws(s)://<this host>/`) with @polkadot/api. This module
// is loaded lazily (dynamic import) so the first page paints before the client and its crypto arrive.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { ISubmittableResult, Signer } from '@polkadot/types/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export type { ApiPromise, KeyringPair, Signer };

let apiPromise: Promise<ApiPromise> | undefined;

export function rpcUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
}

/** One client for the whole app; reconnects by itself (WsProvider retries every 2 s). */
export function api(onState?: (state: 'connected' | 'disconnected' | 'error') => void): Promise<ApiPromise> {
  if (!apiPromise) {
    apiPromise = (async () => {
      await cryptoWaitReady();
      const provider = new WsProvider(rpcUrl(), 2_000);
      const a = new ApiPromise({ provider, noInitWarn: true });
      a.on('connected', () => onState?.('connected'));
      a.on('disconnected', () => onState?.('disconnected'));
      a.on('error', () => onState?.('error'));
      await a.isReady;
      onState?.('connected');
      return a;
    })();
  }
  return apiPromise;
}

export type TxStage = 'signing' | 'ready' | 'inBlock' | 'finalized';

export interface TxProgress {
  stage: TxStage | 'error';
  text: string;
  hash?: string;
  blockHash?: string;
}

/** A dispatch error or a pool refusal in words. */
export function explainDispatchError(a: ApiPromise, err: unknown): string {
  const e = err as { isModule?: boolean; asModule?: unknown; toString(): string; isBadOrigin?: boolean };
  if (e?.isModule) {
    try {
      const meta = a.registry.findMetaError(e.asModule as Parameters<typeof a.registry.findMetaError>[0]);
      const docs = meta.docs.join(' ').trim();
      // InsufficientBalance → "insufficient balance"; the pallet's docs when it has them.
      const words = meta.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
      return `${words} (${meta.section}.${meta.name})${docs ? `: ${docs}` : ''}`;
    } catch {
      /* fall through */
    }
  }
  if (e?.isBadOrigin) return 'Bad origin: this account may not make that call.';
  return String(e);
}

/** RPC refusals (invalid transaction, low balance for the fee, bad nonce) as sentences. */
export function explainRpcError(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  if (/1010/.test(m) && /Inability to pay some fees|Payment/i.test(m)) return 'The account cannot pay the fee: its free balance is too low.';
  if (/1010/.test(m) && /Stale|Outdated/i.test(m)) return 'The transaction is outdated (its nonce was used already). Try again.';
  if (/1010/.test(m)) return `The node refused the transaction as invalid: ${m.replace(/^.*1010:\s*/, '')}`;
  if (/1014|Priority is too low/i.test(m)) return 'A transaction with the same nonce is already waiting. Wait for it, then try again.';
  if (/Cancelled|user rejected|Rejected by user/i.test(m)) return 'Signing was cancelled.';
  if (/Unable to decode using the supplied passphrase|password/i.test(m)) return 'Wrong password for this account.';
  return m;
}

/**
 * Signs and submits, reporting ready → in block → finalized (or the error in words). Resolves at
 * finalization with the events; rejects with a message people can read.
 */
export function submit(
  a: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  account: KeyringPair | { address: string; signer: Signer },
  onProgress: (p: TxProgress) => void,
): Promise<{ hash: string; blockHash: string; events: string[] }> {
  return new Promise((resolve, reject) => {
    const fail = (text: string) => {
      onProgress({ stage: 'error', text });
      reject(new Error(text));
    };
    let unsub: (() => void) | undefined;
    const cb = (r: ISubmittableResult) => {
      const hash = r.txHash.toHex();
      const s = r.status;
      if (s.isReady || s.isFuture) onProgress({ stage: 'ready', text: 'Ready: accepted by the node, waiting for a block', hash });
      else if (s.isBroadcast) onProgress({ stage: 'ready', text: 'Broadcast to the validators', hash });
      else if (s.isInBlock) onProgress({ stage: 'inBlock', text: `In block ${s.asInBlock.toHex().slice(0, 10)}…`, hash, blockHash: s.asInBlock.toHex() });
      else if (s.isFinalized) {
        const failed = r.dispatchError ? explainDispatchError(a, r.dispatchError) : undefined;
        unsub?.();
        if (failed) {
          fail(`Included in a finalized block but failed: ${failed}`);
          return;
        }
        onProgress({ stage: 'finalized', text: `Finalized in block ${s.asFinalized.toHex().slice(0, 10)}…`, hash, blockHash: s.asFinalized.toHex() });
        resolve({ hash, blockHash: s.asFinalized.toHex(), events: r.events.map(({ event }) => `${event.section}.${event.method}`) });
      } else if (s.isInvalid) fail('The node dropped the transaction as invalid.');
      else if (s.isDropped) fail('The transaction was dropped before it reached a block. Try again.');
      else if (s.isUsurped) fail('Another transaction with the same nonce replaced this one.');
      else if (s.isRetracted) onProgress({ stage: 'ready', text: 'The block was retracted; waiting for another', hash });
    };
    onProgress({ stage: 'signing', text: 'Signing…' });
    const sending = 'signer' in account ? tx.signAndSend(account.address, { signer: account.signer }, cb) : tx.signAndSend(account, cb);
    sending.then((u) => (unsub = u)).catch((err: unknown) => fail(explainRpcError(err)));
  });
}
