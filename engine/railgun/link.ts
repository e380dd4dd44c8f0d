// The sender's end of the link: ONE HTTP/2 session over TLS to the listener, checked (pinned key or
// CA, then the token), kept alive with PINGs that also measure the round trip, and reconnected
// with capped, jittered backoff when it drops. Requests wait for the link for a bounded time.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { Logger } from '../api/engine.ts';
import type { LinkState } from '../api/railgun.ts';
import { helloPath, linkHeaders, linkVersion, versionMismatch } from './protocol.ts';
import { spkiPin } from './tls.ts';

export interface LinkOptions {
  url: URL;
  token: string;
  /** PEM of the CA (or the listener's own certificate) that verifies the listener. */
  ca?: string | Buffer;
  /** `sha256/<base64>` of the listener's public key; replaces CA verification when given. */
  pin?: string;
  keepaliveMs?: number;
  connectTimeoutMs?: number;
  log: Logger;
}

const backoff = { initialMs: 100, maxMs: 5000 };

export class LinkError extends Error {
  override readonly name = 'LinkError';
}

export class Link {
  #session: ClientHttp2Session | null = null;
  #state: LinkState['state'] = 'stopped';
  #rttMs: number | null = null;
  #upSince: number | null = null;
  #reconnects = 0;
  #lastError: string | null = null;
  #delayMs = backoff.initialMs;
  #retryTimer: NodeJS.Timeout | null = null;
  #waiters = new Set<{ resolve: (session: ClientHttp2Session) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  #closedBytes = { sent: 0, received: 0 };

  private readonly options: LinkOptions;
  constructor(options: LinkOptions) {
    this.options = options;
  }

  start(): void {
    if (this.#state !== 'stopped') return;
    this.#connect();
  }

  stop(): void {
    this.#state = 'stopped';
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#session?.destroy();
    this.#session = null;
    this.#rejectWaiters(new LinkError('the link was stopped'));
  }

  /** Opens a stream to the listener, waiting up to `waitMs` for the link to be up. */
  async request(headers: OutgoingHttpHeaders, waitMs: number, endStream: boolean): Promise<ClientHttp2Stream> {
    const session = await this.#up(waitMs);
    return session.request({ ...headers, [linkHeaders.token]: this.options.token }, { endStream });
  }

  get state(): LinkState {
    const socket = this.#session?.socket;
    return {
      state: this.#state,
      address: this.options.url.host,
      rttMs: this.#rttMs,
      upSince: this.#upSince,
      reconnects: this.#reconnects,
      socketBytesSent: this.#closedBytes.sent + (socket?.bytesWritten ?? 0),
      socketBytesReceived: this.#closedBytes.received + (socket?.bytesRead ?? 0),
      lastError: this.#lastError,
    };
  }

  #up(waitMs: number): Promise<ClientHttp2Session> {
    if (this.#state === 'up' && this.#session && !this.#session.closed) return Promise.resolve(this.#session);
    if (this.#state === 'stopped') return Promise.reject(new LinkError('the link is stopped'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new LinkError(`the link to ${this.options.url.host} is not up (waited ${waitMs} ms)${this.#lastError ? `: ${this.#lastError}` : ''}`));
        }, waitMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #connect(): void {
    this.#state = this.#upSince === null && this.#reconnects === 0 ? 'connecting' : 'down';
    const { url, ca, pin } = this.options;
    const session = http2.connect(url, {
      ...(ca ? { ca } : {}),
      // With a pin the key is what is trusted, checked below before anything is sent.
      rejectUnauthorized: !pin,
      ...(pin ? { checkServerIdentity: () => undefined } : {}),
      settings: { enablePush: false },
    });
    this.#session = session;
    const connectTimer = setTimeout(
      () => session.destroy(new LinkError(`no TLS handshake within ${this.options.connectTimeoutMs ?? 5000} ms`)),
      this.options.connectTimeoutMs ?? 5000,
    );
    session.on('error', (err) => {
      this.#lastError = err.message;
    });
    session.once('connect', (_session, socket) => {
      clearTimeout(connectTimer);
      const cert = 'getPeerX509Certificate' in socket ? socket.getPeerX509Certificate() : undefined;
      if (pin && (!cert || spkiPin(cert.raw) !== pin)) {
        session.destroy(new LinkError(`the listener's key does not match the pin ${pin}`));
        return;
      }
      this.#hello(session);
    });
    session.once('close', () => {
      clearTimeout(connectTimer);
      this.#closedBytes.sent += session.socket?.bytesWritten ?? 0;
      this.#closedBytes.received += session.socket?.bytesRead ?? 0;
      if (this.#session !== session || this.#state === 'stopped') return;
      if (this.#state === 'up') this.options.log.warn('railgun link down', { listener: url.host, error: this.#lastError });
      this.#session = null;
      this.#state = 'down';
      this.#upSince = null;
      this.#reconnects++;
      const jitter = 0.8 + Math.random() * 0.4;
      this.#retryTimer = setTimeout(() => this.#connect(), this.#delayMs * jitter);
      this.#delayMs = Math.min(this.#delayMs * 2, backoff.maxMs);
    });
  }

  /**
   * Asks the hello path: a refused token or another link protocol version is said once, clearly,
   * instead of on every request. Both ends say their version; a listener that says none is of
   * protocol 1 (it ignores the header and answers 204).
   */
  #hello(session: ClientHttp2Session): void {
    const stream = session.request(
      { ':method': 'GET', ':path': helloPath, [linkHeaders.token]: this.options.token, [linkHeaders.version]: linkVersion },
      { endStream: true },
    );
    stream.on('response', (headers) => {
      const status = Number(headers[':status']);
      const version = headers[linkHeaders.version];
      if (status === 401) return session.destroy(new LinkError('the listener refused the token'));
      if ((status === 204 || status === 400) && version !== String(linkVersion)) return session.destroy(new LinkError(versionMismatch('listener', version)));
      if (status !== 204) return session.destroy(new LinkError(`the listener answered the hello with ${status}`));
      this.#state = 'up';
      this.#upSince = Date.now();
      this.#lastError = null;
      this.#delayMs = backoff.initialMs;
      this.options.log.info('railgun link up', { listener: this.options.url.host });
      this.#keepalive(session);
      for (const waiter of this.#waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(session);
      }
      this.#waiters.clear();
    });
    stream.on('error', () => undefined);
    stream.resume();
  }

  /**
   * PINGs measure the round trip; one unanswered for two periods ends the session (then reconnects).
   * The timer belongs to the session: a destroyed session emits 'close' only on a later turn, and
   * ping() on it throws, so each tick checks first.
   */
  #keepalive(session: ClientHttp2Session): void {
    const everyMs = this.options.keepaliveMs ?? 5000;
    const ping = () => {
      if (session.destroyed || session.closed) {
        clearInterval(timer);
        return;
      }
      const deadline = setTimeout(() => session.destroy(new LinkError(`no PING answer within ${2 * everyMs} ms`)), 2 * everyMs);
      session.ping((err, durationMs) => {
        clearTimeout(deadline);
        if (!err) this.#rttMs = Math.round(durationMs * 100) / 100;
      });
    };
    const timer = setInterval(ping, everyMs);
    timer.unref();
    session.once('close', () => clearInterval(timer));
    ping();
  }

  #rejectWaiters(err: Error): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
    this.#waiters.clear();
  }
}
