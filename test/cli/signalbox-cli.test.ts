import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeCert, SERVER_AUTH } from '../engine/bundler/chain/certs.ts';
import { ourTrustDir } from '../engine/bundler/trust-dir.ts';
import { tempDir } from '../helpers/host.ts';
import { bin, childPids, startServeProcess, stopProcess } from '../helpers/serve-process.ts';
import { processExists, waitFor } from '../helpers/wait.ts';

function runCli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('signalbox command line', () => {
  it('refuses a config with an unknown key: non-zero exit, file, key and line named, nothing started', () => {
    const dir = tempDir('cli');
    const file = join(dir, 'signalbox.yaml');
    writeFileSync(file, 'serve:\n  port: 0\nengines:\n  echo:\n    tickz: 5\n');
    const result = runCli(['serve', '--config', file, '--data-dir', dir]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`engines\\.echo\\.tickz \\(line 5 of ${file.replace(/[.]/g, '\\.')}\\): unknown key "tickz"`));
    assert.match(result.stderr, /E_CONFIG_UNKNOWN_KEY/);
    assert.equal(result.stdout, '');
    for (const file of ['operators.json', 'sessions.json', 'session.key'])
      assert.equal(existsSync(join(dir, file)), false, `${file} made before the config was checked`);
  });

  it('refuses a config value of the wrong type', () => {
    const dir = tempDir('cli');
    const file = join(dir, 'signalbox.yaml');
    writeFileSync(file, 'serve:\n  port: "eighty"\n');
    const result = runCli(['serve', '--config', file, '--data-dir', dir]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /serve\.port \(line 2 of .*signalbox\.yaml\)/);
    assert.match(result.stderr, /E_CONFIG_TYPE/);
  });

  it('serve without --config reads signalbox.yaml in the data folder', () => {
    const dir = tempDir('cli');
    writeFileSync(join(dir, 'signalbox.yaml'), 'serve:\n  port: 70000\n');
    const result = runCli(['serve', '--data-dir', dir]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`serve\\.port \\(line 2 of ${join(dir, 'signalbox.yaml').replace(/[.]/g, '\\.')}\\): at most 65535`));
    assert.equal(existsSync(join(dir, 'serve.token')), false);
  });

  it('refuses a missing config file', () => {
    const result = runCli(['serve', '--config', '/nonexistent/signalbox.yaml']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /\/nonexistent\/signalbox\.yaml.*no such file/);
  });

  it('refuses unknown commands and options with usage help', () => {
    const unknown = runCli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.equal(runCli(['serve', '--bogus']).status, 2);
    assert.equal(runCli(['serve', '--port', 'x']).status, 2);
    assert.match(runCli(['--help']).stdout, /signalbox <command>/);
  });

  it('dns on a port another program holds prints the reason, its code and the fix', async () => {
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const port = holder.address().port;
    const result = spawnSync(process.execPath, [bin, 'dns', '--listen', `127.0.0.1:${port}`, '--upstream', '127.0.0.1:9'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    holder.close();
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`signalbox: dns: the DNS engine cannot start: bind EADDRINUSE 127\\.0\\.0\\.1:${port} \\[E_ENGINE_ADDRESS_IN_USE\\] — another program holds`),
    );
  });

  it('dns refuses a listen address without a port, naming the flag and value', () => {
    const result = runCli(['dns', '--listen', '10.0.0.1', '--upstream', '127.0.0.1:53']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /dns: --listen "10\.0\.0\.1": write it as ADDRESS:PORT/);
  });

  it('serve shuts down its engine processes on SIGTERM', async () => {
    const served = await startServeProcess(['--data-dir', tempDir('cli')]);
    const engines = await waitFor(() => childPids(served.child.pid!).length > 0 && childPids(served.child.pid!), 'an engine process');
    assert.equal(await stopProcess(served.child, 'SIGTERM'), 0);
    await waitFor(() => engines.every((pid) => !processExists(pid)), 'engine processes to exit');
  });

  it('leaves no orphan engine when the host itself is killed with SIGKILL', async () => {
    const served = await startServeProcess(['--data-dir', tempDir('cli')]);
    const engines = await waitFor(() => childPids(served.child.pid!).length > 0 && childPids(served.child.pid!), 'an engine process');
    await stopProcess(served.child, 'SIGKILL');
    await waitFor(() => engines.every((pid) => !processExists(pid)), 'orphaned engines to exit');
  });

  describe('bundle', () => {
    const root = makeCert({ subject: 'CLI Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const intermediate = makeCert({ subject: 'CLI Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: root });
    const leaf = makeCert({
      subject: 'cli.example',
      ca: false,
      dns: ['cli.example'],
      eku: [SERVER_AUTH],
      issuer: intermediate,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    const trust = ourTrustDir([{ name: 'CLI Platform', weight: 1, roots: [root.cert] }]);
    const dir = tempDir('cli-bundle');
    const chainFile = join(dir, 'chain.pem');
    writeFileSync(chainFile, intermediate.cert.pem + leaf.cert.pem);
    const at = ['--at', '2025-06-01T00:00:00Z', '--trust', trust];

    it('prints the PEM bundle of a PEM file on stdout and the ranked chains on stderr', () => {
      const result = runCli(['bundle', chainFile, ...at]);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, leaf.cert.pem + intermediate.cert.pem);
      assert.match(result.stderr, /leaf: CN=cli\.example \(.*chain\.pem#2: the first certificate uploaded that is not a CA\)/);
      assert.match(result.stderr, /1\. cli\.example → CLI Intermediate → CLI Root/);
    });

    it("--json prints cfssl's report keys", () => {
      const result = runCli(['bundle', chainFile, ...at, '--json', '--include-root']);
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      for (const key of [
        'bundle',
        'root',
        'crt',
        'key',
        'key_type',
        'key_size',
        'signature',
        'issuer',
        'subject',
        'expires',
        'leaf_expires',
        'hostnames',
        'ocsp',
        'ocsp_support',
        'crl_support',
        'status',
      ]) {
        assert.ok(key in report, key);
      }
      assert.equal(report.key_type, '256-bit ECDSA');
      assert.equal(report.subject, '/CommonName=cli.example');
      assert.equal((report.bundle as string).match(/BEGIN CERTIFICATE/g)?.length, 3);
      assert.deepEqual(Object.keys(report.status as object).sort(), ['code', 'expiring_SKIs', 'messages', 'rebundled', 'untrusted_root_stores']);
    });

    it('exits 1 when no chain is valid at --at, 2 on garbage or a bad option', () => {
      const expired = runCli(['bundle', chainFile, '--at', '2027-01-01', '--trust', trust, '--json']);
      assert.equal(expired.status, 1);
      assert.equal((JSON.parse(expired.stdout) as { code: number }).code, 1211);
      const junk = join(dir, 'junk.txt');
      writeFileSync(junk, 'not a certificate');
      const garbage = runCli(['bundle', junk, '--trust', trust]);
      assert.equal(garbage.status, 2);
      assert.match(garbage.stderr, /junk\.txt.*\[E_BUNDLER_1002\]/);
      assert.equal(runCli(['bundle', chainFile, '--flavor', 'cheapest']).status, 2);
      assert.equal(runCli(['bundle', chainFile, '--at', 'yesterday']).status, 2);
      assert.equal(runCli(['bundle']).status, 2);
    });

    // Issue 16 item 1: the command line's way to the legacy SHA-1 bundle, as the page's toggle.
    it('--allow-sha1 builds a chain with a SHA-1 intermediate, marked in the report; without it 1220 with the chain and why', () => {
      const sha1Root = makeCert({ subject: 'CLI SHA1 Root', ca: true, keyUsage: ['keyCertSign', 'cRLSign'] });
      const sha1Intermediate = makeCert({ subject: 'CLI SHA1 Intermediate', ca: true, keyUsage: ['keyCertSign', 'cRLSign'], issuer: sha1Root, hash: 'sha1' });
      const sha1Leaf = makeCert({ subject: 'sha1.cli.example', ca: false, dns: ['sha1.cli.example'], eku: [SERVER_AUTH], issuer: sha1Intermediate });
      const sha1Trust = ourTrustDir([{ name: 'CLI SHA1 Platform', weight: 1, roots: [sha1Root.cert] }]);
      const file = join(dir, 'sha1-chain.pem');
      writeFileSync(file, sha1Leaf.cert.pem + sha1Intermediate.cert.pem);
      const args = ['bundle', file, '--at', '2025-06-01T00:00:00Z', '--trust', sha1Trust];

      const refused = runCli([...args, '--json']);
      assert.equal(refused.status, 1, refused.stderr);
      const verdict = JSON.parse(refused.stdout) as { code: number; message: string; allow_sha1?: boolean };
      assert.equal(verdict.code, 1220);
      assert.match(verdict.message, /CN=CLI SHA1 Intermediate: signed with ecdsa-with-SHA1: browsers and Go's verifier refuse SHA-1/);
      assert.match(verdict.message, /closest chain: sha1\.cli\.example → CLI SHA1 Intermediate → CLI SHA1 Root\)$/);
      assert.equal(verdict.allow_sha1, undefined);

      const legacy = runCli([...args, '--allow-sha1', '--json']);
      assert.equal(legacy.status, 0, legacy.stderr);
      const report = JSON.parse(legacy.stdout) as { allow_sha1?: boolean; bundle: string };
      assert.equal(report.allow_sha1, true);
      assert.equal(report.bundle, (sha1Leaf.cert.pem + sha1Intermediate.cert.pem).trimEnd());
      assert.match(legacy.stderr, /SHA-1 allowed below the root \(--allow-sha1\)/);
      assert.match(legacy.stderr, /W_SHA1: #2 \(CN=CLI SHA1 Intermediate\) is signed with SHA-1/);
    });

    // Issue 16 item 4: the user says which uploaded certificate is the leaf.
    it('--leaf N takes the N-th certificate read as the leaf and says so; a number past them or not a number exits 2', () => {
      const other = makeCert({ subject: 'other.cli.example', ca: false, dns: ['other.cli.example'], eku: [SERVER_AUTH], issuer: intermediate });
      const twoLeaves = join(dir, 'two-leaves.pem');
      writeFileSync(twoLeaves, leaf.cert.pem + other.cert.pem + intermediate.cert.pem);
      assert.match(
        runCli(['bundle', twoLeaves, ...at]).stderr,
        /leaf: CN=cli\.example \(.*two-leaves\.pem#1: the first certificate uploaded that is not a CA\)/,
      );
      const chosen = runCli(['bundle', twoLeaves, ...at, '--leaf', '2', '--json']);
      assert.equal(chosen.status, 0, chosen.stderr);
      const report = JSON.parse(chosen.stdout) as { subject: string; leaf_choice: { source: string; reason: string } };
      assert.equal(report.subject, '/CommonName=other.cli.example');
      assert.deepEqual(report.leaf_choice, { source: `${twoLeaves}#2`, reason: 'chosen: certificate 2 of the uploads' });
      assert.match(chosen.stderr, /leaf: CN=other\.cli\.example \(.*two-leaves\.pem#2: chosen: certificate 2 of the uploads\)/);

      const past = runCli(['bundle', chainFile, ...at, '--leaf', '3']);
      assert.equal(past.status, 2);
      assert.match(past.stderr, /leaf 3: only 2 certificates were read from the uploads; choose a number from 1 to 2 \[E_BUNDLER_1200\]/);
      const bad = runCli(['bundle', chainFile, ...at, '--leaf', 'first']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--leaf "first": give the number of the leaf/);
    });
  });
});
