// The worker sandbox holds: every way out we know of, tried from CLIPS (functions that reach the host, refused
// when a model loads; a request value that would make CLIPS call a function) and from model Python (files,
// processes, network, limits), fails — and the host shows no trace of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DomainError } from '@balanceai/platform';
import type { ExpertEngine } from '../src/expert-engine.js';
import { fixtureModels, startEngine } from './support/engine.js';

const ADMIN = 'sandbox-test-admin-token';

function loadFailure(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DomainError, String(err));
    assert.equal(err.code, 'MODEL_LOAD_FAILED', err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('expert sandbox', () => {
  let engine: ExpertEngine;
  let listener: Server;
  let port = 0;
  let connections = 0;
  const token = `t${randomBytes(6).toString('hex')}`;

  before(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    engine = await startEngine({ adminToken: ADMIN, sandbox: true }, true);
  });
  after(async () => {
    await engine?.close();
    listener.close();
  });

  async function attempt(kind: string): Promise<string> {
    const response = await engine.evaluate({
      model: 'escape-python', modelVersion: '',
      requestJson: JSON.stringify({ ot_user_id: 'u1', ot_risk_input: { ot_user_attempt: kind, ot_user_port: port, ot_user_token: token } }),
    });
    return response.identifiedRisks[0]?.otPosDealid ?? '';
  }

  it('starts workers in bubblewrap as an unprivileged user', async () => {
    assert.equal(engine.sandbox.kind, 'bwrap', engine.sandbox.note);
    // As root the service drops workers to BAI_EXPERT_WORKER_USER; otherwise they run as the (unprivileged) service user.
    const serviceUid = process.getuid?.() ?? 0;
    const expected = engine.sandbox.uid ?? serviceUid;
    assert.notEqual(expected, 0, `workers would run as root: ${engine.sandbox.note}`);
    assert.equal(await attempt('uid'), `uid:${expected}`);
  });

  it('gives model Python a read-only filesystem: neither the model folder nor the service tree can be written', async () => {
    assert.match(await attempt('write_model_dir'), /^blocked:(OSError|PermissionError)$/);
    assert.match(await attempt('write_service_tree'), /^blocked:(OSError|PermissionError)$/);
    assert.deepEqual(readdirSync(join(fixtureModels, 'escape-python')).filter((f) => f.startsWith('pwned')), []);
  });

  it('gives model Python a private /tmp: what it writes there never reaches the host', async () => {
    assert.equal(await attempt('write_host_tmp'), 'written');
    assert.equal(existsSync(`/tmp/bai-escape-${token}`), false);
  });

  it('keeps secrets of the host unreadable', async () => {
    assert.match(await attempt('read_shadow'), /^blocked:(PermissionError|FileNotFoundError)$/);
  });

  it('lets model Python start no process: subprocess, os.system, fork, CLIPS system from a fresh environment', async () => {
    assert.match(await attempt('subprocess'), /^blocked:/);
    assert.match(await attempt('os_system'), /^blocked:/);
    assert.match(await attempt('fork'), /^blocked:/);
    await attempt('clips_system');
    assert.equal(existsSync(join(fixtureModels, 'escape-python', `pwned-${token}-clips`)), false);
  });

  it('has no network even after the in-process hardening is undone', async () => {
    assert.match(await attempt('network'), /^blocked:/);
    assert.equal(connections, 0, 'the listener on the host loopback saw a connection');
  });

  it('runs model code under the seccomp filter: no new namespaces, keyrings or io_uring', async () => {
    assert.ok(engine.sandbox.seccomp, engine.sandbox.note);
    // Without the filter, unshare(CLONE_NEWUSER) works inside bubblewrap (and gives capabilities in the new namespace).
    assert.equal(await attempt('unshare_user'), 'blocked:EPERM');
    assert.equal(await attempt('keyctl'), 'blocked:EPERM');
    assert.equal(await attempt('io_uring'), 'blocked:EPERM');
    assert.match(await attempt('uid'), /^uid:/, 'the worker still serves after refused calls');
  });

  it('cannot raise its own limits, and sees only its own processes', async () => {
    assert.match(await attempt('raise_limits'), /^blocked:(ValueError|PermissionError|OSError)$/);
    const seen = Number((await attempt('processes')).replace('seen:', ''));
    assert.ok(seen > 0 && seen < 5, `saw ${seen} processes`);
  });

  // CLIPS: a model that calls a function reaching the host does not load. Each is tried as a model added at
  // run time, in both modes.
  const escapes: Record<string, string> = {
    system: '(system "touch /tmp/x")',
    open: '(open "/tmp/x" out "w")',
    // open is refused in every mode, reading too (README, "Why CLIPS open is refused even for reading").
    'open (read)': '(open "/etc/passwd" in "r")',
    'open (append)': '(open "/tmp/x" out "a")',
    'open (mode computed at run time)': '(open "/tmp/x" out (sym-cat "w"))',
    remove: '(remove "/etc/hosts")',
    rename: '(rename "/etc/hosts" "/tmp/h")',
    load: '(load "/tmp/evil.clp")',
    batch: '(batch "/tmp/evil.bat")',
    'batch*': '(batch* "/tmp/evil.bat")',
    eval: '(eval (str-cat "(sys" "tem \\"id\\")"))',
    build: '(build "(defrule x => (system \\"id\\"))")',
    funcall: '(funcall (sym-cat sys tem) "id")',
    'assert-string': '(assert-string "(a =(system \\"id\\"))")',
    save: '(save "/tmp/model.clp")',
    'dribble-on': '(dribble-on "/tmp/log")',
  };
  for (const [name, call] of Object.entries(escapes)) {
    it(`refuses a model calling ${name}`, async () => {
      for (const mode of ['toolkit', 'native']) {
        await assert.rejects(
          engine.addModel({
            name: `escape-${mode}`, version: '1.0.0', description: '', mode, functionsPy: '', explanations: {}, inputSchemaJson: '',
            modelClp: `(deftemplate risk-data (slot risk-is))\n(defrule escape (go) => ${call})`,
          }, ADMIN),
          loadFailure(new RegExp(`may not use: .*${(name.split(' ')[0] as string).replace('*', '\\*')}`)),
        );
      }
    });
  }

  it("gives a model's CLIPS (read) and (readline) end of file, not the worker's request pipe", async () => {
    // CLIPS reads fd 0 for its stdin: before the worker moved its requests off fd 0, (readline) waited on the request
    // pipe until the deadline killed the worker (EVALUATION_TIMEOUT).
    for (const mode of ['toolkit', 'native']) {
      await engine.addModel({
        name: `reads-stdin-${mode}`, version: '1.0.0', description: '', mode, functionsPy: '', explanations: {}, inputSchemaJson: '',
        modelClp: '(deftemplate risk-data (slot risk-is) (slot ot_pos_dealid) (slot param_1))\n' +
          '(defrule r (ot_user_balance ?b) => (assert (risk-data (risk-is read) (ot_pos_dealid (readline)) (param_1 (read)))))',
      }, ADMIN);
      const response = await engine.evaluate({
        model: `reads-stdin-${mode}`, modelVersion: '', requestJson: '{"ot_user_id": "u1", "ot_risk_input": {"ot_user_balance": 1}}',
      });
      assert.deepEqual(response.identifiedRisks.map((r) => [r.name, r.otPosDealid, r.parameters['param_1']]), [['read', 'EOF', 'EOF']]);
    }
  });

  it('does not mistake text or comments that name a denied function for a call', async () => {
    const { model } = await engine.addModel({
      name: 'mentions-system', version: '1.0.0', description: '', mode: 'toolkit', functionsPy: '', explanations: {}, inputSchemaJson: '',
      modelClp: '; (system "x") in a comment\n(deftemplate risk-data (slot risk-is) (slot note))\n(defrule r (go) => (assert (risk-data (risk-is said) (note "(system x)"))))',
    }, ADMIN);
    assert.equal(model?.loadError, '');
  });

  it('never lets a request value make CLIPS call a function (toolkit mode drops that fact)', async () => {
    await engine.addModel({
      name: 'echo-toolkit', version: '1.0.0', description: '', mode: 'toolkit', functionsPy: '', explanations: {}, inputSchemaJson: '',
      modelClp: '(deftemplate risk-data (slot risk-is) (slot ot_pos_dealid))\n(defrule seen (ot_user_note ?n) => (assert (risk-data (risk-is seen) (ot_pos_dealid ?n))))',
    }, ADMIN);
    const response = await engine.evaluate({
      model: 'echo-toolkit', modelVersion: '',
      requestJson: JSON.stringify({ ot_user_id: 'u1', ot_risk_input: { ot_user_note: '=(str-cat "inj" "ected")', ot_user_balance: 1 } }),
    });
    assert.deepEqual(response.identifiedRisks, []);
    assert.match(response.warnings.join('\n'), /ot_risk_input\.ot_user_note dropped: a value would call a CLIPS function/);
  });
});
