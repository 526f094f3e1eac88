// Creates the chain's JetStream stream with BAI_NATS_STREAM_REPLICAS replicas, before consensus starts
// (the `nats-stream` init container of each validator pod). Consensus creates the stream itself when
// it is missing, with one replica; made here first, it is replicated over the NATS cluster. The
// settings are those of services/consensus/src/events/finalized-publisher.ts (streamName,
// ensureStream); deploy/test/nats-cluster.test.mjs compares them. A stream that exists is left as
// it is (the validator's NATS user may create the stream, not change it).
//
// Environment: BAI_CHAIN_ID, BAI_NATS_STREAM_REPLICAS, NATS_URL (comma-separated servers), NATS_USER,
// NATS_PASSWORD or NATS_PASSWORD_FILE, NATS_TLS_CA_FILE (optional), BAI_NATS_STREAM_TIMEOUT_S (default 600: how long to
// wait for the cluster), BAI_APP_DIR (where node_modules is; default the working directory).
'use strict';
const { createRequire } = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const appRequire = createRequire(join(process.env.BAI_APP_DIR || process.cwd(), 'package.json'));
const { connect } = appRequire('@nats-io/transport-node');
const { jetstreamManager } = appRequire('@nats-io/jetstream');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const chainId = required('BAI_CHAIN_ID');
const replicas = Number(required('BAI_NATS_STREAM_REPLICAS'));
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new Error(`BAI_NATS_STREAM_REPLICAS must be 1-5, got ${process.env.BAI_NATS_STREAM_REPLICAS}`);
const timeoutMs = Number(process.env.BAI_NATS_STREAM_TIMEOUT_S || 600) * 1000;

/** The stream consensus publishes finalized blocks and events to (finalized-publisher.ts). */
const stream = {
  name: `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
  subjects: [`bai.${chainId}.>`],
  duplicate_window: 120_000_000_000,
  max_age: 7 * 24 * 3600 * 1_000_000_000,
  num_replicas: replicas,
};

const options = {
  servers: required('NATS_URL').split(',').map((s) => s.trim()),
  user: required('NATS_USER'),
  pass: process.env.NATS_PASSWORD || readFileSync(required('NATS_PASSWORD_FILE'), 'utf8').split('\n')[0].trim(),
  timeout: 5000,
  reconnect: false,
  ...(process.env.NATS_TLS_CA_FILE ? { tls: { caFile: process.env.NATS_TLS_CA_FILE } } : {}),
};

async function once() {
  const nc = await connect(options);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const existing = await jsm.streams.info(stream.name).catch((err) => {
      if (/stream not found/i.test(String(err && err.message))) return undefined;
      throw err;
    });
    if (existing) return `stream ${stream.name} exists with ${existing.config.num_replicas} replica(s)${existing.config.num_replicas < replicas ? ` (fewer than ${replicas}: raise them with \`nats stream edit ${stream.name} --replicas ${replicas}\` as a NATS admin)` : ''}`;
    try {
      await jsm.streams.add(stream);
      return `created stream ${stream.name} with ${replicas} replica(s)`;
    } catch (err) {
      // another validator created it at the same moment
      const info = await jsm.streams.info(stream.name).catch(() => {
        throw err;
      });
      return `stream ${stream.name} exists with ${info.config.num_replicas} replica(s)`;
    }
  } finally {
    await nc.close().catch(() => {});
  }
}

async function main() {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      console.log(await once());
      return;
    } catch (err) {
      // NATS not up yet, or the JetStream cluster has no leader yet: try again
      if (Date.now() > deadline) throw err;
      console.log(`waiting for NATS JetStream (attempt ${attempt}): ${err && err.message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 5000)));
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`nats-stream: ${err && err.message}`);
    process.exit(1);
  },
);
