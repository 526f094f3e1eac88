import WebSocket from 'ws';
import { ConnectionClosedError, GatewayUnreachableError } from './errors.js';
import type { Transport } from './transport.js';

/** Runtime metadata is the largest answer a wallet asks for (hundreds of KB); leave ample room. */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** Opens a WebSocket to a JSON-RPC endpoint; a refused or failed handshake is one GatewayUnreachableError. */
export function connectWebSocket(url: string, opts: { timeoutMs: number }): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: opts.timeoutMs, maxPayload: MAX_PAYLOAD_BYTES });
    } catch (err) {
      // A malformed URL throws synchronously (SyntaxError); say which flag to fix.
      reject(new GatewayUnreachableError(url, err));
      return;
    }
    const failOpen = (err: Error) => reject(new GatewayUnreachableError(url, err));
    ws.once('error', failOpen);
    ws.once('open', () => {
      ws.off('error', failOpen);
      resolve(new WsTransport(url, ws));
    });
  });
}

/** ws hands frames over as a Buffer, a list of fragments, or an ArrayBuffer, depending on its binaryType. */
function asText(data: WebSocket.RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return buf.toString('utf8');
}

class WsTransport implements Transport {
  private closing = false;
  private closeListener?: (error: Error) => void;
  private lastError?: Error;

  constructor(
    private readonly url: string,
    private readonly ws: WebSocket,
  ) {
    // An 'error' is always followed by 'close'; remember it so the close can say why.
    ws.on('error', (err) => (this.lastError = err));
    ws.on('close', (code, reason) => {
      if (this.closing) return;
      const detail = this.lastError?.message ?? [code, reason.toString()].filter((x) => x !== '').join(' ');
      this.closeListener?.(new ConnectionClosedError(this.url, detail));
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  onMessage(listener: (text: string) => void): void {
    this.ws.on('message', (data) => listener(asText(data)));
  }

  onClose(listener: (error: Error) => void): void {
    this.closeListener = listener;
  }

  close(): void {
    this.closing = true;
    this.ws.close(1000);
    // A gateway that never answers the close handshake must not keep the CLI process alive.
    setTimeout(() => this.ws.terminate(), 1_000).unref();
  }
}
