// Small helpers shared by the pages: DOM building, BAI amounts (bigint base units, 18 decimals), REST calls
// with errors in words.

export type Child = Node | string | number | null | undefined | false;

/** Creates an element: h('td', { class: 'num' }, '12'). Attributes starting with "on" are listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export const DECIMALS = 18;
export const ONE = 10n ** BigInt(DECIMALS);

/** 1234567800000000000000n → "1,234.5678" (at most `digits` decimals, trailing zeros dropped). */
export function fmtAmount(v: bigint | string, digits = 4): string {
  const n = typeof v === 'string' ? BigInt(v) : v;
  const neg = n < 0n;
  const a = neg ? -n : n;
  const whole = a / ONE;
  const scale = 10n ** BigInt(DECIMALS - digits);
  const frac = (a % ONE) / scale;
  let f = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  if (f === '' && whole === 0n && a > 0n) f = '0'.repeat(digits - 1) + '1';
  const w = whole.toLocaleString('en-US');
  return `${neg ? '-' : ''}${w}${f ? `.${f}` : ''}`;
}

export const fmtBai = (v: bigint | string, digits = 4): string => `${fmtAmount(v, digits)} BAI`;

/** "12.5" (BAI) → base units; throws a message in words. */
export function parseBai(text: string): bigint {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d+(\.\d{1,18})?$/.test(t)) throw new Error('Enter an amount in BAI, such as 12.5 (up to 18 decimals).');
  const [w, f = ''] = t.split('.');
  return BigInt(w!) * ONE + BigInt(f.padEnd(DECIMALS, '0'));
}

/** Base units to a float of BAI, for charts only (never for arithmetic). */
export const toFloat = (v: bigint | string): number => Number(BigInt(v) / 10n ** 12n) / 1e6;

export const shortHash = (x: string): string => (x.length > 16 ? `${x.slice(0, 8)}…${x.slice(-6)}` : x);

export function fmtNum(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const hr = Math.round(m / 60);
  if (hr < 48) return `${hr} h`;
  const d = Math.round(hr / 24);
  if (d < 730) return `${d} days`;
  return `${(d / 365.25).toFixed(1)} years`;
}

/** A REST error with the gateway's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response, path: string): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `${path}: the gateway answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    const e = body as { code?: string; message?: string } | undefined;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `${path}: HTTP ${res.status}`);
  }
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'NETWORK', `Cannot reach the gateway (${path}): is the node running?`);
  }
  return parse<T>(res, path);
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', `Cannot reach the gateway (${path}): is the node running?`);
  }
  return parse<T>(res, path);
}

export const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A KPI tile whose value the page updates. */
export function kpi(label: string, id: string, sub = ''): HTMLElement {
  return h('div', { class: 'kpi' }, h('div', { class: 'label', id: `${id}-label` }, label), h('div', { class: 'value', id, 'aria-describedby': `${id}-label` }, '…'), h('div', { class: 'sub', id: `${id}-sub` }, sub));
}

export function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el && el.textContent !== text) el.textContent = text;
}

export function table(headers: Array<string | [string, string]>, rows: Child[][], caption?: string): HTMLElement {
  // Focusable: a table wider than a phone scrolls sideways, and keyboard users must reach it too.
  return h(
    'div',
    { class: 'scroll', tabindex: 0 },
    h(
      'table',
      {},
      caption ? h('caption', { class: 'muted', style: 'text-align:left' }, caption) : null,
      h('thead', {}, h('tr', {}, ...headers.map((x) => (Array.isArray(x) ? h('th', { class: x[1], scope: 'col' }, x[0]) : h('th', { scope: 'col' }, x))))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (c instanceof HTMLTableCellElement ? c : h('td', Array.isArray(headers[i]) ? { class: (headers[i] as [string, string])[1] } : {}, c)))))),
    ),
  );
}
