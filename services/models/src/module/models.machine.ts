import {
  CallDecodeError,
  ChainError,
  decodeModelsCall,
  moduleAccount,
  parseAccountId,
  toHex,
  type Genesis,
  type ModelsGenesis,
} from '@balanceai/chain';
import {
  blockOutput,
  type CheckTxInput,
  type CheckTxOutcome,
  type ExecuteBlockInput,
  type ExecuteBlockOutput,
  type ModuleStateMachine,
  type ModuleStorageView,
  type TransferOutput,
} from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import { executeModelsBlock } from '../logic/block.js';
import { NAME_PATTERN, totalLocked } from '../logic/calls.js';
import { type ModelsState, type Provider, type Transfer, emptyState } from '../logic/types.js';
import { modelsStateRoot } from './models.state.js';
import { modelsStorage } from './models.storage.js';

export const MODELS_MODULE_NAME = 'models';
export const MODELS_PALLET_INDEX = 20;
export const MODELS_MODULE_ACCOUNT = toHex(moduleAccount(MODELS_MODULE_NAME));

export interface ModelsSetup {
  readonly params: ModelsGenesis;
  /** Owners as lowercase 0x hex; registered at height 0 with ids 0, 1, … */
  readonly genesisProviders: ReadonlyArray<Omit<Provider, 'id' | 'status' | 'unlockEra' | 'registeredEra' | 'earned' | 'slashed'>>;
  readonly eraLength: bigint;
  /** moduleAccount('models'): holds every validation lock. */
  readonly moduleAccount: string;
  readonly modelsFund: string;
  readonly agentsFund: string;
  readonly developmentFund: string;
}

const hexId = (address: string): string => toHex(parseAccountId(address));

/** The models setup of a genesis; the genesis must carry the `models` section (it also puts pallet 20 in the metadata). */
export function modelsSetupFromGenesis(genesis: Genesis): ModelsSetup {
  if (!genesis.models) {
    throw new DomainError('BAD_MODELS_GENESIS', 'the genesis has no "models" section: add one (fields left out take the defaults) to run the marketplace', 'internal');
  }
  const genesisProviders = genesis.models.providers.map((p) => ({ ...p, owner: hexId(p.owner) }));
  const locked = genesisProviders.reduce((sum, p) => sum + p.lock, 0n);
  const funded = genesis.balances.find((b) => hexId(b.address) === MODELS_MODULE_ACCOUNT)?.free ?? 0n;
  if (funded !== locked) {
    throw new DomainError('BAD_MODELS_GENESIS', `the models account's genesis balance ${funded} is not the ${locked} the genesis providers lock (withGenesisProviders moves the locks)`, 'internal');
  }
  return {
    params: genesis.models,
    genesisProviders,
    eraLength: BigInt(genesis.params.eraLength),
    moduleAccount: MODELS_MODULE_ACCOUNT,
    modelsFund: hexId(genesis.accounts.modelsGrantsFund),
    agentsFund: hexId(genesis.accounts.agentsGrantsFund),
    developmentFund: hexId(genesis.accounts.developmentFund),
  };
}

/**
 * Models (pallet 20) on the module host: the pure logic (src/logic) with the contract. Per block: the calls
 * in block order, then at the era's last block the scoring, the grants and the due lock returns.
 * Transfers: DEBIT signer → module account (register, top_up); CREDIT module account → owner (lock
 * returned) or → development fund (slash); CREDIT models / agents grants fund → owner (grants).
 */
export class ModelsMachine implements ModuleStateMachine<ModelsState> {
  readonly name = MODELS_MODULE_NAME;
  readonly palletIndex = MODELS_PALLET_INDEX;

  constructor(readonly setup: ModelsSetup) {
    if (setup.eraLength < 1n) throw new RangeError('eraLength must be at least 1');
  }

