// Prints how fast the schedule answers: the closed form at far heights, and block-by-block minting.
// Run: node services/emissions/dist/src/schedule/bench.js [--seconds 1]
// Timing uses the clock, which is fine here: nothing measured feeds back into the money path.
import { MAINNET_SCHEDULE, genesisEmissionState, issuanceAtHeight, mintForBlock, splitMint, stateAtHeight } from './index.js';

const secondsArg = process.argv.indexOf('--seconds');
const secondsPerCase = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;
const S = MAINNET_SCHEDULE;

/** Calls `work` in batches until `secondsPerCase` have passed; returns the mean time per call. */
function measure(work: () => bigint): { calls: number; microsPerCall: number; checksum: bigint } {
  let calls = 0;
  let checksum = 0n;
  for (let i = 0; i < 100; i++) checksum += work(); // warm-up, so the JIT has compiled the path
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < secondsPerCase * 1_000) {
    for (let i = 0; i < 200; i++) checksum += work();
    calls += 200;
    elapsed = performance.now() - started;
  }
  return { calls, microsPerCall: (elapsed * 1_000) / calls, checksum };
}

console.log(`node ${process.version}, ${secondsPerCase}s per case, mainnet schedule`);
for (const height of [10n ** 6n, 10n ** 9n, 10n ** 12n]) {
  const state = stateAtHeight(S, height);
  const r = measure(() => issuanceAtHeight(S, height));
  console.log(
    `issuanceAtHeight(${height.toLocaleString('en-US')}) epoch ${state.epoch}: ` +
      `${r.microsPerCall.toFixed(2)} µs/call over ${r.calls.toLocaleString('en-US')} calls (checksum ${r.checksum % 1_000n})`,
  );
}

// Block-by-block, as the emissions module runs it: from genesis, carrying the state.
for (const withSplit of [false, true]) {
  let state = genesisEmissionState(S);
  let minted = 0n;
  const blocksPerBatch = 10_000;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < secondsPerCase * 1_000) {
    for (let i = 0; i < blocksPerBatch; i++) {
      const r = mintForBlock(S, state);
      if (withSplit) minted += splitMint(S, r.minted).developmentFund;
      else minted += r.minted;
      state = r.next;
    }
    elapsed = performance.now() - started;
  }
  const blocks = Number(state.height);
  // The closed form must agree with what was minted block by block.
  const agrees = issuanceAtHeight(S, state.height) === state.issuance;
  console.log(
    `mintForBlock${withSplit ? ' + splitMint' : ''}: ${Math.round((blocks / elapsed) * 1_000).toLocaleString('en-US')} blocks/s ` +
      `(${((elapsed * 1_000) / blocks).toFixed(2)} µs/block, ${blocks.toLocaleString('en-US')} blocks, ` +
      `closed form ${agrees ? 'agrees' : 'DISAGREES'}, checksum ${minted % 1_000n})`,
  );
  if (!agrees) process.exitCode = 1;
}
