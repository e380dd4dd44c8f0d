// DNS over HTTPS (RFC 8484): GET with ?dns= (base64url, no padding, §4.1) and POST with an
// application/dns-message body, over HTTP/2 (many streams on one connection) or HTTP/1.1 (ALPN
// h2, http/1.1). The listening socket is a net.Server shared like TCP's (see tls.ts).
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { secureOptions, type TlsIdentity } from './tls.ts';
import { scanResponse } from './wire.ts';

const dnsMessage = 'application/dns-message';
/** The largest DNS message (RFC 8484 §6: the same 65535 as DNS over TCP). */
const maxMessage = 0xffff;

export type DohAnswer = (message: Buffer, client: { address: string; port: number }, local: { address: string; port: number }) => Promise<Buffer | null>;

export interface DohListener {
  readonly http: Http2SecureServer;
  /** Connections open (HTTP/2 sessions and HTTP/1.1 sockets). */
  readonly connections: Set<TLSSocket>;
  /** Requests read and not yet answered. */
  pending(): number;
  /** Stops taking requests on open connections: HTTP/2 GOAWAY (streams in flight finish), HTTP/1.1 closes once idle. */
  closeIdle(): void;
}

export interface DohOptions {
  path: string;
  idleTimeoutMs: number;
  maxConnections: number;
  /** Told of a connection closed at once because maxConnections were open. */
  onRefused(): void;
  /** Told of a connection (HTTP/2 session or HTTP/1.1 socket) closed after idleTimeoutMs. */
  onIdleClosed(): void;
}

export function dohServer(tcp: Server, identity: TlsIdentity, options: DohOptions, answer: DohAnswer): DohListener {
  const http = createSecureServer({ ...secureOptions(identity), allowHTTP1: true, handshakeTimeout: options.idleTimeoutMs, maxSessionMemory: 10 });
  const connections = new Set<TLSSocket>();
  const sessions = new Set<ServerHttp2Session>();
  const inFlight = new Map<unknown, number>();
  let pending = 0;
  let draining = false;
  http.on('tlsClientError', (_err, socket) => socket.destroy());
  http.on('secureConnection', (socket: TLSSocket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  http.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  // An idle HTTP/2 session (or HTTP/1.1 socket) is closed; Node passes the one that timed out.
  http.setTimeout(options.idleTimeoutMs);
  http.on('timeout', (idle: { destroy(): void }) => {
    options.onIdleClosed();
    idle.destroy();
  });
  tcp.on('connection', (socket: Socket) => {
    if (connections.size >= options.maxConnections) {
      options.onRefused();
      return socket.destroy();
    }
    http.emit('connection', socket);
  });
  http.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const key = req.stream?.session ?? req.socket;
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    pending++;
    void handle(req, options.path, answer)
      .then(({ status, body, headers }) => {
        // HTTP/2 straight on the stream: the body and END_STREAM go in one DATA frame. Through the
        // compatibility response, END_STREAM came after, and dnsperf's DoH client (2.10) gives up
        // on such a stream ("frame received when already having a dns msg").
        if (req.stream) {
          if (!req.stream.destroyed) {
            req.stream.respond({ ':status': status, ...headers, 'content-length': body.length });
            req.stream.end(body);
          }
          return;
        }
        if (draining) res.setHeader('connection', 'close');
        res.writeHead(status, { ...headers, 'content-length': body.length });
        res.end(body);
      })
      .finally(() => {
        pending--;
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      });
  });
  return {
    http,
    connections,
    pending: () => pending,
    closeIdle() {
      draining = true;
      for (const session of sessions) session.close();
      for (const socket of connections) if (socket.alpnProtocol !== 'h2' && !(inFlight.get(socket) ?? 0)) socket.end();
    },
  };
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request: 200 with the answer, or the HTTP error RFC 8484 §4.2.1 / RFC 9110 gives for what was wrong. */
async function handle(req: Http2ServerRequest, path: string, answer: DohAnswer): Promise<Reply> {
  const url = new URL(req.url, 'https://doh.invalid');
  if (url.pathname !== path) return problem(404, `no DNS endpoint at ${url.pathname}; use ${path}`);
  let message: Buffer;
  if (req.method === 'GET') {
    const dns = url.searchParams.get('dns');
    // §4.1: base64url without padding; Node's decoder also takes padded input, which is harmless.
    if (!dns || !/^[A-Za-z0-9_-]+=*$/.test(dns)) return problem(400, 'GET needs ?dns= with a base64url DNS message');
    message = Buffer.from(dns, 'base64url');
  } else if (req.method === 'POST') {
    if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== dnsMessage) return problem(415, `POST needs content-type ${dnsMessage}`);
    const body = await readBody(req);
    if (!body) return problem(413, `the body is larger than a DNS message (${maxMessage} bytes)`);
    message = body;
  } else {
    return { ...problem(405, 'use GET or POST'), headers: { 'content-type': 'text/plain', allow: 'GET, POST' } };
  }
  if (message.length > maxMessage) return problem(413, `the DNS message is larger than ${maxMessage} bytes`);
  const client = { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 };
  const local = { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 };
  const reply = await answer(message, client, local);
  // A query the DNS layer does not answer (a response, a packet too short): 400, as dnsdist.
  if (!reply) return problem(400, 'not a DNS query that gets an answer');
  return { status: 200, headers: { 'content-type': dnsMessage, 'cache-control': `max-age=${minTtl(reply)}` }, body: reply };
}

function problem(status: number, text: string): Reply {
  return { status, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${text}\n`) };
}

function readBody(req: Http2ServerRequest): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxMessage) chunks.push(chunk);
    });
    req.on('end', () => resolve(length <= maxMessage ? Buffer.concat(chunks) : null));
    req.on('error', () => resolve(null));
  });
}

/** RFC 8484 §5.1: the freshness lifetime is the smallest TTL of the answer's records; 0 (no HTTP cache keeps it) when it has none. */
function minTtl(reply: Buffer): number {
  return scanResponse(reply)?.minTtl ?? 0;
}
