// A FakeValidator in its own process, so a test can freeze it with SIGSTOP as the devnet harness does
// with real validators. Prints its `host:port` on the first stdout line.
import { FakeValidator } from './fake-validator.js';

const validator = new FakeValidator();
process.stdout.write(`${await validator.start()}\n`);
process.once('SIGTERM', () => {
  validator.stop();
  process.exit(0);
});
