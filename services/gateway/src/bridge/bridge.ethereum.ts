import {
  BRIDGE_ETH,
  bridgeBurnId,
  bridgeMintDigest,
  fromHex,
  recoverEthSigner,
  toHex,
  uint256Word,
  wordToBigInt,
  type MintAuthorisationMessage,
} from '@balanceai/chain';

// The Ethereum half of the bridge as the gateway sees it (issue 12's API): the relayers' HTTP boards (their
// EIP-712 Mint signatures and /healthz) and, when an Ethereum JSON-RPC URL is configured, BaiBridge and wBAI
// read over plain JSON-RPC (wBAI supply, burns before any relayer attested them). Nothing here is trusted
// blindly: a collected signature counts only if its message is the lock's exactly and it recovers to its
// claimed signer, one of BaiBridge's relayers (or, without an RPC URL, one of the configured boards' keys).
// All optional: without configuration the routes show what BalanceAI's state alone tells.

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export interface BridgeEthereumOptions {
  /** The relayers' boards (BAI_BRIDGE_RELAYER_URLS, comma-separated http(s) URLs). */
  readonly relayerUrls: readonly string[];
  /** Ethereum JSON-RPC (BAI_BRIDGE_ETH_RPC_URL). */
  readonly ethRpcUrl: string | null;
  /** BaiBridge (BAI_BRIDGE_CONTRACT); else the address every reachable board reports. */
  readonly contract: string | null;
  /** Blocks a burn must be deep to count as confirmed (BAI_BRIDGE_CONFIRMATIONS, default 12 as the relayers). */
  readonly confirmations: number;
  readonly timeoutMs: number;
}

export class BridgeConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

