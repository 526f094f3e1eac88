import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem';
import { baiBridgeAbi, baiBridgeBytecode, wrappedBaiAbi } from './generated/contracts.js';
import { BridgeError, toBridgeError } from './errors.js';
import {
  bridgeDomain,
  orderSignatures,
  sortAddresses,
  type BridgeDomain,
  type CancelMessage,
  type MintMessage,
  type RelayerSignature,
  type SetPausedMessage,
  type SetRelayersMessage,
} from './eip712.js';

export const LockStatus = { None: 0, Minted: 1, Cancelled: 2 } as const;
export type LockStatusName = keyof typeof LockStatus;
const LOCK_STATUS_NAMES: LockStatusName[] = ['None', 'Minted', 'Cancelled'];

export interface RefundCheck {
  refundable: boolean;
  status: LockStatusName;
  blockNumber: bigint;
  blockHash: Hex;
  blockTimestamp: bigint;
}

export interface EthConnection {
  publicClient: PublicClient;
  walletClient?: WalletClient;
  chain: Chain;
}

/** Clients for one JSON-RPC endpoint. `pollingIntervalMs` matters on a local node (viem's default is 4 s). */
export function connect(opts: { rpcUrl: string; chainId: number; account?: Account; pollingIntervalMs?: number }): EthConnection {
  const chain = defineChain({
    id: opts.chainId,
    name: `ethereum-${opts.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  });
  const pollingInterval = opts.pollingIntervalMs ?? 1_000;
  const transport = http(opts.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as PublicClient;
  const walletClient = opts.account ? createWalletClient({ chain, transport, account: opts.account, pollingInterval }) : undefined;
  return { publicClient, walletClient, chain };
}

export interface DeployOptions {
  relayers: readonly Address[];
  threshold: bigint;
  /** May pause (never unpause). Zero address = no guardian. */
  guardian?: Address;
  /** wBAI mintable in a burst, refilled at this amount per 24 h; 0n (default) = no limit. */
  mintLimit?: bigint;
}

export interface BridgeDeployment {
  bridge: Address;
  token: Address;
  chainId: number;
  deployBlock: bigint;
  gasUsed: bigint;
}

const ZERO: Address = '0x0000000000000000000000000000000000000000';

/** Deploys BaiBridge (which deploys its WrappedBAI) with the relayers sorted as the contract requires. */
export async function deployBridge(conn: EthConnection, opts: DeployOptions): Promise<BridgeDeployment> {
  const wallet = requireWallet(conn);
  try {
    const hash = await wallet.deployContract({
      abi: baiBridgeAbi,
      bytecode: baiBridgeBytecode,
      args: [sortAddresses(opts.relayers), opts.threshold, opts.guardian ?? ZERO, opts.mintLimit ?? 0n],
      account: wallet.account!,
      chain: conn.chain,
    });
    const receipt = await conn.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new BridgeError('TX_REVERTED', `BaiBridge deployment ${hash} reverted`);
    }
    const bridge = getAddress(receipt.contractAddress);
    const token = await conn.publicClient.readContract({ address: bridge, abi: baiBridgeAbi, functionName: 'token' });
    return { bridge, token: getAddress(token), chainId: conn.chain.id, deployBlock: receipt.blockNumber, gasUsed: receipt.gasUsed };
  } catch (err) {
    throw toBridgeError(err);
  }
}

function requireWallet(conn: EthConnection): WalletClient {
  if (!conn.walletClient?.account) throw new BridgeError('NO_WALLET', 'this call sends a transaction: connect with an account');
  return conn.walletClient;
}

/** Typed access to one BaiBridge deployment: reads, and transactions from the connection's account. */
export class BridgeClient {
  readonly domain: BridgeDomain;

  constructor(
    readonly conn: EthConnection,
    readonly bridge: Address,
    readonly token: Address,
  ) {
    this.domain = bridgeDomain(conn.chain.id, bridge);
  }

  static async attach(conn: EthConnection, bridge: Address): Promise<BridgeClient> {
    const token = await conn.publicClient.readContract({ address: bridge, abi: baiBridgeAbi, functionName: 'token' });
    return new BridgeClient(conn, getAddress(bridge), getAddress(token));
  }

  /** The same deployment, sending from another account (a user, a relayer, the guardian). */
  as(account: Account): BridgeClient {
    const walletClient = createWalletClient({
      chain: this.conn.chain,
      transport: http(this.conn.chain.rpcUrls.default.http[0]),
      account,
      pollingInterval: this.conn.publicClient.pollingInterval,
    });
    return new BridgeClient({ ...this.conn, walletClient }, this.bridge, this.token);
  }

  // ------------------------------------------------------------------ reads

  private read<T>(functionName: string, args: readonly unknown[] = [], blockNumber?: bigint): Promise<T> {
    return this.conn.publicClient.readContract({
      address: this.bridge,
      abi: baiBridgeAbi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<T>;
  }

  async lockStatus(lockId: Hex, blockNumber?: bigint): Promise<LockStatusName> {
    const s = await this.read<number>('lockStatus', [lockId], blockNumber);
    return LOCK_STATUS_NAMES[Number(s)]!;
  }
  /**
   * Whether BalanceAI may refund `lockId` on the evidence of Ethereum block `blockNumber` (which the caller
   * must consider final): the lock was cancelled, or it is unprocessed in a block past its deadline — after
   * which no mint of it can ever succeed. A minted lock is never refundable.
   */
  async checkRefundable(lockId: Hex, deadline: bigint, blockNumber: bigint): Promise<RefundCheck> {
    const block = await this.conn.publicClient.getBlock({ blockNumber });
    const status = await this.lockStatus(lockId, blockNumber);
    const refundable = status === 'Cancelled' || (status === 'None' && block.timestamp > deadline);
    return { refundable, status, blockNumber, blockHash: block.hash, blockTimestamp: block.timestamp };
  }

  relayers = () => this.read<readonly Address[]>('relayers');
  threshold = () => this.read<bigint>('threshold');
  guardian = () => this.read<Address>('guardian');
  configNonce = () => this.read<bigint>('configNonce');
  paused = () => this.read<boolean>('paused');
  burnNonce = () => this.read<bigint>('burnNonce');
  mintAvailable = () => this.read<bigint>('mintAvailable');
  mintLimit = () => this.read<bigint>('mintLimit');

  totalSupply(blockNumber?: bigint): Promise<bigint> {
    return this.conn.publicClient.readContract({ address: this.token, abi: wrappedBaiAbi, functionName: 'totalSupply', blockNumber });
  }
  balanceOf(owner: Address, blockNumber?: bigint): Promise<bigint> {
    return this.conn.publicClient.readContract({ address: this.token, abi: wrappedBaiAbi, functionName: 'balanceOf', args: [owner], blockNumber });
  }

  // ------------------------------------------------------------------ transactions

  /** Simulates (so a revert comes back decoded as a BridgeError), sends, and waits for the receipt. */
  private async send(functionName: string, args: readonly unknown[]): Promise<TransactionReceipt> {
    const wallet = requireWallet(this.conn);
    try {
      const { request } = await this.conn.publicClient.simulateContract({
        address: this.bridge,
        abi: baiBridgeAbi,
        functionName,
        args,
        account: wallet.account!,
      } as never);
      const hash = await wallet.writeContract(request as never);
      const receipt = await this.conn.publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new BridgeError('TX_REVERTED', `${functionName} transaction ${hash} reverted`);
      return receipt;
    } catch (err) {
      throw toBridgeError(err);
    }
  }

  /** Sends without simulating (fixed gas): for racing transactions into one block in tests and relayers. */
  async sendRaw(functionName: 'mint' | 'cancel' | 'burn', args: readonly unknown[], gas = 500_000n): Promise<Hex> {
    const wallet = requireWallet(this.conn);
    return wallet.writeContract({
      address: this.bridge,
      abi: baiBridgeAbi,
      functionName,
      args,
      gas,
      account: wallet.account!,
      chain: this.conn.chain,
    } as never);
  }

  /** Mint with the relayers' signatures as collected (any order): checked, de-duplicated, sorted here. */
  async mint(message: MintMessage, signatures: readonly RelayerSignature[]): Promise<TransactionReceipt> {
    const ordered = await orderSignatures(this.domain, { kind: 'Mint', message }, signatures);
    return this.mintWithSignatures(message, ordered);
  }

  /** Mint with signatures exactly as given (the contract is the judge of order and validity). */
  mintWithSignatures(message: MintMessage, signatures: readonly Hex[]): Promise<TransactionReceipt> {
    return this.send('mint', [message.lockId, message.recipient, message.amount, message.deadline, signatures]);
  }

  async cancel(message: CancelMessage, signatures: readonly RelayerSignature[]): Promise<TransactionReceipt> {
    const ordered = await orderSignatures(this.domain, { kind: 'Cancel', message }, signatures);
    return this.cancelWithSignatures(message, ordered);
  }

  cancelWithSignatures(message: CancelMessage, signatures: readonly Hex[]): Promise<TransactionReceipt> {
    return this.send('cancel', [message.lockId, message.deadline, signatures]);
  }

  /** Burns the account's wBAI for `baiRecipient` (32-byte BalanceAI account id); returns the burn's nonce. */
  async burn(amount: bigint, baiRecipient: Hex): Promise<{ receipt: TransactionReceipt; nonce: bigint }> {
    const receipt = await this.send('burn', [amount, baiRecipient]);
    const logs = receipt.logs.filter((l) => getAddress(l.address) === this.bridge);
    const [burned] = parseEventLogs({ abi: baiBridgeAbi, eventName: 'Burned', logs });
    if (!burned) throw new BridgeError('TX_REVERTED', `burn ${receipt.transactionHash} emitted no Burned event`);
    return { receipt, nonce: burned.args.nonce };
  }

  async setRelayers(message: SetRelayersMessage, signatures: readonly RelayerSignature[]): Promise<TransactionReceipt> {
    const m = { ...message, relayers: sortAddresses(message.relayers) };
    const ordered = await orderSignatures(this.domain, { kind: 'SetRelayers', message: m }, signatures);
    return this.send('setRelayers', [m.relayers, m.threshold, m.guardian, m.nonce, ordered]);
  }

  async setPaused(message: SetPausedMessage, signatures: readonly RelayerSignature[]): Promise<TransactionReceipt> {
    const ordered = await orderSignatures(this.domain, { kind: 'SetPaused', message }, signatures);
    return this.send('setPaused', [message.paused, message.nonce, ordered]);
  }

  guardianPause(): Promise<TransactionReceipt> {
    return this.send('guardianPause', []);
  }
}
