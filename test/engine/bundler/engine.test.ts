// The bundler engine: trust loaded from its config section, bundler.bundle and bundler.trust
// answered, bad uploads as ApiErrors with cfssl's code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { bundleResult } from '../../../engine/api/bundler.ts';
import { ApiError } from '../../../engine/api/errors.ts';
import { bundlerEngine } from '../../../engine/bundler/engine.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { makeCert, SERVER_AUTH } from './chain/certs.ts';
import { ourTrustDir } from './trust-dir.ts';

describe('bundler engine', () => {
  const root = makeCert({ subject: 'Engine Root', ca: true });
  const intermediate = makeCert({ subject: 'Engine Intermediate', ca: true, issuer: root });
  const leaf = makeCert({ subject: 'engine.example', ca: false, dns: ['engine.example'], eku: [SERVER_AUTH], issuer: intermediate });
  const trust = ourTrustDir([{ name: 'Engine Platform', weight: 3, roots: [root.cert] }], [intermediate.cert]);
  const start = () =>
    bundlerEngine.start({ config: { enabled: true, trust, weights: { 'Engine Platform': 7 } }, dataDir: tempDir('bundler-engine'), log: quietLog });
  const file = (name: string, text: string) => ({ name, base64: Buffer.from(text).toString('base64') });

  it('answers bundler.bundle with a result the contract accepts', async () => {
    const engine = await start();
    const result = await engine.procedures['bundler.bundle']!({
      files: [file('leaf.pem', leaf.cert.pem)],
      at: '2025-01-01T00:00:00Z',
      domain: 'engine.example',
    });
    assert.equal(bundleResult.safeParse(result).success, true);
    assert.equal(result.chains.length, 1);
    assert.equal(result.bundlePem, leaf.cert.pem + intermediate.cert.pem);
    await engine.stop();
  });

  it('answers bundler.trust with the configured data and weights', async () => {
    const engine = await start();
    const trustInfo = await engine.procedures['bundler.trust']!({});
    assert.deepEqual(trustInfo, { name: 'test', dataDate: '2024-01-01', platforms: [{ name: 'Engine Platform', weight: 7, roots: 1 }], intermediates: 1 });
    await engine.stop();
  });

  it("turns unreadable uploads into an ApiError with cfssl's code, and keeps serving", async () => {
    const engine = await start();
    await assert.rejects(
      async () => engine.procedures['bundler.bundle']!({ files: [file('notes.txt', 'hello')] }),
      (err: unknown) => err instanceof ApiError && err.code === 'E_BUNDLER_1002' && /notes\.txt/.test(err.message),
    );
    const again = await engine.procedures['bundler.bundle']!({ files: [file('leaf.pem', leaf.cert.pem)], at: '2025-01-01T00:00:00Z' });
    assert.equal(again.chains.length, 1);
    await engine.stop();
  });

  // Shown by events, not by a stopwatch: the node:diagnostics_channel "worker_threads" channel names
  // the decryption's worker; once it is online, the other calls are made and must be answered before
  // the worker posts its result and before the slow call answers. A decryption on the event loop
  // makes no worker (and would answer first), so the order cannot come out right.
  it('answers other calls while a slow but allowed decryption runs on its worker thread', async () => {
    const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    // A quarter of the PBKDF2 cap (≈ 0.1 s of KDF): the events, not the length, show the overlap, and
    // one such key keeps the worker well inside the 10 s clock backstop on a loaded machine.
    const slowKey = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '500000', '-passout', 'pass:pw'], {
      input: plain,
      encoding: 'utf8',
    });
    const engine = await start();
    const events: string[] = [];
    const others: Promise<unknown>[] = [];
    const onWorker = (message: unknown) => {
      const { worker } = message as { worker: Worker };
      worker.on('message', () => events.push('decrypted'));
      worker.once('online', () => {
        events.push('online');
        others.push(Promise.resolve(engine.procedures['bundler.trust']!({})).then(() => events.push('trust')));
        others.push(
          Promise.resolve(engine.procedures['bundler.bundle']!({ files: [file('leaf.pem', leaf.cert.pem)], at: '2025-01-01T00:00:00Z' })).then(() =>
            events.push('other'),
          ),
        );
      });
    };
    subscribe('worker_threads', onWorker);
    try {
      const result = await engine.procedures['bundler.bundle']!({
        files: [file('leaf.pem', leaf.cert.pem), { ...file('key.pem', slowKey), password: 'pw' }],
        at: '2025-01-01T00:00:00Z',
      });
      events.push('slow');
      await Promise.all(others);
      assert.deepEqual(events, ['online', 'trust', 'other', 'decrypted', 'slow'], 'both answered while the decryption was in flight');
      assert.deepEqual(
        result.problems.map((p) => p.code),
        [2300],
        "the key decrypted (it is not the leaf's)",
      );
    } finally {
      unsubscribe('worker_threads', onWorker);
      await engine.stop();
    }
  });

  it('refuses to start on a trust folder that is not one, naming it', async () => {
    const empty = tempDir('bundler-no-trust');
    await assert.rejects(
      bundlerEngine.start({ config: { trust: empty }, dataDir: empty, log: quietLog }),
      new RegExp(`${empty}.*neither trust\\.json nor ca-bundle\\.crt\\.metadata`),
    );
  });
});
