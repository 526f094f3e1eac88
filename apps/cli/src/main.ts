import { parseArgs } from 'node:util';
import { UsageError, account, devnet, genesis, keysInspect, keysNew, migrate, runService, transfer } from './commands.js';

const HELP = `balanceai — BalanceAI Network node and tools

  balanceai devnet [--validators 4] [--port 8080] [--dir .devnet] [--block-time 1000] [--era-length 60] [--echo]
  balanceai keys new [--type sr25519|ed25519] [--words 12|24]
  balanceai keys inspect <secret-uri> [--type sr25519|ed25519] [--prefix 42]
  balanceai genesis [--validators 4] [--out genesis.json] [--chain NAME] [--block-time MS] [--era-length N]
  balanceai transfer --from <secret-uri> --to <address> --amount <BAI> [--keep-alive] [--gateway URL]
  balanceai account <address> [--gateway URL]
  balanceai migrate                       (DATABASE_URL)
  balanceai run consensus|emissions|gateway|expert|validator
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
      gateway: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP);
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
      return transfer(values);
    case 'account':
      return account(sub, values);
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
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string' && err instanceof Error) {
    console.error(`balanceai: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