function httpUrl(variable: string, text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new BridgeConfigError(variable, `"${text}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BridgeConfigError(variable, `"${text}" must be http(s)`);
  return u.toString().replace(/\/$/, '');
}

export function bridgeEthereumOptions(env: Readonly<Record<string, string | undefined>> = process.env): BridgeEthereumOptions {
  const list = (env.BAI_BRIDGE_RELAYER_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const rpc = env.BAI_BRIDGE_ETH_RPC_URL?.trim();
  const contract = env.BAI_BRIDGE_CONTRACT?.trim();
  if (contract && !ADDRESS.test(contract)) throw new BridgeConfigError('BAI_BRIDGE_CONTRACT', `"${contract}" is not an address (0x and 40 hex digits)`);
  const conf = env.BAI_BRIDGE_CONFIRMATIONS?.trim();
  const confirmations = conf ? Number(conf) : 12;
  if (!Number.isSafeInteger(confirmations) || confirmations < 1) throw new BridgeConfigError('BAI_BRIDGE_CONFIRMATIONS', `must be a whole number ≥ 1, got "${conf}"`);
  return {
    relayerUrls: list.map((u) => httpUrl('BAI_BRIDGE_RELAYER_URLS', u)),
    ethRpcUrl: rpc ? httpUrl('BAI_BRIDGE_ETH_RPC_URL', rpc) : null,
    contract: contract ? contract.toLowerCase() : null,
    confirmations,
    timeoutMs: 3_000,
  };
}

export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface BoardHealth {
  readonly url: string;
  readonly reachable: boolean;
  /** Its last tick succeeded (/healthz 200). */
  readonly healthy: boolean;
  readonly account: string | null;
  readonly ethAddress: string | null;
  readonly bridge: string | null;
  readonly chainId: number | null;
  readonly lastTickAtMs: number | null;
  readonly consecutiveFailures: number | null;
  readonly error: string | null;
}

export interface CollectedSignature {
  readonly signer: string;
  readonly signature: string;
}

export interface SignatureCollection {
  /** Valid for this lock on this BaiBridge, one per signer, signers ascending (the order BaiBridge wants). */
  readonly signatures: CollectedSignature[];
  /** Signatures a board served that do not count, and why. */
  readonly refused: Array<{ readonly url: string; readonly signer: string; readonly reason: string }>;
  /** Boards that did not answer with a signature (not signed yet, or down). */
  readonly missing: string[];
}

export interface EthBurn {
  readonly burnId: string;
  readonly nonce: bigint;
  readonly from: string;
  readonly baiRecipient: string;
  readonly amount: bigint;
  readonly blockNumber: bigint;
  readonly confirmations: bigint;
  readonly confirmed: boolean;
}

export class EthereumUnavailable extends Error {}

/** The bridge's Ethereum side through boards and JSON-RPC; `fetch` injectable for tests. */
export class BridgeEthereum {
  private chainId: number | undefined;
  private token: string | undefined;
  private readonly burnIds = new Map<string, bigint>();
  private burnIdsUpTo = 0n;
  private burnIdsFor = '';
  /** Each board's relayer as it last answered. */
  private readonly known = new Map<string, { account: string | null; ethAddress: string | null }>();

  constructor(
    readonly o: BridgeEthereumOptions,
    private readonly fetchFn: Fetch = (url, init) => fetch(url, init),
  ) {}

  get boardsConfigured(): boolean {
    return this.o.relayerUrls.length > 0;
  }

  get rpcConfigured(): boolean {
    return this.o.ethRpcUrl !== null;
  }

  private async getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await this.fetchFn(url, { signal: AbortSignal.timeout(this.o.timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, body };
  }

  async rpc<T>(method: string, params: unknown[]): Promise<T> {
    if (!this.o.ethRpcUrl) throw new EthereumUnavailable('no Ethereum RPC configured (BAI_BRIDGE_ETH_RPC_URL)');
    let body: { result?: T; error?: { message?: string } };
    try {
      const res = await this.fetchFn(this.o.ethRpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw new EthereumUnavailable(`Ethereum RPC ${method}: ${(err as Error).message}`);
    }
    if (body.error || body.result === undefined) throw new EthereumUnavailable(`Ethereum RPC ${method}: ${body.error?.message ?? 'no result'}`);
    return body.result;
  }

  private call(to: string, data: string, block: string = 'latest'): Promise<string> {
    return this.rpc<string>('eth_call', [{ to, data }, block]);
  }

  async boards(): Promise<BoardHealth[]> {
    return Promise.all(
      this.o.relayerUrls.map(async (url): Promise<BoardHealth> => {
        try {
          const { status, body: b } = await this.getJson(`${url}/healthz`);
          const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).toLowerCase() : null);
          const num = (k: string) => (typeof b[k] === 'number' ? (b[k] as number) : null);
          const h = { url, reachable: true, healthy: status === 200, account: str('account'), ethAddress: str('ethAddress'), bridge: str('bridge'), chainId: num('chainId'), lastTickAtMs: num('lastTickAtMs'), consecutiveFailures: num('consecutiveFailures'), error: null };
          this.known.set(url, { account: h.account, ethAddress: h.ethAddress });
          return h;
        } catch (err) {
          // Down: still the relayer it was when last reached (so the set shows which relayer is down).
          const k = this.known.get(url);
          return { url, reachable: false, healthy: false, account: k?.account ?? null, ethAddress: k?.ethAddress ?? null, bridge: null, chainId: null, lastTickAtMs: null, consecutiveFailures: null, error: (err as Error).message };
        }
      }),
    );
  }

  /** BaiBridge's address and chain: configured, else what the reachable boards agree on. */
  async deployment(boards?: BoardHealth[]): Promise<{ bridge: string; chainId: number }> {
    if (this.o.contract && this.chainId !== undefined) return { bridge: this.o.contract, chainId: this.chainId };
    const seen = (boards ?? (await this.boards())).filter((b) => b.bridge && b.chainId !== null);
    const bridges = new Set(seen.map((b) => b.bridge!));
    const bridge = this.o.contract ?? (bridges.size === 1 ? [...bridges][0]! : null);
    if (!bridge) throw new EthereumUnavailable(bridges.size > 1 ? `the relayer boards disagree on the BaiBridge address (${[...bridges].sort().join(', ')})` : 'no BaiBridge address: set BAI_BRIDGE_CONTRACT or reach a relayer board');
    let chainId: number | undefined;
    if (this.o.ethRpcUrl) chainId = Number(BigInt(await this.rpc<string>('eth_chainId', [])));
    else chainId = seen.find((b) => b.bridge === bridge)?.chainId ?? undefined;
    if (chainId === undefined) throw new EthereumUnavailable('the Ethereum chain id is unknown');
    if (this.o.contract) this.chainId = chainId;
    return { bridge, chainId };
  }

  /** BaiBridge's relayer set (lower-case addresses) at the latest block. */
  async contractRelayers(bridge: string): Promise<string[]> {
    const out = fromHex(await this.call(bridge, BRIDGE_ETH.relayers));
    const offset = Number(wordToBigInt(out.subarray(0, 32)));
    const n = Number(wordToBigInt(out.subarray(offset, offset + 32)));
    const list: string[] = [];
    for (let i = 0; i < n; i++) list.push(toHex(out.subarray(offset + 32 + 32 * i + 12, offset + 64 + 32 * i)));
    return list;
  }

  /** wBAI's total supply at the latest Ethereum block. */
  async supply(): Promise<{ supply: bigint; block: bigint; bridge: string; token: string; chainId: number }> {
    const d = await this.deployment();
    this.token ??= toHex(fromHex(await this.call(d.bridge, BRIDGE_ETH.token)).subarray(12, 32));
    const block = BigInt(await this.rpc<string>('eth_blockNumber', []));
    const supply = wordToBigInt(fromHex(await this.call(this.token, BRIDGE_ETH.totalSupply, `0x${block.toString(16)}`)));
    return { supply, block, bridge: d.bridge, token: this.token, chainId: d.chainId };
  }

  /**
   * The relayers' Mint signatures of `lock` as their boards serve them, checked: the message must be the lock's
   * exactly (a relayer that signed another amount, recipient or deadline is refused), the signature must
   * recover to the claimed signer, and the signer must be one of BaiBridge's relayers.
   */
  async signatures(lock: MintAuthorisationMessage): Promise<SignatureCollection> {
    const boards = await this.boards();
    const d = await this.deployment(boards);
    const allowed = new Set(this.o.ethRpcUrl ? await this.contractRelayers(d.bridge) : boards.map((b) => b.ethAddress).filter((a): a is string => a !== null));
    const digest = bridgeMintDigest(d.chainId, d.bridge, lock);
    const valid = new Map<string, CollectedSignature>();
    const refused: SignatureCollection['refused'] = [];
    const missing: string[] = [];
    await Promise.all(
      this.o.relayerUrls.map(async (url) => {
        let got: { status: number; body: Record<string, unknown> };
        try {
          got = await this.getJson(`${url}/v1/bridge/signatures/${lock.lockId.toLowerCase()}`);
        } catch {
          missing.push(url);
          return;
        }
        if (got.status !== 200) return void missing.push(url);
        const m = got.body.message as Record<string, unknown> | undefined;
        const signer = String(got.body.signer ?? '').toLowerCase();
        const signature = String(got.body.signature ?? '');
        const same =
          m !== undefined &&
          String(m.lockId).toLowerCase() === lock.lockId.toLowerCase() &&
          String(m.recipient).toLowerCase() === lock.recipient.toLowerCase() &&
          String(m.amount) === lock.amount.toString() &&
          String(m.deadline) === lock.deadline.toString();
        let reason: string | null = null;
        if (!same) reason = 'MESSAGE_MISMATCH: signed a message that is not this lock (recipient, amount or deadline differ)';
        else if (recoverEthSigner(digest, signature) !== signer) reason = 'BAD_SIGNATURE: does not recover to its signer for this lock on this BaiBridge';
        else if (!allowed.has(signer)) reason = 'NOT_RELAYER: the signer is not one of BaiBridge\'s relayers';
        if (reason) refused.push({ url, signer, reason });
        else valid.set(signer, { signer, signature });
      }),
    );
    return {
      signatures: [...valid.values()].sort((a, b) => (a.signer < b.signer ? -1 : 1)),
      refused: refused.sort((a, b) => (a.url < b.url ? -1 : 1)),
      missing: missing.sort(),
    };
  }

  /** The Burned event with this id, and its confirmations; null when no burn on this BaiBridge has that id. */
  async burn(burnId: string): Promise<EthBurn | null> {
    const d = await this.deployment();
    const id = burnId.toLowerCase();
    const key = `${d.chainId}:${d.bridge}`;
    if (this.burnIdsFor !== key) {
      this.burnIds.clear();
      this.burnIdsUpTo = 0n;
      this.burnIdsFor = key;
    }
    if (!this.burnIds.has(id)) {
      const count = wordToBigInt(fromHex(await this.call(d.bridge, BRIDGE_ETH.burnNonce)));
      for (let n = this.burnIdsUpTo + 1n; n <= count; n++) this.burnIds.set(bridgeBurnId(d.chainId, d.bridge, n), n);
      if (count > this.burnIdsUpTo) this.burnIdsUpTo = count;
    }
    // A burn id names a nonce on this contract (a reorg can put another burn at that nonce: the event read
    // below is the one on the chain now).
    const nonce = this.burnIds.get(id);
    if (nonce === undefined) return null;
    const head = BigInt(await this.rpc<string>('eth_blockNumber', []));
    const logs = await this.rpc<Array<{ topics: string[]; data: string; blockNumber: string; removed?: boolean }>>('eth_getLogs', [
      { address: d.bridge, fromBlock: '0x0', toBlock: 'latest', topics: [BRIDGE_ETH.burnedTopic, toHex(uint256Word(nonce))] },
    ]);
    const log = logs.find((l) => !l.removed);
    // The nonce was counted but its event is gone: a reorg took the burn (its nonce will be reused).
    if (!log) return null;
    const blockNumber = BigInt(log.blockNumber);
    const confirmations = head >= blockNumber ? head - blockNumber + 1n : 0n;
    return {
      burnId: id,
      nonce,
      from: toHex(fromHex(log.topics[2]!).subarray(12)),
      baiRecipient: log.topics[3]!.toLowerCase(),
      amount: wordToBigInt(fromHex(log.data)),
      blockNumber,
      confirmations,
      confirmed: confirmations >= BigInt(this.o.confirmations),
    };
  }
}
