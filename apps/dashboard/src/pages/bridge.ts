// Bridge: the Interlink bridge's BalanceAI end — relayer set and threshold, escrow, totals locked / released /
// refunded, what is left of the 24 h release limit, and a lookup of one lock id or burn id with its status
// (REST /v1/bridge, /v1/bridge/locks/{id}, /v1/bridge/burns/{id}). A chain without the Bridge pallet answers
// 404 BRIDGE_NOT_ENABLED: "Not yet on this network".
import { onUpdate } from '../live.js';
import { ApiError, errText, fill, fmtBai, fmtDuration, get, h, kpi, setText, table, type Child } from '../util.js';

interface BridgeOverview {
  at: string;
  height: string;
  relayers: string[];
  threshold: number;
  escrow: string;
  totals: { locked: string; released: string; refunded: string };
  releaseLimit: { limit: string; windowBlocks: number; left: string | null; queue: string[] };
  lockTtlSecs: string;
  minLock: string;
  openLocks: number;
  locks: string;
}
interface LockView {
  lockId: string;
  status: string;
  nonce: string;
  owner: string;
  ethRecipient: string;
  amount: string;
  deadline: string;
  lockedAt: string;
  finalAt: string | null;
  mintAttestations: string[];
  refundAttestations: string[];
  threshold: number;
}
interface BurnView {
  burnId: string;
  status: string;
  recipient: string | null;
  amount: string | null;
  statusAt: string | null;
  attestations: Array<{ relayer: string; recipient: string; amount: string }>;
  threshold: number;
}

const mono = (x: string): HTMLElement => h('span', { class: 'mono', style: 'overflow-wrap:anywhere' }, x);
const kv = (rows: Array<[string, Child]>): HTMLElement => h('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

/** Looks a 32-byte id up as a lock, then as a burn; the answer in words. */
async function lookup(id: string, out: HTMLElement): Promise<void> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(id)) return fill(out, h('p', { class: 'error' }, 'A lock id or burn id is 32 bytes of hex: 0x and 64 hex digits.'));
  fill(out, h('p', { class: 'muted' }, 'Looking it up…'));
  try {
    const l = await get<LockView>(`/v1/bridge/locks/${id}`);
    return fill(
      out,
      h('h3', {}, 'Lock ', h('span', { id: 'b-found-status', class: l.status === 'minted' ? 'ok' : l.status === 'refunded' ? 'warn' : '' }, l.status)),
      kv([
        ['Lock id', mono(l.lockId)],
        ['Amount', fmtBai(l.amount)],
        ['Owner', mono(l.owner)],
        ['Ethereum recipient', mono(l.ethRecipient)],
        ['Nonce', l.nonce],
        ['Locked at block', l.lockedAt],
        ['Mint deadline', new Date(Number(l.deadline) * 1000).toISOString().replace('.000Z', 'Z')],
        ['Final at block', l.finalAt ?? '–'],
        ['Minted reports', `${l.mintAttestations.length} of ${l.threshold} needed`],
        ['Refund attestations', `${l.refundAttestations.length} of ${l.threshold} needed`],
      ]),
    );
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'LOCK_NOT_FOUND')) return fill(out, h('p', { class: 'error' }, errText(err)));
  }
  try {
    const b = await get<BurnView>(`/v1/bridge/burns/${id}`);
    return fill(
      out,
      h('h3', {}, 'Burn ', h('span', { id: 'b-found-status', class: b.status === 'released' ? 'ok' : '' }, b.status)),
      kv([
        ['Burn id', mono(b.burnId)],
        ['Recipient', b.recipient ? mono(b.recipient) : 'not agreed yet'],
        ['Amount', b.amount ? fmtBai(b.amount) : 'not agreed yet'],
        ['At block', b.statusAt ?? '–'],
        ['Attestations', `${b.attestations.length} (threshold ${b.threshold})`],
      ]),
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 'BURN_NOT_FOUND') return fill(out, h('p', { class: 'error' }, 'No lock and no attested burn has this id (a burn is known here once a relayer attested it).'));
    return fill(out, h('p', { class: 'error' }, errText(err)));
  }
}

