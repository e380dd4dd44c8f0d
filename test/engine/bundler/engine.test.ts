// The bundler engine: trust loaded from its config section, bundler.bundle and bundler.trust
// answered, bad uploads as ApiErrors with cfssl's code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
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
  const start = () => bundlerEngine.start({ config: { enabled: true, trust, weights: { 'Engine Platform': 7 } }, dataDir: tempDir('bundler-engine'), log: quietLog });
  const file = (name: string, text: string) => ({ name, base64: Buffer.from(text).toString('base64') });

  it('answers bundler.bundle with a result the contract accepts', async () => {
    const engine = await start();
    const result = await engine.procedures['bundler.bundle']!({ files: [file('leaf.pem', leaf.cert.pem)], at: '2025-01-01T00:00:00Z', domain: 'engine.example' });
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

  it('turns unreadable uploads into an ApiError with cfssl\'s code, and keeps serving', async () => {
    const engine = await start();
    await assert.rejects(
      async () => engine.procedures['bundler.bundle']!({ files: [file('notes.txt', 'hello')] }),
      (err: unknown) => err instanceof ApiError && err.code === 'E_BUNDLER_1002' && /notes\.txt/.test(err.message),
    );
    const again = await engine.procedures['bundler.bundle']!({ files: [file('leaf.pem', leaf.cert.pem)], at: '2025-01-01T00:00:00Z' });
    assert.equal(again.chains.length, 1);
    await engine.stop();
  });

  it('answers other calls while a slow but allowed decryption runs on its worker thread', async () => {
    const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    // At the PBKDF2 cap: ≈ 0.35 s of KDF a copy, so 4 copies keep the worker busy for over a second.
    const atCap = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', '2000000', '-passout', 'pass:pw'], { input: plain, encoding: 'utf8' });
    const engine = await start();
    const order: string[] = [];
    const slow = Promise.resolve(engine.procedures['bundler.bundle']!({
      files: [file('leaf.pem', leaf.cert.pem), { ...file('keys.pem', atCap.repeat(4)), password: 'pw' }], at: '2025-01-01T00:00:00Z',
    })).then((result) => {
      order.push('slow');
      return result;
    });
    const trustCall = Promise.resolve(engine.procedures['bundler.trust']!({})).then(() => order.push('trust'));
    const other = Promise.resolve(engine.procedures['bundler.bundle']!({ files: [file('leaf.pem', leaf.cert.pem)], at: '2025-01-01T00:00:00Z' })).then(() => order.push('other'));
    await Promise.all([trustCall, other]);
    assert.deepEqual(order, ['trust', 'other'], 'both answered before the decryption finished');
    const result = await slow;
    assert.deepEqual(result.problems.map((p) => p.code), [2300], 'the keys decrypted (they are not the leaf\'s)');
    await engine.stop();
  });

  it('refuses to start on a trust folder that is not one, naming it', async () => {
    const empty = tempDir('bundler-no-trust');
    await assert.rejects(bundlerEngine.start({ config: { trust: empty }, dataDir: empty, log: quietLog }), new RegExp(`${empty}.*neither trust\\.json nor ca-bundle\\.crt\\.metadata`));
  });
});
