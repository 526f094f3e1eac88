import { BAI_DECIMALS, type Call, type KeyPair, blake2_256, fromHex, ss58Encode, storagePrefix, toHex } from '@balanceai/chain';
import { decodeEvents, eventsOfExtrinsic, extrinsicOutcome, type ChainEvent } from '../metadata/events.js';
import { parseMetadata } from '../metadata/portable.js';
import { RpcTimeoutError } from '../rpc/errors.js';
import { type ChainRpc, headerNumber } from './chain.js';
import { type SigningInputs, TX_MORTALITY_BLOCKS, signCall } from './sign.js';

/** The chain's decimals differ from the CLI's: amounts typed in BAI would mean something else there. */
export class ChainMismatchError extends Error {
  readonly code = 'CHAIN_MISMATCH';
}

/** The transaction left the pool without being finalized (dropped, invalid, usurped, finality timeout). */
export class TransactionNotFinalizedError extends Error {
  readonly code = 'NOT_FINALIZED';
}

/** Finalized, but the call failed (System.ExtrinsicFailed): the fee is paid, the call had no effect. */
export class ExtrinsicFailedError extends Error {
  readonly code = 'EXTRINSIC_FAILED';
}

/** Reads what a signature needs: genesis, runtime versions, the signer's next nonce and a finalized birth block. */
export async function signingContext(chain: ChainRpc, signer: Uint8Array, tip: bigint): Promise<SigningInputs & { address: string; ss58Format: number }> {
  const [genesisHash, runtime, props, finalized] = await Promise.all([chain.genesisHash(), chain.runtimeVersion(), chain.properties(), chain.finalizedHead()]);
  if (props.tokenDecimals !== BAI_DECIMALS) {
    throw new ChainMismatchError(`the chain at ${chain.url} counts ${props.tokenSymbol} in ${props.tokenDecimals} decimals; this CLI's amounts are BAI (${BAI_DECIMALS})`);
  }
  const address = ss58Encode(signer, props.ss58Format);
  const [nonce, head] = await Promise.all([chain.accountNextIndex(address), chain.header(finalized)]);
  return {
    address,
    ss58Format: props.ss58Format,
    nonce,
    tip,
    birth: { number: head.number, hash: fromHex(finalized, 32) },
    runtime: { specVersion: runtime.specVersion, transactionVersion: runtime.transactionVersion, genesisHash },
  };
}

/** author_extrinsicUpdate results (sc-transaction-pool-api TransactionStatus, serde names). */
type TxStatus =
  | 'future'
  | 'ready'
  | 'dropped'
  | 'invalid'
  | { broadcast: string[] }
  | { inBlock: string }
  | { retracted: string }
  | { finalityTimeout: string }
  | { finalized: string }
  | { usurped: string };

export interface Finalized {
  hash: string;
  blockHash: string;
  blockNumber: number;
  /** Position in the block; undefined only if the block does not list our bytes (should not happen). */
  index?: number;
  events?: ChainEvent[];
  /** Why the events could not be read, when they could not. */
  eventsNote?: string;
}

/**
 * Submits with author_submitAndWatchExtrinsic and follows author_extrinsicUpdate to `finalized`, printing each
 * status; a refusal at submission is the RPC error (1010 Invalid Transaction with its reason).
 */
export async function submitAndWatch(chain: ChainRpc, xt: Uint8Array, opts: { print(line: string): void; timeoutMs: number }): Promise<Finalized> {
  const xtHex = toHex(xt);
  const sub = await chain.rpc.subscribe<TxStatus>('author_submitAndWatchExtrinsic', [xtHex], 'author_unwatchExtrinsic');
  const deadline = Date.now() + opts.timeoutMs;
  const timeout = () => new RpcTimeoutError(chain.url, 'author_submitAndWatchExtrinsic (until finalized)', opts.timeoutMs);
  let blockHash: string;
  try {
    for (;;) {
      const status = await sub.next(Math.max(1, deadline - Date.now()), timeout);
      if (typeof status === 'string') {
        if (status === 'dropped') throw new TransactionNotFinalizedError('the transaction was dropped from the pool (pool full or replaced)');
        if (status === 'invalid') throw new TransactionNotFinalizedError('the transaction became invalid in the pool (nonce used, era expired or funds gone)');
        opts.print(`  ${status}`);
        continue;
      }
      if ('finalized' in status) {
        blockHash = status.finalized;
        break;
      }
      if ('usurped' in status) throw new TransactionNotFinalizedError(`another transaction with the same nonce replaced it (${status.usurped})`);
      if ('finalityTimeout' in status) throw new TransactionNotFinalizedError(`in block ${status.finalityTimeout}, which was not finalized in time`);
      if ('inBlock' in status) opts.print(`  in block ${status.inBlock}`);
      else if ('retracted' in status) opts.print(`  retracted from ${status.retracted}`);
    }
  } finally {
    void sub.close();
  }
  return readOutcome(chain, xt, blockHash);
}

/** Finds our extrinsic in its block and reads its events there (best effort: the block is final either way). */
async function readOutcome(chain: ChainRpc, xt: Uint8Array, blockHash: string): Promise<Finalized> {
  const xtHex = toHex(xt);
  const { block } = await chain.block(blockHash);
  const found = block.extrinsics.findIndex((x) => x.toLowerCase() === xtHex);
  const out: Finalized = { hash: toHex(blake2_256(xt)), blockHash, blockNumber: headerNumber(block.header), index: found < 0 ? undefined : found };
  if (out.index === undefined) return { ...out, eventsNote: 'the extrinsic is not in the block the gateway reported' };
  try {
    const [metadata, events] = await Promise.all([chain.metadata(blockHash), chain.storage(storagePrefix('System', 'Events'), blockHash)]);
    const meta = parseMetadata(metadata);
    const mine = eventsOfExtrinsic(decodeEvents(meta, events ?? Uint8Array.of(0)), out.index);
    const outcome = extrinsicOutcome(meta, mine);
    if (outcome && !outcome.ok) throw new ExtrinsicFailedError(`finalized in #${out.blockNumber} (${blockHash}) but failed: ${outcome.error}`);
    return { ...out, events: mine };
  } catch (err) {
    if (err instanceof ExtrinsicFailedError) throw err;
    return { ...out, eventsNote: `events not read: ${(err as Error).message}` };
  }
}

/** One signed call, from context to finalized outcome, with the lines a user follows along. */
export async function sendCall(
  chain: ChainRpc,
  pair: KeyPair,
  call: { label: string; call: Call },
  opts: { tip: bigint; timeoutMs: number; print(line: string): void },
): Promise<Finalized> {
  const ctx = await signingContext(chain, pair.publicKey, opts.tip);
  const xt = signCall(pair, call.call, ctx);
  opts.print(`${call.label} from ${ctx.address} (nonce ${ctx.nonce}, valid ${TX_MORTALITY_BLOCKS} blocks from #${ctx.birth.number})`);
  opts.print(`submitting ${toHex(blake2_256(xt))} to ${chain.url}`);
  const done = await submitAndWatch(chain, xt, opts);
  const where = `#${done.blockNumber} ${done.blockHash}${done.index === undefined ? '' : ` (extrinsic ${done.index})`}`;
  opts.print(`  finalized in ${where}`);
  if (done.events) opts.print(`  events: ${done.events.map((e) => `${e.pallet}.${e.name}`).join(', ') || '(none)'}`);
  else if (done.eventsNote) opts.print(`  ${done.eventsNote}`);
  opts.print('ok');
  return done;
}
