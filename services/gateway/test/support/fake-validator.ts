import { createHash } from 'node:crypto';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  BALANCES_PALLET,
  blake2_256,
  buildMetadata,
  encodeHeader,
  encodeMetadataAtVersion,
  encodeMetadataVersions,
  encodeOpaqueMetadata,
  encodeRuntimeVersion,
  fromHex,
  parseAccountId,
  runtimeVersion,
  SYSTEM_PALLET,
  toHex,
  type DigestItem,
} from '@balanceai/chain';
import { consensusV1, protoFile } from '@balanceai/contracts';
import { DomainError, GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, ServingStatus, toGrpcError } from '@balanceai/platform';

/**
 * A small in-memory stand-in for a validator's ConsensusService: the boundary the gateway talks to.
 * It keeps a few finalized blocks (real SCALE headers, hash = blake2_256 of the header, the same chain in
 * every instance), accounts, a mempool, Substrate storage per block and runtime calls, and refuses what a
 * test queues with `refuseNextSubmission`. Real validation is the consensus service's (e2e tests).
 */
export class FakeValidator {
  readonly calls: string[] = [];
  readonly blocks: consensusV1.GetBlockResponse[] = [];
  readonly accounts = new Map<string, { free: bigint; reserved: bigint; nonce: bigint }>();
  readonly mempool = new Map<string, string>();
  /** Storage as the next block will commit it (key → SCALE value, 0x hex). */
  readonly storage = new Map<string, string>();
  /** Storage as each block committed it, by block hash. */
  private readonly states = new Map<string, Map<string, string>>();
  /** What GetRuntime answers as V14 metadata (a stub unless a test needs a decodable one; see useRealMetadata). */
  metadata = '0x6d6574610e';
  private metadataV15 = '0x6d6574610f';
  /** Runtime API calls by method name: SCALE args (0x hex) → SCALE result (0x hex). */
  readonly runtimeCalls = new Map<string, (data: string) => string>([
    ['Core_version', () => toHex(encodeRuntimeVersion(runtimeVersion({ specVersion: 1, transactionVersion: 1 })))],
    ['Metadata_metadata', () => toHex(encodeOpaqueMetadata(fromHex(this.metadata)))],
    ['Metadata_metadata_versions', () => toHex(encodeMetadataVersions([14, 15]))],
    [
      'Metadata_metadata_at_version',
      (data) => {
        const version = fromHex(data)[0];
        return toHex(encodeMetadataAtVersion(version === 14 ? fromHex(this.metadata) : version === 15 ? fromHex(this.metadataV15) : undefined));
      },
    ],
  ]);
  /** What GetChainStatus says about block sync, and grpc.health.v1 about halting (NOT_SERVING). */
  syncing = false;
  serving = true;
  /** Serve SubmissionService.SubmitExtrinsics (read at start); false: UNIMPLEMENTED, as a validator of an older build. */
  batchSubmission = true;
  /** Extrinsics in each SubmitExtrinsics call served, in order. */
  readonly batchSizes: number[] = [];
  /** SubmitExtrinsic and SubmitExtrinsics answer this much later (a validator under load). */
  submitDelayMs = 0;
  /** Every submission is refused as a full mempool would refuse it (busy), as a validator past saturation. */
  full = false;
  private readonly refusals: DomainError[] = [];
  private server: Server | undefined;

  constructor() {
    for (let n = 0; n < 3; n++) this.addBlock([]);
  }

  /** Hash of block 0, what clients sign over. */
  get genesisHash(): string {
    return this.blocks[0]!.hash;
  }

  /** Serves System + Balances metadata that @polkadot/api can decode (V14, and V15 by runtime call). */
  useRealMetadata(): void {
    this.metadata = toHex(buildMetadata([SYSTEM_PALLET, BALANCES_PALLET], { version: 14 }));
    this.metadataV15 = toHex(buildMetadata([SYSTEM_PALLET, BALANCES_PALLET], { version: 15 }));
  }

