import {
  getAddress,
  hashTypedData,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
  type TypedDataDomain,
} from 'viem';
import { BridgeError } from './errors.js';

/** EIP-712 domain of a BaiBridge deployment: binds every signature to one chain and one contract. */
export interface BridgeDomain {
  name: 'BaiBridge';
  version: '1';
  chainId: number;
  verifyingContract: Address;
}

export function bridgeDomain(chainId: number, bridge: Address): BridgeDomain {
  return { name: 'BaiBridge', version: '1', chainId, verifyingContract: getAddress(bridge) };
}

/** The four messages BaiBridge verifies (field order and names are part of the on-chain type hashes). */
export const bridgeTypes = {
  Mint: [
    { name: 'lockId', type: 'bytes32' },
    { name: 'recipient', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  Cancel: [
    { name: 'lockId', type: 'bytes32' },
    { name: 'deadline', type: 'uint256' },
  ],
  SetRelayers: [
    { name: 'relayers', type: 'address[]' },
    { name: 'threshold', type: 'uint256' },
    { name: 'guardian', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
  SetPaused: [
    { name: 'paused', type: 'bool' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

/** A BalanceAI lock as the relayers authorise it: `deadline` is a Unix time in seconds, compared with the
 *  Ethereum block timestamp (mint allowed while `block.timestamp <= deadline`). */
export interface MintMessage {
  lockId: Hex;
  recipient: Address;
  amount: bigint;
  deadline: bigint;
}
export interface CancelMessage {
  lockId: Hex;
  deadline: bigint;
}
export interface SetRelayersMessage {
  relayers: readonly Address[];
  threshold: bigint;
  guardian: Address;
  nonce: bigint;
}
export interface SetPausedMessage {
  paused: boolean;
  nonce: bigint;
}

export type BridgeMessage =
  | { kind: 'Mint'; message: MintMessage }
  | { kind: 'Cancel'; message: CancelMessage }
  | { kind: 'SetRelayers'; message: SetRelayersMessage }
  | { kind: 'SetPaused'; message: SetPausedMessage };

/** One relayer's signature with the address that made it. */
export interface RelayerSignature {
  signer: Address;
  signature: Hex;
}

function typedData(domain: BridgeDomain, m: BridgeMessage) {
  // viem's typed-data generics cannot follow a union of primary types; the shapes are fixed above.
  return {
    domain: domain as TypedDataDomain,
    types: bridgeTypes,
    primaryType: m.kind,
    message: m.message,
  } as unknown as Parameters<typeof hashTypedData<typeof bridgeTypes, 'Mint'>>[0];
}

/** The EIP-712 digest the contract recovers signers from. */
export function bridgeDigest(domain: BridgeDomain, m: BridgeMessage): Hex {
  return hashTypedData(typedData(domain, m));
}

/** Relayer side: sign one bridge message with a local key (EIP-712 typed data, not personal_sign). */
export async function signBridgeMessage(account: LocalAccount, domain: BridgeDomain, m: BridgeMessage): Promise<RelayerSignature> {
  const signature = await account.signTypedData(typedData(domain, m));
  return { signer: getAddress(account.address), signature };
}

export const signMint = (account: LocalAccount, domain: BridgeDomain, message: MintMessage) =>
  signBridgeMessage(account, domain, { kind: 'Mint', message });
export const signCancel = (account: LocalAccount, domain: BridgeDomain, message: CancelMessage) =>
  signBridgeMessage(account, domain, { kind: 'Cancel', message });
export const signSetRelayers = (account: LocalAccount, domain: BridgeDomain, message: SetRelayersMessage) =>
  signBridgeMessage(account, domain, { kind: 'SetRelayers', message: { ...message, relayers: sortAddresses(message.relayers) } });
export const signSetPaused = (account: LocalAccount, domain: BridgeDomain, message: SetPausedMessage) =>
  signBridgeMessage(account, domain, { kind: 'SetPaused', message });

/** Addresses in the order the contract requires: ascending as 160-bit numbers, checksummed. */
export function sortAddresses(addresses: readonly Address[]): Address[] {
  return addresses.map((a) => getAddress(a)).sort((a, b) => compareAddresses(a, b));
}

export function compareAddresses(a: Address, b: Address): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders collected signatures the way BaiBridge wants them (by signer, strictly ascending). Each signature
 * is checked to recover to the signer it claims (`SIGNER_MISMATCH` otherwise), and two signatures by the
 * same signer are refused (`DUPLICATE_SIGNER`). Whether the signers are relayers, and enough of them, is
 * the contract's check.
 */
export async function orderSignatures(domain: BridgeDomain, m: BridgeMessage, signatures: readonly RelayerSignature[]): Promise<Hex[]> {
  const checked: RelayerSignature[] = [];
  for (const s of signatures) {
    const recovered = await recoverTypedDataAddress({ ...typedData(domain, m), signature: s.signature });
    if (getAddress(recovered) !== getAddress(s.signer)) {
      throw new BridgeError('SIGNER_MISMATCH', `signature claimed by ${s.signer} recovers to ${recovered}`);
    }
    checked.push({ signer: getAddress(s.signer), signature: s.signature });
  }
  checked.sort((a, b) => compareAddresses(a.signer, b.signer));
  for (let i = 1; i < checked.length; i++) {
    if (checked[i]!.signer === checked[i - 1]!.signer) {
      throw new BridgeError('DUPLICATE_SIGNER', `two signatures by ${checked[i]!.signer}`);
    }
  }
  return checked.map((s) => s.signature);
}
