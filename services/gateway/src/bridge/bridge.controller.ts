import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@balanceai/platform';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView } from '../http/views.js';
import {
  BRIDGE_ID_PATTERN,
  BridgeBurnView,
  BridgeLockView,
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

  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

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
    };
  }

  @Get('locks/:lockId')
  @ApiOperation({ summary: 'One lock (BAI → wBAI): locked → minted, or refunded; its deadline and the relayers\' reports' })
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
    return lockView(at, lockId, decoded(key, values[0], decodeLockInfo), c.threshold);
  }

  @Get('burns/:burnId')
  @ApiOperation({ summary: 'One Ethereum burn (wBAI → BAI) once a relayer attested it: attested k/M → released (queued under the 24 h limit)' })
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
    if (!values[0]) throw new DomainError('BURN_NOT_FOUND', `no relayer attested burn ${burnId} by the finalized block ${at}`, 'not_found');
    return burnView(at, burnId, decoded(key, values[0], decodeBurnInfo), c.threshold);
  }
}
