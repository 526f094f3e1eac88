// Build everything reproducibly: generate gRPC contracts and Prisma clients, then compile (tsc -b).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

// 1. gRPC contracts from proto/ (generated code is never committed).
rmSync(join(root, 'libs/contracts/src/generated'), { recursive: true, force: true });
run(bin('buf'), ['generate']);

// 2. Prisma clients, one per service that owns a schema.
for (const svc of readdirSync(join(root, 'services'))) {
  const dir = join(root, 'services', svc);
  if (existsSync(join(dir, 'prisma', 'schema.prisma'))) run(process.execPath, [join(root, 'scripts', 'prisma.mjs'), 'generate'], dir);
}

// 3. Solidity: the bridge contracts' ABIs and bytecode for the ethereum workspace (solc-js; generated, not committed).
run(process.execPath, [join(root, 'ethereum', 'scripts', 'compile-contracts.mjs')]);

// 4. The native sr25519 addon (libs/crypto-native, Rust): built when cargo is found and its sources
// changed; without cargo one line is printed and @balanceai/chain verifies sr25519 with the wasm.
run(process.execPath, [join(root, 'libs', 'crypto-native', 'scripts', 'build-addon.mjs')]);

// 5. TypeScript, in project-reference order.
run(bin('tsc'), ['-b', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['tsconfig.json'])]);

// 6. The dashboard (esbuild bundle the gateway serves at GET /), unless only some projects were asked for.
if (process.argv.slice(2).length === 0) run(process.execPath, [join(root, 'apps', 'dashboard', 'scripts', 'build.mjs')]);
