// The origin's end: serves the link (HTTP/2 over TLS), fetches each request from the origin over
// keep-alive connections, and answers with a delta against the version the sender announced when
// it holds that version too, else with the full body; anything that is not delta material streams
// through as it is.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../api/engine.ts';
import type { BaseOutcome, RailgunLimits } from '../api/railgun.ts';
import { chooseBase, levelFor, sha256, zstdCodec, type Codec } from './codec.ts';
import zlib from 'node:zlib';
import { cacheKey, compressesOnLink, endToEnd, isDeltaRequest, isDeltaResponse, isNoStore, VaryMemo } from './http.ts';
import { formatFailure, OriginFailure, originFailure, statusFailure } from './failures.ts';
import { formatReport, helloPath, linkHeaders, linkVersion, parseFullHash, parseVersionIds, tokensMatch, versionMismatch } from './protocol.ts';
import type { SavingsBook } from './savings.ts';
import { VersionStore } from './store.ts';
import type { TlsMaterial } from './tls.ts';
import { openOriginTunnel } from './tunnel.ts';

export interface ListenerOptions {
  host: string;
  port: number;
  origin: URL;
  tls: TlsMaterial;
  token: string;
  limits: RailgunLimits;
  log: Logger;
  /** Where this end's savings are counted (a listener alone reports what it sent). */
  book?: SavingsBook;
  codec?: Codec;
  originTimeoutMs?: number;
  /** Pass no-store responses through as a cache would (default: delta them, versions per user, idle-expired). */
  honourNoStore?: boolean;
  /** How long a version of a no-store response is kept unused. */
  noStoreIdleMs?: number;
}

/** Link request headers that are for the listener, not for the origin. */
const linkOnly = [linkHeaders.token, linkHeaders.base, linkHeaders.resend, linkHeaders.version];

/**
 * Pass-through bodies are large (over the delta limit) or one-off: zstd's default level 3 keeps up
 * with a fast link; the frame checksum stands in for the SHA-256 a streamed body cannot be checked
 * against before it is sent on.
 */
const streamParams = { [zlib.constants.ZSTD_c_compressionLevel]: 3, [zlib.constants.ZSTD_c_checksumFlag]: 1 };

export class Listener {
  readonly store: VersionStore;
  readonly #server: Http2Server;
  readonly #sessions = new Set<Http2Session>();
  /** Sessions whose sender said hello with this end's link protocol version; only they are served. */
  readonly #greeted = new WeakSet<Http2Session>();
  readonly #vary = new VaryMemo();
  readonly #agent: http.Agent;
  readonly #codec: Codec;

  private readonly options: ListenerOptions;

