import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { fromHex, moduleAccount, modulePallets, toHex } from '@balanceai/chain';
import { ERROR_CODE_METADATA_KEY, inSpan } from '@balanceai/platform';
import { moduleV1 } from '@balanceai/contracts';
import type { Ledger, LedgerEvent } from '../ledger/ledger.js';
import type { ExtrinsicOutcome } from '../ledger/executor.js';
import { ModuleClient, isTransient } from './module-client.js';
import { applyModuleTransfers, ModuleFault, type ModuleTransfer } from './transfers.js';

/** The fixed execution order of docs/architecture.md §3, whatever order the operator lists them in. */
export const MODULE_ORDER = ['emissions', 'staking', 'models', 'bridge'] as const;

export interface ModuleEndpoint {
  name: string;
  url: string;
  /** This validator's module token (BAI_MODULE_TOKEN), presented on every call. */
  token: string;
}

interface Module {
  name: string;
  client: ModuleClient;
  palletIndex: number;
  account: string;
  /** Genesis fund accounts the module may pay out of (0x hex). */
  funds: Set<string>;
}

export interface BlockModuleInput {
  height: number;
  blockHash: string;
  timeMs: number;
  proposer: number;
  lastCommitSigners: number[];
  offences: moduleV1.Offence[];
  validators: moduleV1.ActiveValidator[];
  ledger: Ledger;
  outcomes: ExtrinsicOutcome[];
}

export interface BlockModuleOutput {
  /** Commit roots in module order. */
  roots: Uint8Array[];
  blockEvents: LedgerEvent[];
  /** The exact requests sent, kept with the block so a module that lost state can be replayed. */
  requests: Array<{ module: string; request: moduleV1.ExecuteBlockRequest }>;
  /** A validator set elected in this block (staking, at an era end). */
  validatorSetUpdate: moduleV1.ActiveValidator[] | null;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The module services a validator drives each block. A module that cannot be reached stops this
 * validator's execution (and so its voting) until it is back: a block never executes without its modules.
 */
export class ModuleSet {
  private readonly log = new Logger('Modules');
  private modules: Module[] = [];

  constructor(
    endpoints: ModuleEndpoint[],
    private readonly isStopped: () => boolean,
    /** Which genesis funds each module pays out of, e.g. staking → the staking reward pot. */
    fundsOf: (module: string) => string[] = () => [],
    /** Called with each module's ExecuteBlock + transfer time, for bai_module_execution_seconds. */
    private readonly observe: (module: string, seconds: number) => void = () => {},
  ) {
    const order = (n: string) => {
      const i = MODULE_ORDER.indexOf(n as (typeof MODULE_ORDER)[number]);
      if (i < 0) throw new Error(`unknown module "${n}" (known: ${MODULE_ORDER.join(', ')})`);
      return i;
    };
    this.modules = [...endpoints]
      .sort((a, b) => order(a.name) - order(b.name))
      .map((e) => ({
        name: e.name,
        client: new ModuleClient(e.name, e.url, e.token),
        palletIndex: -1,
        account: toHex(moduleAccount(e.name)),
        funds: new Set(fundsOf(e.name)),
      }));
  }

  get names(): string[] {
    return this.modules.map((m) => m.name);
  }

  /**
   * Each pallet a module serves storage for (MODULE_STORAGE_PALLETS: staking serves Staking and Session)
   * with that module's client: storage reads route by pallet prefix, one entry per prefix.
   */
  get storageClients(): Array<{ pallet: string; client: ModuleClient }> {
    return this.modules.flatMap((m) => modulePallets(m.name).map((pallet) => ({ pallet, client: m.client })));
  }

  get pallets(): ReadonlySet<number> {
    return new Set(this.modules.map((m) => m.palletIndex).filter((p) => p >= 0));
  }

