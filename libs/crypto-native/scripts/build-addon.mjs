// Builds the N-API addon (Rust, cargo) into dist/crypto-native.<platform>-<arch>.node, only when it is
// missing or older than its sources. Without cargo it prints one line and exits 0: @balanceai/chain then
// verifies sr25519 with the wasm build of the same schnorrkel version.
// Usage: node libs/crypto-native/scripts/build-addon.mjs   (also run by the root scripts/build.mjs)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(pkg, 'dist', `crypto-native.${process.platform}-${process.arch}.node`);
const built = join(pkg, 'target', 'release', process.platform === 'darwin' ? 'libbalanceai_crypto_native.dylib' : 'libbalanceai_crypto_native.so');

function findCargo() {
  for (const candidate of [process.env.CARGO, 'cargo', join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'cargo')]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

const sources = [join(pkg, 'Cargo.toml'), join(pkg, 'Cargo.lock'), join(pkg, 'build.rs'), ...readdirSync(join(pkg, 'src')).filter((f) => f.endsWith('.rs')).map((f) => join(pkg, 'src', f))];
const newestSource = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (existsSync(addon) && statSync(addon).mtimeMs >= newestSource) process.exit(0); // up to date

const cargo = findCargo();
if (!cargo) {
  console.log('crypto-native: no cargo (Rust) found, addon not built: sr25519 is verified with schnorrkel-wasm');
  process.exit(0);
}
// --locked: the versions in Cargo.lock, never a silent upgrade of the verification code.
execFileSync(cargo, ['build', '--release', '--locked'], { cwd: pkg, stdio: 'inherit' });
mkdirSync(dirname(addon), { recursive: true });
copyFileSync(built, addon);
console.log(`crypto-native: built ${addon.slice(pkg.length + 1)}`);
