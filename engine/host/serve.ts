// `signalbox serve`: the engine host headless, with the console served over HTTP(S) and the API
// over a WebSocket. Operators sign in (operators/console-auth.ts) and the WebSocket carries their
// session cookie; machines present an API token. Every request must name this host in its Host
// header (DNS rebinding), and every WebSocket must come from the console's own origin.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { Logger } from '../api/engine.ts';
import { ApiError, ErrorCode } from '../api/errors.ts';
import type { Caller } from '../api/identity.ts';
import type { Config } from './config.ts';
import { startHost, type Host } from './host.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { ConsoleAuth, type Authenticated } from './operators/console-auth.ts';
import type { SessionLimits } from './operators/sessions.ts';
import { SetupLink } from './operators/setup-link.ts';
import type { OperatorStoreOptions } from './operators/store.ts';
import { asConnection } from './router.ts';
import { serveRpc } from './rpc.ts';
import { contentSecurityPolicy, contentTypes, resolveStaticPath, securityHeaders } from './static-files.ts';
import { SendBudget, type SendLimits } from './transports/send-queue.ts';
import { maxFrameBytes, webSocketTransport } from './transports/websocket.ts';

export const apiPath = '/api';
/** Prometheus text; scrapers present an API token (scope metrics or api) as `Authorization: Bearer`. */
export const metricsPath = '/metrics';
/** The WebSocket subprotocol of the API. */
export const apiProtocol = 'signalbox.v1';
/** The close code of an API connection whose session ended (sign-out, revoked, expired). */
export const sessionEndedCloseCode = 4401;
/**
 * How long a closing API connection may take to answer the close frame before its socket is
 * destroyed (ws's default is 30 s): a client closed for not reading will not answer it.
 */
export const closeTimeoutMs = 5000;

export interface ServeOptions {
  config: Config;
  host: string;
  port: number;
  dataDir: string;
  rendererDir: string;
  version: string;
  log: Logger;
  /** Bounds of what the API keeps for clients that do not read (send-queue.ts); defaults otherwise. */
  sendLimits?: Partial<SendLimits>;
  /** PEM certificate and key: the console is served over HTTPS. Required beyond loopback. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Host names the console is reached by besides loopback and `host` (config serve.names). */
  names?: string[];
  sessionLimits?: Partial<SessionLimits>;
  operatorOptions?: OperatorStoreOptions;
}

export interface Served {
  url: string;
  port: number;
  /** The one-time link that creates the first admin, when the data folder has no operator. */
  setupUrl: string | null;
  host: Host;
  /** What the API holds for its clients now. */
  sendBudget: SendBudget;
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<Served> {
  const { log } = options;
  if (!isLoopbackHost(options.host) && !options.tls) {
    throw new ApiError(
      'E_SERVE_NEEDS_TLS',
      `serve: --host ${options.host} reaches beyond this machine, and passwords and session cookies must not cross a network in clear: give --cert and --key (PEM), or --tls-self-signed to generate a certificate`,
    );
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });

  const host = await startHost({
    config: options.config,
    dataDir: options.dataDir,
    version: options.version,
    log,
    ...(options.operatorOptions ? { operatorOptions: options.operatorOptions } : {}),
    ...(options.sessionLimits ? { sessionLimits: options.sessionLimits } : {}),
  });
  const setup = host.operators.hasOperators() ? undefined : new SetupLink();
  const scheme = options.tls ? 'https' : 'http';
  let auth: ConsoleAuth;
  let hostNames: Set<string>;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const refusal = refuseHost(req, hostNames);
    if (refusal) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end(refusal);
      return;
    }
    if (auth.handle(req, res)) return;
    if (new URL(req.url ?? '/', 'http://x').pathname === metricsPath) void serveMetrics(metrics, auth.authenticate(req, 'metrics'), req, res);
    else void serveStatic(options.rendererDir, req, res);
  };
  const http = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, onRequest) : createServer(onRequest);
  const sendBudget = new SendBudget(options.sendLimits);
  // `closeTimeout` is an option of ws (8.19 and later) that @types/ws does not list yet.
  const wsOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: maxFrameBytes,
    closeTimeout: closeTimeoutMs,
    handleProtocols: (protocols) => (protocols.has(apiProtocol) ? apiProtocol : false),
  };
  const wss = new WebSocketServer(wsOptions);
  const metrics = createMetrics(host, sendBudget);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  }).catch(async (err: NodeJS.ErrnoException) => {
    await host.stop();
    const hint = err.code === 'EADDRINUSE' ? ' — another program uses it: pass --port with a free port' : '';
    throw new Error(`serve: cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}${hint}`);
  });
  const port = (http.address() as AddressInfo).port;
  const names = consoleNames(options.host, options.names ?? []);
  hostNames = new Set(names.map((name) => `${name}:${port}`));
  const origins = new Set(names.map((name) => `${scheme}://${name}:${port}`));
  auth = new ConsoleAuth({
    store: host.operators,
    sessions: host.sessions,
    secure: options.tls !== undefined,
    origins,
    log: log.child('sign-in'),
    ...(setup ? { setup } : {}),
  });
  // A session that ends (sign-out, revoked, expired) closes its API connections.
  const connections = new Map<string, Set<WebSocket>>();
  const stopSweeping = host.sessions.sweep(Math.min(15_000, host.sessions.limitsInUse.idleTimeoutMs / 2));
  host.sessions.onRevoke((session) => {
    for (const ws of connections.get(session.id) ?? []) ws.close(sessionEndedCloseCode, 'the session ended: sign in again');
    connections.delete(session.id);
  });

  http.on('upgrade', (req, socket, head) => {
    // Node takes its own error listener off a socket it hands to 'upgrade'; a client that resets
    // the connection before the answer is written must not end the process.
    socket.on('error', (err: NodeJS.ErrnoException) =>
      log.debug('API connection error before the upgrade', { code: err.code, remote: req.socket.remoteAddress }),
    );
    const refusal = refuseHost(req, hostNames) ? { status: 421, reason: 'this host is not reached by that name' } : refuseUpgrade(req, origins);
    const who = refusal ? null : auth.authenticate(req, 'api');
    if (refusal || !who) {
      const why = refusal ?? { status: 401, reason: 'sign in first (no valid session cookie or API token)' };
      log.warn('refused an API connection', { reason: why.reason, remote: req.socket.remoteAddress });
      rejectSocket(socket, why.status, why.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (who.sessionId) {
        const own = connections.get(who.sessionId) ?? new Set();
        connections.set(who.sessionId, own.add(ws));
        ws.once('close', () => own.delete(ws));
      }
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      serveRpc(webSocketTransport(ws, { budget: sendBudget, log, remote }), asConnection(host.router, remote), { caller: currentCaller(host, who) });
    });
  });

  const urlHost = isWildcard(options.host) ? '127.0.0.1' : options.host;
  const base = `${scheme}://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}/`;
  log.info('console served', { host: options.host, port, tls: options.tls !== undefined });

  return {
    url: base,
    port,
    setupUrl: setup ? `${base}#setup=${setup.token}` : null,
    host,
    sendBudget,
    async close() {
      stopSweeping();
      for (const client of wss.clients) client.close(1001, 'the host is shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await host.stop();
    },
  };
}

/**
 * The caller of a connection, asked again at each call: a session's operator with the role they
 * have now (a role changed by the CLI applies at once; a removed operator is refused).
 */
function currentCaller(host: Host, who: Authenticated): Caller | (() => Caller) {
  if (!who.sessionId) return who.caller;
  const sessionId = who.sessionId;
  return () => {
    // Each call counts as use of the session (idle timeout) and ends with it.
    if (!host.sessions.touch(sessionId)) throw new ApiError(ErrorCode.unauthenticated, 'the session ended (idle, expired or signed out); sign in again');
    const operator = host.operators.get(who.caller.name);
    if (!operator) throw new ApiError(ErrorCode.unauthenticated, `operator ${who.caller.name} no longer exists; sign in as another`);
    return { name: operator.name, role: operator.role, via: 'session' };
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The names (as in a Host header, IPv6 in brackets) this console answers to. */
function consoleNames(host: string, configured: string[]): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', ...configured.map((name) => name.toLowerCase())]);
  if (!isWildcard(host)) names.add(host.includes(':') ? `[${host}]` : host.toLowerCase());
  return [...names];
}

/**
 * Why a request's Host header is refused, or null. A page of another site whose name an attacker
 * points at this address (DNS rebinding) sends that name: it never reaches the console.
 */
function refuseHost(req: IncomingMessage, allowed: Set<string>): string | null {
  const given = (req.headers.host ?? '').toLowerCase();
  return allowed.has(given) ? null : `Host "${given}" is not a name of this console; add it to serve.names in the config if it is`;
}

/** Why an upgrade is refused before its credentials are looked at, or null: wrong path or a foreign Origin. */
export function refuseUpgrade(req: IncomingMessage, origins: Set<string>): { status: number; reason: string } | null {
  if (new URL(req.url ?? '/', 'http://x').pathname !== apiPath) return { status: 404, reason: 'not the API path' };
  // Browsers always send Origin; a page on another site must not drive the console.
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin)) return { status: 403, reason: `origin ${origin} is not allowed` };
  return null;
}

function rejectSocket(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 421 ? 'Misdirected Request' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

async function serveMetrics(metrics: Metrics, who: Authenticated | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!who) {
    res
      .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="signalbox"' })
      .end('missing or wrong token: send an API token (signalbox operators token-add NAME --scope metrics) as Authorization: Bearer');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  try {
    const body = await metrics.render();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
  res.setHeader('Content-Security-Policy', contentSecurityPolicy());
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolveStaticPath(root, req.url ?? '/');
  if (!file) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path');
    return;
  }
  try {
    const body = await readFile(file);
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    const cache = file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    const missingConsole = file.endsWith('index.html');
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(missingConsole ? 'The console is not built: run `npm run build`, then start serve again.' : 'not found');
  }
}
