/** Messages buffered per validator for the next heights: votes are small, proposals carry a block. */
const MAX_PER_VALIDATOR = { vote: 64, proposal: 4 } as const;

export interface BufferedMessage {
  kind: 'vote' | 'proposal';
  height: number;
  data: Uint8Array;
}

/**
 * Verified messages for a height this node has not started yet (peers that decided earlier already
 * speak). Only signed-and-verified messages get here, capped per validator, so a peer cannot fill memory.
 */
export class FutureInbox {
  private readonly byValidator = new Map<string, BufferedMessage[]>();

  get size(): number {
    let n = 0;
    for (const list of this.byValidator.values()) n += list.length;
    return n;
  }

  add(sender: string, m: BufferedMessage): void {
    let list = this.byValidator.get(sender);
    if (!list) this.byValidator.set(sender, (list = []));
    if (list.filter((x) => x.kind === m.kind).length >= MAX_PER_VALIDATOR[m.kind]) return;
    list.push(m);
  }

  /** Messages for `height`, in arrival order per validator; older ones are dropped. */
  take(height: number): BufferedMessage[] {
    const out: BufferedMessage[] = [];
    for (const [sender, list] of this.byValidator) {
      const keep = list.filter((m) => m.height > height);
      out.push(...list.filter((m) => m.height === height));
      if (keep.length > 0) this.byValidator.set(sender, keep);
      else this.byValidator.delete(sender);
    }
    return out;
  }
}