  /** Retries while the module is unreachable; any other failure is a fault. */
  private async reach<T>(m: Module, what: string, fn: () => Promise<T>): Promise<T> {
    let lastLog = 0;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err)) throw new ModuleFault(`module ${m.name} failed ${what}: ${(err as Error).message}`);
        if (this.isStopped()) throw new ModuleFault(`stopping while waiting for module ${m.name}`);
        if (Date.now() - lastLog > 5_000) {
          lastLog = Date.now();
          this.log.warn(`module ${m.name} at ${m.client.url} cannot serve ${what} (${(err as Error).message}): this validator does not execute or vote until it can`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Learns each module's pallet and committed height. */
  async handshake(): Promise<Map<string, number>> {
    const heights = new Map<string, number>();
    for (const m of this.modules) {
      const info = await this.reach(m, 'Info', () => m.client.info());
      if (info.name !== m.name) throw new ModuleFault(`the service at ${m.client.url} is module "${info.name}", configured as "${m.name}"`);
      m.palletIndex = info.palletIndex;
      heights.set(m.name, Number(info.lastCommittedHeight));
    }
    return heights;
  }

  /** Re-sends stored requests to a module whose committed height is behind the chain's. */
  async replay(name: string, height: number, request: moduleV1.ExecuteBlockRequest): Promise<void> {
    const m = this.modules.find((x) => x.name === name)!;
    await this.reach(m, `replay ExecuteBlock(${height})`, () => m.client.executeBlock(request));
    await this.reach(m, `replay Commit(${height})`, () => this.commitOrReexecute(m, height, request));
  }

  /**
   * Commit; a module that restarted between ExecuteBlock and Commit lost its pending state and answers
   * NOT_EXECUTED: it gets the same request again (it recomputes the same response) and then commits.
   */
  private async commitOrReexecute(m: Module, height: number, request: moduleV1.ExecuteBlockRequest): Promise<moduleV1.CommitResponse> {
    try {
      return await m.client.commit(height);
    } catch (err) {
      if (errorCodeOf(err) !== 'NOT_EXECUTED') throw err;
      this.log.warn(`module ${m.name} restarted before Commit(${height}): executing the block on it again`);
      await m.client.executeBlock(request);
      return m.client.commit(height);
    }
  }

  /** ExecuteBlock on every module in order (applying each one's transfers before the next), then Commit. */
  async runBlock(input: BlockModuleInput): Promise<BlockModuleOutput> {
    const out: BlockModuleOutput = { roots: [], blockEvents: [], requests: [], validatorSetUpdate: null };
    const byIndex = new Map(input.outcomes.map((o) => [o.index, o]));
    for (const m of this.modules) {
      const calls = input.outcomes.filter((o) => o.moduleCall?.palletIndex === m.palletIndex);
      const signers = new Set(calls.map((c) => c.signer));
      const request: moduleV1.ExecuteBlockRequest = {
        context: {
          height: String(input.height),
          blockHash: input.blockHash,
          timeMs: String(input.timeMs),
          proposerIndex: input.proposer,
          lastCommitSigners: input.lastCommitSigners,
          offences: input.offences,
          totalIssuance: input.ledger.totalIssuance.toString(),
          validators: input.validators,
        },
        calls: calls.map((c) => ({
          extrinsicIndex: c.index,
          extrinsicHash: c.hash,
          signer: c.signer,
          callIndex: c.moduleCall!.callIndex,
          args: toHex(c.moduleCall!.args),
        })),
        signerBalances: [...signers].sort().map((s) => ({ account: s, free: input.ledger.get(s).free.toString() })),
        moduleBalances: [m.account, ...[...m.funds].sort()].map((account) => ({ account, free: input.ledger.get(account).free.toString() })),
      };
      const started = performance.now();
      const res = await inSpan(
        `ExecuteBlock ${m.name}`,
        { 'rpc.system': 'grpc', 'rpc.service': 'balanceai.module.v1.ModuleRuntimeService', 'rpc.method': 'ExecuteBlock', 'bai.module': m.name, 'bai.block.number': input.height, 'bai.module.calls': calls.length },
        () => this.reach(m, `ExecuteBlock(${input.height})`, () => m.client.executeBlock(request)),
        { kind: SpanKind.CLIENT },
      );
      if (Number(res.height) !== input.height) throw new ModuleFault(`module ${m.name} answered for height ${res.height}, not ${input.height}`);
      const transfers: ModuleTransfer[] = res.transfers.map((t) => ({
        kind: t.kind === moduleV1.TransferKind.TRANSFER_KIND_DEBIT ? 'debit' : t.kind === moduleV1.TransferKind.TRANSFER_KIND_CREDIT ? 'credit' : t.kind === moduleV1.TransferKind.TRANSFER_KIND_MINT ? 'mint' : badKind(m.name, t.kind),
        from: t.from,
        to: t.to,
        amount: BigInt(t.amount),
      }));
      out.blockEvents.push(...applyModuleTransfers(input.ledger, { name: m.name, account: m.account, mayMint: m.name === 'emissions', funds: m.funds }, transfers, signers));
      for (const r of res.results) {
        const o = byIndex.get(r.extrinsicIndex);
        if (!o?.moduleCall || o.moduleCall.palletIndex !== m.palletIndex) throw new ModuleFault(`module ${m.name} answered for extrinsic ${r.extrinsicIndex}, not one of its calls`);
        o.success = r.success;
        o.errorCode = r.success ? null : r.errorCode;
        o.errorMessage = r.success ? null : r.errorMessage;
        o.events.push({ module: 'System', name: r.success ? 'ExtrinsicSuccess' : 'ExtrinsicFailed', data: r.success ? {} : { error: r.errorCode } });
      }
      const answered = new Set(res.results.map((r) => r.extrinsicIndex));
      const unanswered = calls.find((c) => !answered.has(c.index));
      if (unanswered) throw new ModuleFault(`module ${m.name} gave no result for extrinsic ${unanswered.index}`);
      for (const e of res.events) {
        const ev: LedgerEvent = { module: capitalize(m.name), name: e.name, data: parseData(e.dataJson) };
        const o = e.extrinsicIndex >= 0 ? byIndex.get(e.extrinsicIndex) : undefined;
        if (o) o.events.push(ev);
        else out.blockEvents.push(ev);
      }
      out.requests.push({ module: m.name, request });
      if (res.validatorSetUpdate?.present) {
        if (out.validatorSetUpdate) throw new ModuleFault(`module ${m.name} elects a validator set, and another module already did`);
        out.validatorSetUpdate = res.validatorSetUpdate.validators;
      }
      this.observe(m.name, (performance.now() - started) / 1000);
    }
    for (const m of this.modules) {
      const request = out.requests.find((r) => r.module === m.name)!.request;
      const c = await inSpan(`Commit ${m.name}`, { 'rpc.system': 'grpc', 'rpc.method': 'Commit', 'bai.module': m.name }, () =>
        this.reach(m, `Commit(${input.height})`, () => this.commitOrReexecute(m, input.height, request)), { kind: SpanKind.CLIENT });
      out.roots.push(fromHex(c.root, 32));
    }
    return out;
  }

  /** Each module's committed height and state root, in execution order (checked against the app hash at start). */
  async committedRoots(): Promise<Array<{ name: string; height: number; root: Uint8Array }>> {
    const out: Array<{ name: string; height: number; root: Uint8Array }> = [];
    for (const m of this.modules) {
      const info = await this.reach(m, 'Info', () => m.client.info());
      out.push({ name: m.name, height: Number(info.lastCommittedHeight), root: fromHex(info.lastRoot, 32) });
    }
    return out;
  }

  close(): void {
    for (const m of this.modules) m.client.close();
  }
}

function errorCodeOf(err: unknown): string | undefined {
  const value = (err as { metadata?: { get(key: string): unknown[] } }).metadata?.get(ERROR_CODE_METADATA_KEY)?.[0];
  return typeof value === 'string' ? value : undefined;
}

function badKind(module: string, kind: number): never {
  throw new ModuleFault(`module ${module} returned a transfer of unknown kind ${kind}`);
}

function parseData(json: string): Record<string, string | number | boolean> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string | number | boolean>) : {};
  } catch {
    return {};
  }
}
