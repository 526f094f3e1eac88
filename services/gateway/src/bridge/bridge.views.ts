import { ApiProperty } from '@nestjs/swagger';
import {
  BRIDGE_STORAGE,
  ChainError,
  ScaleReader,
  bridgeBurnStage,
  bridgeLockStage,
  decodeBurnInfo,
  decodeLockInfo,
  fromHex,
  storageMapKey,
  storagePrefix,
  toHex,
  type BridgeStorageItem,
  type BurnInfo,
  type LockInfo,
} from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';

// REST views of the Interlink bridge (docs/architecture.md §7): the Bridge pallet (30) storage at a finalized
// block, read through consensus, decoded by libs/chain; the pallet constants (threshold, 24 h limit) from the
// runtime metadata. Amounts are decimal strings of base units (18 decimals on both chains), ids 0x hex.

/** A lock id or burn id: 32 bytes of 0x hex. */
export const BRIDGE_ID_PATTERN = '^0x[0-9a-fA-F]{64}$';

export function parseBridgeId(text: string, what: 'lock' | 'burn'): string {
  if (!new RegExp(BRIDGE_ID_PATTERN).test(text)) {
    throw new DomainError(what === 'lock' ? 'BAD_LOCK_ID' : 'BAD_BURN_ID', `a ${what} id is 32 bytes of 0x hex, got "${text.slice(0, 80)}"`, 'invalid');
  }
  return text.toLowerCase();
}

const item = (name: BridgeStorageItem, id?: string): string =>
  toHex(id === undefined ? storagePrefix('Bridge', name) : storageMapKey('Bridge', name, [BRIDGE_STORAGE[name][0] ?? 'Blake2_128Concat', fromHex(id, 32)]));

export const bridgeKeys = {
  lock: (id: string) => item('Locks', id),
  burn: (id: string) => item('Burns', id),
  escrow: () => item('Escrow'),
  totals: () => item('Totals'),
  allowance: () => item('ReleaseAllowance'),
  queue: () => item('ReleaseQueue'),
  relayers: () => item('Relayers'),
  openLocks: () => item('OpenLocks'),
  nextLockNonce: () => item('NextLockNonce'),
};

/** The Bridge pallet's constants as the runtime metadata declares them. */
export interface BridgeConstants {
  threshold: number;
  lockTtlSecs: bigint;
  minLock: bigint;
  releaseLimit: bigint;
  releaseWindow: number;
}

const MAGIC = 0x6174656d; // "meta", little-endian

function skipFields(r: ScaleReader): void {
  r.vec((r) => {
    r.option((r) => r.str());
    r.compactU32();
    r.option((r) => r.str());
    r.vec((r) => r.str());
  });
}

function skipTypeDef(r: ScaleReader): void {
  const tag = r.u8();
  switch (tag) {
    case 0:
      return skipFields(r);
    case 1:
      r.vec((r) => {
        r.str();
        skipFields(r);
        r.u8();
        r.vec((r) => r.str());
      });
      return;
    case 2:
    case 6:
      r.compactU32();
      return;
    case 3:
      r.u32();
      r.compactU32();
      return;
    case 4:
      r.vec((r) => r.compactU32());
      return;
    case 5:
      r.u8();
      return;
    case 7:
      r.compactU32();
      r.compactU32();
      return;
    default:
      throw new RangeError(`unknown TypeDef variant ${tag}`);
  }
}

/**
 * The constants (name → SCALE bytes) of one pallet in RuntimeMetadataPrefixed V14/V15; undefined when the
 * runtime has no such pallet (a chain without the genesis 'bridge' section has no Bridge pallet).
 */
export function palletConstants(metadata: Uint8Array, pallet: string): Map<string, Uint8Array> | undefined {
  const r = new ScaleReader(metadata);
  if (r.u32() !== MAGIC) throw new RangeError('runtime metadata does not start with "meta"');
  const version = r.u8();
  if (version !== 14 && version !== 15) throw new RangeError(`runtime metadata V${version} is not supported`);
  const types = r.compactU32();
  for (let i = 0; i < types; i++) {
    r.compactU32();
    r.vec((r) => r.str());
    r.vec((r) => (r.str(), r.option((r) => r.compactU32())));
    skipTypeDef(r);
    r.vec((r) => r.str());
  }
  const count = r.compactU32();
  for (let i = 0; i < count; i++) {
    const name = r.str();
    r.option((r) => {
      r.str();
      r.vec((r) => {
        r.str();
        r.u8();
        const kind = r.u8();
        if (kind === 1) {
          r.vec((r) => r.u8());
          r.compactU32();
        } else if (kind !== 0) throw new RangeError(`unknown storage entry type ${kind}`);
        r.compactU32();
        r.bytes();
        r.vec((r) => r.str());
      });
    });
    r.option((r) => r.compactU32());
    r.option((r) => r.compactU32());
    const constants = new Map(r.vec((r) => {
      const c = r.str();
      r.compactU32();
      const value = r.bytes();
      r.vec((r) => r.str());
      return [c, value] as const;
    }));
    r.option((r) => r.compactU32());
    r.u8();
    if (version === 15) r.vec((r) => r.str());
    if (name === pallet) return constants;
  }
  return undefined;
}

