/**
 * What the consensus node needs from the network (CometBFT's p2p Switch, reduced): broadcast gossip to
 * every peer, and ask some peer for blocks. NATS is one implementation; the simulated network of the
 * tests is another. Every payload is untrusted bytes: the reactors verify what they receive.
 */
export type GossipChannel = 'proposal' | 'vote' | 'txs' | 'status';

export interface P2PTransport {
  /** Fire-and-forget broadcast to every peer (not back to self). */
  publish(channel: GossipChannel, data: Uint8Array): void;
  subscribe(channel: GossipChannel, handler: (data: Uint8Array) => void): void;
  /** Asks one peer that answers on the sync channel; rejects on timeout or when nobody answers. */
  requestBlocks(request: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Serves peers' block requests; a null answer means "nothing for you" (another peer may answer). */
  serveBlocks(handler: (request: Uint8Array) => Promise<Uint8Array | null>): void;
  close(): void;
}
