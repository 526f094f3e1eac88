// Summarises .cpuprofile files written by `transfers.js --cpu-prof <dir>`:
//   node bench/dist/src/profile-summary.js <dir or file>… [--top 25]
// Per file: self time by function (file:line), and self time grouped by package / our source folder.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A source file of this repository, wherever it was checked out: `…/(services|libs|apps|bench)/<pkg>/(src|dist)/…`. */
const OUR_SOURCE = /\/((?:services|libs|apps|bench)\/[^/]+\/(?:src|dist)\/.*)$/;

function ourPath(url: string): string | undefined {
  if (url.includes('node_modules/')) return undefined;
  return OUR_SOURCE.exec(url)?.[1];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return ourPath(url) ?? url;
}

function group(url: string, fn: string): string {
  if (!url) return fn === '(garbage collector)' ? '(gc)' : fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/:.*$/, ':') + url.slice(5).split('/')[0];
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const s = shortUrl(url).replace(/^file:\/\//, '');
  return s.split('/').slice(0, 5).join('/');
}

function summarise(file: string, top: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // The first delta is the time from Profiler.start to the first sample (the profiler's start-up), not a
  // sampling interval of the first stack: it is left out.
  for (let i = 1; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((s, x) => s + x, 0);
  const byFn = new Map<string, number>();
  const byGroup = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url).replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const g = group(f.url, f.functionName);
    byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  }
  // Inclusive: each sample is charged to the innermost frame of our own code (services/, libs/) on its
  // stack, so a library's time shows under the function of ours that called it (synchronously).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ours = (url: string) => /^(services|libs)\//.test(ourPath(url) ?? '');
  const byOwn = new Map<string, number>();
  for (const [id, us] of self) {
    let cur: number | undefined = id;
    let key = '(no frame of ours on the stack)';
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(garbage collector)' || leaf === '(program)') continue;
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      if (ours(f.url)) {
        key = `${f.functionName || '(anonymous)'} ${shortUrl(f.url).replace(/^file:\/\//, '')}:${f.lineNumber + 1}`;
        break;
      }
      cur = parent.get(cur);
    }
    byOwn.set(key, (byOwn.get(key) ?? 0) + us);
  }
  const idle = [...byFn.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n== ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`);
  console.log('-- by package / folder');
  for (const [g, us] of [...byGroup.entries()].filter(([g]) => g !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(us)}  ${g}`);
  console.log('-- by innermost function of ours on the stack (self time of everything it calls synchronously)');
  for (const [k, us] of [...byOwn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
  console.log('-- by function (self time)');
  for (const [k, us] of [...byFn.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
}

const args = process.argv.slice(2);
let top = 25;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (statSync(args[i]!).isDirectory()) {
    for (const f of readdirSync(args[i]!)) if (f.endsWith('.cpuprofile')) files.push(join(args[i]!, f));
  } else files.push(args[i]!);
}
for (const f of files.sort()) summarise(f, top);
