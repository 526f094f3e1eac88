import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import { ExpertClient } from './expert-client.js';

// Found by the API fuzzer: a non-ASCII x-bai-admin-token made grpc-js throw while building the metadata,
// and the gateway answered 500 INTERNAL.
test('an admin token gRPC metadata cannot carry is refused as MODEL_ADMIN_DENIED (403), before any call', async () => {
  const client = new ExpertClient({ url: '127.0.0.1:1', deadlineMs: 1_000 });
  try {
    for (const token of ['tökén', 'a\u0000b', 'two words', '\udb01x']) {
      await assert.rejects(
        client.addModel({ name: 'm', version: '1', modelClp: '', functionsPy: '', description: '', explanationsJson: '', inputSchemaJson: '', mode: '' } as never, token),
        (err: unknown) => err instanceof DomainError && err.code === 'MODEL_ADMIN_DENIED' && err.kind === 'forbidden',
      );
    }
  } finally {
    client.close();
  }
});
