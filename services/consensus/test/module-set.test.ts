// The consensus side of the module contract against a gRPC module server that behaves like a module
// restarted between ExecuteBlock and Commit (its pending state gone): consensus re-sends the block.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, Server, ServerCredentials, loadPackageDefinition, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoFile, protoRoot } from '@balanceai/contracts';
import { ERROR_CODE_METADATA_KEY } from '@balanceai/platform';
import { Ledger } from '../src/ledger/ledger.js';
import { ModuleSet } from '../src/modules/module-set.js';

const ROOT = `0x${'11'.repeat(32)}`;
const TOKEN = 'c0ffee'.repeat(11);

describe('driving a module that restarted between ExecuteBlock and Commit', () => {
  let server: Server;
  let url = '';
  let executed = 0;
  let pending = false;
  let lostPendingOnce = true;
  /** Calls that came without this validator's module token (a real module refuses them). */
  const withoutToken: string[] = [];
  const checkToken = (method: string, call: { metadata: Metadata }) => {
    if (call.metadata.get('authorization')[0] !== `Bearer ${TOKEN}`) withoutToken.push(method);
  };

  before(async () => {
    const def = loadSync(protoFile('module'), { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [protoRoot] });
    const pkg = loadPackageDefinition(def) as unknown as { balanceai: { module: { v1: { ModuleRuntimeService: { service: never } } } } };
    server = new Server();
    server.addService(pkg.balanceai.module.v1.ModuleRuntimeService.service, {
      Info: (c: ServerUnaryCall<object, object>, cb: sendUnaryData<object>) => {
        checkToken('Info', c);
        cb(null, { name: 'emissions', palletIndex: 10, lastCommittedHeight: '0', lastRoot: ROOT });
      },
      CheckTx: (_c: ServerUnaryCall<object, object>, cb: sendUnaryData<object>) => cb(null, { ok: true }),
      ExecuteBlock: (call: ServerUnaryCall<{ context: { height: string } }, object>, cb: sendUnaryData<object>) => {
        checkToken('ExecuteBlock', call);
        executed++;
        // The first time, the "process" dies right after answering: its pending state is lost.
        pending = !lostPendingOnce;
        lostPendingOnce = false;
        cb(null, { height: call.request.context.height, results: [], events: [], transfers: [], validatorSetUpdate: { present: false, validators: [] } });
      },
      Commit: (call: ServerUnaryCall<{ height: string }, object>, cb: sendUnaryData<object>) => {
        checkToken('Commit', call);
        if (!pending) {
          const md = new Metadata();
          md.set(ERROR_CODE_METADATA_KEY, 'NOT_EXECUTED');
          return cb({ code: status.FAILED_PRECONDITION, details: 'call ExecuteBlock first', metadata: md }, null);
        }
        pending = false;
        cb(null, { height: call.request.height, root: ROOT });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    url = `127.0.0.1:${port}`;
  });

  after(() => {
    server.forceShutdown();
  });

  it('answers NOT_EXECUTED to Commit → consensus executes the block on it again, then commits; every call carries the module token', async () => {
    const modules = new ModuleSet([{ name: 'emissions', url, token: TOKEN }], () => false);
    try {
      await modules.handshake();
      const out = await modules.runBlock({
        height: 1,
        blockHash: `0x${'22'.repeat(32)}`,
        timeMs: 1,
        proposer: 0,
        lastCommitSigners: [],
        offences: [],
        validators: [],
        ledger: Ledger.fromBalances([], 1n),
        outcomes: [],
      });
      assert.equal(executed, 2, 'the block was sent again after the restart');
      assert.equal(out.roots.length, 1);
      assert.deepEqual(withoutToken, [], 'calls sent without the module token');
    } finally {
      modules.close();
    }
  });
});
