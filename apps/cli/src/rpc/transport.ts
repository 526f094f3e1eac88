/**
 * What the JSON-RPC client needs from a connection: text frames out, text frames in, and one close event.
 * The WebSocket implementation is ws-transport.ts; unit tests use an in-memory fake.
 */
export interface Transport {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
  /** Called once, when the connection is gone for any reason other than our own close(). */
  onClose(listener: (error: Error) => void): void;
  close(): void;
}
