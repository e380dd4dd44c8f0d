// `signalbox serve`: the engine host headless, with the console served over HTTP and the API over
// an authenticated WebSocket. The token is made at start, printed in the URL's fragment (never
// sent to the server in a request line) and written to a 0600 file in the data folder.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions } from 'ws';
import type { Logger } from '../api/engine.ts';
import type { Config } from './config.ts';
import { startHost, type Host } from './host.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { serveRpc } from './rpc.ts';
import { contentSecurityPolicy, contentTypes, resolveStaticPath, securityHeaders } from './static-files.ts';
import { SendBudget, type SendLimits } from './transports/send-queue.ts';
import { maxFrameBytes, webSocketTransport } from './transports/websocket.ts';

export const apiPath = '/api';
/** Prometheus text; scrapers present the serve token as `Authorization: Bearer`. */
export const metricsPath = '/metrics';
/** The WebSocket subprotocol of the API; the token travels as a second one, `token.<token>`. */
export const apiProtocol = 'signalbox.v1';
export const tokenFileName = 'serve.token';
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
}

export interface Served {
  url: string;
  port: number;
  token: string;
  host: Host;
  /** What the API holds for its clients now. */
  sendBudget: SendBudget;
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<Served> {
  const { log } = options;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writePrivateFile(join(options.dataDir, tokenFileName), token + '\n');

  const host = await startHost({ config: options.config, dataDir: options.dataDir, version: options.version, log });

  const http = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === metricsPath) void serveMetrics(metrics, token, req, res);
    else void serveStatic(options.rendererDir, req, res);
  });
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
  const origins = allowedOrigins(options.host, port);

  http.on('upgrade', (req, socket, head) => {
    // Node takes its own error listener off a socket it hands to 'upgrade'; a client that resets
    // the connection before the answer is written must not end the process.
    socket.on('error', (err: NodeJS.ErrnoException) => log.debug('API connection error before the upgrade', { code: err.code, remote: req.socket.remoteAddress }));
    const refusal = refuseUpgrade(req, token, origins);
    if (refusal) {
      log.warn('refused an API connection', { reason: refusal.reason, remote: req.socket.remoteAddress });
      rejectSocket(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      serveRpc(webSocketTransport(ws, { budget: sendBudget, log, remote: `${req.socket.remoteAddress}:${req.socket.remotePort}` }), host.router, { caller: { name: 'serve token', role: 'admin', via: 'token' } });
    });
  });

  const urlHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}/#token=${token}`;
  log.info('console served', { host: options.host, port });

  return {
    url,
    port,
    token,
    host,
    sendBudget,
    async close() {
      for (const client of wss.clients) client.close(1001, 'the host is shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await host.stop();
    },
  };
}

/** Writes a file that only this user can read: a temp file made 0600, then renamed over. */
function writePrivateFile(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, file);
}

function allowedOrigins(host: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (host !== '0.0.0.0' && host !== '::') names.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...names].map((name) => `http://${name}:${port}`));
}

/** Why an upgrade is refused, or null: wrong path, a foreign Origin, or a missing/wrong token. */
export function refuseUpgrade(
  req: IncomingMessage,
  token: string,
  origins: Set<string>,
): { status: number; reason: string } | null {
  if (new URL(req.url ?? '/', 'http://x').pathname !== apiPath) return { status: 404, reason: 'not the API path' };
  // Browsers always send Origin; a page on another site must not drive the console.
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin)) return { status: 403, reason: `origin ${origin} is not allowed` };
  const offered = presentedToken(req);
  if (!offered || !sameSecret(offered, token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}

/** The token from `Authorization: Bearer …` (programs) or the `token.…` subprotocol (browsers). */
function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const carried = protocols.find((p) => p.startsWith('token.'));
  return carried ? carried.slice('token.'.length) : null;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function rejectSocket(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

async function serveMetrics(metrics: Metrics, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const auth = req.headers.authorization;
  const offered = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null;
  if (!offered || !sameSecret(offered, token)) {
    res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="signalbox"' }).end('missing or wrong token: send the serve token as Authorization: Bearer');
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
