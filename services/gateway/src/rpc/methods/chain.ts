import type { consensusV1 } from '@balanceai/contracts';
import { fromHex } from '@balanceai/chain';
import type { ChainData } from '../chain-data.js';
import type { RpcDeps } from '../deps.js';
import { internalError, invalidParams } from '../errors.js';
import type { FinalizedHeads } from '../finalized-heads.js';
import { headOf } from '../finalized-heads.js';
import { optionalHash } from '../params.js';
import type { RpcModule, SubscribeHandler } from '../registry.js';
import { decodeHeader, parseBlockNumber, type HeaderJson } from '../substrate-json.js';

/** Numbers in one `chain_getBlockHash` list: each is a validator read, and one call costs one token. */
export const MAX_BLOCK_HASH_LIST = 256;

/** The consensus engine id of a block's justification (services/consensus block.ts ENGINE_JUSTIFICATION, "BFT1"). */
export const JUSTIFICATION_ENGINE = [0x42, 0x46, 0x54, 0x31] as const;

/** `chain_getBlock`'s answer: sp_runtime::generic::SignedBlock as Substrate serialises it. */
export interface SignedBlockJson {
  block: { header: HeaderJson; extrinsics: string[] };
  /** Justifications(Vec<(ConsensusEngineId, EncodedJustification)>): serde writes both byte arrays as number arrays. */
  justifications: Array<[number[], number[]]> | null;
}

export function signedBlockJson(block: consensusV1.GetBlockResponse): SignedBlockJson {
  const extrinsics = block.extrinsics.map((x) => {
    // Without the bytes a client cannot decode or re-hash the block: fail loudly, never send a partial block.
    if (!x.data || x.data === '0x') throw internalError(`the validator did not return the bytes of extrinsic ${x.index} of block ${block.number}`);
    return x.data;
  });
  const justification = block.justification && block.justification !== '0x' ? [...fromHex(block.justification)] : undefined;
  return {
    block: { header: decodeHeader(block.header).json, extrinsics },
    justifications: justification ? [[[...JUSTIFICATION_ENGINE], justification]] : null,
  };
}

/** The block a hash param names, or the finalized head when there is none. Undefined: not a block we know. */
async function blockAt(chain: ChainData, hashParam: unknown): Promise<consensusV1.GetBlockResponse | undefined> {
  const hash = optionalHash(hashParam) ?? (await chain.status()).finalizedHash;
  return chain.block({ hash });
}

/**
 * Head subscriptions. Our blocks are final when they appear (BFT finality, no forks), so new, finalized
 * and all heads are one stream: each finalized header once, in order. The first notification is the
 * current head, as Substrate sends it.
 */
function headsSubscription(heads: FinalizedHeads): SubscribeHandler {
  return (_params, sink) => {
    const latest = heads.latest;
    if (latest) sink.sendJson(latest.headerJson);
    // No head yet (the gateway just started): current() publishes the validator's head to every
    // listener, this one included once it is registered below.
    else void heads.current().catch(() => undefined);
    return heads.subscribe((head) => sink.sendJson(head.headerJson));
  };
}

/** `chain_*`: block hashes, headers, blocks and head subscriptions. */
export function chainModule(deps: RpcDeps): RpcModule {
  const { chain, heads } = deps;
  const hashOfNumber = async (value: unknown): Promise<string | null> => {
    if (value === undefined || value === null) return (await chain.status()).finalizedHash;
    const number = parseBlockNumber(value);
    if (number === undefined) throw invalidParams('a block number is a non-negative integer or 0x hex');
    // Block 0 is asked by every client on connect: cached for good.
    if (number === 0) return chain.genesisHash();
    return (await chain.block({ number }))?.hash ?? null;
  };
  return {
    name: 'chain',
    register(registry) {
      registry
        .method(
          'chain_getBlockHash',
          // ListOrValue<NumberOrHex>: one number, a list of them, or none for the head.
          ([value]) => {
            if (!Array.isArray(value)) return hashOfNumber(value);
            if (value.length > MAX_BLOCK_HASH_LIST) throw invalidParams(`at most ${MAX_BLOCK_HASH_LIST} block numbers per call`);
            return Promise.all(value.map(hashOfNumber));
          },
          { aliases: ['chain_getHead'], paramNames: ['hash'] },
        )
        .method('chain_getFinalizedHead', async () => (await chain.status()).finalizedHash, { aliases: ['chain_getFinalisedHead'] })
        .method(
          'chain_getHeader',
          async ([hash]) => {
            const block = await blockAt(chain, hash);
            return block ? headOf(block).header : null;
          },
          { paramNames: ['hash'] },
        )
        .method(
          'chain_getBlock',
          async ([hash]) => {
            const block = await blockAt(chain, hash);
            return block ? signedBlockJson(block) : null;
          },
          { paramNames: ['hash'] },
        )
        .subscription({
          subscribe: 'chain_subscribeNewHeads',
          subscribeAliases: ['chain_subscribeNewHead', 'subscribe_newHead'],
          unsubscribe: 'chain_unsubscribeNewHeads',
          unsubscribeAliases: ['chain_unsubscribeNewHead', 'unsubscribe_newHead'],
          notification: 'chain_newHead',
          handler: headsSubscription(heads),
        })
        .subscription({
          subscribe: 'chain_subscribeFinalizedHeads',
          subscribeAliases: ['chain_subscribeFinalisedHeads'],
          unsubscribe: 'chain_unsubscribeFinalizedHeads',
          unsubscribeAliases: ['chain_unsubscribeFinalisedHeads'],
          notification: 'chain_finalizedHead',
          handler: headsSubscription(heads),
        })
        .subscription({
          subscribe: 'chain_subscribeAllHeads',
          unsubscribe: 'chain_unsubscribeAllHeads',
          notification: 'chain_allHead',
          handler: headsSubscription(heads),
        });
    },
  };
}
