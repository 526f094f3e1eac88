import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@balanceai/platform';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView } from '../http/views.js';
import { BridgeEthereum, EthereumUnavailable, type EthBurn, type SignatureCollection } from './bridge.ethereum.js';
import {
  BRIDGE_ID_PATTERN,
  BridgeBurnView,
  BridgeLockView,
  BridgeRelayersView,
  BridgeView,
  bridgeConstants,
  bridgeKeys,
  burnView,
  decodeAllowance,
  decodeBurnInfo,
  decodeIds,
  decodeLockInfo,
  decodeTotals,
  decodeU128,
  decodeU64,
  decoded,
  lockView,
  parseBridgeId,
  relayersView,
  releaseAllowanceAt,
  type BridgeConstants,
} from './bridge.views.js';

/**
 * REST routes of the Interlink bridge (docs/architecture.md §7): pallet 30's storage at the finalized head, read
 * through consensus like a wallet's state_getStorage (what every validator agreed), and its constants from the
 * runtime metadata.
 */
@ApiTags('bridge')
@Controller('v1/bridge')
export class BridgeController {
  private constants: Promise<BridgeConstants> | undefined;

  constructor(
    @Inject(ConsensusClient) private readonly consensus: ConsensusClient,
    @Inject(BridgeEthereum) private readonly eth: BridgeEthereum,
  ) {}

  /** An Ethereum-side read that may fail without failing the route: the value, or null and why. */
  private async optional<T>(enabled: boolean, off: string, read: () => Promise<T>): Promise<{ value: T | null; note: string | null }> {
    if (!enabled) return { value: null, note: off };
    try {
      return { value: await read(), note: null };
    } catch (err) {
      if (err instanceof EthereumUnavailable) return { value: null, note: err.message };
      throw err;
    }
  }

  /** Genesis-fixed: read once (a failed read is retried by the next request). */
  private bridgeConstants(): Promise<BridgeConstants> {
    const read = (this.constants ??= this.consensus.call('getRuntime', {}).then((r) => bridgeConstants(r.metadata)));
    return read.catch((err: unknown) => {
      if (this.constants === read) this.constants = undefined;
      throw err;
    });
  }

  private async read(keys: string[]): Promise<{ at: string; height: string; values: Array<string | null> }> {
    const r = await this.consensus.call('readStorage', { at: '', keys });
    return { at: r.at, height: r.height, values: r.entries.map((e) => (e.present ? e.value : null)) };
  }

  @Get()
  @ApiOperation({ summary: 'The bridge: relayer set and threshold, escrow, totals locked/released/refunded, the 24 h release limit and what is left of it' })
  @ApiOkResponse({ type: BridgeView })
  @ApiNotFoundResponse({ type: ErrorView, description: 'BRIDGE_NOT_ENABLED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NO_VALIDATOR' })
  async overview(): Promise<BridgeView> {
    const c = await this.bridgeConstants();
    const k = bridgeKeys;
    const keys = [k.relayers(), k.escrow(), k.totals(), k.allowance(), k.queue(), k.openLocks(), k.nextLockNonce()];
    const { at, height, values } = await this.read(keys);
    const v = <T>(i: number, decode: (b: Uint8Array) => T, fallback: T): T => (values[i] ? decoded(keys[i]!, values[i]!, decode) : fallback);
    const relayers = v(0, decodeIds(32), []);
    const totals = v(2, decodeTotals, { locked: 0n, released: 0n, refunded: 0n });
    const allowance = v(3, decodeAllowance, { left: 0n, updatedAt: 0n });
    const nonce = v(6, decodeU64, 0n);
    return {
      at,
      height,
      relayers,
      threshold: c.threshold,
      escrow: v(1, decodeU128, 0n).toString(),
      totals: { locked: totals.locked.toString(), released: totals.released.toString(), refunded: totals.refunded.toString() },
      releaseLimit: {
        limit: c.releaseLimit.toString(),
        windowBlocks: c.releaseWindow,
        left: releaseAllowanceAt(allowance, BigInt(height), c)?.toString() ?? null,
        queue: v(4, decodeIds(32), []),
      },
      lockTtlSecs: c.lockTtlSecs.toString(),
      minLock: c.minLock.toString(),
      openLocks: v(5, decodeIds(32), []).length,
      locks: nonce.toString(),
      ...(await this.optional(this.eth.rpcConfigured, 'no Ethereum RPC configured (BAI_BRIDGE_ETH_RPC_URL)', () => this.eth.supply()).then(({ value: w, note }) => ({
        wbai: w ? { totalSupply: w.supply.toString(), block: w.block.toString(), chainId: w.chainId, bridge: w.bridge, token: w.token } : null,
        ethereumNote: note,
      }))),
    };
  }

