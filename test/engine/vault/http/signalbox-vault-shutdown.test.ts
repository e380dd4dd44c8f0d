// `signalbox vault` (the built command, after `npm run build`) against connections that never
// finish TLS: a SIGTERM or SIGINT still ends it within a few seconds, with its lock file gone, and
// a connection that stays silent is closed by the server after the TLS handshake timeout (10 s),
// one that completes TLS and sends no request after the first-request timeout (20 s).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { tempDir } from '../../../helpers/host.ts';
import { makeCertificate } from './https-fixture.ts';
import { spawnSignalboxVault } from './vault-process.ts';

interface Running {
  child: ChildProcess;
  port: number;
  vault: string;
  cert: Buffer;
  log: () => string;
}

async function startVault(): Promise<Running> {
  const dir = tempDir('vault-shutdown');
  const { cert } = makeCertificate(dir);
  const vault = join(dir, 'vault.json');
  const { child, port, log } = await spawnSignalboxVault([
    '--listen',
    '127.0.0.1:0',
    '--vault',
    vault,
    '--cert',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'key.pem'),
  ]);
  // The URL is printed just before the signal handlers are installed: an answer proves they are.
  const answer = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/summary', method: 'POST', ca: cert }, (res) => {
      let body = '';
      res
        .on('data', (chunk) => (body += chunk))
        .on('end', () => resolve(body))
        .on('error', reject);
    });
    req.on('error', reject).end('{}');
  });
  assert.match(answer, /Vault is not created yet/);
  return { child, port, vault, cert, log };
}

/** TCP connections that never send a byte (no TLS ClientHello). */
async function silentConnections(port: number, count: number): Promise<Socket[]> {
  const sockets = Array.from({ length: count }, () => tcpConnect(port, '127.0.0.1').on('error', () => {}));
  await Promise.all(sockets.map((socket) => once(socket, 'connect')));
  return sockets;
}

/** The exit code, or null (after a SIGKILL) when the process is still running after `ms`. */
async function exitWithin(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Milliseconds from `since` until the server closed `socket`, or Infinity if it had not by `deadlineMs`. */
async function closedBy(socket: Socket, since: number, deadlineMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Infinity), deadlineMs)));
  const ms = await Promise.race([once(socket, 'close').then(() => Date.now() - since), gaveUp]);
  clearTimeout(timer);
  socket.destroy();
  return ms;
}

describe('signalbox vault: shutdown and idle connections', { timeout: 120_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits on ${signal} within a few seconds with 10 connections that never started TLS, and releases the lock`, async () => {
      const vault = await startVault();
      assert.ok(existsSync(`${vault.vault}.lock`), 'the lock is held while it runs');
      const sockets = await silentConnections(vault.port, 10);
      const started = Date.now();
      vault.child.kill(signal);
      const code = await exitWithin(vault.child, 10_000);
      for (const socket of sockets) socket.destroy();
      assert.equal(code, 0, `exited 0 after ${signal} (null: still running after 10 s)\n${vault.log()}`);
      assert.ok(Date.now() - started < 10_000);
      assert.equal(existsSync(`${vault.vault}.lock`), false, 'the lock file is gone');
      assert.match(vault.log(), /shutting down; delegations are purged/);
    });
  }

  it('closes a silent connection after the handshake timeout, and an idle TLS one after the first-request timeout', async () => {
    const vault = await startVault();
    try {
      const [silent] = await silentConnections(vault.port, 1);
      const silentAt = Date.now();
      const idle = tlsConnect({ port: vault.port, host: '127.0.0.1', ca: vault.cert }).on('error', () => {});
      await once(idle, 'secureConnect');
      const idleAt = Date.now();
      const [silentMs, idleMs] = await Promise.all([closedBy(silent!, silentAt, 40_000), closedBy(idle, idleAt, 50_000)]);
      // The server's timers start at accept, after the client saw its connection up.
      assert.ok(silentMs >= 9_000 && silentMs < 40_000, `the silent connection closed after ${silentMs} ms`);
      assert.ok(idleMs >= 19_000 && idleMs < 50_000, `the idle TLS connection closed after ${idleMs} ms`);
    } finally {
      vault.child.kill('SIGTERM');
      assert.equal(await exitWithin(vault.child, 10_000), 0);
    }
  });
});