  initialState(): ModelsState {
    const providers = new Map<number, Provider>(
      this.setup.genesisProviders.map((p, id) => [id, { ...p, id, status: 'Active', unlockEra: 0, registeredEra: 0, earned: 0n, slashed: 0n }]),
    );
    return { ...emptyState(), providers, nextId: providers.size };
  }

  root(state: ModelsState): Uint8Array {
    return modelsStateRoot(state);
  }

  storage(state: ModelsState): ModuleStorageView {
    return modelsStorage(state);
  }

  executeBlock(state: ModelsState, input: ExecuteBlockInput): { state: ModelsState; output: ExecuteBlockOutput } {
    const { setup } = this;
    const ctx = input.context;
    if (ctx.height !== state.height + 1n) throw new DomainError('HEIGHT_GAP', `models is at ${state.height}, cannot execute ${ctx.height}`, 'conflict');
    const held = input.moduleBalances.get(setup.moduleAccount);
    const locked = totalLocked(state.providers);
    if (held !== undefined && held < locked) {
      // The module account must hold every lock; less means the ledger and this module disagree: stop.
      throw new DomainError('LOCKED_MISMATCH', `the models account holds ${held}, less than the ${locked} locked`, 'internal', { held: held.toString(), locked: locked.toString() });
    }
    const out = executeModelsBlock(state, {
      height: ctx.height,
      eraLength: setup.eraLength,
      params: setup.params,
      validators: ctx.validators.map((v) => ({ stash: v.stash, stake: v.backingStake })),
      calls: input.calls.map((c) => ({ extrinsicIndex: c.extrinsicIndex, signer: c.signer, callIndex: c.callIndex, args: c.args })),
      free: input.signerBalances,
      funds: { model: input.moduleBalances.get(setup.modelsFund) ?? 0n, agent: input.moduleBalances.get(setup.agentsFund) ?? 0n },
    });
    return { state: out.state, output: blockOutput('Models', out, (t) => this.toWire(t)) };
  }

  /** Mempool check: the call decodes and passes the checks that need no state. */
  checkTx(input: CheckTxInput): CheckTxOutcome {
    const bad = (code: string, message: string): CheckTxOutcome => ({ ok: false, errorCode: `Models.${code}`, errorMessage: message });
    let c;
    try {
      c = decodeModelsCall(input.callIndex, input.args);
    } catch (err) {
      if (err instanceof CallDecodeError || err instanceof ChainError) return bad('BadCall', err.message);
      throw err;
    }
    const p = this.setup.params;
    switch (c.call) {
      case 'register': {
        if (!NAME_PATTERN.test(c.name)) return bad('BadName', 'a name is 1-64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
        const min = c.kind === 'Model' ? p.modelMinLock : p.agentMinLock;
        if (c.lock < min) return bad('LockTooLow', `a ${c.kind} lock must be at least ${min}`);
        if (c.lock > input.signerFree) return bad('InsufficientBalance', `the lock ${c.lock} exceeds the free balance ${input.signerFree}`);
        break;
      }
      case 'top_up':
        if (c.amount === 0n) return bad('ZeroAmount', 'top up by a positive amount');
        if (c.amount > input.signerFree) return bad('InsufficientBalance', `${c.amount} exceeds the free balance ${input.signerFree}`);
        break;
      case 'set_weights':
        if (c.weights.length > p.maxWeights) return bad('TooManyWeights', `at most ${p.maxWeights} weights`);
        break;
      default:
        break;
    }
    return { ok: true };
  }

  private toWire(t: Transfer): TransferOutput {
    const { moduleAccount: mod, modelsFund, agentsFund, developmentFund } = this.setup;
    if (t.kind === 'debit') return { kind: 'debit', from: t.from, to: mod, amount: t.amount };
    const from = t.from === 'module' ? mod : t.from === 'modelFund' ? modelsFund : agentsFund;
    return { kind: 'credit', from, to: t.to === 'developmentFund' ? developmentFund : t.to, amount: t.amount };
  }
}
