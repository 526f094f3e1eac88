// Preloaded into devnet children by `transfers.js --cpu-prof <dir>` (NODE_OPTIONS=--import …):
// the first SIGWINCH (ignored by default, and not one of Nest's shutdown signals, unlike SIGUSR2) starts the V8 CPU profiler, the second writes `<dir>/<name>-<pid>.cpuprofile`.
// Unlike `node --cpu-prof`, this covers exactly the load window and works for processes that exit by a signal.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BAI_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  const name = (process.argv[1] ?? 'node').split('/').slice(-4).join('_').replace(/\.js$/, '');
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
