import { Logger } from '@nestjs/common';
import { blake2_256, concatBytes, fromHex, parseAccountId, toHex } from '@balanceai/chain';
import type { moduleV1 } from '@balanceai/contracts';
import { encodeBody, encodeJustification, type Block, type Commit } from '../block/block.js';
import { encodeEvidencePair, offenceId } from '../evidence/evidence-pool.js';
import { executeExtrinsics, type ExecutionContext, type ExtrinsicOutcome } from '../ledger/executor.js';
import type { Ledger, LedgerEvent } from '../ledger/ledger.js';
import type { ChainParams } from '../ledger/params.js';
import type { ModuleSet } from '../modules/module-set.js';
import { ModuleFault } from '../modules/transfers.js';
import type { CommittedHead } from '../node/chain-view.js';
import { ValidatorSets, type ValidatorSet } from '../node/validator-sets.js';
import type { NodeStore, StoredBlock } from '../store/store.js';

/** The block's effects could not be written: the node stops, and the restart replays from the database. */
export class PersistFailure extends Error {}

/** A finalized block executed on a ledger draft and written to disk, ready to be adopted. */
export interface ExecutedBlock {
  readonly head: CommittedHead;
  readonly draft: Ledger;
  readonly outcomes: readonly ExtrinsicOutcome[];
  readonly blockEvents: readonly LedgerEvent[];
  /** A validator set elected by this block, deciding from the next height. */
  readonly nextSet: ValidatorSet | null;
}

/** app_hash = blake2_256(ledger_root ‖ module roots in order), or the ledger root when no module runs. */
export function appHashOf(ledger: Ledger, moduleRoots: Uint8Array[]): Uint8Array {
  if (moduleRoots.length === 0) return ledger.root();
  return blake2_256(concatBytes(ledger.root(), ...moduleRoots));
}

/**
 * Executes finalized blocks (CometBFT's BlockExecutor): ledger pass on a draft, then each module's
 * ExecuteBlock and Commit, then one database transaction with every effect. The live ledger is not
 * touched here: the caller adopts the draft after this returns.
 */
export class BlockExecutor {
  private readonly log = new Logger('Executor');

  constructor(
    private readonly params: ChainParams,
    private readonly store: Pick<NodeStore, 'commitBlock' | 'moduleRequest'>,
    private readonly modules: ModuleSet | null,
    private readonly sets: ValidatorSets,
  ) {}

  async execute(block: Block, commit: Commit, live: Ledger, ctx: ExecutionContext): Promise<ExecutedBlock> {
    const draft = live.draft();
    const outcomes = executeExtrinsics(draft, this.params, ctx, block.extrinsics as Uint8Array[]);
    const moduleOut = this.modules
      ? await this.modules.runBlock({
          height: block.number,
          blockHash: block.hash,
          timeMs: block.meta.timeMs,
          proposer: block.meta.proposer,
          // Modules see indices into this block's set: a commit or an offence of an earlier height is
          // mapped by consensus key (a validator no longer in the set has no index here and is left out).
          lastCommitSigners: (block.lastCommit?.precommits ?? [])
            .map((v) => this.indexNow(block.number, v.height, v.validator))
            .filter((i): i is number => i !== null),
          offences: block.evidence.flatMap((e) => {
            const validator = this.indexNow(block.number, e.first.height, e.first.validator);
            return validator === null ? [] : [{ validator, height: String(e.first.height), round: e.first.round, voteType: e.first.type }];
          }),
          validators: this.moduleValidators(block.number),
          ledger: draft,
          outcomes,
        })
      : { roots: [], blockEvents: [], requests: [], validatorSetUpdate: null };
    const nextSet = moduleOut.validatorSetUpdate
      ? { fromHeight: block.number + 1, validators: moduleOut.validatorSetUpdate.map((v) => ({ key: fromHex(v.consensusKey, 32), stash: v.stash })) }
      : null;
    const appHash = appHashOf(draft, moduleOut.roots);
    const evidenceEvents: LedgerEvent[] = block.evidence.map((e) => ({
      module: 'Consensus',
      name: 'Equivocation',
      data: { validator: e.first.validator, height: e.first.height, round: e.first.round, voteType: e.first.type },
    }));
    const blockEvents = [...evidenceEvents, ...moduleOut.blockEvents];
    const stored: StoredBlock = {
      height: block.number,
      hash: block.hash,
      header: block.headerBytes,
      body: encodeBody(block),
      justification: encodeJustification(commit),
      timeMs: block.meta.timeMs,
      round: block.meta.round,
      proposer: block.meta.proposer,
      appHash,
      events: blockEvents,
    };
    try {
      await this.store.commitBlock({
        block: stored,
        outcomes,
        accounts: draft.changes(),
        totalIssuance: draft.totalIssuance,
        includedEvidence: block.evidence.map((e) => ({ id: offenceId(e), height: e.first.height, validator: e.first.validator, votes: encodeEvidencePair(e) })),
        moduleRequests: moduleOut.requests,
        validatorSet: nextSet ? ValidatorSets.toJson(nextSet) : null,
      });
    } catch (err) {
      throw new PersistFailure(`block ${block.number} could not be written: ${(err as Error).message}. Stopping; the restart replays from the last committed height.`);
    }
    return {
      head: { height: block.number, blockHash: fromHex(block.hash, 32), timeMs: block.meta.timeMs, appHash, lastCommit: commit },
      draft,
      outcomes,
      blockEvents,
      nextSet,
    };
  }

