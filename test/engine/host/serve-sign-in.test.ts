// Operators signing in to `serve` (in process, over real HTTP and WebSocket on loopback).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { defaultConfig } from '../../../engine/host/config.ts';
import { apiProtocol, sessionEndedCloseCode, startServe, type ServeOptions, type Served } from '../../../engine/host/serve.ts';
import { generateCertificate } from '../../../engine/railgun/tls.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';

const cheap = { cost: { N: 2 ** 12, r: 8, p: 1 } };
const open: Served[] = [];
after(async () => {
  for (const served of open) await served.close().catch(() => {});
});

function rendererDir(): string {
  const dir = join(tempDir('renderer'), 'dist');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Signalbox</title>');
  return dir;
}

async function serve(dataDir = tempDir('sign-in'), more: Partial<ServeOptions> = {}): Promise<Served> {
  const served = await startServe({
    config: defaultConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    rendererDir: rendererDir(),
    version: 'test',
    log: quietLog,
    operatorOptions: cheap,
    ...more,
  });
  open.push(served);
  return served;
}

interface Answer {
  status: number;
  body: { code?: string; message?: string; name?: string; role?: string; signedIn?: boolean };
  cookie: string | undefined;
  setCookie: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request from a chosen loopback source address (the guard counts per source). */
function send(
  served: Served,
  method: string,
  path: string,
  options: { body?: unknown; from?: string; cookie?: string; host?: string; tls?: boolean } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request = options.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: served.port,
        method,
        path,
        localAddress: options.from ?? '127.0.0.1',
        rejectUnauthorized: false,
        headers: {
          Host: options.host ?? `127.0.0.1:${served.port}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...(options.cookie ? { Cookie: `signalbox_session=${options.cookie}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const setCookie = (res.headers['set-cookie'] ?? []).join('\n');
          let body: Answer['body'];
          try {
            body = JSON.parse(text);
          } catch {
            body = { message: text };
          }
          resolve({ status: res.statusCode ?? 0, body, cookie: /signalbox_session=([^;]*)/.exec(setCookie)?.[1], setCookie, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const signIn = (served: Served, name: string, password: string, from?: string) =>
  send(served, 'POST', '/auth/sign-in', { body: { name, password }, ...(from ? { from } : {}) });

/** An API connection with a session cookie; resolves with the socket or the refusal's status. */
function connect(served: Served, cookie: string, host = `127.0.0.1:${served.port}`): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api`, [apiProtocol], { headers: { Cookie: `signalbox_session=${cookie}`, Host: host } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

let nextId = 1;
function call(ws: WebSocket, method: string, params: unknown = {}): Promise<{ result?: unknown; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    ws.on('message', function onMessage(data) {
      const message = JSON.parse(String(data)) as { id: number };
      if (message.id !== id) return;
      ws.off('message', onMessage);
      resolve(message as { result?: unknown; error?: { code: string; message: string } });
    });
    ws.send(JSON.stringify({ t: 'call', id, method, params }));
  });
}

const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('serve sign-in', () => {
  it('creates the first admin through the one-time setup link, once; a second use is refused', async () => {
    const served = await serve();
    assert.ok(served.setupUrl);
    const setupToken = new URL(served.setupUrl).hash.replace('#setup=', '');
    assert.equal((await send(served, 'GET', '/auth/me')).body.signedIn, false);
    const wrong = await send(served, 'POST', '/auth/setup', { body: { setupToken: setupToken.slice(1) + 'x', name: 'mallory', password: 'mallory password' } });
    assert.deepEqual([wrong.status, wrong.body.code], [403, 'E_SETUP_REFUSED']);
    const first = await send(served, 'POST', '/auth/setup', { body: { setupToken, name: 'root', password: 'root password 1' } });
    assert.equal(first.status, 200, first.body.message);
    assert.deepEqual([first.body.name, first.body.role], ['root', 'admin']);
    assert.match(first.setCookie, /HttpOnly/);
    assert.match(first.setCookie, /SameSite=Strict/);
    assert.doesNotMatch(first.setCookie, /Secure/, 'no Secure over plain HTTP on loopback');
    const again = await send(served, 'POST', '/auth/setup', { body: { setupToken, name: 'second', password: 'second password' } });
    assert.deepEqual([again.status, again.body.code], [403, 'E_SETUP_REFUSED']);
    assert.match(again.body.message ?? '', /used already/);
    assert.deepEqual(
      served.host.operators.list().map((o) => [o.name, o.role]),
      [['root', 'admin']],
    );
    const me = await send(served, 'GET', '/auth/me', { cookie: first.cookie! });
    assert.deepEqual([me.body.name, me.body.role], ['root', 'admin']);
  });

  it('answers a wrong password and an unknown name alike', async () => {
    const served = await serve();
    await served.host.operators.add('alice', 'operator', 'alice password');
    const wrong = await signIn(served, 'alice', 'not her password');
    const unknown = await signIn(served, 'nobody', 'not her password');
    assert.deepEqual([wrong.status, wrong.body], [401, { code: 'E_SIGN_IN', message: 'wrong name or password' }]);
    assert.deepEqual([unknown.status, unknown.body], [401, wrong.body]);
    assert.equal(wrong.cookie, undefined);
  });

  it('throttles wrong passwords from one source without locking the operator out from another', async () => {
    const served = await serve(tempDir('sign-in'), { operatorOptions: { ...cheap, guard: { baseDelayMs: 60_000 } } });
    await served.host.operators.add('alice', 'approver', 'alice password');
    const guesses = [];
    for (let i = 0; i < 5; i++) guesses.push((await signIn(served, 'alice', `guess ${i}`, '127.0.0.2')).status);
    assert.deepEqual(guesses, [401, 401, 401, 429, 429], 'three free tries from the guesser, then it must wait');
    const fromGuesser = await signIn(served, 'alice', 'alice password', '127.0.0.2');
    assert.equal(fromGuesser.status, 429, 'from the guesser even the right password waits');
    assert.ok(Number(fromGuesser.headers['retry-after']) >= 1);
    assert.match(fromGuesser.body.message ?? '', /try again in \d+ s/);
    const fromAlice = await signIn(served, 'alice', 'alice password', '127.0.0.3');
    assert.equal(fromAlice.status, 200, 'alice signs in from her own address');
    assert.ok(fromAlice.cookie);
  });

  it('a viewer cannot flush the DNS cache: E_FORBIDDEN naming the operator role', async () => {
    const served = await serve();
    await served.host.operators.add('vera', 'viewer', 'vera password');
    const ws = (await connect(served, (await signIn(served, 'vera', 'vera password')).cookie!)) as WebSocket;
    const refused = await call(ws, 'dns.cacheFlush', {});
    assert.equal(refused.error?.code, 'E_FORBIDDEN');
    assert.match(refused.error?.message ?? '', /dns\.cacheFlush needs the operator role; vera has the viewer role/);
    const whoami = (await call(ws, 'host.whoami')).result as { caller: { role: string }; allowed: string[] };
    assert.equal(whoami.caller.role, 'viewer');
    assert.ok(whoami.allowed.includes('dns.stats') && !whoami.allowed.includes('dns.cacheFlush'));
    assert.equal((await call(ws, 'host.operators')).error?.code, 'E_FORBIDDEN');
    ws.close();
  });

  it('applies a role changed meanwhile (by the CLI, on disk) to an open connection at its next call', async () => {
    const dataDir = tempDir('sign-in');
    const served = await serve(dataDir);
    await served.host.operators.add('root', 'admin', 'root password');
    await served.host.operators.add('olga', 'operator', 'olga password');
    const ws = (await connect(served, (await signIn(served, 'olga', 'olga password')).cookie!)) as WebSocket;
    assert.equal((await call(ws, 'echo.echo', { text: 'x' })).error, undefined);
    const { OperatorStore } = await import('../../../engine/host/operators/store.ts');
    await new OperatorStore(dataDir).setRole('olga', 'viewer');
    assert.equal((await call(ws, 'host.restartEngine', { name: 'echo' })).error?.code, 'E_FORBIDDEN');
    ws.close();
  });

  it('sign-out ends the session: its connection closes and the cookie opens nothing more', async () => {
    const served = await serve();
    await served.host.operators.add('alice', 'operator', 'alice password');
    const { cookie } = await signIn(served, 'alice', 'alice password');
    const ws = (await connect(served, cookie!)) as WebSocket;
    const closing = closed(ws);
    const out = await send(served, 'POST', '/auth/sign-out', { cookie: cookie! });
    assert.equal(out.status, 200);
    assert.match(out.setCookie, /signalbox_session=;.*Max-Age=0/);
    assert.equal(await closing, sessionEndedCloseCode);
    assert.equal(await connect(served, cookie!), 401);
    assert.equal((await send(served, 'GET', '/auth/me', { cookie: cookie! })).body.signedIn, false);
  });

  it('an admin lists sessions and revokes one; its connection closes at once', async () => {
    const served = await serve();
    await served.host.operators.add('root', 'admin', 'root password');
    await served.host.operators.add('olga', 'operator', 'olga password');
    const admin = (await connect(served, (await signIn(served, 'root', 'root password')).cookie!)) as WebSocket;
    const olgaCookie = (await signIn(served, 'olga', 'olga password', '127.0.0.4')).cookie!;
    const olga = (await connect(served, olgaCookie)) as WebSocket;
    const sessions = ((await call(admin, 'host.sessions')).result as { sessions: { id: string; operator: string; source: string }[] }).sessions;
    const hers = sessions.find((session) => session.operator === 'olga')!;
    assert.equal(hers.source, '127.0.0.4');
    const closing = closed(olga);
    assert.deepEqual((await call(admin, 'host.revokeSession', { id: hers.id })).result, { ok: true });
    assert.equal(await closing, sessionEndedCloseCode);
    assert.equal(await connect(served, olgaCookie), 401);
    admin.close();
  });

  it('a session survives a restart of serve (the signing key and sessions are in the data folder)', async () => {
    const dataDir = tempDir('sign-in');
    const first = await serve(dataDir);
    await first.host.operators.add('alice', 'operator', 'alice password');
    const { cookie } = await signIn(first, 'alice', 'alice password');
    await first.close();
    const second = await serve(dataDir);
    assert.equal(second.setupUrl, null, 'no setup link once an operator exists');
    const ws = await connect(second, cookie!);
    assert.ok(ws instanceof WebSocket, `refused with ${String(ws)}`);
    assert.equal(((await call(ws, 'host.whoami')).result as { caller: { name: string } }).caller.name, 'alice');
    ws.close();
  });

  it('ends a session after its idle timeout', async () => {
    const served = await serve(tempDir('sign-in'), { sessionLimits: { idleTimeoutMs: 2000 } });
    await served.host.operators.add('alice', 'operator', 'alice password');
    const { cookie } = await signIn(served, 'alice', 'alice password');
    assert.equal((await send(served, 'GET', '/auth/me', { cookie: cookie! })).body.signedIn, true);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal((await send(served, 'GET', '/auth/me', { cookie: cookie! })).body.signedIn, false);
  });

  it('keeps a session alive while its connection makes calls, and closes an idle one at the timeout', { timeout: 30_000 }, async () => {
    const served = await serve(tempDir('sign-in'), { sessionLimits: { idleTimeoutMs: 3000 } });
    await served.host.operators.add('alice', 'operator', 'alice password');
    await served.host.operators.add('bob', 'operator', 'bob password');
    const busy = (await connect(served, (await signIn(served, 'alice', 'alice password')).cookie!)) as WebSocket;
    const idle = (await connect(served, (await signIn(served, 'bob', 'bob password')).cookie!)) as WebSocket;
    const idleClosed = closed(idle);
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      assert.equal((await call(busy, 'echo.echo', { text: 'still here' })).error, undefined);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(busy.readyState, WebSocket.OPEN, 'calls restart the idle clock');
    assert.equal(await idleClosed, sessionEndedCloseCode, 'the idle session was swept and its connection closed');
    busy.close();
  });

  it('refuses a Host header of another name (DNS rebinding) on pages, sign-in and the API', async () => {
    const served = await serve(tempDir('sign-in'), { names: ['console.example.net'] });
    await served.host.operators.add('alice', 'operator', 'alice password');
    const { cookie } = await signIn(served, 'alice', 'alice password');
    assert.equal((await send(served, 'GET', '/', { host: `attacker.example:${served.port}` })).status, 421);
    assert.equal(
      (await send(served, 'POST', '/auth/sign-in', { host: `attacker.example:${served.port}`, body: { name: 'alice', password: 'alice password' } })).status,
      421,
    );
    assert.equal(await connect(served, cookie!, `attacker.example:${served.port}`), 421);
    assert.equal((await send(served, 'GET', '/', { host: `console.example.net:${served.port}` })).status, 200, 'a configured name is served');
    assert.equal((await send(served, 'GET', '/', { host: `localhost:${served.port}` })).status, 200);
  });

  it('refuses to listen beyond loopback without TLS, and with TLS sets a Secure cookie', async () => {
    // Refused before anything listens: the test binds no address beyond loopback.
    await assert.rejects(serve(tempDir('sign-in'), { host: '0.0.0.0' }), { code: 'E_SERVE_NEEDS_TLS' });
    const tls = await generateCertificate(['127.0.0.1']);
    const served = await serve(tempDir('sign-in'), { tls });
    assert.match(served.url, /^https:\/\//);
    await served.host.operators.add('alice', 'operator', 'alice password');
    const answer = await send(served, 'POST', '/auth/sign-in', { tls: true, body: { name: 'alice', password: 'alice password' } });
    assert.equal(answer.status, 200);
    assert.match(answer.setCookie, /; Secure/);
  });
});
