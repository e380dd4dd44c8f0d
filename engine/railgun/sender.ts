// The edge's end: an HTTP server for clients that sends every request over the link, announcing
// the newest version it holds of the page; it decodes what comes back, checks the body's SHA-256
// against the listener's, and only then answers. A failed check fetches the page again in full —
// a client never gets a wrong page.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../api/engine.ts';
import type { BaseOutcome, ClientStats, Failure, RailgunClients, RailgunLimits } from '../api/railgun.ts';
import { BodyBudget, Busy, writeBody, type BodyShare } from './body-budget.ts';
import { ClientGate, retryAfterSeconds } from './client-gate.ts';
import { dczBaseHash, dczHeaderBytes, frameContentSize, sha256, zstdCodec, type Codec } from './codec.ts';
import { cacheKey, endToEnd, isDeltaRequest, isNoStore, VaryMemo, withForwardedFor, withVia } from './http.ts';
import type { Link } from './link.ts';
import { digestBytes, formatFullHash, formatVersionIds, linkHeaders, parseReport, type LinkReport } from './protocol.ts';
import type { SavingsBook } from './savings.ts';
import type { SharedVersions } from './shared-store.ts';
import { clientHeaders, cutOffAfter, passThrough } from './sender-pass.ts';
import { VersionStore, type Version } from './store.ts';
import { relayUpgrade } from './tunnel.ts';

export interface SenderOptions {
  host: string;
  port: number;
  link: Link;
  limits: RailgunLimits;
  clients: RailgunClients;
  book: SavingsBook;
  log: Logger;
  codec?: Codec;
  /** How long a request waits for a link that is down before it gets a 502. */
  linkWaitMs?: number;
  /** How long a version of a no-store response is kept unused. */
  noStoreIdleMs?: number;
  /** Versions shared with other senders (Redis); the memory store then caches their bodies. */
  shared?: SharedVersions;
}

/** Why a link answer was not used; the request is retried (once) rather than answered wrongly. */
class Unverified extends Error {
  override readonly name = 'Unverified';
  /** The version to ask for in full, with the headers that came with it: a resend carries none of its own. */
  readonly resend: Resend | null;

  constructor(message: string, resend: Resend | null) {
    super(message);
    this.resend = resend;
  }
}

interface Resend {
  digest: Buffer;
  headers: IncomingHttpHeaders;
}

interface Attempt {
  retried: boolean;
  resend: Resend | null;
}

export class Sender {
  readonly store: VersionStore;
  readonly #server: http.Server;
  readonly #vary = new VaryMemo();
  readonly #codec: Codec;
  readonly #sockets = new Set<Socket | Duplex>();
  readonly #gate: ClientGate;
  readonly #budget: BodyBudget;

  private readonly options: SenderOptions;

