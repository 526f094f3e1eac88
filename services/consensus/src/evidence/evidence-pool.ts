import { ScaleReader, ScaleWriter, toHex } from '@balanceai/chain';
import { deepFreeze, type Evidence } from '../block/block.js';
import { evidenceId, readSignedVote, writeSignedVote } from '../block/votes.js';

/**
 * Evidence older than this many blocks is not valid in a block (CometBFT's MaxAgeNumBlocks): a
 * consensus rule, so the memory of punished offences needs to reach back only this far.
 */
export const EVIDENCE_MAX_AGE_BLOCKS = 14_400;
/** Pending evidence kept at most; the oldest offences go first when full. */
export const MAX_PENDING_EVIDENCE = 1_024;
/** Evidence pieces a block may carry. */
export const MAX_EVIDENCE_PER_BLOCK = 16;

export function encodeEvidencePair(e: Evidence): Uint8Array {
  const w = new ScaleWriter();
  writeSignedVote(w, e.first);
  writeSignedVote(w, e.second);
  return w.finish();
}

export function decodeEvidencePair(bytes: Uint8Array): Evidence {
  const r = new ScaleReader(bytes);
  return deepFreeze({ first: readSignedVote(r), second: readSignedVote(r) });
}

export function offenceId(e: Evidence): string {
  return toHex(evidenceId(e.first, e.second));
}

/**
 * Equivocations seen and not yet in a block (proposed by this node when it proposes), and the offences
 * already punished (never again). Both are bounded: by count, and by the evidence age rule.
 */
export class EvidencePool {
  private readonly pending = new Map<string, Evidence>();
  /** Offence id → height of the offence, for offences in finalized blocks. */
  private readonly included = new Map<string, number>();

  get pendingCount(): number {
    return this.pending.size;
  }

  get includedCount(): number {
    return this.included.size;
  }

  isIncluded(id: string): boolean {
    return this.included.has(id);
  }

  /** True when this offence is new here (then the caller persists it). */
  add(e: Evidence, currentHeight: number): boolean {
    const id = offenceId(e);
    if (this.pending.has(id) || this.included.has(id) || tooOld(e.first.height, currentHeight)) return false;
    if (this.pending.size >= MAX_PENDING_EVIDENCE) {
      const oldest = [...this.pending.entries()].sort(([, a], [, b]) => a.first.height - b.first.height)[0]!;
      if (oldest[1].first.height >= e.first.height) return false;
      this.pending.delete(oldest[0]);
    }
    this.pending.set(id, deepFreeze(e));
    return true;
  }

  restoreIncluded(id: string, height: number): void {
    this.included.set(id, height);
  }

  /** Evidence for a proposal at `height`: offences of earlier heights only, none too old, the oldest first. */
  forProposal(height: number): Evidence[] {
    return [...this.pending.values()]
      .filter((e) => e.first.height < height && !tooOld(e.first.height, height))
      .sort((a, b) => a.first.height - b.first.height)
      .slice(0, MAX_EVIDENCE_PER_BLOCK);
  }

  /** After block `height` committed with these offences: punished, and forget what aged out. */
  markIncluded(evidence: readonly Evidence[], height: number): void {
    for (const e of evidence) {
      const id = offenceId(e);
      this.pending.delete(id);
      this.included.set(id, e.first.height);
    }
    for (const [id, h] of this.included) if (tooOld(h, height + 1)) this.included.delete(id);
    for (const [id, e] of this.pending) if (tooOld(e.first.height, height + 1)) this.pending.delete(id);
  }
}

/** Evidence of an offence at `offenceHeight` is too old for a block at `height`. */
export function tooOld(offenceHeight: number, height: number): boolean {
  return offenceHeight + EVIDENCE_MAX_AGE_BLOCKS < height;
}