  private constructor(options: ListenerOptions) {
    this.options = options;
    this.store = new VersionStore(options.limits, options.noStoreIdleMs);
    this.#codec = options.codec ?? zstdCodec;
    this.#agent = new (options.origin.protocol === 'https:' ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 256 });
    this.#server = http2.createSecureServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2', settings: { enablePush: false } });
    this.#server.on('session', (session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
    });
    this.#server.on('stream', (stream, headers) => this.#onStream(stream, headers));
  }

  static async start(options: ListenerOptions): Promise<Listener> {
    const listener = new Listener(options);
    await new Promise<void>((resolve, reject) => {
      listener.#server.once('error', reject);
      listener.#server.listen(options.port, options.host, () => {
        listener.#server.off('error', reject);
        resolve();
      });
    });
    options.log.info('railgun listener ready', { link: listener.address, origin: options.origin.origin });
    return listener;
  }

  get address(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Sessions open now: a healthy pair has one. */
  get sessions(): number {
    return this.#sessions.size;
  }

  setLimits(limits: RailgunLimits): void {
    this.options.limits = limits;
    this.store.setLimits(limits);
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.destroy();
    this.#agent.destroy();
    this.store.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    if (!tokensMatch(this.options.token, headers[linkHeaders.token])) {
      this.options.log.warn('railgun link: a request without the right token, session closed', { from: stream.session?.socket?.remoteAddress });
      stream.respond({ ':status': 401 }, { endStream: true });
      stream.session?.close();
      return;
    }
    if (headers[':path'] === helloPath) return this.#hello(stream, headers);
    if (!stream.session || !this.#greeted.has(stream.session)) {
      stream.respond({ ':status': 400, [linkHeaders.version]: linkVersion }, { endStream: true });
      stream.session?.close();
      return;
    }
    if (headers[':method'] === 'CONNECT') {
      openOriginTunnel(stream, this.options.origin, this.options.log);
      return;
    }
    const started = performance.now();
    this.#proxy(stream, headers).catch((err: Error) => {
      // The reason (an origin address, a socket error) is for the operator: the log, and the
      // sender's counters over the link; the client gets its id.
      const id = randomBytes(6).toString('hex');
      const path = String(headers[':path']);
      const kind = err instanceof OriginFailure ? err.kind : 'pair';
      this.options.log.error('railgun listener: request failed', { module: 'listener', id, path, kind, error: err.message });
      this.options.book?.record({ ...unanswered(path, 502, started), failure: { at: Date.now(), kind, message: err.message } });
      if (!stream.headersSent && !stream.closed) {
        const failureHeaders = {
          ':status': 502,
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'signalbox-error-id': id,
          [linkHeaders.failure]: formatFailure(kind, err.message),
        };
        stream.respond(failureHeaders, { endStream: false });
      }
      if (!stream.closed)
        stream.end(`signalbox railgun: the listener could not answer this request (error id ${id}; the operator's log has the details) [E_RAILGUN_LISTENER]\n`);
    });
  }

  /** Both ends say their link protocol version; a sender of another one is told so and its session closed. */
  #hello(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const offered = headers[linkHeaders.version];
    if (offered === String(linkVersion) && stream.session) {
      this.#greeted.add(stream.session);
      stream.respond({ ':status': 204, [linkHeaders.version]: linkVersion }, { endStream: true });
      return;
    }
    const message = versionMismatch('sender', offered);
    this.options.log.warn(`railgun link: ${message}; session closed`, { from: stream.session?.socket?.remoteAddress });
    stream.respond({ ':status': 400, [linkHeaders.version]: linkVersion, 'content-type': 'text/plain; charset=utf-8' });
    stream.end(`signalbox railgun listener: ${message}\n`);
    stream.session?.close();
  }

  async #proxy(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    const method = String(headers[':method']);
    const path = String(headers[':path']);
    const resource = String(headers[':authority'] ?? '') + path;
    const deltaRequest = isDeltaRequest(method, headers);
    const resend = deltaRequest ? parseFullHash(headers[linkHeaders.resend]) : null;
    if (resend) {
      const held = this.store.find(cacheKey(resource, headers, this.#vary.get(resource)), resend);
      if (held) return this.#sendFull(stream, held.body, held.hash, null, 'none', path);
    }
    const started = performance.now();
    const abort = new AbortController();
    let received = false;
    // The sender cancelled (its client went away): the origin request goes too.
    stream.once('close', () => received || abort.abort());
    const forwarded = endToEnd(headers);
    for (const name of linkOnly) delete forwarded[name];
    // The link compresses; the origin's bytes stay plain so that versions make good dictionaries.
    if (deltaRequest) forwarded['accept-encoding'] = 'identity';
    const response = await this.#askOrigin(
      stream,
      method,
      path,
      { ...forwarded, host: String(headers[':authority'] ?? this.options.origin.host) },
      abort.signal,
    );
    const originMs = performance.now() - started;
    const status = response.statusCode ?? 502;
    const length = Number(response.headers['content-length'] ?? 0);
    if (!deltaRequest || !isDeltaResponse(status, response.headers, this.options.honourNoStore ?? false) || length > this.options.limits.maxDeltaBodyBytes) {
      received = true;
      return this.#passThrough(stream, headers, response, [], originMs, path);
    }
    const read = await readUpTo(response, this.options.limits.maxDeltaBodyBytes);
    received = true;
    // Grown past the limit while being read (no Content-Length): stream the rest as it comes.
    if (!read.complete) return this.#passThrough(stream, headers, response, read.chunks, originMs, path);
    const body = Buffer.concat(read.chunks);
    const hash = sha256(body);
    const key = cacheKey(resource, headers, response.headers.vary);
    this.#vary.remember(resource, response.headers.vary);
    const announced = parseVersionIds(headers[linkHeaders.base]);
    // The versions both ends hold, newest first (taken before this one is stored, which may evict the oldest).
    const both = this.store.versionsOf(key).filter((version) => announced.some((id) => version.hash.subarray(0, id.length).equals(id)));
    this.store.add(key, body, hash, { noStore: isNoStore(response.headers) });
    const responseHeaders = { ':status': status, ...endToEnd(response.headers) };
    if (both.length > 0) {
      const { limits } = this.options;
      // A large body is coded against the newest alone: trials of several would multiply its CPU.
      const encoded = await this.#timed(async () => {
        const base = body.length > limits.largeBodyBytes ? both[0]! : await chooseBase(body, both);
        return this.#codec.encodeDelta(body, base.body, base.hash, levelFor(body.length, limits.deltaLevel, limits));
      });
      return this.#send(stream, responseHeaders, body, hash, encoded, 'dcz', 'hit', originMs, path);
    }
    return this.#sendFull(stream, body, hash, responseHeaders, announced.length > 0 ? 'miss' : 'none', path, originMs);
  }

  /**
   * The origin's response. A GET or HEAD whose kept-alive connection the origin closed just as it
   * went out (a reset on a reused socket, before any answer) is sent once more on a new connection: RFC
   * 9110 §9.2.2 lets a client retry idempotent requests, and that race is otherwise a 502.
   */
  async #askOrigin(stream: ServerHttp2Stream, method: string, path: string, headers: http.OutgoingHttpHeaders, signal: AbortSignal): Promise<IncomingMessage> {
    const { origin } = this.options;
    const timeoutMs = this.options.originTimeoutMs ?? 30_000;
    const bodiless = method === 'GET' || method === 'HEAD';
    for (let attempt = 0; ; attempt++) {
      const request = (origin.protocol === 'https:' ? https : http).request({
        host: origin.hostname,
        port: origin.port || (origin.protocol === 'https:' ? 443 : 80),
        method,
        path,
        headers,
        // The retry takes a connection of its own: the pool's other idle ones may be closing too.
        agent: attempt === 0 ? this.#agent : false,
        signal,
        timeout: timeoutMs,
      });
      let timedOut = false;
      try {
        return await new Promise<IncomingMessage>((resolve, reject) => {
          request.once('response', resolve);
          request.once('error', reject);
          request.once('timeout', () => {
            timedOut = true;
            request.destroy(new Error(`the origin sent no response within ${timeoutMs} ms`));
          });
          // The sender never sends a body with a GET or HEAD (a request that has one is refused there).
          if (bodiless) request.end();
          else stream.pipe(request);
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (signal.aborted) throw err;
        if (attempt > 0 || !bodiless || !request.reusedSocket || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw originFailure(err as Error, timedOut);
        this.options.log.info('railgun listener: the origin closed a kept-alive connection as a request went out; sent again', { module: 'listener', path });
      }
    }
  }

  async #sendFull(
    stream: ServerHttp2Stream,
    body: Buffer,
    hash: Buffer,
    responseHeaders: Record<string, unknown> | null,
    outcome: BaseOutcome,
    path: string,
    originMs: number | null = null,
  ): Promise<void> {
    const encoded = await this.#timed(() => this.#codec.encodeFull(body, levelFor(body.length, this.options.limits.fullLevel, this.options.limits)));
    // A resend has no fresh origin response: the version's headers are not kept here; the sender reuses those of the answer it could not verify.
    this.#send(stream, responseHeaders ?? { ':status': 200 }, body, hash, encoded, 'zstd', outcome, originMs, path);
  }

  #send(
    stream: ServerHttp2Stream,
    responseHeaders: Record<string, unknown>,
    body: Buffer,
    hash: Buffer,
    encoded: { value: Buffer; ms: number },
    coding: 'dcz' | 'zstd',
    outcome: BaseOutcome,
    originMs: number | null,
    path: string,
  ): void {
    if (stream.closed) return;
    const headers: Record<string, unknown> = { ...responseHeaders };
    delete headers['content-length'];
    const prior = headers['content-encoding'];
    headers['content-encoding'] = prior ? `${String(prior)}, ${coding}` : coding;
    headers[linkHeaders.report] = formatReport({ base: outcome, originMs, encodeMs: encoded.ms });
    // Link protocol 2: the body's SHA-256 in binary, then the dcz or zstd body, in one write (one
    // DATA frame, and with the headers one TLS record for a small delta). The decoded size is in
    // the zstd frame header, so no length header goes along.
    stream.respond(headers as http2.OutgoingHttpHeaders);
    stream.end(Buffer.concat([hash, encoded.value]));
    this.options.book?.record({
      at: Date.now(),
      url: path,
      status: Number(headers[':status']),
      outcome,
      rawBytes: body.length,
      linkBytes: encoded.value.length,
      totalMs: 0,
      originMs,
      deltaEligible: true,
      retried: false,
      failure: statusFailure(Number(headers[':status'])),
      encodeMs: encoded.ms,
      decodeMs: 0,
    });
  }

  /**
   * Streams the origin's answer on, as it comes: text the origin did not encode crosses
   * zstd-compressed (every sender of link protocol 2 decodes it), anything else as it is.
   */
  #passThrough(stream: ServerHttp2Stream, request: IncomingHttpHeaders, response: IncomingMessage, already: Buffer[], originMs: number, path: string): void {
    const status = response.statusCode ?? 502;
    const compress = compressesOnLink(String(request[':method']), status, response.headers);
    const compressor = compress ? zlib.createZstdCompress({ flush: zlib.constants.ZSTD_e_flush, params: streamParams }) : null;
    stream.once('close', () => {
      if (!response.complete) response.destroy();
      compressor?.destroy();
    });
    // The origin broke off mid-body: reset the stream so the sender fails the client's response
    // instead of ending it short.
    response.once('close', () => response.complete || stream.closed || stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    if (stream.closed) return;
    const headers: http2.OutgoingHttpHeaders = {
      ':status': status,
      ...endToEnd(response.headers),
      [linkHeaders.report]: formatReport({ base: 'pass', originMs, encodeMs: null, coding: compress ? 'zstd' : null }),
    };
    if (compressor) {
      // The client gets the origin's bytes back, so their length goes along for its Content-Length.
      if (headers['content-length'] !== undefined) headers[linkHeaders.length] = headers['content-length'];
      delete headers['content-length'];
      headers['content-encoding'] = 'zstd';
    }
    stream.respond(headers);
    let rawBytes = 0;
    let linkBytes = 0;
    const into = compressor ?? stream;
    for (const chunk of already) {
      rawBytes += chunk.length;
      into.write(chunk);
    }
    response.on('data', (chunk: Buffer) => (rawBytes += chunk.length));
    if (compressor) {
      compressor.on('data', (chunk: Buffer) => (linkBytes += chunk.length));
      compressor.once('error', (err) => {
        this.options.log.error('railgun listener: compressing a pass-through body failed', { module: 'listener', path, error: err.message });
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      });
      compressor.pipe(stream);
    }
    response.pipe(into);
    (compressor ?? response).once('end', () =>
      this.options.book?.record({
        at: Date.now(),
        url: path,
        status,
        outcome: 'pass',
        rawBytes,
        linkBytes: compressor ? linkBytes : rawBytes,
        totalMs: 0,
        originMs,
        deltaEligible: false,
        retried: false,
        failure: statusFailure(status),
        encodeMs: 0,
        decodeMs: 0,
      }),
    );
  }

  async #timed(encode: () => Promise<Buffer>): Promise<{ value: Buffer; ms: number }> {
    const started = performance.now();
    const value = await encode();
    return { value, ms: performance.now() - started };
  }
}

/** The book's entry for a request that got no answer from the origin. */
function unanswered(url: string, status: number, started: number) {
  return {
    at: Date.now(),
    url,
    status,
    outcome: 'pass' as const,
    rawBytes: 0,
    linkBytes: 0,
    totalMs: performance.now() - started,
    originMs: null,
    deltaEligible: false,
    retried: false,
    encodeMs: 0,
    decodeMs: 0,
  };
}

/**
 * The body if it ends within `limit` bytes; else what was read so far, the rest left paused in
 * `response` (a for-await loop would destroy it on the way out).
 */
function readUpTo(response: IncomingMessage, limit: number): Promise<{ chunks: Buffer[]; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      response.pause();
      done();
      resolve({ chunks, complete: false });
    };
    const onEnd = () => {
      done();
      resolve({ chunks, complete: true });
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const done = () => {
      response.off('data', onData).off('end', onEnd).off('error', onError);
    };
    response.on('data', onData).once('end', onEnd).once('error', onError);
  });
}
