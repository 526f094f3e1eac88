import { UsageError } from '../usage.js';

export const DEFAULT_RPC_URL = 'ws://127.0.0.1:8080';

const WS_OF: Record<string, string> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };

/**
 * The JSON-RPC WebSocket URL from `--rpc` (ws://, wss://) or `--gateway`, its older alias that names the
 * gateway's http URL: the gateway serves JSON-RPC at `/` on the same port, so http→ws, https→wss.
 */
export function rpcUrl(opts: { rpc?: string; gateway?: string }): string {
  if (opts.rpc !== undefined && opts.gateway !== undefined) throw new UsageError('give --rpc or --gateway, not both');
  const text = opts.rpc ?? opts.gateway ?? DEFAULT_RPC_URL;
  const flag = opts.rpc !== undefined ? '--rpc' : '--gateway';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${text}" is not a URL (e.g. ${DEFAULT_RPC_URL})`);
  }
  const protocol = WS_OF[url.protocol];
  if (!protocol) throw new UsageError(`${flag} "${text}" must be a ws://, wss://, http:// or https:// URL`);
  url.protocol = protocol;
  const out = url.toString();
  // `ws://host:8080` reads better in messages than the normalised `ws://host:8080/`; both open path `/`.
  return url.pathname === '/' && !url.search && !url.hash ? out.replace(/\/$/, '') : out;
}