/** Threshold, LockTtl, MinLock, ReleaseLimit, ReleaseWindow of the Bridge pallet; BRIDGE_NOT_ENABLED without it. */
export function bridgeConstants(metadataHex: string): BridgeConstants {
  let c: Map<string, Uint8Array> | undefined;
  try {
    c = palletConstants(fromHex(metadataHex), 'Bridge');
  } catch (err) {
    if (err instanceof ChainError || err instanceof RangeError) throw new DomainError('BAD_METADATA', `the runtime metadata does not decode: ${err.message}`, 'internal');
    throw err;
  }
  if (!c) throw new DomainError('BRIDGE_NOT_ENABLED', 'this chain has no Bridge pallet (its genesis has no bridge section)', 'not_found');
  const read = <T>(name: string, f: (r: ScaleReader) => T): T => {
    const bytes = c.get(name);
    if (!bytes) throw new DomainError('BAD_METADATA', `the Bridge pallet has no constant ${name}`, 'internal');
    return f(new ScaleReader(bytes));
  };
  return {
    threshold: read('Threshold', (r) => r.u32()),
    lockTtlSecs: read('LockTtl', (r) => r.u64()),
    minLock: read('MinLock', (r) => r.u128()),
    releaseLimit: read('ReleaseLimit', (r) => r.u128()),
    releaseWindow: read('ReleaseWindow', (r) => r.u32()),
  };
}

/** A stored value that does not decode is the module's bug, not the caller's: 502 naming the key. */
export function decoded<T>(key: string, value: string, decode: (b: Uint8Array) => T): T {
  try {
    return decode(fromHex(value));
  } catch (err) {
    if (err instanceof ChainError || err instanceof RangeError) throw new DomainError('BAD_STORAGE_VALUE', `Bridge storage ${key} does not decode: ${err.message}`, 'internal');
    throw err;
  }
}

export const decodeU64 = (b: Uint8Array): bigint => {
  const r = new ScaleReader(b);
  const v = r.u64();
  r.assertEnd('u64');
  return v;
};
export const decodeU128 = (b: Uint8Array): bigint => {
  const r = new ScaleReader(b);
  const v = r.u128();
  r.assertEnd('u128');
  return v;
};
export const decodeTotals = (b: Uint8Array): { locked: bigint; released: bigint; refunded: bigint } => {
  const r = new ScaleReader(b);
  const t = { locked: r.u128(), released: r.u128(), refunded: r.u128() };
  r.assertEnd('Totals');
  return t;
};
export const decodeAllowance = (b: Uint8Array): { left: bigint; updatedAt: bigint } => {
  const r = new ScaleReader(b);
  const a = { left: r.u128(), updatedAt: r.u64() };
  r.assertEnd('ReleaseAllowance');
  return a;
};
export const decodeIds = (size: 32): ((b: Uint8Array) => string[]) => (b) => {
  const r = new ScaleReader(b);
  const ids = r.vec((r) => toHex(r.raw(size)));
  r.assertEnd('Vec');
  return ids;
};

/**
 * What is left of the 24 h release limit at `height`: the pallet's token bucket refilled from its last update,
 * min(limit, left + elapsed × limit / window) — the allowance the next release may spend. null without a limit.
 */
export function releaseAllowanceAt(allowance: { left: bigint; updatedAt: bigint }, height: bigint, c: Pick<BridgeConstants, 'releaseLimit' | 'releaseWindow'>): bigint | null {
  if (c.releaseLimit === 0n) return null;
  if (c.releaseWindow <= 0) return c.releaseLimit;
  const elapsed = height > allowance.updatedAt ? height - allowance.updatedAt : 0n;
  const left = allowance.left + (elapsed * c.releaseLimit) / BigInt(c.releaseWindow);
  return left > c.releaseLimit ? c.releaseLimit : left;
}

export class BridgeLockView {
  @ApiProperty({ description: 'the finalized block read' }) at!: string;
  @ApiProperty({ description: 'lock id (blake2_256 of SCALE("bai/bridge/lock", chain id, nonce))' }) lockId!: string;
  @ApiProperty({ example: 'locked', description: 'locked (signed k/M when relayer signatures are known) → minted, or refunded' }) status!: string;
  @ApiProperty() nonce!: string;
  @ApiProperty({ description: '0x hex account id of the locker' }) owner!: string;
  @ApiProperty({ description: 'the Ethereum recipient of the wBAI (20 bytes, 0x hex)' }) ethRecipient!: string;
  @ApiProperty({ description: 'base units' }) amount!: string;
  @ApiProperty({ description: 'Unix seconds: the Ethereum mint deadline (block time of the lock + LockTtl)' }) deadline!: string;
  @ApiProperty({ description: 'height of the lock' }) lockedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'height at which it became minted or refunded' }) finalAt!: string | null;
  @ApiProperty({ type: [String], description: 'relayers that reported it minted on Ethereum (attest_minted)' }) mintAttestations!: string[];
  @ApiProperty({ type: [String], description: 'relayers that attested its refund' }) refundAttestations!: string[];
  @ApiProperty({ description: 'M' }) threshold!: number;
}

