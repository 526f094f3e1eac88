// Live chain state shared by the pages: heads from @polkadot/api subscriptions over the gateway's
// WebSocket (new and finalized), blocks' contents from REST, and a status refresh every few blocks.
import { get } from './util.js';

export interface BlockJson {
  number: number;
  hash: string;
  parentHash: string;
  stateRoot: string;
  extrinsicsRoot: string;
  timeMs: number;
  proposerIndex: number;
  round: number;
  commitSigners: number[];
  extrinsics: Array<{ index: number; hash: string; signer: string; nonce: number; call: string; args: unknown; success: boolean; errorCode: string | null; fee: string }>;
  events: Array<{ module: string; name: string; data: Record<string, unknown> }>;
}

export interface StatusJson {
  chain: string;
  chainId: string;
  genesisHash: string;
  finalized: { height: number; hash: string; timeMs: number };
  consensus: { height: number; round: number };
  validators: Array<{ index: number; consensusKey: string; stash: string; online: boolean; lastSeenHeight: number }>;
  validatorsOnline: number;
  mempoolSize: number;
  totalIssuance: string;
  syncing: boolean;
}

export interface ErasJson {
  eras: Array<{ era: number; startHeight: string; endHeight: string; validatorCount: number; totalStake: string; totalPoints: string; reward: string; paid: string; paidOut: boolean; slashes: number; slashed: string }>;
  height: string;
  currentEra: number;
  eraLength: string;
  currentEraStartHeight: string;
  historyDepth: number;
}

const KEEP_BLOCKS = 240;

export const state = {
  status: undefined as StatusJson | undefined,
  eras: undefined as ErasJson | undefined,
  best: 0,
  finalized: 0,
  /** Finalized blocks by number, the last KEEP_BLOCKS. */
  blocks: new Map<number, BlockJson>(),
  rpc: 'connecting' as 'connecting' | 'connected' | 'disconnected' | 'error',
};

type Listener = () => void;
const listeners = new Set<Listener>();
export function onUpdate(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
let scheduled = false;
function emit(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const fn of [...listeners]) {
      try {
        fn();
      } catch (err) {
        console.error(err);
      }
    }
  });
}

export async function refreshStatus(): Promise<void> {
  const eras = get<ErasJson>('/v1/staking/eras').then(
    (e) => (state.eras = e),
    () => (state.eras = undefined),
  );
  try {
    state.status = await get<StatusJson>('/v1/status');
    state.finalized = Math.max(state.finalized, state.status.finalized.height);
    state.best = Math.max(state.best, state.status.consensus.height - 1, state.finalized);
    emit();
  } catch {
    /* the connection badge tells */
  }
  await eras;
  emit();
}

const fetching = new Set<number>();
async function loadBlock(n: number): Promise<void> {
  if (state.blocks.has(n) || fetching.has(n) || n < 1) return;
  fetching.add(n);
  try {
    state.blocks.set(n, await get<BlockJson>(`/v1/blocks/${n}`));
    const old = [...state.blocks.keys()].sort((a, b) => a - b);
    while (old.length > KEEP_BLOCKS) state.blocks.delete(old.shift()!);
    emit();
  } catch {
    /* a later head retries */
  } finally {
    fetching.delete(n);
  }
}

/** Loads the blocks up to the finalized head that are missing (at most `depth` back). */
export async function backfill(depth: number): Promise<void> {
  const top = state.finalized;
  const want: number[] = [];
  for (let n = top; n > Math.max(0, top - depth); n--) if (!state.blocks.has(n)) want.push(n);
  for (let i = 0; i < want.length; i += 8) await Promise.all(want.slice(i, i + 8).map(loadBlock));
}

let started = false;
/** Starts the subscriptions (once). */
export async function startLive(onConn: (s: typeof state.rpc) => void): Promise<void> {
  if (started) return;
  started = true;
  const { api } = await import('./chain.js');
  const a = await api((s) => {
    state.rpc = s;
    onConn(s);
    emit();
  });
  let sinceStatus = 0;
  await a.rpc.chain.subscribeNewHeads((head) => {
    state.best = Math.max(state.best, head.number.toNumber());
    emit();
  });
  await a.rpc.chain.subscribeFinalizedHeads((head) => {
    const n = head.number.toNumber();
    const prev = state.finalized;
    state.finalized = Math.max(prev, n);
    state.best = Math.max(state.best, n);
    void backfill(Math.min(30, Math.max(1, n - prev)));
    if (++sinceStatus >= 3) {
      sinceStatus = 0;
      void refreshStatus();
    }
    emit();
  });
}

/** Finalized blocks, oldest first. */
export function sortedBlocks(): BlockJson[] {
  return [...state.blocks.values()].sort((a, b) => a.number - b.number);
}

export const isTransfer = (call: string): boolean => /^balances\.transfer/i.test(call) || /Balances.*transfer/i.test(call);
