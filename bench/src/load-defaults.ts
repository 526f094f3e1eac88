// Defaults of `transfers` that scale with the offered rate, so that a high rate is really offered.

/**
 * Bench accounts the default goes up to: a 4-validator dev genesis can fund 4,879 `//bench/<i>` (1,000 BAI each
 * within 5,880,000 BAI: devGenesis checks for at most 5,000, but the supply runs out past 4,879), in about 1 s.
 */
export const MAX_ACCOUNTS = 4_000;

/**
 * Enough accounts that none runs into the pool's 64-nonce future window: at most one transfer per account per
 * second offered, and 48 per account over the window, as far as MAX_ACCOUNTS allows (4,500/s for 60 s: 68 per
 * account, of which a third finalize meanwhile at 3× saturation, so about 45 pending at the end).
 */
export function defaultAccounts(rate: number, seconds: number): number {
  return Math.min(MAX_ACCOUNTS, Math.max(200, Math.ceil(rate), Math.ceil((rate * seconds) / 48)));
}

/**
 * Connections for enough requests in flight to offer the rate while answers take up to 250 ms on average (an
 * overloaded gateway and validator do: busy refusals come from the validator): rate / 4 requests, at least 128
 * (the CometBFT load generator's bound), at most 2,048 (the gateway holds 4,096 submissions before it answers
 * GATEWAY_BUSY), over connections carrying `pipeline` each.
 */
export function defaultConnections(rate: number, pipeline: number): number {
  return Math.ceil(Math.min(2_048, Math.max(128, Math.ceil(rate / 4))) / pipeline);
}
