// The Red October JSON API over HTTPS (spec §1, §2), in front of one Vault. TLS 1.2 at least (RO set
// no minimum and completed TLS 1.0 handshakes, §8.15), forward-secret AEAD suites only, no session
// tickets (as RO), optional client certificates (RO's -ca), HSTS on every answer. Each request is
// read with a size limit, decoded with Go's JSON rules, and handled with the caller's address as
// the login guard's source. There is no HTML console: unknown paths get a JSON 404.
import { constants } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../api/engine.ts';
import { LogThrottle } from '../../api/log-throttle.ts';
import type { Vault } from '../vault.ts';
import { errorAnswer, type Answer } from './answers.ts';
import { BodyBudget, declaredLength, MiB, readBody, tooLarge } from './body.ts';
import { GoRequest } from './go-json.ts';
import { routes, type Route } from './routes.ts';

export interface VaultHttpsOptions {
  vault: Vault;
  host: string;
  port: number;
  /** PEM certificate chain and private key of the server. */
  cert: Buffer;
  key: Buffer;
  /** When set, clients must present a certificate signed by one of these CAs (PEM). */
  ca?: Buffer;
  log: Logger;
  /** Bytes of request bodies held at once, over all requests. */
  bodyBudget?: number;
  /** Requests refused for load are logged once per client address this often (default 10 s). */
  throttledLogEveryMs?: number;
}

export interface VaultHttps {
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight finish (a few seconds at most), closes every connection. */
  close(): Promise<void>;
}

// TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305 only; TLS 1.3 suites are all AEAD and stay Node's.
const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const tls13Ciphers = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

