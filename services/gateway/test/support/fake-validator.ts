import { createHash } from 'node:crypto';
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { blake2_256, fromHex, parseAccountId, toHex } from '@balanceai/chain';
import { consensusV1, protoFile } from '@balanceai/contracts';
import { DomainError, GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, ServingStatus, toGrpcError } from '@balanceai/platform';

/**
 * A small in-memory stand-in for a validator's ConsensusService: the boundary the gateway talks to.
 * It keeps a few finalized blocks, accounts and a mempool, and refuses what a test queues with
 * `refuseNextSubmission`. Real validation is the consensus service's and is covered by e2e tests.
 */
export class FakeValidator {
  readonly calls: string[] = [];
  readonly genesisHash = hashOf('genesis');
  readonly blocks: consensusV1.GetBlockResponse[] = [];
  readonly accounts = new Map<string, { free: bigint; reserved: bigint; nonce: bigint }>();
  readonly mempool = new Map<string, string>();
  /** What GetChainStatus says about block sync, and grpc.health.v1 about halting (NOT_SERVING). */
  syncing = false;
  serving = true;
  private readonly refusals: DomainError[] = [];
  private server: Server | undefined;

  constructor() {
    for (let n = 0; n < 3; n++) this.addBlock([]);
  }

  get head(): consensusV1.GetBlockResponse {
    return this.blocks.at(-1)!;
  }

  addBlock(extrinsicHashes: string[]): consensusV1.GetBlockResponse {
    const number = this.blocks.length;
    const block: consensusV1.GetBlockResponse = {
      number: String(number),
      hash: hashOf(`block ${number}`),
      parentHash: number === 0 ? `0x${'00'.repeat(32)}` : this.blocks[number - 1]!.hash,
      stateRoot: hashOf(`state ${number}`),
      extrinsicsRoot: hashOf(`extrinsics ${number}`),
      timeMs: String(1_700_000_000_000 + number * 1000),
      proposerIndex: number % 4,
      round: 0,
      header: `0x${'11'.repeat(40)}`,
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
      justification: '0x00',
      evidenceCount: 0,
      lastCommitSigners: [],
      lastCommitSignerKeys: [],
      events: [{ module: 'System', name: 'BlockFinalized', dataJson: JSON.stringify({ number }) }],
    };
    this.blocks.push(block);
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

  private implementation(): UntypedServiceImplementation {
    return {
      SubmitExtrinsic: this.unary('SubmitExtrinsic', (req: consensusV1.SubmitExtrinsicRequest): consensusV1.SubmitExtrinsicResponse => {
        const refusal = this.refusals.shift();
        if (refusal) throw refusal;
        const hash = toHex(blake2_256(fromHex(req.extrinsic)));
        this.mempool.set(hash, req.extrinsic);
        return { hash };
      }),
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
        metadata: '0x6d6574610e',
        baseFee: '1000000000000000',
        byteFee: '1000000000000',
        existentialDeposit: '10000000000000000',
        blockTimeMs: '1000',
        metadataV15: '0x6d6574610f',
      })),
    };
  }

  private unary<Req, Res>(name: string, handler: (request: Req) => Res) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      this.calls.push(name);
      try {
        callback(null, handler(call.request));
      } catch (err) {
        if (err instanceof DomainError) callback(toGrpcError(err));
        else callback({ code: 13, details: String(err) });
      }
    };
  }
}

function hashOf(text: string): string {
  return `0x${createHash('sha256').update(text).digest('hex')}`;
}
