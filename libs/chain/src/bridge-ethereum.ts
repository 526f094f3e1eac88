import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { fromHex, toHex } from './hex.js';

/*
 * The Ethereum side of the Interlink bridge as readers without viem need it (the gateway, tools): keccak-256,
 * function selectors and event topics of BaiBridge / WrappedBAI, the burn id BaiBridge's Burned event maps
 * to, and the EIP-712 `Mint` digest with its signer recovery — so a reader can tell which collected relayer
 * signatures BaiBridge would accept for a lock. ethereum/ (viem) is the reference; services/bridge's tests
 * compare these with it.
 */

export const keccak256 = (bytes: Uint8Array): Uint8Array => keccak_256(bytes);

const utf8 = (s: string) => new TextEncoder().encode(s);

/** The 4-byte selector of a Solidity function signature, e.g. `totalSupply()` → 0x18160ddd. */
export const ethSelector = (signature: string): string => toHex(keccak256(utf8(signature)).subarray(0, 4));

/** topic0 of a Solidity event signature. */
export const ethEventTopic = (signature: string): string => toHex(keccak256(utf8(signature)));

/** The calls and the event a bridge reader uses. */
export const BRIDGE_ETH = {
  totalSupply: ethSelector('totalSupply()'),
  token: ethSelector('token()'),
  burnNonce: ethSelector('burnNonce()'),
  relayers: ethSelector('relayers()'),
  threshold: ethSelector('threshold()'),
  burnedTopic: ethEventTopic('Burned(uint256,address,bytes32,uint256)'),
} as const;

/** A uint256 as a 32-byte big-endian word. */
export function uint256Word(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 256n) throw new RangeError(`${v} is not a uint256`);
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

const addressWord = (address: string): Uint8Array => {
  const w = new Uint8Array(32);
  w.set(fromHex(address, 20), 12);
  return w;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A 32-byte ABI word as an unsigned integer. */
export function wordToBigInt(word: Uint8Array): bigint {
  let x = 0n;
  for (const b of word) x = (x << 8n) | BigInt(b);
  return x;
}

/** BaiBridge's burn id: keccak256(abi.encode(chainId, bridge, nonce)) — what `attest_burn` carries. */
export function bridgeBurnId(chainId: number | bigint, bridge: string, nonce: bigint): string {
  return toHex(keccak256(concat(uint256Word(BigInt(chainId)), addressWord(bridge), uint256Word(nonce))));
}

/** What the relayers sign for a lock (EIP-712 `Mint(bytes32 lockId,address recipient,uint256 amount,uint256 deadline)`). */
export interface MintAuthorisationMessage {
  readonly lockId: string;
  readonly recipient: string;
  readonly amount: bigint;
  readonly deadline: bigint;
}

const DOMAIN_TYPEHASH = keccak256(utf8('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'));
const MINT_TYPEHASH = keccak256(utf8('Mint(bytes32 lockId,address recipient,uint256 amount,uint256 deadline)'));

/** The EIP-712 digest a relayer signs for `m` on the BaiBridge at `bridge` on chain `chainId` (domain "BaiBridge", "1"). */
export function bridgeMintDigest(chainId: number | bigint, bridge: string, m: MintAuthorisationMessage): Uint8Array {
  const domain = keccak256(concat(DOMAIN_TYPEHASH, keccak256(utf8('BaiBridge')), keccak256(utf8('1')), uint256Word(BigInt(chainId)), addressWord(bridge)));
  const struct = keccak256(concat(MINT_TYPEHASH, fromHex(m.lockId, 32), addressWord(m.recipient), uint256Word(m.amount), uint256Word(m.deadline)));
  return keccak256(concat(new Uint8Array([0x19, 0x01]), domain, struct));
}

/** The Ethereum address (lower-case 0x hex) of an uncompressed secp256k1 public key (65 bytes, 0x04 ‖ x ‖ y). */
export const ethAddressOf = (uncompressed: Uint8Array): string => toHex(keccak256(uncompressed.subarray(1)).subarray(12));

/**
 * The address that made a 65-byte `r ‖ s ‖ v` signature of `digest`, or null when it does not recover (bad
 * length or v, or high s, which BaiBridge refuses like OpenZeppelin's ECDSA).
 */
export function recoverEthSigner(digest: Uint8Array, signatureHex: string): string | null {
  let sig: Uint8Array;
  try {
    sig = fromHex(signatureHex, 65);
  } catch {
    return null;
  }
  const v = sig[64]!;
  const bit = v >= 27 ? v - 27 : v;
  if (bit !== 0 && bit !== 1) return null;
  try {
    const s = secp256k1.Signature.fromCompact(sig.subarray(0, 64));
    if (s.hasHighS()) return null;
    const point = s.addRecoveryBit(bit).recoverPublicKey(digest);
    return ethAddressOf(point.toRawBytes(false));
  } catch {
    return null;
  }
}