const baseHeaders = {
  'Content-Type': 'application/json',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

const closeGraceMs = 3000;
/**
 * Refusals that cost the server nothing but a log line; a client that keeps sending after them
 * (115,763 lines in 20 s from one) gets one line per interval, with the count.
 */
const loadRefusals = new Set(['E_RATE_LIMITED', 'E_VAULT_BUSY', 'E_RO_BUSY']);
/** A client has this long to complete its TLS handshake (Node's default is 120 s). */
const handshakeTimeoutMs = 10_000;
/** Then this long to start its first request; after an answer, keepAliveTimeout applies. */
const firstRequestTimeoutMs = 20_000;

export async function startVaultHttps(options: VaultHttpsOptions): Promise<VaultHttps> {
  const { vault, log } = options;
  const budget = new BodyBudget(options.bodyBudget ?? 256 * MiB);
  const throttle = new LogThrottle({ everyMs: options.throttledLogEveryMs ?? 10_000 });
  const logRequest = (fields: { path: string; source: string; status: string; ms: number }) => {
    if (!loadRefusals.has(fields.status)) return log.info('request', fields);
    const count = throttle.hit(fields.source);
    if (count > 0) log.info('request', { ...fields, count });
  };
  const server: Server = createServer({
    cert: options.cert,
    key: options.key,
    ...(options.ca ? { ca: options.ca, requestCert: true, rejectUnauthorized: true } : {}),
    minVersion: 'TLSv1.2',
    ciphers: [...tls13Ciphers, ...tls12Ciphers].join(':'),
    honorCipherOrder: true,
    secureOptions: constants.SSL_OP_NO_TICKET,
    // A client that never completes a handshake, or trickles its headers or body, cannot hold a
    // connection (and a shutdown) forever.
    handshakeTimeout: handshakeTimeoutMs,
    headersTimeout: 20_000,
    requestTimeout: 300_000,
    keepAliveTimeout: 5_000,
  });

  const serve = async (req: IncomingMessage, res: ServerResponse, route: Route, path: string) => {
    const started = performance.now();
    const source = sourceOf(req.socket);
    let answer: Answer;
    let httpStatus = 200;
    let body: Buffer | null = null;
    try {
      body = await readBody(req, res, path, route.limit, budget);
      const request = GoRequest.parse(body, route.type, route.struct);
      // The raw bytes (passwords, plaintexts) go now, not after the password check.
      body.fill(0);
      answer = await route.handler({ vault, source, request });
    } catch (err) {
      const refused = errorAnswer(err);
      if (refused.internal) log.error('request failed', { path, source, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      ({ answer, httpStatus } = refused);
    } finally {
      body?.fill(0);
    }
    send(res, httpStatus, answer);
    logRequest({ path, source, status: answer.Status === 'ok' ? 'ok' : String(answer.Code ?? 'error'), ms: Math.round(performance.now() - started) });
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    // A request is under way: from here headersTimeout, requestTimeout and keepAliveTimeout rule.
    if (req.socket.timeout === firstRequestTimeoutMs) req.socket.setTimeout(0);
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes.get(path);
    if (!route) {
      send(res, 404, notFound(path));
      log.info('request', { path: path.slice(0, 200), source: sourceOf(req.socket), status: 'E_RO_NOT_FOUND', ms: 0 });
      return;
    }
    void serve(req, res, route, path);
  };

  // Every TCP connection, from accept on: the HTTP layer only knows those whose TLS handshake is
  // done, so closing through it alone waited for silent connections (issue 22).
  const sockets = new Set<Socket>();
  const handshaking = new Map<string, Socket>();
  const connectionKey = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;
  server.on('connection', (socket: Socket) => {
    const key = connectionKey(socket);
    sockets.add(socket);
    handshaking.set(key, socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (handshaking.get(key) === socket) handshaking.delete(key);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    handshaking.delete(connectionKey(socket));
    // Node's HTTP server times out an idle connection only between requests (keepAliveTimeout);
    // one that completed TLS and never sends a request is closed here (its timeout destroys it).
    socket.setTimeout(firstRequestTimeoutMs);
  });

  server.on('request', dispatch);
  // Expect: 100-continue: refuse a body declared too large before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes.get(path);
    const declared = declaredLength(req);
    if (!route) {
      send(res, 404, notFound(path), true);
      return;
    }
    if (declared !== null && declared > route.limit) {
      const { answer, httpStatus } = errorAnswer(tooLarge(path, route.limit));
      // The client waits for our word before sending the body; it will not send it, so the
      // connection cannot be reused (its next bytes might be that body after all).
      send(res, httpStatus, answer, true);
      log.info('request', { path, source: sourceOf(req.socket), status: answer.Code, ms: 0 });
      return;
    }
    res.writeContinue();
    dispatch(req, res);
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ Status: `bad HTTP request: ${err.code ?? err.message}`, Code: 'E_RO_BAD_HTTP' });
    const headers = Object.entries({ ...baseHeaders, 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    socket.end(`HTTP/1.1 400 Bad Request\r\n${headers.join('')}\r\n${body}`);
  });
  // With a listener here Node leaves the socket open (a handshake timeout would otherwise hold it
  // until the client goes): the connection is of no use, close it.
  server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    log.debug('TLS handshake refused', { source: sourceOf(socket), error: err.code ?? err.message });
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error & { code?: string }) => {
      server.off('listening', listening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`vault: --listen ${hostPort(options.host, options.port)}: the address is in use (another server listens there); pick another port`)
          : err.code === 'EADDRNOTAVAIL'
            ? new Error(`vault: --listen ${hostPort(options.host, options.port)}: this machine has no such address`)
            : err,
      );
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed).once('listening', listening);
    server.listen(options.port, options.host);
  });
  server.on('error', (err) => log.error('HTTPS server error', { error: err.message }));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${hostPort(options.host, port)}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, closeGraceMs);
        server.close(() => {
          clearTimeout(force);
          for (const [source, count] of throttle.drain()) log.info('requests refused for load, not logged yet', { source, count });
          resolve();
        });
        server.closeIdleConnections();
        // A connection still in its handshake carries no request: nothing to let finish.
        for (const socket of handshaking.values()) socket.destroy();
      }),
  };
}

function send(res: ServerResponse, httpStatus: number, answer: Answer, close = false): void {
  if (res.headersSent) return void res.end();
  const body = Buffer.from(JSON.stringify(answer), 'utf8');
  res.writeHead(httpStatus, { ...baseHeaders, 'Content-Length': body.length, ...(close ? { Connection: 'close' } : {}) });
  res.end(body);
}

function notFound(path: string): Answer {
  return { Status: `no such path: ${path.slice(0, 200)} (this server answers Red October's JSON API only, e.g. /summary)`, Code: 'E_RO_NOT_FOUND' };
}

/** The client's address, the login guard's source (an IPv4 client on a dual-stack socket as plain IPv4). */
function sourceOf(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