export async function bridgePage(main: HTMLElement, arg: string): Promise<() => void> {
  fill(main, h('h1', {}, 'Bridge'), h('p', {}, 'Loading…'));
  let v: BridgeOverview;
  try {
    v = await get<BridgeOverview>('/v1/bridge');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) fill(main, h('h1', {}, 'Bridge'), h('p', { class: 'notice' }, 'Not yet on this network. Bridge transfers and totals appear here once the Ethereum bridge module runs on this network.'));
    else fill(main, h('h1', {}, 'Bridge'), h('p', { class: 'error' }, `The bridge does not answer: ${errText(err)}`));
    return () => undefined;
  }
  const relayers = h('div', { id: 'b-relayers' });
  const out = h('div', { id: 'b-lookup-out', 'aria-live': 'polite' });
  const input = h('input', { id: 'b-id', name: 'id', autocomplete: 'off', spellcheck: 'false', placeholder: '0x…', class: 'mono' });
  const form = h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        const id = input.value.trim();
        if (location.hash !== `#/bridge/${id}`) history.replaceState(null, '', `#/bridge/${id}`);
        void lookup(id, out);
      },
    },
    h('label', { for: 'b-id' }, 'Lock id or burn id'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit', id: 'b-go' }, 'Look up')),
  );
  fill(
    main,
    h('h1', {}, 'Bridge'),
    h('p', {}, 'BAI locked here is minted as wBAI on Ethereum once the relayers sign; wBAI burned there is released here once they attest it.'),
    h(
      'div',
      { class: 'grid' },
      kpi('Escrow', 'b-escrow', 'locked − released − refunded'),
      kpi('Locked (all time)', 'b-locked'),
      kpi('Released (all time)', 'b-released'),
      kpi('Refunded (all time)', 'b-refunded'),
      kpi('24 h limit left', 'b-limit'),
      kpi('Relayers', 'b-threshold'),
    ),
    h('section', { class: 'card', 'aria-labelledby': 'bl' }, h('h2', { id: 'bl' }, 'Look up a transfer'), form, out),
    h('section', { class: 'card', 'aria-labelledby': 'br' }, h('h2', { id: 'br' }, 'Relayer set'), relayers),
  );
  const show = (v: BridgeOverview): void => {
    setText('b-escrow', fmtBai(v.escrow, 2));
    setText('b-locked', fmtBai(v.totals.locked, 2));
    setText('b-locked-sub', `${v.locks} lock${v.locks === '1' ? '' : 's'}, ${v.openLocks} open`);
    setText('b-released', fmtBai(v.totals.released, 2));
    setText('b-refunded', fmtBai(v.totals.refunded, 2));
    setText('b-limit', v.releaseLimit.left === null ? 'no limit' : fmtBai(v.releaseLimit.left, 2));
    setText('b-limit-sub', v.releaseLimit.left === null ? '' : `of ${fmtBai(v.releaseLimit.limit, 0)} per ${v.releaseLimit.windowBlocks} blocks; ${v.releaseLimit.queue.length} queued`);
    setText('b-threshold', `${v.threshold} of ${v.relayers.length}`);
    setText('b-threshold-sub', `signatures needed; min. lock ${fmtBai(v.minLock, 2)}, mint deadline ${fmtDuration(Number(v.lockTtlSecs) * 1000)}`);
    fill(relayers, table(['#', 'Relayer account'], v.relayers.map((r, i) => [String(i + 1), mono(r)]), `at block ${v.height}`));
  };
  show(v);
  if (arg) {
    input.value = arg;
    void lookup(arg, out);
  }
  // Totals follow the finalized head.
  let busy = false;
  const off = onUpdate(() => {
    if (busy) return;
    busy = true;
    get<BridgeOverview>('/v1/bridge')
      .then(show)
      .catch(() => undefined)
      .finally(() => (busy = false));
  });
  return off;
}
