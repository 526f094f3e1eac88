// Click-through pages: one block, one extrinsic (from REST).
import type { BlockJson } from '../live.js';
import { errText, fill, fmtBai, fmtNum, get, h, table } from '../util.js';

function kv(rows: Array<[string, Node | string]>): HTMLElement {
  return h('div', { class: 'scroll' }, h('table', {}, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'addr' }, v))))));
}

const json = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v));

export async function blockPage(main: HTMLElement, id: string): Promise<void> {
  fill(main, h('h1', {}, `Block ${id}`), h('p', {}, 'Loading…'));
  let b: BlockJson;
  try {
    b = await get<BlockJson>(`/v1/blocks/${encodeURIComponent(id)}`);
  } catch (err) {
    fill(main, h('h1', {}, `Block ${id}`), h('p', { class: 'error' }, errText(err)));
    return;
  }
  fill(
    main,
    h('h1', {}, `Block #${fmtNum(b.number)}`),
    h('p', {}, b.number > 1 ? h('a', { href: `#/block/${b.number - 1}` }, '← previous') : null, ' ', h('a', { href: `#/block/${b.number + 1}` }, 'next →')),
    h('div', { class: 'card' }, kv([
      ['Hash', b.hash],
      ['Parent', h('a', { href: `#/block/${b.parentHash}` }, b.parentHash)],
      ['Time', new Date(b.timeMs).toISOString()],
      ['Proposer', String(b.proposerIndex)],
      ['Round', String(b.round)],
      ['State root', b.stateRoot],
      ['Extrinsics root', b.extrinsicsRoot],
      ['Commit signers', b.commitSigners.join(', ')],
    ])),
    h('section', { class: 'card', 'aria-labelledby': 'bx' }, h('h2', { id: 'bx' }, `Extrinsics (${b.extrinsics.length})`),
      b.extrinsics.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(['#', 'Hash', 'Call', 'Signer', ['Fee', 'num'], 'Result'], b.extrinsics.map((x) => [x.index, h('a', { href: `#/extrinsic/${x.hash}`, class: 'mono' }, x.hash.slice(0, 18) + '…'), x.call, h('span', { class: 'addr' }, x.signer), fmtBai(x.fee, 6), x.success ? h('span', { class: 'ok' }, 'ok') : h('span', { class: 'bad' }, x.errorCode ?? 'failed')]))),
    h('section', { class: 'card', 'aria-labelledby': 'be' }, h('h2', { id: 'be' }, `Events (${b.events.length})`),
      table(['Event', 'Data'], b.events.map((e) => [`${e.module}.${e.name}`, h('span', { class: 'mono', style: 'white-space:normal;overflow-wrap:anywhere' }, json(e.data))]))),
  );
}

interface ExtrinsicJson {
  hash: string;
  state: string;
  block: { number: number; hash: string; index: number } | null;
  signer: string | null;
  nonce: number | null;
  fee: string | null;
  error: { code: string; message: string } | null;
  events: Array<{ module: string; name: string; data: unknown }>;
}

export async function extrinsicPage(main: HTMLElement, hash: string): Promise<void> {
  fill(main, h('h1', {}, 'Extrinsic'), h('p', {}, 'Loading…'));
  let x: ExtrinsicJson;
  try {
    x = await get<ExtrinsicJson>(`/v1/extrinsics/${encodeURIComponent(hash)}`);
  } catch (err) {
    fill(main, h('h1', {}, 'Extrinsic'), h('p', { class: 'error' }, errText(err)));
    return;
  }
  fill(
    main,
    h('h1', {}, 'Extrinsic'),
    h('div', { class: 'card' }, kv([
      ['Hash', x.hash],
      ['State', h('span', { class: x.state === 'finalized' ? 'ok' : x.state === 'failed' ? 'bad' : 'warn' }, x.state)],
      ['Block', x.block ? h('a', { href: `#/block/${x.block.number}` }, `#${fmtNum(x.block.number)} (index ${x.block.index})`) : '–'],
      ['Signer', x.signer ?? '–'],
      ['Nonce', x.nonce === null ? '–' : String(x.nonce)],
      ['Fee', x.fee === null ? '–' : fmtBai(x.fee, 6)],
      ['Error', x.error ? `${x.error.code}: ${x.error.message}` : 'none'],
    ])),
    h('section', { class: 'card', 'aria-labelledby': 'xe' }, h('h2', { id: 'xe' }, 'Events'), table(['Event', 'Data'], x.events.map((e) => [`${e.module}.${e.name}`, h('span', { class: 'mono', style: 'white-space:normal;overflow-wrap:anywhere' }, json(e.data))]))),
  );
}
