// A zero-downtime upgrade under DoH load, over HTTP/2 (one session per client, many streams) and
// over HTTP/1.1 keep-alive: the old process stops taking requests gracefully (HTTP/2 GOAWAY, its
// streams in flight finish; HTTP/1.1 `connection: close` on the answers it still sends, idle
// sockets closed) while the new one accepts on the shared socket. Clients open a new connection
// and resend a GET the closed one did not answer, as browsers and curl do with idempotent requests
// (RFC 9110 §9.2.2; RFC 9113 §8.7 for a stream the server refused). No query may go unanswered.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { dnsConfig } from '../../../../engine/api/dns.ts';
import { Supervisor } from '../../../../engine/host/supervisor.ts';
import { Type } from '../../../../engine/dns/wire.ts';
import { encodeQuery } from '../../../helpers/dns.ts';
import { makePki, serverName, type TestPki } from '../../../helpers/dns-tls.ts';
import { quietLog, tempDir } from '../../../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../../../helpers/knot.ts';

const realEntry = fileURLToPath(new URL('../../../../engine/host/engine-process.ts', import.meta.url));
let knot: Knot;
let pki: TestPki;
let dohPort: number;
let supervisor: Supervisor;
/**
 * Longer than the load on purpose: a drain that left its connections open until this timeout
 * (instead of GOAWAY / closing them) would keep the clients on the old process for the whole run,
 * and the tests would see no reconnect.
 */
const drainTimeoutMs = 30_000;

before(async () => {
  knot = await startKnot();
  pki = makePki();
  dohPort = await freePort();
  const entry = join(tempDir('upgrade-doh'), 'engine-process.ts');
  writeFileSync(entry, `import ${JSON.stringify(realEntry)};\n`);
  const config = dnsConfig.parse({
    enabled: true,
    listen: [`127.0.0.1:${await freePort()}`, `https://127.0.0.1:${dohPort}/dns-query`],
    upstreams: [`127.0.0.1:${knot.port}`],
    healthCheck: { probeName: 'example.test.' },
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  });
  supervisor = new Supervisor({ engines: [{ name: 'dns', config }], dataDir: tempDir('upgrade-doh-data'), log: quietLog, entry, drainTimeoutMs });
  await supervisor.start();
});
after(async () => {
  await supervisor?.stop();
  await knot?.stop();
});

interface LoadResult {
  sent: number;
  answered: number;
  /** Requests sent again after their connection closed unanswered. */
  resent: number;
  /** Connections the clients opened beyond their first. */
  reconnects: number;
  /** HTTP/1.1 answers that carried `connection: close`: the old process asking the client to go. */
  closeHeaders: number;
  /** HTTP/2 GOAWAY frames received. */
  goaways: number;
}

const path = (id: number) => `/dns-query?dns=${encodeQuery(id % 2 ? 'www.example.test' : 'mail.example.test', Type.A, { id }).toString('base64url')}`;

/** One answer per id: a 200 whose DNS ID is the one asked, or a throw. */
function checkAnswer(id: number, status: number | undefined, body: Buffer): void {
  if (status !== 200 || body.length < 12 || body.readUInt16BE(0) !== id) throw new Error(`query ${id}: HTTP ${status}, ${body.length} bytes`);
}

/** Runs `clients` clients, each asking `total` queries one every `intervalMs`, through `ask` (which resends on its own). */
async function load(clients: number, total: number, intervalMs: number, ask: (client: number, id: number) => Promise<void>): Promise<number> {
  let answered = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        pending.push(ask(client, (client << 10) | i).then(() => void answered++));
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
      await Promise.all(pending);
    }),
  );
  return answered;
}