  private constructor(options: SenderOptions) {
    this.options = options;
    this.store = new VersionStore(options.limits, options.noStoreIdleMs);
    this.#codec = options.codec ?? zstdCodec;
    this.#gate = new ClientGate(options.clients, options.log);
    this.#budget = new BodyBudget(options.clients.bufferBytes);
    // Header timeouts of keep-alive requests are checked every second, not every 30 (Node's default).
    this.#server = http.createServer({ keepAliveTimeout: 5000, connectionsCheckingInterval: 1000 }, (request, response) => {
      const started = performance.now();
      if (this.#gate.answeredRefusal(request, response)) return;
      if (bodilessWithBody(request)) return this.#refuseBody(request, response, started);
      this.#handle(request, response, started).catch((err: Error) => this.#fail(request, response, err, started));
    });
    this.#gate.guard(this.#server);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('upgrade', (request, socket, head) => this.#upgrade(request, socket, head));
  }

  static async start(options: SenderOptions): Promise<Sender> {
    const sender = new Sender(options);
    await new Promise<void>((resolve, reject) => {
      sender.#server.once('error', reject);
      sender.#server.listen(options.port, options.host, () => {
        sender.#server.off('error', reject);
        resolve();
      });
    });
    options.log.info('railgun sender ready', { listen: sender.address });
    return sender;
  }

  get address(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  setLimits(limits: RailgunLimits, clients: RailgunClients): void {
    this.options.limits = limits;
    this.store.setLimits(limits);
    this.options.clients = clients;
    this.#gate.setLimits(clients, this.#server);
    this.#budget.setLimit(clients.bufferBytes);
  }

  get clients(): ClientStats {
    let bufferedBytes = 0;
    for (const socket of this.#sockets) bufferedBytes += socket.writableLength;
    return { ...this.#gate.stats, refusedBusy: this.#budget.refused, bodyBytes: this.#budget.bytes, bufferedBytes };
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.store.close();
    await this.options.shared?.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse, started: number): Promise<void> {
    const url = request.url ?? '/';
    const deltaRequest = isDeltaRequest(request.method, request.headers);
    let attempt: Attempt = { retried: false, resend: null };
    for (;;) {
      try {
        return await this.#once(request, response, url, deltaRequest, attempt, started);
      } catch (err) {
        // Retry once: after a failed verification (in full), or a link that dropped before the
        // answer started, for requests that can safely be sent twice.
        const retryable =
          err instanceof Unverified ||
          (!(err instanceof Busy) && !response.headersSent && (request.method === 'GET' || request.method === 'HEAD') && !request.destroyed);
        if (attempt.retried || !retryable) throw err;
        this.options.log.warn('railgun sender: retrying a request', { url, reason: (err as Error).message });
        attempt = { retried: true, resend: err instanceof Unverified ? err.resend : null };
      }
    }
  }

  async #once(request: IncomingMessage, response: ServerResponse, url: string, deltaRequest: boolean, attempt: Attempt, started: number): Promise<void> {
    const authority = request.headers.host ?? this.options.link.state.address ?? 'origin';
    // Versions are kept per host and path: two sites behind one sender never share a base.
    const resource = authority + url;
    const key = deltaRequest ? cacheKey(resource, request.headers, this.#vary.get(resource)) : null;
    let bases = key && !attempt.retried ? await this.#held(key) : [];
    const headers: http2.OutgoingHttpHeaders = {
      ...withVia(withForwardedFor(endToEnd(request.headers), request.socket.remoteAddress), `${request.httpVersion}`),
      ':method': request.method ?? 'GET',
      ':path': url,
      ':authority': authority,
    };
    if (deltaRequest) {
      // The listener asks the origin for identity and codes for the link itself: the client's
      // Accept-Encoding would be dropped there, so it does not cross.
      delete headers['accept-encoding'];
      if (bases.length > 0) headers[linkHeaders.base] = formatVersionIds(bases.map((version) => version.hash));
      if (attempt.resend) headers[linkHeaders.resend] = formatFullHash(attempt.resend.digest);
    }
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && !request.complete;
    // A GET or HEAD gets here only without content (a `Content-Length: 0` at most): its stream
    // ends with the headers, and a length header would make it malformed (RFC 9113 §8.1.1).
    if (!hasBody) delete headers['content-length'];
    const stream = await this.options.link.request(headers, this.options.linkWaitMs ?? 5000, !hasBody);
    if (hasBody) request.pipe(stream);
    // The client went away: cancel the stream, which cancels the origin request (RST_STREAM CANCEL).
    const cancel = () => response.writableFinished || stream.close(http2.constants.NGHTTP2_CANCEL);
    response.once('close', cancel);
    // What this request holds of the sender's body budget; given back however it ends.
    const share = this.#budget.open();
    try {
      const linkResponse = await responseOf(stream);
      const report = parseReport(linkResponse[linkHeaders.report]);
      if (!deltaRequest || !report || report.base === 'pass') return await this.#passThrough(stream, linkResponse, response, url, started, report, attempt);
      const received = await this.#receive(stream, linkResponse, bases, share);
      // From here on only the stored version is held: a client that reads slowly must not keep
      // the bases or the decoding buffers alive (this frame lives until the last byte is out).
      bases = [];
      // The origin's headers: those of this answer, or of the one whose version was asked for again.
      const originHeaders = attempt.resend?.headers ?? linkResponse;
      this.#vary.remember(resource, originHeaders.vary);
      // The stored version is what is sent: a page the store already held is not held twice.
      const storedKey = cacheKey(resource, request.headers, this.#vary.get(resource));
      const noStore = isNoStore(originHeaders);
      const version = this.store.add(storedKey, received.body, received.hash, { noStore });
      // Shared before the answer goes out, so the client's next request, at any sender, finds it.
      await this.options.shared?.add(storedKey, version, noStore);
      const { body } = version;
      received.body = body;
      share.send(body);
      const status = Number(originHeaders[':status']);
      const outgoing = clientHeaders(originHeaders);
      outgoing['content-length'] = body.length;
      const ratio = body.length === 0 ? 1 : received.linkBytes / body.length;
      outgoing['signalbox-railgun'] =
        `ratio=${ratio.toFixed(4)}; base=${report.base}${report.originMs !== null ? `; origin-ms=${report.originMs.toFixed(1)}` : ''}`;
      response.writeHead(status, outgoing);
      cutOffAfter(response, this.options.clients.sendTimeoutMs);
      await writeBody(response, body);
      this.#record(url, status, report.base, body.length, received.linkBytes, started, report.originMs, attempt, report.encodeMs ?? 0, received.decodeMs, true);
    } finally {
      share.release();
      response.off('close', cancel);
    }
  }

  /** The versions to announce, newest first: this sender's own, or with a shared store the newest any sender shared. */
  async #held(key: string): Promise<Version[]> {
    if (!this.options.shared) return this.store.versionsOf(key);
    const newest = await this.options.shared.newest(key, this.store);
    return newest ? [newest] : [];
  }

  /** Reads and decodes a link body, its memory reserved in `share` first. */
  async #receive(
    stream: ClientHttp2Stream,
    linkResponse: IncomingHttpHeaders,
    bases: Version[],
    share: BodyShare,
  ): Promise<{ body: Buffer; hash: Buffer; linkBytes: number; decodeMs: number }> {
    const limit = this.options.limits.maxDeltaBodyBytes;
    const data = await collect(stream, digestBytes + limit + 1024, share);
    // Link protocol 2: the SHA-256 of the decoded body, then the dcz or zstd body.
    if (data.length < digestBytes) throw new Unverified(`the link body is ${data.length} bytes, shorter than its digest`, null);
    const digest = Buffer.from(data.subarray(0, digestBytes));
    const encoded = data.subarray(digestBytes);
    // The decoded size (the zstd frame header's), reserved before zstd allocates it; the limit when the frame does not say.
    const declared = frameContentSize(encoded, isDcz(linkResponse) ? dczHeaderBytes : 0);
    const expected = declared === null ? limit : Math.min(declared, limit);
    share.reserve(expected);
    const decodeStarted = performance.now();
    const body = await this.#decode(linkResponse, digest, encoded, bases, expected);
    return { body, hash: sha256(body), linkBytes: encoded.length, decodeMs: performance.now() - decodeStarted };
  }

  /** The body as the origin sent it, or Unverified (carrying the hash to ask for in full). */
  async #decode(linkResponse: IncomingHttpHeaders, digest: Buffer, encoded: Buffer, bases: Version[], limit: number): Promise<Buffer> {
    const codings = String(linkResponse['content-encoding'] ?? '')
      .split(',')
      .map((coding) => coding.trim());
    const coding = codings[codings.length - 1];
    let body: Buffer;
    try {
      if (coding === 'dcz') {
        // The listener names the base it chose in full in the dcz header (RFC 9842 §4).
        const named = dczBaseHash(encoded);
        const base = named && bases.find((version) => version.hash.equals(named));
        if (!base) throw new Error(bases.length > 0 ? 'the delta names a base this sender does not hold' : 'a delta came for a request that announced no base');
        body = await this.#codec.decodeDelta(encoded, base.body, base.hash, limit);
      } else if (coding === 'zstd') {
        body = await this.#codec.decodeFull(encoded, limit);
      } else {
        throw new Error(`unknown link coding "${coding}"`);
      }
    } catch (err) {
      throw new Unverified(`the body could not be decoded: ${(err as Error).message}`, { digest, headers: linkResponse });
    }
    if (!sha256(body).equals(digest)) throw new Unverified("the decoded body's SHA-256 differs from the listener's", { digest, headers: linkResponse });
    return body;
  }

  async #passThrough(
    stream: ClientHttp2Stream,
    linkResponse: IncomingHttpHeaders,
    response: ServerResponse,
    url: string,
    started: number,
    report: LinkReport | null,
    attempt: Attempt,
  ): Promise<void> {
    const passed = await passThrough(stream, linkResponse, response, report, this.options.clients.sendTimeoutMs);
    this.#record(url, passed.status, 'pass', passed.rawBytes, passed.linkBytes, started, passed.originMs, attempt, 0, 0, false, passed.failure);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#gate.answeredRefusal(request, socket)) return;
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    const forwardedFor = String(withForwardedFor(endToEnd(request.headers), request.socket.remoteAddress)['x-forwarded-for'] ?? '');
    this.options.link
      .request({ ':method': 'CONNECT', ':authority': request.headers.host ?? 'origin' }, this.options.linkWaitMs ?? 5000, false)
      .then((stream) => {
        stream.once('response', (headers) => {
          if (Number(headers[':status']) !== 200) {
            socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
            return;
          }
          relayUpgrade(request, socket, head, stream, forwardedFor);
        });
        stream.on('error', () => socket.destroy());
      })
      .catch(() => socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  }

  /**
   * RFC 9110 §9.3.1 (and §9.3.2 for HEAD): content in a GET has no defined semantics and "might lead
   * some implementations to reject the request and close the connection because of its potential
   * as a request smuggling attack". The sender does: a body it would drop is framing the origin
   * might read differently, and one it would forward is something the origin did not ask for.
   */
  #refuseBody(request: IncomingMessage, response: ServerResponse, started: number): void {
    this.options.log.info('railgun sender: refused a GET/HEAD with a body', {
      module: 'sender',
      method: request.method,
      url: request.url,
      from: request.socket.remoteAddress,
    });
    // Read what the client sends, so closing after the answer does not reset it unread.
    request.resume();
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    response.end(
      `signalbox railgun: a ${request.method} request must not carry a body (RFC 9110 §9.3.1); send it without Content-Length or Transfer-Encoding [E_RAILGUN_BODILESS_METHOD]\n`,
    );
    this.#record(request.url ?? '/', 400, 'pass', 0, 0, started, null, { retried: false, resend: null }, 0, 0, false);
  }

  /** The details go to the log under an id; the client gets the id and nothing internal. */
  #fail(request: IncomingMessage, response: ServerResponse, err: Error, started: number): void {
    if (err instanceof Busy && !response.headersSent) return this.#busy(request, response, err, started);
    const id = randomBytes(6).toString('hex');
    const timeout = err.name === 'LinkError';
    const status = timeout ? 504 : 502;
    this.options.log.warn('railgun sender: request failed', { module: 'sender', id, status, url: request.url, error: err.message });
    this.#record(request.url ?? '/', status, 'pass', 0, 0, started, null, { retried: false, resend: null }, 0, 0, false, {
      at: Date.now(),
      kind: timeout ? 'link-down' : 'pair',
      message: err.message,
    });
    if (response.headersSent) {
      // Part of the answer is out: cut the connection so the client sees an incomplete response, not a short page.
      response.destroy();
      return;
    }
    const [what, code] = timeout
      ? ['the link to the origin is not up; try again in a few seconds', 'E_RAILGUN_LINK_DOWN']
      : ['this request could not be answered', 'E_RAILGUN_BAD_GATEWAY'];
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'signalbox-error-id': id });
    response.end(`signalbox railgun: ${what} (error id ${id}; the operator's log has the details) [${code}]\n`);
  }

  /** The body budget is spent: come back later (logged on the first and every 1,000th, not per request). */
  #busy(request: IncomingMessage, response: ServerResponse, err: Busy, started: number): void {
    if (this.#budget.refused === 1 || this.#budget.refused % 1000 === 0)
      this.options.log.warn('railgun sender: requests turned away with 503', { module: 'sender', reason: err.message, count: this.#budget.refused });
    this.#record(request.url ?? '/', 503, 'pass', 0, 0, started, null, { retried: false, resend: null }, 0, 0, false);
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(retryAfterSeconds) });
    response.end(`signalbox railgun: the sender holds as many pages for its clients as it may; retry in ${retryAfterSeconds} s [E_RAILGUN_BUSY]\n`);
  }

  #record(
    url: string,
    status: number,
    outcome: BaseOutcome,
    rawBytes: number,
    linkBytes: number,
    started: number,
    originMs: number | null,
    attempt: Attempt,
    encodeMs: number,
    decodeMs: number,
    deltaEligible: boolean,
    failure: Failure | null = null,
  ): void {
    this.options.book.record({
      at: Date.now(),
      url,
      status,
      outcome,
      rawBytes,
      linkBytes,
      totalMs: performance.now() - started,
      originMs,
      deltaEligible,
      retried: attempt.retried,
      failure,
      encodeMs,
      decodeMs,
    });
  }
}

/** Whether the link coding (the last Content-Encoding) is dcz. */
function isDcz(linkResponse: IncomingHttpHeaders): boolean {
  return /(^|,)\s*dcz\s*$/.test(String(linkResponse['content-encoding'] ?? ''));
}

/** A GET or HEAD that announces content: any Transfer-Encoding, or a Content-Length other than 0. */
function bodilessWithBody(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

function responseOf(stream: ClientHttp2Stream): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
    stream.once('close', () => reject(new Error(`the link stream closed before an answer${stream.rstCode ? ` (reset ${stream.rstCode})` : ''}`)));
  });
}

async function collect(stream: ClientHttp2Stream, limit: number, share: BodyShare): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const broken = () => new Error(`the link stream closed mid-body${stream.rstCode ? ` (reset ${stream.rstCode})` : ''}, ${size} bytes in`);
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new Error(`the link body is larger than ${limit} bytes`);
      share.reserve((chunk as Buffer).length);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    // "Premature close" says nothing of why: the reset code does.
    throw (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' ? broken() : err;
  }
  // A dying session ends its streams as if complete; only a stream without a reset code is.
  if (!stream.readableEnded || stream.rstCode) throw broken();
  return Buffer.concat(chunks, size);
}