  /** Index in the set of `height` of the validator that was `index` in the set of `atHeight`. */
  private indexNow(height: number, atHeight: number, index: number): number | null {
    return this.sets.indexOf(height, this.sets.at(atHeight)[index]?.key);
  }

  /** The active set as modules see it: account ids as 0x hex (the module contract's form). */
  private moduleValidators(height: number): moduleV1.ActiveValidator[] {
    return this.sets.at(height).map((v, index) => ({ index, consensusKey: toHex(v.key), stash: toHex(parseAccountId(v.stash)), backingStake: '0' }));
  }

  /**
   * At start: asks every module its committed height, replays the heights it lacks from the requests
   * stored with each block, then checks that ledger + module roots give the app hash this node stored.
   * Fails closed: a module whose state does not match cannot be driven.
   */
  async connectModules(committedHeight: number, storedAppHash: Uint8Array, ledger: Ledger): Promise<void> {
    if (!this.modules) {
      if (toHex(appHashOf(ledger, [])) !== toHex(storedAppHash)) throw new ModuleFault('the stored ledger does not match the stored app hash');
      return;
    }
    const modules = this.modules;
    for (const [name, moduleHeight] of await modules.handshake()) {
      if (moduleHeight > committedHeight) {
        this.log.log(`module ${name} is at height ${moduleHeight}, ahead of consensus ${committedHeight}: it will answer those heights from its stored responses`);
      }
      for (let h = moduleHeight + 1; h <= committedHeight; h++) {
        const request = await this.store.moduleRequest(h, name);
        if (!request) throw new ModuleFault(`module ${name} lacks height ${h} and this node has no stored request to replay it`);
        await modules.replay(name, h, request as moduleV1.ExecuteBlockRequest);
        if (h === moduleHeight + 1 || h === committedHeight) this.log.log(`replayed module ${name} at height ${h}`);
      }
    }
    if (committedHeight > 0) {
      const roots = await modules.committedRoots();
      const ahead = roots.filter((r) => r.height !== committedHeight);
      if (ahead.length > 0) {
        // A module that committed past us (a crash between its Commit and ours) is checked when we re-execute that height.
        this.log.warn(`modules ${ahead.map((r) => `${r.name}@${r.height}`).join(', ')} are past height ${committedHeight}: their roots are checked on re-execution`);
      } else if (toHex(appHashOf(ledger, roots.map((r) => r.root))) !== toHex(storedAppHash)) {
        throw new ModuleFault(
          `the modules' state roots (${roots.map((r) => `${r.name} ${r.root.length ? toHex(r.root) : '?'}`).join(', ')}) and the ledger do not give ` +
            `the app hash stored for height ${committedHeight} (${toHex(storedAppHash)}): a module's database does not belong to this chain or this height. Refusing to start.`,
        );
      }
    }
    this.log.log(`modules in execution order: ${modules.names.join(' → ')}`);
  }
}
