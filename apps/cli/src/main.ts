import { parseArgs } from 'node:util';
import { UsageError, devnet, genesis, keysInspect, keysNew, migrate, runService } from './commands.js';
import { processEnv } from './wallet/env.js';
import { STAKING_COMMANDS, staking } from './wallet/staking.js';
import { account } from './wallet/account.js';
import { transfer } from './wallet/transfer.js';
import { watch } from './wallet/watch.js';
import { BRIDGE_USAGE, bridgeLock, bridgeStatus, processStatusEnv } from './wallet/bridge.js';
import { BRIDGE_ETH_USAGE, bridgeBurn, bridgeMint, processBridgeEthEnv } from './wallet/bridge-eth.js';

const HELP = `balanceai — BalanceAI Network node and tools

  balanceai devnet [--validators 4] [--port 8080] [--dir .devnet] [--block-time 1000] [--era-length 60] [--echo]
                   [--modules emissions,staking,models] [--nats-nodes 1|3] [--no-expert]
  balanceai keys new [--type sr25519|ed25519] [--words 12|24]
  balanceai keys inspect <secret-uri> [--type sr25519|ed25519] [--prefix 42]
  balanceai genesis [--validators 4] [--out genesis.json] [--chain NAME] [--block-time MS] [--era-length N] [--models]
  balanceai migrate                       (DATABASE_URL)
  balanceai run consensus|emissions|staking|models|models-worker|bridge|bridge-relayer|gateway|expert|validator

Wallet (Substrate JSON-RPC over WebSocket, as any wallet; --rpc defaults to ws://127.0.0.1:8080,
--gateway http://host:port is accepted too and means ws://host:port):
  balanceai account <address>
  balanceai transfer --from <secret-uri> --to <address> --amount <BAI> [--keep-alive]
  balanceai bond --from <secret-uri> --amount <BAI> [--payee Staked|Stash]
  balanceai bond-extra --from <secret-uri> --amount <BAI>
  balanceai nominate --from <secret-uri> --targets <address,address,…>
  balanceai set-consensus-key --from <secret-uri> --key <0x ed25519 public key>   (before validate)
  balanceai validate --from <secret-uri> [--commission PERCENT] [--blocked]
  balanceai unbond --from <secret-uri> --amount <BAI>
  balanceai withdraw --from <secret-uri> [--spans 0]          (withdraw_unbonded)
  balanceai chill --from <secret-uri>
  balanceai watch [--account <address>] [--count N]          (one line per finalized block)
  balanceai bridge lock --from <secret-uri> --eth <0x address> --amount <BAI>   (BAI → wBAI on Ethereum)
  balanceai bridge status <lockId|burnId> [--gateway http://127.0.0.1:8080]   (gateway REST)
  balanceai bridge burn --amount <wBAI> --to <BAI account> [--eth-rpc URL]   (wBAI → BAI; key in BAI_ETH_PRIVATE_KEY)
  balanceai bridge mint <lockId> [--eth-rpc URL]   (submit the relayers' signatures the gateway collected)
  signing commands also take [--type sr25519|ed25519] [--tip BAI] [--timeout SECONDS]; they wait for finality
`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      validators: { type: 'string' },
      port: { type: 'string' },
      dir: { type: 'string' },
      'block-time': { type: 'string' },
      'era-length': { type: 'string' },
      echo: { type: 'boolean' },
      modules: { type: 'string' },
      'nats-nodes': { type: 'string' },
      'no-expert': { type: 'boolean' },
      models: { type: 'boolean' },
      type: { type: 'string' },
      words: { type: 'string' },
      prefix: { type: 'string' },
      out: { type: 'string' },
      chain: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      amount: { type: 'string' },
      tip: { type: 'string' },
      'keep-alive': { type: 'boolean' },
      rpc: { type: 'string' },
      gateway: { type: 'string' },
      payee: { type: 'string' },
      targets: { type: 'string' },
      commission: { type: 'string' },
      blocked: { type: 'boolean' },
      spans: { type: 'string' },
      key: { type: 'string' },
      account: { type: 'string' },
      count: { type: 'string' },
      eth: { type: 'string' },
      'eth-rpc': { type: 'string' },
      'eth-key': { type: 'string' },
      bridge: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP);
    return;
  }
  if (STAKING_COMMANDS.includes(cmd)) {
    await staking(cmd, values, processEnv);
    return;
  }
  switch (cmd) {
    case 'devnet':
      return devnet(values);
    case 'keys':
      if (sub === 'new') return keysNew(values);
      if (sub === 'inspect') return keysInspect(arg, values);
      throw new UsageError('usage: balanceai keys new|inspect');
    case 'genesis':
      return genesis(values);
    case 'transfer':
      await transfer(values, processEnv);
      return;
    case 'account':
      return account(sub, values, processEnv);
    case 'watch': {
      // Ctrl-C ends the watch cleanly (unsubscribe, close) instead of killing it mid-line.
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      return watch(values, processEnv, abort.signal);
    }
    case 'bridge':
      if (sub === 'lock') return void (await bridgeLock(values, processEnv));
      if (sub === 'status') return void (await bridgeStatus(arg, values, processStatusEnv));
      if (sub === 'burn') return void (await bridgeBurn(values, processBridgeEthEnv(processStatusEnv)));
      if (sub === 'mint') return void (await bridgeMint(arg, values, processBridgeEthEnv(processStatusEnv)));
      throw new UsageError(`${BRIDGE_USAGE}\n${BRIDGE_ETH_USAGE}`);
    case 'migrate':
      return migrate();
    case 'run':
      return runService(sub);
    default:
      throw new UsageError(`unknown command "${cmd}"\n${HELP}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`balanceai: ${(err as Error).message}`);
    process.exit(2);
  }
  // Coded errors (GATEWAY_UNREACHABLE, INVALID_TRANSACTION, BAD_AMOUNT, …) are the user's to read: one line.
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string' && err instanceof Error) {
    console.error(`balanceai: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
