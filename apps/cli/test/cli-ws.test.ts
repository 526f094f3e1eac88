import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { FakeChain } from '../src/testing/fake-chain.js';
import { RpcFault } from '../src/testing/fake-transport.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The real CLI process against a real WebSocket server that answers like a gateway (FakeChain's handlers
 * behind `ws`): checks the transport, the printed output, exit codes and that the process exits by itself.
 */
describe('balanceai against a JSON-RPC WebSocket server', () => {
  let server: WebSocketServer;
  let url: string;
  let nextChain: () => FakeChain = () => new FakeChain();

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    server.on('connection', (ws) => {
      const chain = nextChain();
      chain.transport.onMessage((text) => ws.send(text));
      ws.on('message', (data) => chain.transport.send(String(data)));
    });
  });
  after(() => server.close());

  it('account prints the decoded System.Account and exits 0', async () => {
    const r = await run(['account', BOB, '--rpc', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).address, BOB);
  });

  it('transfer follows the extrinsic to finalized and prints ok', async () => {
    const r = await run(['transfer', '--from', '//Alice', '--to', BOB, '--amount', '1.5', '--rpc', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /finalized in #101 0x0+65 \(extrinsic 1\)\n {2}events: System\.ExtrinsicSuccess\nok\n$/);
  });

  it('a 1010 refusal is one line on stderr with the reason, exit 1', async () => {
    nextChain = () =>
      new FakeChain({
        author_submitAndWatchExtrinsic: () => {
          throw new RpcFault(1010, 'Invalid Transaction', 'Transaction has a bad signature');
        },
      });
    const r = await run(['transfer', '--from', '//Alice', '--to', BOB, '--amount', '1', '--gateway', url.replace('ws', 'http')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'balanceai: the chain refused the transaction: Invalid Transaction (1010): Transaction has a bad signature\n');
  });
});