/** HTTP/2 clients: one session each; after GOAWAY or a close, a new session; a refused or reset stream is sent again. */
async function http2Load(clients: number, total: number, intervalMs: number): Promise<LoadResult> {
  const result = { sent: clients * total, answered: 0, resent: 0, reconnects: 0, closeHeaders: 0, goaways: 0 };
  const sessions: (ClientHttp2Session | null)[] = Array.from({ length: clients }, () => null);
  let opened = 0;
  const every: ClientHttp2Session[] = [];
  const session = (client: number): ClientHttp2Session => {
    const open = sessions[client];
    if (open && !open.closed && !open.destroyed) return open;
    opened++;
    const fresh = connectHttp2(`https://127.0.0.1:${dohPort}`, { ca: pki.ca, servername: serverName });
    every.push(fresh);
    fresh.on('error', () => {});
    // GOAWAY: streams already sent finish on this session, new ones go to a new one.
    fresh.on('goaway', () => {
      result.goaways++;
      if (sessions[client] === fresh) sessions[client] = null;
    });
    sessions[client] = fresh;
    return fresh;
  };
  const ask = (client: number, id: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const stream = session(client).request({ ':method': 'GET', ':path': path(id), accept: 'application/dns-message' });
      const chunks: Buffer[] = [];
      let status: number | undefined;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        try {
          checkAnswer(id, status, Buffer.concat(chunks));
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      });
      stream.on('error', () => reject(new Error('stream failed')));
      stream.end();
    }).catch(() => {
      result.resent++;
      return ask(client, id);
    });
  result.answered = await load(clients, total, intervalMs, ask);
  result.reconnects = opened - clients;
  for (const open of every) open.destroy();
  return result;
}

/** HTTP/1.1 keep-alive clients: one agent each (one socket at a time), a GET that fails on a closed socket is sent again. */
async function http1Load(clients: number, total: number, intervalMs: number): Promise<LoadResult> {
  const result = { sent: clients * total, answered: 0, resent: 0, reconnects: 0, closeHeaders: 0, goaways: 0 };
  const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1, ca: pki.ca, servername: serverName }));
  const sockets = agents.map(() => new Set<unknown>());
  const ask = (client: number, id: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: dohPort, path: path(id), agent: agents[client], headers: { accept: 'application/dns-message' } },
        (res) => {
          if (res.headers.connection === 'close') result.closeHeaders++;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              checkAnswer(id, res.statusCode, Buffer.concat(chunks));
              resolve();
            } catch (err) {
              reject(err as Error);
            }
          });
          res.on('error', () => reject(new Error('response failed')));
        },
      );
      req.on('socket', (socket) => {
        if (sockets[client]!.has(socket)) return;
        if (sockets[client]!.size > 0) result.reconnects++;
        sockets[client]!.add(socket);
      });
      req.on('error', () => reject(new Error('request failed')));
      req.end();
    }).catch(() => {
      result.resent++;
      return ask(client, id);
    });
  result.answered = await load(clients, total, intervalMs, ask);
  for (const agent of agents) agent.destroy();
  for (const seen of sockets) for (const socket of seen) (socket as { destroy(): void }).destroy();
  return result;
}

async function upgradeUnder(run: () => Promise<LoadResult>): Promise<LoadResult> {
  const running = run();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const upgrade = await supervisor.upgrade('dns');
  assert.equal(upgrade.phase, 'done', upgrade.message);
  const result = await Promise.race([running, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
  assert.ok(result, 'the DoH clients did not finish within 20 s of the upgrade');
  assert.equal(result.answered, result.sent, `${result.sent - result.answered} of ${result.sent} DoH queries unanswered`);
  return result;
}

describe('DNS engine upgrade under DoH load (knot upstream)', () => {
  it('answers every DoH query over HTTP/2 while the engine upgrades: GOAWAY, then a new session', { timeout: 90_000 }, async () => {
    const result = await upgradeUnder(() => http2Load(4, 300, 10));
    assert.ok(result.goaways >= 1, `the old process said GOAWAY: ${JSON.stringify(result)}`);
    assert.ok(result.reconnects >= 1, `the clients went on through new sessions: ${JSON.stringify(result)}`);
  });

  it('answers every DoH query over HTTP/1.1 keep-alive while the engine upgrades: idle connections closed, then new ones', { timeout: 90_000 }, async () => {
    const result = await upgradeUnder(() => http1Load(4, 300, 10));
    assert.ok(result.reconnects >= 1, `the old process closed the keep-alive connections: ${JSON.stringify(result)}`);
    // Graceful: a connection is closed between requests (or after its answer with connection:
    // close), so each close costs at most the one request a client had just sent on it.
    assert.ok(result.resent <= result.reconnects, `resent ${result.resent} > reconnects ${result.reconnects}`);
  });
});
