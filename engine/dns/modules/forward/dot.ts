// One DNS over TLS connection to an upstream (RFC 7858), opened when a query needs it and reused
// for every query after: queries are pipelined (each written as it comes, RFC 7858 §3.3) and the
// answers, in whatever order the server sends them (RFC 7766 §6.2.1.1), go to whoever waits for
// their ID (the upstream's waiting table). The certificate must be valid for the configured name
// (RFC 8310 §8.1, the strict profile: no answer over a connection that is not authenticated).
import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import { readU16 } from '../../wire.ts';

export interface DotOptions {
  host: string;
  port: number;
  /** The authentication domain name the certificate must carry (RFC 8310 §2). */
  name: string;
  /** The CAs that may sign it; undefined: Node's bundled roots. */
  ca: Buffer | undefined;
  /** Closed after this long with nothing outstanding (RFC 7858 §3.4: reuse, but let servers shed idle clients). */
  idleTimeoutMs: number;
}

export class DotConnection {
  /** Connections opened so far (one at a time). */
  opened = 0;
  /** Why the last connection failed or closed early (a certificate refused, a reset), until one works. */
  lastError: string | null = null;
  private socket: TLSSocket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() of the last answer read on the current connection. */
  private lastAnswerAt = 0;
  /** Closed for good (its pool was replaced or stopped): nothing opens a connection again. */
  private closed = false;
  private readonly options: DotOptions;
  private readonly onMessage: (message: Buffer) => void;
  private readonly onClosed: () => void;

  /** `onClosed`: the connection is gone (closed by either side, or never made); queries written on it get no answer. */
  constructor(options: DotOptions, onMessage: (message: Buffer) => void, onClosed: () => void) {
    this.options = options;
    this.onMessage = onMessage;
    this.onClosed = onClosed;
  }

  /** Writes a query (length-prefixed, RFC 1035 §4.2.2), connecting first when there is no connection. */
  send(packet: Buffer): void {
    if (this.closed) return;
    clearTimeout(this.idleTimer);
    const frame = Buffer.allocUnsafe(2 + packet.length);
    frame.writeUInt16BE(packet.length, 0);
    packet.copy(frame, 2);
    // Written before the handshake ends, it waits in the socket until the connection is authenticated.
    (this.socket ?? this.open()).write(frame);
  }

  /** Nothing is outstanding: close after the idle timeout unless another query comes. */
  idle(): void {
    clearTimeout(this.idleTimer);
    if (!this.socket) return;
    this.idleTimer = setTimeout(() => {
      // Forgotten before it ends: a query that comes while it closes opens a new one instead of writing after the end.
      const socket = this.socket;
      this.socket = null;
      socket?.end();
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  /**
   * A try timed out: if nothing at all came back on this connection since it was sent, the
   * connection is stuck (a server that accepted and went silent), so the next query gets a new one.
   */
  stalled(sentAt: number): void {
    if (this.socket && this.lastAnswerAt < sentAt) this.socket.destroy(new Error('no answer on this connection before the timeout'));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.socket?.destroy();
  }

  private open(): TLSSocket {
    const { host, port, name, ca } = this.options;
    this.opened++;
    this.received = Buffer.alloc(0);
    const socket = connect({
      host,
      port,
      // SNI and the name check both use the authentication name, never the address we dial.
      servername: name,
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
      ...(ca ? { ca } : {}),
      // RFC 8310 §5 and RFC 7858 §3.2: TLS 1.2 or later; ALPN "dot" (RFC 7858 IANA section).
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['dot'],
    });
    socket.setNoDelay(true);
    socket.on('secureConnect', () => (this.lastError = null));
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => (this.lastError = `${host}:${port} (${name}): ${err.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearTimeout(this.idleTimer);
      this.onClosed();
    });
    this.socket = socket;
    return socket;
  }

  private read(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    while (this.received.length >= 2) {
      const length = readU16(this.received, 0);
      if (this.received.length < 2 + length) return;
      const message = Buffer.from(this.received.subarray(2, 2 + length));
      this.received = this.received.subarray(2 + length);
      this.lastAnswerAt = performance.now();
      this.onMessage(message);
    }
  }
}
