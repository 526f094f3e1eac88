import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { consensusV1 } from '@balanceai/contracts';
import type { BlockListener } from './block-stream.js';
import { attachBlockClient, CLOSE_TOO_SLOW, type BlockFeedSocket } from './blocks-websocket.js';
import type { FinalizedBlockMessage } from './finalized-block.js';

class RecordingSocket implements BlockFeedSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  terminated = false;
  private readonly handlers = new Map<string, () => void>();
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  terminate(): void {
    this.terminated = true;
  }
  on(event: 'close' | 'error', listener: () => void): this {
    this.handlers.set(event, listener);
    return this;
  }
  emit(event: 'close' | 'error'): void {
    this.handlers.get(event)?.();
  }
}

/** A minimal fan-out, as BlockStream does it. */
function feed(): { subscribe: (l: BlockListener) => () => void; publish: (n: number) => void; listeners: Set<BlockListener> } {
  const listeners = new Set<BlockListener>();
  return {
    listeners,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish: (n) => {
      const block = { type: 'block', number: n } as FinalizedBlockMessage;
      for (const l of [...listeners]) l(block, JSON.stringify(block), {} as consensusV1.GetBlockResponse);
    },
  };
}

describe('attachBlockClient', () => {
  it('sends every block to a client that keeps up', () => {
    const socket = new RecordingSocket();
    const blocks = feed();
    attachBlockClient(socket, blocks.subscribe, 1024);
    blocks.publish(1);
    blocks.publish(2);
    assert.deepEqual(socket.sent.map((s) => (JSON.parse(s) as { number: number }).number), [1, 2]);
  });

  it('closes a client whose backlog exceeds the limit, without affecting another client', () => {
    const slow = new RecordingSocket();
    const fast = new RecordingSocket();
    const blocks = feed();
    attachBlockClient(slow, blocks.subscribe, 1024);
    attachBlockClient(fast, blocks.subscribe, 1024);
    slow.bufferedAmount = 4096;
    blocks.publish(1);
    assert.equal(slow.closedWith, CLOSE_TOO_SLOW);
    assert.equal(slow.sent.length, 0);
    assert.equal(blocks.listeners.size, 1);
    blocks.publish(2);
    assert.equal(fast.sent.length, 2);
  });

  it('stops feeding a client once its socket closes', () => {
    const socket = new RecordingSocket();
    const blocks = feed();
    attachBlockClient(socket, blocks.subscribe);
    socket.emit('close');
    assert.equal(blocks.listeners.size, 0);
  });
});
