// The user's side of the Ethereum half (`@balanceai/bridge/user`): burn wBAI for a BalanceAI account, and
// submit a mint with the relayers' collected signatures. What `balanceai bridge burn|mint` runs; viem through
// @balanceai/ethereum, so the CLI does not carry its own Ethereum client. Errors are BridgeError with the
// contract's revert decoded (INSUFFICIENT_BALANCE, LOCK_ALREADY_PROCESSED, DEADLINE_EXPIRED, …).
import { createPublicClient, getAddress, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { BridgeClient, BridgeError, burnIdOf, connect } from '@balanceai/ethereum';

export interface EthUserOptions {
  readonly rpcUrl: string;
  /** The user's Ethereum key (0x and 64 hex digits). */
  readonly privateKey: string;
  /** BaiBridge's address. */
  readonly bridge: string;
  readonly pollingIntervalMs?: number;
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

async function userClient(o: EthUserOptions): Promise<BridgeClient> {
  if (!PRIVATE_KEY.test(o.privateKey)) throw new BridgeError('NO_WALLET', 'the Ethereum key must be 0x and 64 hex digits');
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: http(o.rpcUrl) }).getChainId();
  } catch (err) {
    throw new BridgeError('RPC_UNREACHABLE', `cannot reach Ethereum at ${o.rpcUrl}: ${(err as Error).message.split('\n')[0]}`);
  }
  const conn = connect({ rpcUrl: o.rpcUrl, chainId, account: privateKeyToAccount(o.privateKey as Hex), pollingIntervalMs: o.pollingIntervalMs ?? 500 });
  return BridgeClient.attach(conn, getAddress(o.bridge));
}

export interface BurnDone {
  readonly burnId: string;
  readonly nonce: bigint;
  readonly chainId: number;
  readonly from: string;
  readonly txHash: string;
  readonly blockNumber: bigint;
}

/** Burns `amount` wBAI (base units) of the key's account for `baiRecipient` (32-byte account id, 0x hex). */
export async function burnForBai(o: EthUserOptions & { amount: bigint; baiRecipient: string }): Promise<BurnDone> {
  const client = await userClient(o);
  const { receipt, nonce } = await client.burn(o.amount, o.baiRecipient as Hex);
  return {
    burnId: burnIdOf(client.conn.chain.id, client.bridge, nonce).toLowerCase(),
    nonce,
    chainId: client.conn.chain.id,
    from: client.conn.walletClient!.account!.address,
    txHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  };
}

export interface MintSubmission {
  readonly message: { readonly lockId: string; readonly recipient: string; readonly amount: bigint; readonly deadline: bigint };
  /** The relayers' signatures, signers ascending (as the gateway lists them). */
  readonly signatures: ReadonlyArray<{ readonly signer: string; readonly signature: string }>;
}

/** Submits BaiBridge.mint with these signatures (checked, de-duplicated and ordered by the client first). */
export async function submitMint(o: EthUserOptions & MintSubmission): Promise<{ txHash: string; blockNumber: bigint; balance: bigint }> {
  const client = await userClient(o);
  const message = { lockId: o.message.lockId as Hex, recipient: getAddress(o.message.recipient), amount: o.message.amount, deadline: o.message.deadline };
  const receipt = await client.mint(
    message,
    o.signatures.map((s) => ({ signer: getAddress(s.signer) as Address, signature: s.signature as Hex })),
  );
  return { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, balance: await client.balanceOf(message.recipient) };
}

export { BridgeError };