  @Get('relayers')
  @ApiOperation({ summary: 'The relayer set (Bridge pallet) and M, each relayer\'s health as its board reports it (BAI_BRIDGE_RELAYER_URLS)' })
  @ApiOkResponse({ type: BridgeRelayersView })
  @ApiNotFoundResponse({ type: ErrorView, description: 'BRIDGE_NOT_ENABLED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NO_VALIDATOR' })
  async relayers(): Promise<BridgeRelayersView> {
    const c = await this.bridgeConstants();
    const key = bridgeKeys.relayers();
    const { at, values } = await this.read([key]);
    const set = values[0] ? decoded(key, values[0], decodeIds(32)) : [];
    return relayersView(at, set, c.threshold, await this.eth.boards());
  }

  @Get('locks/:lockId')
  @ApiOperation({ summary: 'One lock (BAI → wBAI): locked → signed k/M → minted, or refunded; the Mint message and the relayers\' checked signatures (anyone may submit BaiBridge.mint with M of them)' })
  @ApiParam({ name: 'lockId', schema: { type: 'string', pattern: BRIDGE_ID_PATTERN } })
  @ApiOkResponse({ type: BridgeLockView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_LOCK_ID' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'LOCK_NOT_FOUND, BRIDGE_NOT_ENABLED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NO_VALIDATOR' })
  async lock(@Param('lockId') text: string): Promise<BridgeLockView> {
    const lockId = parseBridgeId(text, 'lock');
    const c = await this.bridgeConstants();
    const key = bridgeKeys.lock(lockId);
    const { at, values } = await this.read([key]);
    if (!values[0]) throw new DomainError('LOCK_NOT_FOUND', `no lock ${lockId} at the finalized block ${at}`, 'not_found');
    const info = decoded(key, values[0], decodeLockInfo);
    let collected: { value: SignatureCollection | null; note: string | null } = { value: null, note: null };
    if (info.status === 'Locked') {
      collected = await this.optional(this.eth.boardsConfigured, 'no relayer boards configured (BAI_BRIDGE_RELAYER_URLS)', () =>
        this.eth.signatures({ lockId, recipient: info.ethRecipient, amount: info.amount, deadline: info.deadline }),
      );
    }
    return lockView(at, lockId, info, c.threshold, collected.value, collected.note);
  }

  @Get('burns/:burnId')
  @ApiOperation({ summary: 'One Ethereum burn (wBAI → BAI): burned → confirmed (read on Ethereum, with BAI_BRIDGE_ETH_RPC_URL) → attested k/M → released (queued under the 24 h limit)' })
  @ApiParam({ name: 'burnId', schema: { type: 'string', pattern: BRIDGE_ID_PATTERN } })
  @ApiOkResponse({ type: BridgeBurnView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_BURN_ID' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'BURN_NOT_FOUND (no relayer attested it yet), BRIDGE_NOT_ENABLED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NO_VALIDATOR' })
  async burn(@Param('burnId') text: string): Promise<BridgeBurnView> {
    const burnId = parseBridgeId(text, 'burn');
    const c = await this.bridgeConstants();
    const key = bridgeKeys.burn(burnId);
    const { at, values } = await this.read([key]);
    const info = values[0] ? decoded(key, values[0], decodeBurnInfo) : null;
    let eth: EthBurn | null = null;
    let note: string | null = null;
    if (info?.status !== 'Released') ({ value: eth, note } = await this.optional(this.eth.rpcConfigured, '', () => this.eth.burn(burnId)));
    if (!info && !eth) {
      const why = !this.eth.rpcConfigured ? '' : note ? ` (Ethereum not read: ${note})` : ', and no such burn is on Ethereum now';
      throw new DomainError('BURN_NOT_FOUND', `no relayer attested burn ${burnId} by the finalized block ${at}${why}`, 'not_found');
    }
    return burnView(at, burnId, info, c.threshold, eth, this.eth.o.confirmations);
  }
}
