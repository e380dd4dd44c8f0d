// `signalbox railgun listener` and `signalbox railgun sender` as separate processes (the built
// command), joined by a pinned key or by a CA made with openssl (a real peer).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../../helpers/host.ts';
import { bin, stopProcess } from '../../helpers/serve-process.ts';

let origin: http.Server;
let originUrl: string;
const children: ChildProcess[] = [];
const dir = tempDir('railgun-cli');
const tokenFile = join(dir, 'token');

before(async () => {
  writeFileSync(tokenFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  let version = 0;
  origin = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${'stable part of the page '.repeat(500)} version ${version++}</html>`);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
after(async () => {
  await Promise.all(children.map((child) => stopProcess(child)));
  origin.closeAllConnections();
  origin.close();
});

/** Starts the command and resolves with the first stdout line matching `pattern`. */
function start(args: string[], pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [bin, 'railgun', ...args, '--config', '/dev/null'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIGNALBOX_DATA_DIR: dir },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${pattern}" within 15 s:\n${stderr}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
  });
}

function run(args: string[]): { status: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, [bin, 'railgun', ...args, '--config', '/dev/null'], { stdio: 'pipe', encoding: 'utf8' });
    return { status: 0, stderr: '' };
  } catch (err) {
    const failed = err as { status: number | null; stderr: string };
    return { status: failed.status, stderr: failed.stderr };
  }
}

async function twoGets(senderUrl: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(senderUrl);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /version \d+<\/html>$/);
    outcomes.push(/base=(\w+)/.exec(response.headers.get('signalbox-railgun') ?? '')?.[1] ?? '?');
  }
  return outcomes;
}

describe('signalbox railgun (built command)', () => {
  it('runs a listener with a generated certificate and a sender that pins it', { timeout: 40_000 }, async () => {
    const listener = await start(
      ['listener', '--listen', '127.0.0.1:0', '--origin', originUrl, '--token-file', tokenFile],
      /link at https:\/\/(\S+) \(senders pin (sha256\/\S+)\)/,
    );
    const [, linkAddress, pin] = listener.match;
    const sender = await start(
      ['sender', '--listen', '127.0.0.1:0', '--link', `https://${linkAddress}`, '--pin', pin!, '--token-file', tokenFile],
      /sender: http:\/\/(\S+) /,
    );
    assert.deepEqual(await twoGets(`http://${sender.match[1]}/page`), ['none', 'hit']);
    assert.equal(await stopProcess(sender.child), 0);
    assert.equal(await stopProcess(listener.child), 0);
  });

  it('runs a listener with an openssl certificate and a sender that trusts it as its CA', { timeout: 40_000 }, async () => {
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=railgun test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const listener = await start(
      ['listener', '--listen', '127.0.0.1:0', '--origin', originUrl, '--cert', cert, '--key', key, '--token-file', tokenFile],
      /link at https:\/\/(\S+) /,
    );
    const sender = await start(
      ['sender', '--listen', '127.0.0.1:0', '--link', `https://${listener.match[1]}`, '--ca', cert, '--token-file', tokenFile],
      /sender: http:\/\/(\S+) /,
    );
    assert.deepEqual(await twoGets(`http://${sender.match[1]}/page`), ['none', 'hit']);
  });

  it('names the missing or bad option and exits 2', () => {
    assert.deepEqual(run(['sender', '--listen', '127.0.0.1:0']), { status: 2, stderr: 'signalbox: railgun sender: --link is required\n' });
    const noTrust = run(['sender', '--listen', '127.0.0.1:0', '--link', 'https://127.0.0.1:1', '--token-file', tokenFile]);
    assert.equal(noTrust.status, 2);
    assert.match(noTrust.stderr, /give ca .* or pin/);
    const badOrigin = run(['listener', '--listen', '127.0.0.1:0', '--origin', 'ftp://x']);
    assert.equal(badOrigin.status, 2);
    assert.match(badOrigin.stderr, /--origin "ftp:\/\/x": write an http:\/\/ or https:\/\/ URL/);
    assert.match(run(['middle']).stderr, /say which end/);
  });
});
