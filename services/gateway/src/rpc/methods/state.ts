import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import type { RpcDeps } from '../deps.js';
import { invalidParams, RpcCode, RpcError } from '../errors.js';
import { countParam, hexParam, keyListParam, optionalHash, stringParam } from '../params.js';
import type { RpcModule } from '../registry.js';
import { CODE_KEY, GatewaySpecV2Chain } from '../spec-v2/index.js';
import { StorageWatch } from '../storage-watch.js';

/** Substrate's cap on `state_getKeysPaged` (sc-rpc state STORAGE_KEYS_PAGED_MAX_COUNT). */
export const MAX_KEYS_PAGED = 1000;

/**
 * Storage keys one connection may watch over all its `state_subscribeStorage` subscriptions. Each is
 * read on every block for as long as it is watched: without a bound one client could make every block
 * cost the validators millions of reads. Wallets watch a few keys per account.
 */
export const MAX_WATCHED_KEYS_PER_CONNECTION = 10_000;

const WATCHED_KEYS = Symbol('watched storage keys');

/**
 * `state_*`: storage, runtime calls, metadata and runtime version, read at the finalized head or at a
 * recent block hash (the validators keep the state of the last 256 blocks; older ones answer 4003).
 */
export function stateModule(deps: RpcDeps): RpcModule {
  const { chain, heads } = deps;
  const storage = new StorageWatch(heads, chain, deps.warn);
  /** `:code` as the new API serves it (no wasm here: a stand-in whose hash changes exactly with the runtime). */
  const runtimeCode = new GatewaySpecV2Chain(chain, heads);
  /** The value under one key, or null. */
  const value = async (keyParam: unknown, atParam: unknown): Promise<string | null> => {
    const key = hexParam(keyParam, 'key');
    // polkadot-api on the legacy methods keys its runtimes by the hash of `:code`: null there would break it.
    if (key.toLowerCase() === CODE_KEY) return (await runtimeCode.storage(optionalHash(atParam) ?? (await heads.current()).hash, [CODE_KEY]))[0]!;
    const read = await chain.readStorage([key], optionalHash(atParam));
    const entry = read.entries[0];
    return entry?.present ? entry.value : null;
  };
  return {
    name: 'state',
    register(registry) {
      registry
        .method('state_getStorage', ([key, at]) => value(key, at), { aliases: ['state_getStorageAt'], paramNames: ['key', 'hash'] })
        .method(
          'state_getStorageHash',
          async ([key, at]) => {
            const v = await value(key, at);
            return v === null ? null : toHex(blake2_256(fromHex(v)));
          },
          { aliases: ['state_getStorageHashAt'], paramNames: ['key', 'hash'] },
        )
        .method(
          'state_getStorageSize',
          async ([key, at]) => {
            const v = await value(key, at);
            return v === null ? null : (v.length - 2) / 2;
          },
          { aliases: ['state_getStorageSizeAt'], paramNames: ['key', 'hash'] },
        )
        .method(
          'state_queryStorageAt',
          async ([keys, at]) => {
            const read = await chain.readStorage(keyListParam(keys), optionalHash(at));
            return [{ block: read.at, changes: read.entries.map((e) => [e.key, e.present ? e.value : null]) }];
          },
          { paramNames: ['keys', 'at'] },
        )
        .method(
          'state_getKeysPaged',
          async ([prefix, count, startKey, at]) => {
            if (typeof count === 'number' && Number.isInteger(count) && count > MAX_KEYS_PAGED) {
              throw new RpcError(RpcCode.STATE_INVALID_COUNT, `count exceeds maximum value. value: ${count}, max: ${MAX_KEYS_PAGED}`);
            }
            const read = await chain.storageKeys(
              prefix === undefined || prefix === null ? '0x' : hexParam(prefix, 'prefix'),
              countParam(count, 'count', MAX_KEYS_PAGED),
              startKey === undefined || startKey === null ? '' : hexParam(startKey, 'startKey'),
              optionalHash(at),
            );
            return read.keys;
          },
          { aliases: ['state_getKeysPagedAt'], paramNames: ['prefix', 'count', 'startKey', 'hash'] },
        )
        .method(
          'state_call',
          async ([method, data, at]) =>
            (await chain.runtimeCall(stringParam(method, 'method'), hexParam(data ?? '0x', 'data'), optionalHash(at))).result,
          { aliases: ['state_callAt'], paramNames: ['name', 'bytes', 'hash'] },
        )
        .method(
          'state_getMetadata',
          async ([at]) => {
            const hash = optionalHash(at);
            if (hash) await chain.requireBlock(hash);
            // One runtime for every recent block (see ChainData): the V14 metadata clients decode by default.
            return (await chain.runtime()).metadata;
          },
          { paramNames: ['hash'] },
        )
        .method(
          'state_getRuntimeVersion',
          async ([at]) => {
            const hash = optionalHash(at);
            return hash ? (await chain.runtimeVersionAt(hash)) : chain.runtimeVersion();
          },
          { aliases: ['chain_getRuntimeVersion'], paramNames: ['hash'] },
        )
        .subscription({
          subscribe: 'state_subscribeRuntimeVersion',
          subscribeAliases: ['chain_subscribeRuntimeVersion'],
          unsubscribe: 'state_unsubscribeRuntimeVersion',
          unsubscribeAliases: ['chain_unsubscribeRuntimeVersion'],
          notification: 'state_runtimeVersion',
          handler: async (_params, sink) => {
            let last = JSON.stringify(await chain.runtimeVersion());
            sink.sendJson(last);
            // Only a block announcing a new runtime (RuntimeEnvironmentUpdated) can change it.
            return heads.subscribe((head) => {
              if (!head.runtimeUpdated) return;
              chain.runtimeVersion().then(
                (version) => {
                  const json = JSON.stringify(version);
                  if (json === last) return;
                  last = json;
                  sink.sendJson(json);
                },
                (err: unknown) => deps.warn?.(`runtime version after #${head.number}: ${err instanceof Error ? err.message : String(err)}`),
              );
            });
          },
        })
        .subscription({
          subscribe: 'state_subscribeStorage',
          unsubscribe: 'state_unsubscribeStorage',
          notification: 'state_storage',
          paramNames: ['keys'],
          handler: ([keys], sink, { session }) => {
            // Substrate without keys streams every change of the whole state; we serve named keys only.
            if (keys === undefined || keys === null) throw invalidParams('list the storage keys to watch');
            const list = keyListParam(keys);
            const watched = session.local(WATCHED_KEYS, () => ({ count: 0 }));
            if (watched.count + list.length > MAX_WATCHED_KEYS_PER_CONNECTION) {
              throw invalidParams(`a connection may watch at most ${MAX_WATCHED_KEYS_PER_CONNECTION} storage keys`);
            }
            watched.count += list.length;
            const stop = storage.watch(list, sink);
            return () => {
              watched.count -= list.length;
              stop();
            };
          },
        });
    },
  };
}