  /** Sets (or with null removes) a storage value from the next block on. */
  setStorage(key: string, value: string | null): void {
    if (value === null) this.storage.delete(key.toLowerCase());
    else this.storage.set(key.toLowerCase(), value);
  }

  get head(): consensusV1.GetBlockResponse {
    return this.blocks.at(-1)!;
  }

  addBlock(extrinsicHashes: string[], digest: DigestItem[] = []): consensusV1.GetBlockResponse {
    const number = this.blocks.length;
    const parentHash = number === 0 ? `0x${'00'.repeat(32)}` : this.blocks[number - 1]!.hash;
    const header = encodeHeader({
      parentHash: fromHex(parentHash),
      number,
      stateRoot: fromHex(hashOf(`state ${number}`)),
      extrinsicsRoot: fromHex(hashOf(`extrinsics ${number}`)),
      digest,
    });
    const block: consensusV1.GetBlockResponse = {
      number: String(number),
      hash: toHex(blake2_256(header)),
      parentHash,
      stateRoot: hashOf(`state ${number}`),
      extrinsicsRoot: hashOf(`extrinsics ${number}`),
      timeMs: String(1_700_000_000_000 + number * 1000),
      proposerIndex: number % 4,
      round: 0,
      header: toHex(header),
      extrinsics: extrinsicHashes.map((hash, index) => ({
        index,
        hash,
        signer: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
        nonce: String(index),
        call: 'Balances.transfer_keep_alive',
        argsJson: JSON.stringify({ dest: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty', value: '1000000000000000000' }),
        success: index === 0,
        errorCode: index === 0 ? '' : 'Balances.InsufficientBalance',
        fee: '1000000000000000',
        data: this.mempool.get(hash) ?? '0x00',
      })),
      commitSigners: [0, 1, 2],
      justification: number === 0 ? '0x' : '0x0102',
      evidenceCount: 0,
      lastCommitSigners: [],
      lastCommitSignerKeys: [],
      events: [{ module: 'System', name: 'BlockFinalized', dataJson: JSON.stringify({ number }) }],
    };
    this.blocks.push(block);
    this.states.set(block.hash, new Map(this.storage));
    for (const hash of extrinsicHashes) this.mempool.delete(hash);
    return block;
  }

  /** The next SubmitExtrinsic answers with this domain error, as a validator's checks would. */
  refuseNextSubmission(error: DomainError): void {
    this.refusals.push(error);
  }

  async start(port = 0): Promise<string> {
    const definition = loadSync(protoFile('consensus'), { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
    const service = definition[`${consensusV1.BALANCEAI_CONSENSUS_V1_PACKAGE_NAME}.${consensusV1.CONSENSUS_SERVICE_NAME}`];
    if (!service || !('SubmitExtrinsic' in service)) throw new Error('ConsensusService not in the proto');
    this.server = new Server();
    this.server.addService(service, this.implementation());
    const submission = definition[`${consensusV1.BALANCEAI_CONSENSUS_V1_PACKAGE_NAME}.${consensusV1.SUBMISSION_SERVICE_NAME}`];
    if (!submission || !('SubmitExtrinsics' in submission)) throw new Error('SubmissionService not in the proto');
    if (this.batchSubmission) this.server.addService(submission, { SubmitExtrinsics: this.unary('SubmitExtrinsics', (req: consensusV1.SubmitExtrinsicsRequest) => this.submitMany(req)) });
    const health = loadSync(GRPC_HEALTH_PROTO, { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true })[`${GRPC_HEALTH_PACKAGE}.Health`];
    if (!health || !('Check' in health)) throw new Error('grpc.health.v1.Health not in the proto');
    this.server.addService(health, {
      Check: this.unary('Check', () => ({ status: this.serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING })),
      Watch: () => undefined,
    } as UntypedServiceImplementation);
    const bound = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return `127.0.0.1:${bound}`;
  }

  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** One extrinsic as SubmitExtrinsic admits it: the next queued refusal, or into the mempool. */
  private admit(extrinsic: string): string {
    const refusal = this.refusals.shift();
    if (refusal) throw refusal;
    if (this.full) throw new DomainError('MEMPOOL_FULL', 'the mempool is full, retry later', 'busy', { retryAfterSeconds: '1' });
    const hash = toHex(blake2_256(fromHex(extrinsic)));
    this.mempool.set(hash, extrinsic);
    return hash;
  }

  private submitMany(req: consensusV1.SubmitExtrinsicsRequest): consensusV1.SubmitExtrinsicsResponse {
    this.batchSizes.push(req.extrinsics.length);
    return {
      results: req.extrinsics.map((extrinsic): consensusV1.SubmitExtrinsicResult => {
        try {
          return { hash: this.admit(extrinsic), errorCode: '', errorKind: '', errorMessage: '', retryAfterSeconds: 0 };
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          const retry = Number(err.details?.retryAfterSeconds ?? 0);
          return { hash: '', errorCode: err.code, errorKind: err.kind, errorMessage: err.message, retryAfterSeconds: retry };
        }
      }),
    };
  }

  private implementation(): UntypedServiceImplementation {
    return {
      SubmitExtrinsic: this.unary('SubmitExtrinsic', (req: consensusV1.SubmitExtrinsicRequest): consensusV1.SubmitExtrinsicResponse => ({ hash: this.admit(req.extrinsic) })),
      GetExtrinsic: this.unary('GetExtrinsic', (req: consensusV1.GetExtrinsicRequest): consensusV1.GetExtrinsicResponse => {
        const unknown: consensusV1.GetExtrinsicResponse = {
          hash: req.hash,
          state: consensusV1.ExtrinsicState.EXTRINSIC_STATE_UNKNOWN,
          blockNumber: '0',
          blockHash: '',
          index: 0,
          signer: '',
          nonce: '0',
          fee: '',
          errorCode: '',
          errorMessage: '',
          events: [],
        };
        if (this.mempool.has(req.hash)) return { ...unknown, state: consensusV1.ExtrinsicState.EXTRINSIC_STATE_PENDING };
        for (const block of this.blocks) {
          const x = block.extrinsics.find((e) => e.hash === req.hash);
          if (!x) continue;
          return {
            ...unknown,
            state: x.success ? consensusV1.ExtrinsicState.EXTRINSIC_STATE_FINALIZED : consensusV1.ExtrinsicState.EXTRINSIC_STATE_FAILED,
            blockNumber: block.number,
            blockHash: block.hash,
            index: x.index,
            signer: x.signer,
            nonce: x.nonce,
            fee: x.fee,
            errorCode: x.errorCode,
            errorMessage: x.errorCode ? 'balance too low to send value' : '',
            events: [{ module: 'Balances', name: 'Transfer', dataJson: x.argsJson }],
          };
        }
        return unknown;
      }),
      GetChainStatus: this.unary('GetChainStatus', (): consensusV1.GetChainStatusResponse => ({
        chain: 'BalanceAI Devnet',
        chainId: 'dev',
        genesisHash: this.genesisHash,
        finalizedHeight: this.head.number,
        finalizedHash: this.head.hash,
        finalizedTimeMs: this.head.timeMs,
        consensusHeight: String(Number(this.head.number) + 1),
        consensusRound: 0,
        validators: [0, 1, 2, 3].map((index) => ({
          index,
          consensusKey: `consensus-${index}`,
          stash: `stash-${index}`,
          online: index !== 3,
          lastSeenHeight: this.head.number,
        })),
        validatorsOnline: 3,
        mempoolSize: this.mempool.size,
        totalIssuance: '5880000000000000000000000',
        selfIndex: 0,
        syncing: this.syncing,
      })),
      ReadStorage: this.unary('ReadStorage', (req: consensusV1.ReadStorageRequest): consensusV1.ReadStorageResponse => {
        const [block, state] = this.stateAt(req.at);
        return {
          at: block.hash,
          height: block.number,
          entries: req.keys.map((key) => {
            const value = state.get(key.toLowerCase());
            return { key, present: value !== undefined, value: value ?? '' };
          }),
        };
      }),
      StorageKeys: this.unary('StorageKeys', (req: consensusV1.StorageKeysRequest): consensusV1.StorageKeysResponse => {
        const [block, state] = this.stateAt(req.at);
        const prefix = req.prefix.toLowerCase();
        const keys = [...state.keys()].filter((k) => k.startsWith(prefix) && (!req.startKey || k > req.startKey.toLowerCase())).sort();
        return { at: block.hash, height: block.number, keys: keys.slice(0, Math.min(req.count, 1000)) };
      }),
      RuntimeCall: this.unary('RuntimeCall', (req: consensusV1.RuntimeCallRequest): consensusV1.RuntimeCallResponse => {
        const [block] = this.stateAt(req.at);
        const call = this.runtimeCalls.get(req.method);
        if (!call) throw new DomainError('UNKNOWN_RUNTIME_API', `Exported method ${req.method} is not found`);
        return { at: block.hash, height: block.number, result: call(req.data) };
      }),
      GetBlock: this.unary('GetBlock', (req: { number?: string; hash?: string; id?: string }): consensusV1.GetBlockResponse => {
        const block = req.id === 'hash' ? this.blocks.find((b) => b.hash === req.hash) : this.blocks[Number(req.number)];
        if (!block) throw new DomainError('BLOCK_NOT_FOUND', `no finalized block ${req.id === 'hash' ? req.hash : req.number}`, 'not_found');
        return block;
      }),
      GetAccount: this.unary('GetAccount', (req: consensusV1.GetAccountRequest): consensusV1.GetAccountResponse => {
        const id = toHex(parseAccountId(req.address));
        const account = this.accounts.get(id) ?? { free: 0n, reserved: 0n, nonce: 0n };
        return {
          address: req.address,
          free: account.free.toString(),
          reserved: account.reserved.toString(),
          nonce: account.nonce.toString(),
          nextNonce: (account.nonce + 1n).toString(),
        };
      }),
      GetRuntime: this.unary('GetRuntime', (): consensusV1.GetRuntimeResponse => ({
        chain: 'BalanceAI Devnet',
        genesisHash: this.genesisHash,
        specVersion: 1,
        transactionVersion: 1,
        ss58Prefix: 42,
        tokenSymbol: 'BAI',
        tokenDecimals: 18,
        metadata: this.metadata,
        baseFee: '1000000000000000',
        byteFee: '1000000000000',
        existentialDeposit: '10000000000000000',
        blockTimeMs: '1000',
        metadataV15: this.metadataV15,
      })),
    };
  }

  /** The block `at` names (the head when empty) and its storage. */
  private stateAt(at: string): [consensusV1.GetBlockResponse, Map<string, string>] {
    const block = at ? this.blocks.find((b) => b.hash === at.toLowerCase()) : this.head;
    if (!block) throw new DomainError('UNKNOWN_BLOCK', `no finalized block ${at}`, 'not_found');
    return [block, this.states.get(block.hash)!];
  }

  private unary<Req, Res>(name: string, handler: (request: Req) => Res) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      this.calls.push(name);
      if (name.startsWith('SubmitExtrinsic') && this.submitDelayMs > 0) {
        setTimeout(() => this.answer(call, callback, handler), this.submitDelayMs);
        return;
      }
      this.answer(call, callback, handler);
    };
  }

  private answer<Req, Res>(call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>, handler: (request: Req) => Res): void {
    try {
      callback(null, handler(call.request));
    } catch (err) {
      if (err instanceof DomainError) callback(toGrpcError(err));
      else callback({ code: 13, details: String(err) });
    }
  }
}

function hashOf(text: string): string {
  return `0x${createHash('sha256').update(text).digest('hex')}`;
}
