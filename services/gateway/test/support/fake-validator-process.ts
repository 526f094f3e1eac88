// A FakeValidator in its own process, so a test can freeze it with SIGSTOP as the devnet harness does
// with real validators. Prints its `host:port` on the first stdout line.
import { FakeValidator } from './fake-validator.js';

const validator = new FakeValidator();
// For bench-hotpath.ts: a validator that answers submissions late, or one without SubmissionService.
validator.submitDelayMs = Number(process.env.FAKE_SUBMIT_DELAY_MS ?? 0);
validator.batchSubmission = process.env.FAKE_BATCH_SUBMISSION !== '0';
validator.full = process.env.FAKE_FULL === '1';
process.stdout.write(`${await validator.start()}\n`);
process.once('SIGTERM', () => {
  validator.stop();
  process.exit(0);
});
