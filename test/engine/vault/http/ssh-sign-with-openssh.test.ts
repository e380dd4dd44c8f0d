// Red October's /ssh-sign-with, end to end with real OpenSSH: keys made by ssh-keygen are encrypted
// to two owners with usage ssh-sign-with; `ssh-keygen -Y sign` signs through an ssh-agent socket that
// turns sign requests into /ssh-sign-with calls (as `ro ssh-agent` does), and `ssh-keygen -Y verify`
// accepts the signature. The private key never leaves the vault: /decrypt of it stays refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../../helpers/host.ts';
import { as, admin, startHttpsVault, type HttpsVault } from './https-fixture.ts';
import { startRoSshAgent } from './ro-ssh-agent.ts';

const run = promisify(execFile);
let server: HttpsVault;
let dir: string;
let made = 0;

before(async () => {
  server = await startHttpsVault('vault-ssh');
  dir = tempDir('vault-ssh-keys');
  await server.ok('/create', as('admin'));
  for (const name of ['alice', 'bob', 'carol']) await server.ok('/create-user', { ...as(name), ...admin });
});
after(() => server.close());

/** A new key pair from ssh-keygen (no passphrase), encrypted to alice and bob (2 of 2) with the given usages. */
async function storedKey(type: string, bits: string[], usages: string[]): Promise<{ path: string; publicKey: string; ciphertext: string }> {
  const path = join(dir, `${type}-${usages.join('+')}-${++made}`);
  await run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', `${type}@vault`, '-f', path]);
  const answer = await server.ok('/encrypt', {
    ...as('carol'),
    Owners: ['alice', 'bob'],
    Minimum: 2,
    Usages: usages,
    Data: readFileSync(path).toString('base64'),
  });
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8'), ciphertext: answer.Response as string };
}

/** `ssh-keygen -Y sign` through the agent, then `ssh-keygen -Y verify` of what it wrote. */
async function signAndVerify(socket: string, publicKey: string, keyPath: string): Promise<string> {
  const data = join(dir, `message-${++made}`);
  writeFileSync(data, 'release v1.2.3\n');
  await run('ssh-keygen', ['-Y', 'sign', '-f', `${keyPath}.pub`, '-n', 'file', data], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  const signers = join(dir, 'allowed_signers');
  writeFileSync(signers, `release@example.org ${publicKey}`);
  const verify = run('ssh-keygen', ['-Y', 'verify', '-f', signers, '-I', 'release@example.org', '-n', 'file', '-s', `${data}.sig`]);
  verify.child.stdin!.end(readFileSync(data));
  return (await verify).stdout;
}

describe('ssh-sign-with (real OpenSSH ssh-keygen -Y sign/verify through an ro ssh-agent socket)', () => {
  it('signs with stored ed25519, RSA and ECDSA keys once both owners delegated, and ssh-keygen -Y verify accepts each signature', async () => {
    const keys = [
      await storedKey('ed25519', [], ['ssh-sign-with']),
      await storedKey('rsa', ['-b', '2048'], ['ssh-sign-with']),
      await storedKey('ecdsa', ['-b', '256'], ['ssh-sign-with']),
    ];
    const agent = await startRoSshAgent(dir, as('carol'), keys, (path, body) => server.post(path, body));
    try {
      await assert.rejects(signAndVerify(agent.socketPath, keys[0]!.publicKey, keys[0]!.path), 'no delegations yet: the agent fails the sign request');
      assert.deepEqual(agent.statuses, ['need more delegated keys']);
      for (const owner of ['alice', 'bob']) await server.ok('/delegate', { ...as(owner), Uses: 10, Time: '1h', Users: ['carol'] });
      for (const key of keys) assert.match(await signAndVerify(agent.socketPath, key.publicKey, key.path), /Good "file" signature for release@example.org/);
      assert.deepEqual(agent.statuses.slice(1), ['ok', 'ok', 'ok']);
    } finally {
      await agent.close();
    }
    const summary = await server.ok('/summary', as('admin'));
    assert.equal((summary.Live as Record<string, { Uses: number }>).alice!.Uses, 7, 'each signature spent one use of each owner');
    const privateText = readFileSync(keys[0]!.path, 'utf8').split('\n')[1]!;
    assert.ok(!server.lines.some((line) => JSON.stringify(line).includes(privateText)), 'no log line holds the private key');
  });

  it("answers Red October's SignatureFormat and Signature, with rsa-sha2-256 when asked and never SHA-1 ssh-rsa", async () => {
    const rsa = await storedKey('rsa', ['-b', '2048'], ['ssh-sign-with']);
    for (const owner of ['alice', 'bob']) await server.ok('/delegate', { ...as(owner), Uses: 10, Time: '1h', Users: ['carol'] });
    const tbs = Buffer.from('to be signed').toString('base64');
    const answer = (Algorithm?: string) =>
      server.post('/ssh-sign-with', { ...as('carol'), Data: rsa.ciphertext, TBSData: tbs, ...(Algorithm ? { Algorithm } : {}) });
    const signed = JSON.parse(Buffer.from((await answer('rsa-sha2-256')).answer.Response!, 'base64').toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(signed), ['SignatureFormat', 'Signature', 'Secure', 'Delegates']);
    assert.deepEqual(
      [signed.SignatureFormat, (signed.Signature as string).length, signed.Secure, signed.Delegates],
      ['rsa-sha2-256', 344, true, ['alice', 'bob']],
    );
    assert.equal(
      JSON.parse(Buffer.from((await answer()).answer.Response!, 'base64').toString()).SignatureFormat,
      'rsa-sha2-512',
      'Red October clients send no algorithm',
    );
    assert.equal((await answer('ssh-rsa')).answer.Code, 'E_RO_FIELD');
  });

  it('never hands the key out: /decrypt of an ssh-sign-with ciphertext is refused, and a decrypt-only ciphertext does not sign', async () => {
    const signing = await storedKey('ed25519', [], ['ssh-sign-with']);
    const decryptOnly = await storedKey('ed25519', [], ['decrypt']);
    for (const owner of ['alice', 'bob']) await server.ok('/delegate', { ...as(owner), Uses: 10, Time: '1h', Users: ['carol'] });
    const refused = await server.post('/decrypt', { ...as('carol'), Data: signing.ciphertext });
    assert.equal(refused.answer.Code, 'E_VAULT_USAGE');
    assert.equal(refused.answer.Response, undefined);
    const notSigning = await server.post('/ssh-sign-with', { ...as('carol'), Data: decryptOnly.ciphertext, TBSData: 'AA==' });
    assert.deepEqual(
      [notSigning.answer.Code, notSigning.answer.Status],
      ['E_VAULT_USAGE_SIGN', 'this ciphertext may not sign (its usages lack ssh-sign-with)'],
    );
  });
});
