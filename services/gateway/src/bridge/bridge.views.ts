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
import type { BoardHealth, EthBurn, SignatureCollection } from './bridge.ethereum.js';

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

export class BridgeMintMessageView {
  @ApiProperty() lockId!: string;
  @ApiProperty({ description: 'Ethereum address' }) recipient!: string;
  @ApiProperty({ description: 'base units (wBAI has 18 decimals, as BAI)' }) amount!: string;
  @ApiProperty({ description: 'Unix seconds' }) deadline!: string;
}

export class BridgeSignatureView {
  @ApiProperty({ description: 'the relayer\'s Ethereum address (lower case)' }) signer!: string;
  @ApiProperty({ description: '65 bytes r ‖ s ‖ v, 0x hex' }) signature!: string;
}

export class BridgeRefusedSignatureView {
  @ApiProperty({ description: 'the board that served it' }) url!: string;
  @ApiProperty() signer!: string;
  @ApiProperty({ example: 'MESSAGE_MISMATCH: …' }) reason!: string;
}

export class BridgeEthBurnView {
  @ApiProperty() nonce!: string;
  @ApiProperty({ description: 'who burned (Ethereum address)' }) from!: string;
  @ApiProperty({ description: 'the BAI account (32 bytes, 0x hex) the event names' }) recipient!: string;
  @ApiProperty({ description: 'base units' }) amount!: string;
  @ApiProperty() blockNumber!: string;
  @ApiProperty({ description: 'head − block + 1' }) confirmations!: string;
  @ApiProperty({ description: 'confirmations the relayers wait for' }) required!: number;
}

export class BridgeLockView {
  @ApiProperty({ description: 'the finalized block read' }) at!: string;
  @ApiProperty({ description: 'lock id (blake2_256 of SCALE("bai/bridge/lock", chain id, nonce))' }) lockId!: string;
  @ApiProperty({ example: 'signed 2/2', description: 'locked → signed k/M (k checked relayer signatures collected, capped at M) → minted, or refunded' }) status!: string;
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
  @ApiProperty({ type: () => BridgeMintMessageView, description: 'the EIP-712 Mint message the relayers sign: BaiBridge.mint(lockId, recipient, amount, deadline, signatures)' }) mint!: BridgeMintMessageView;
  @ApiProperty({ type: () => [BridgeSignatureView], description: 'while locked: the relayers\' Mint signatures collected from their boards, checked (this exact message, recovering to one of BaiBridge\'s relayers), one per signer, signers ascending — M of them are what BaiBridge.mint takes; anyone may submit' }) signatures!: BridgeSignatureView[];
  @ApiProperty({ type: () => [BridgeRefusedSignatureView], description: 'signatures a board served that do not count, with the reason' }) refusedSignatures!: BridgeRefusedSignatureView[];
  @ApiProperty({ type: String, nullable: true, description: 'why no signatures were collected (no boards configured, Ethereum side unreachable); null when they were' }) signaturesNote!: string | null;
}

export class BurnAttestationView {
  @ApiProperty() relayer!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() amount!: string;
}

export class BridgeBurnView {
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'keccak256(abi.encode(chainId, bridge, nonce)) of BaiBridge\'s Burned event' }) burnId!: string;
  @ApiProperty({ example: 'attested 1/2', description: 'burned → confirmed (the relayers\' confirmations on Ethereum) → attested k/M → released (queued while the 24 h limit holds it)' }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the agreed recipient (queued / released)' }) recipient!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the agreed amount (queued / released), base units' }) amount!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'queued: the height it was queued at; released: the height it was paid at' }) statusAt!: string | null;
  @ApiProperty({ type: [BurnAttestationView] }) attestations!: BurnAttestationView[];
  @ApiProperty() threshold!: number;
  @ApiProperty({ type: () => BridgeEthBurnView, nullable: true, description: 'the Burned event on Ethereum as the gateway reads it (null without an Ethereum RPC, or when it is not on the chain now)' }) ethereum!: BridgeEthBurnView | null;
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

export class BridgeWbaiView {
  @ApiProperty({ description: 'wBAI total supply, base units: never above escrow' }) totalSupply!: string;
  @ApiProperty({ description: 'the Ethereum block read' }) block!: string;
  @ApiProperty() chainId!: number;
  @ApiProperty({ description: 'BaiBridge' }) bridge!: string;
  @ApiProperty({ description: 'WrappedBAI' }) token!: string;
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
  @ApiProperty({ type: () => BridgeWbaiView, nullable: true, description: 'wBAI on Ethereum (null without BAI_BRIDGE_ETH_RPC_URL or when unreachable: see ethereumNote)' }) wbai!: BridgeWbaiView | null;
  @ApiProperty({ type: String, nullable: true }) ethereumNote!: string | null;
}

