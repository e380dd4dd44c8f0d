// `signalbox serve --tls-self-signed` (the built command): the certificate it keeps in the data
// folder, read back by openssl and node:crypto: its subject names the Signalbox console and the
// host names, its subjectAltName covers them, and the fingerprint serve printed is its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/host.ts';
import { startServeProcess, stopProcess } from '../helpers/serve-process.ts';

describe('serve --tls-self-signed certificate (openssl)', () => {
  it('names the Signalbox console and its host names in the subject, covers them in subjectAltName, and is the one whose fingerprint serve printed', async () => {
    const dir = tempDir('cli-self-signed');
    const config = join(dir, 'signalbox.yaml');
    writeFileSync(config, 'serve:\n  names: [console.example.net]\n');
    const served = await startServeProcess(['--config', config, '--data-dir', dir, '--tls-self-signed'], { operators: false });
    try {
      const file = join(dir, 'console-cert.pem');
      const subject = execFileSync('openssl', ['x509', '-in', file, '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253', '-ext', 'subjectAltName'], {
        encoding: 'utf8',
      });
      assert.match(subject, /^subject=CN=Signalbox console for 127\.0\.0\.1 console\.example\.net localhost$/m);
      assert.match(subject, /^issuer=CN=Signalbox console for 127\.0\.0\.1 console\.example\.net localhost$/m, 'self-signed: the issuer is the subject');
      assert.match(subject, /DNS:console\.example\.net/);
      assert.match(subject, /DNS:localhost/);
      assert.match(subject, /IP Address:127\.0\.0\.1/);

      const cert = new X509Certificate(readFileSync(file));
      assert.equal(cert.subject, 'CN=Signalbox console for 127.0.0.1 console.example.net localhost');
      assert.equal(cert.checkHost('console.example.net'), 'console.example.net');
      assert.match(served.stdout(), new RegExp(`SHA-256 fingerprint ${cert.fingerprint256}\\n`));
    } finally {
      await stopProcess(served.child);
    }
  });
});