export class BurnAttestationView {
  @ApiProperty() relayer!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() amount!: string;
}

export class BridgeBurnView {
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'keccak256(abi.encode(chainId, bridge, nonce)) of BaiBridge\'s Burned event' }) burnId!: string;
  @ApiProperty({ example: 'attested 1/2', description: 'attested k/M → released (queued while the 24 h limit holds it)' }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the agreed recipient (queued / released)' }) recipient!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the agreed amount (queued / released), base units' }) amount!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'queued: the height it was queued at; released: the height it was paid at' }) statusAt!: string | null;
  @ApiProperty({ type: [BurnAttestationView] }) attestations!: BurnAttestationView[];
  @ApiProperty() threshold!: number;
}

export class BridgeTotalsView {
  @ApiProperty() locked!: string;
  @ApiProperty() released!: string;
  @ApiProperty() refunded!: string;
}

export class BridgeReleaseLimitView {
  @ApiProperty({ description: 'BAI released per 24 h, base units ("0": no limit)' }) limit!: string;
  @ApiProperty({ description: 'blocks in the 24 h window' }) windowBlocks!: number;
  @ApiProperty({ type: String, nullable: true, description: 'what may still be released now (token bucket refilled to the head); null without a limit' }) left!: string | null;
  @ApiProperty({ type: [String], description: 'confirmed burns waiting for the limit, oldest first' }) queue!: string[];
}

export class BridgeView {
  @ApiProperty() at!: string;
  @ApiProperty() height!: string;
  @ApiProperty({ type: [String], description: 'the relayers\' BAI accounts (0x hex), ascending' }) relayers!: string[];
  @ApiProperty({ description: 'M of the N relayers (2M > N)' }) threshold!: number;
  @ApiProperty({ description: 'BAI in escrow: locked − released − refunded; wBAI supply on Ethereum never exceeds it' }) escrow!: string;
  @ApiProperty({ type: BridgeTotalsView }) totals!: BridgeTotalsView;
  @ApiProperty({ type: BridgeReleaseLimitView }) releaseLimit!: BridgeReleaseLimitView;
  @ApiProperty({ description: 'seconds from a lock\'s block time to its mint deadline' }) lockTtlSecs!: string;
  @ApiProperty({ description: 'the smallest lock, base units' }) minLock!: string;
  @ApiProperty({ description: 'locks neither minted nor refunded yet' }) openLocks!: number;
  @ApiProperty({ description: 'locks made so far' }) locks!: string;
}

export function lockView(at: string, lockId: string, info: LockInfo, threshold: number): BridgeLockView {
  return {
    at,
    lockId,
    status: bridgeLockStage(info, 0, threshold),
    nonce: info.nonce.toString(),
    owner: info.owner,
    ethRecipient: info.ethRecipient,
    amount: info.amount.toString(),
    deadline: info.deadline.toString(),
    lockedAt: info.lockedAt.toString(),
    finalAt: info.status === 'Locked' ? null : info.finalAt.toString(),
    mintAttestations: [...info.mintAttestations],
    refundAttestations: [...info.refundAttestations],
    threshold,
  };
}

/**
 * A burn's view. Only relayers see the Ethereum event, so while attestations come in the stage counts the
 * largest group of matching (recipient, amount) attestations: k of M for the burn as most relayers saw it.
 */
export function burnView(at: string, burnId: string, info: BurnInfo, threshold: number): BridgeBurnView {
  let expected = info.recipient !== null ? { recipient: info.recipient, amount: info.amount } : undefined;
  if (!expected) {
    const groups = new Map<string, { recipient: string; amount: bigint; n: number }>();
    for (const a of info.attestations) {
      const k = `${a.recipient}:${a.amount}`;
      const g = groups.get(k) ?? { recipient: a.recipient, amount: a.amount, n: 0 };
      g.n++;
      groups.set(k, g);
    }
    const best = [...groups.entries()].sort(([ka, a], [kb, b]) => b.n - a.n || (ka < kb ? -1 : 1))[0]?.[1];
    expected = best ?? { recipient: '0x', amount: 0n };
  }
  return {
    at,
    burnId,
    // Every stored burn has at least one relayer's attestation, made only after its confirmations.
    status: bridgeBurnStage(info, expected, true, threshold),
    recipient: info.recipient,
    amount: info.status === 'Attesting' ? null : info.amount.toString(),
    statusAt: info.status === 'Attesting' ? null : info.at.toString(),
    attestations: info.attestations.map((a) => ({ relayer: a.relayer, recipient: a.recipient, amount: a.amount.toString() })),
    threshold,
  };
}

export { decodeBurnInfo, decodeLockInfo };