export class BridgeRelayerView {
  @ApiProperty({ description: 'BAI account (0x hex)' }) account!: string;
  @ApiProperty({ description: 'in the Bridge pallet\'s relayer set (genesis)' }) inSet!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'its board, when one configured board reports this account' }) board!: string | null;
  @ApiProperty({ description: 'its board answered and its last tick succeeded' }) healthy!: boolean;
  @ApiProperty({ type: String, nullable: true }) ethAddress!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Unix ms of its last tick' }) lastTickAtMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) consecutiveFailures!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class BridgeRelayersView {
  @ApiProperty() at!: string;
  @ApiProperty() threshold!: number;
  @ApiProperty({ description: 'relayers in the set whose board reports healthy' }) healthy!: number;
  @ApiProperty({ type: [BridgeRelayerView], description: 'the set (ascending), then boards whose account is not in it' }) relayers!: BridgeRelayerView[];
}

/** The set from BAI storage joined with the configured boards' health. */
export function relayersView(at: string, set: readonly string[], threshold: number, boards: readonly BoardHealth[]): BridgeRelayersView {
  const byAccount = new Map(boards.filter((b) => b.account).map((b) => [b.account!, b]));
  const row = (account: string, inSet: boolean, b: BoardHealth | undefined): BridgeRelayerView => ({
    account,
    inSet,
    board: b?.url ?? null,
    healthy: b?.healthy ?? false,
    ethAddress: b?.ethAddress ?? null,
    lastTickAtMs: b?.lastTickAtMs ?? null,
    consecutiveFailures: b?.consecutiveFailures ?? null,
    error: b ? b.error : 'no board configured for this relayer',
  });
  const inSet = [...set].sort().map((a) => row(a, true, byAccount.get(a)));
  const members = new Set(set);
  const others = boards.filter((b) => !b.account || !members.has(b.account)).map((b) => row(b.account ?? '', false, b));
  return { at, threshold, healthy: inSet.filter((r) => r.healthy).length, relayers: [...inSet, ...others] };
}

/**
 * A lock's view: `locked → signed k/M → minted`, or `refunded`. k counts the checked signatures collected
 * (`collected`, null when none could be: `note` says why); they are only shown while the lock is open.
 */
export function lockView(at: string, lockId: string, info: LockInfo, threshold: number, collected: SignatureCollection | null = null, note: string | null = null): BridgeLockView {
  const open = info.status === 'Locked';
  return {
    at,
    lockId,
    status: bridgeLockStage(info, open ? (collected?.signatures.length ?? 0) : 0, threshold),
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
    mint: { lockId, recipient: info.ethRecipient, amount: info.amount.toString(), deadline: info.deadline.toString() },
    signatures: open ? [...(collected?.signatures ?? [])] : [],
    refusedSignatures: open ? [...(collected?.refused ?? [])] : [],
    signaturesNote: open ? note : null,
  };
}

/**
 * A burn's view. Only relayers see the Ethereum event, so while attestations come in the stage counts the
 * largest group of matching (recipient, amount) attestations: k of M for the burn as most relayers saw it.
 */
export function burnView(at: string, burnId: string, info: BurnInfo | null, threshold: number, eth: EthBurn | null = null, confirmationsRequired = 0): BridgeBurnView {
  const ethereum = eth
    ? { nonce: eth.nonce.toString(), from: eth.from, recipient: eth.baiRecipient, amount: eth.amount.toString(), blockNumber: eth.blockNumber.toString(), confirmations: eth.confirmations.toString(), required: confirmationsRequired }
    : null;
  if (!info) {
    // Not attested by any relayer yet: only the Ethereum event tells (burned, then confirmed).
    if (!eth) throw new RangeError('a burn view needs the BAI record or the Ethereum event');
    return { at, burnId, status: bridgeBurnStage(null, { recipient: eth.baiRecipient, amount: eth.amount }, eth.confirmed, threshold), recipient: null, amount: null, statusAt: null, attestations: [], threshold, ethereum };
  }
  let expected = info.recipient !== null ? { recipient: info.recipient, amount: info.amount } : eth ? { recipient: eth.baiRecipient, amount: eth.amount } : undefined;
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
    ethereum,
  };
}

export { decodeBurnInfo, decodeLockInfo };
