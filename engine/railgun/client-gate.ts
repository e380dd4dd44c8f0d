// Who may hold a connection to the sender's public port, and for how long without a request: a cap
// per sender and per client address, a header timeout for connections that send nothing (or never
// finish a header), and a 503 with Retry-After for those that come while it is full. Without these
// a flood of idle connections used up the process's file descriptors (issue 22: 20,400 of them).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../api/engine.ts';
import type { ClientStats, RailgunClients } from '../api/railgun.ts';

/** How long a turned-away connection may take to send the request its 503 answers. */
const refusedWaitMs = 1000;
/** RFC 9110 §10.2.3: when to come back; a full sender frees connections within seconds (keep-alive is 5 s). */
export const retryAfterSeconds = 5;

/** Why a connection is not served: it only gets its 503. */
type Refusal = 'refusedFull' | 'refusedPerAddress';

export class ClientGate {
  readonly #perAddress = new Map<string, number>();
  readonly #refused = new WeakMap<Socket, Refusal>();
  readonly #timers = new WeakMap<Socket, NodeJS.Timeout>();
  #open = 0;
  /** Turned-away connections waiting for their request (at most `maxConnections` of them). */
  #waiting = 0;
  readonly #counts = { refusedFull: 0, refusedPerAddress: 0, closedUnanswered: 0, headerTimeouts: 0 };

  private limits: RailgunClients;
  private readonly log: Logger;
  constructor(limits: RailgunClients, log: Logger) {
    this.limits = limits;
    this.log = log;
  }

  /** Takes over the server's connections: call once, before it listens. */
  guard(server: Server): void {
    // Node's own header timeout covers the requests after the first on a keep-alive connection
    // (its clock starts with the first byte of a request, so it never sees a silent connection).
    server.headersTimeout = this.limits.headerTimeoutMs;
    server.on('connection', (socket: Socket) => this.#admit(socket));
  }

  setLimits(limits: RailgunClients, server: Server): void {
    this.limits = limits;
    server.headersTimeout = limits.headerTimeoutMs;
  }

  get stats(): Pick<ClientStats, 'open' | 'refusedFull' | 'refusedPerAddress' | 'closedUnanswered' | 'headerTimeouts'> {
    return { open: this.#open, ...this.#counts };
  }

  /**
   * Call first for every request (and upgrade): a whole header came, so the header timer stops;
   * true when the connection was turned away, in which case this has answered it with 503.
   */
  answeredRefusal(request: IncomingMessage, response: ServerResponse | Duplex): boolean {
    const socket = request.socket;
    clearTimeout(this.#timers.get(socket));
    const refusal = this.#refused.get(socket);
    if (!refusal) return false;
    const text = `signalbox railgun: ${refusal === 'refusedFull' ? 'the sender is serving as many connections as it may' : 'this address holds as many connections as it may'}; retry in ${retryAfterSeconds} s [E_RAILGUN_BUSY]\n`;
    request.resume();
    if ('writeHead' in response) {
      response.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'retry-after': String(retryAfterSeconds),
        connection: 'close',
      });
      response.end(request.method === 'HEAD' ? undefined : text);
    } else {
      response.end(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfterSeconds}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      );
    }
    return true;
  }

  #admit(socket: Socket): void {
    const address = addressKey(socket.remoteAddress);
    const held = this.#perAddress.get(address) ?? 0;
    const refusal: Refusal | null =
      this.#open >= this.limits.maxConnections ? 'refusedFull' : held >= this.limits.maxConnectionsPerAddress ? 'refusedPerAddress' : null;
    if (refusal) return this.#turnAway(socket, refusal, address);
    this.#open++;
    this.#perAddress.set(address, held + 1);
    socket.once('close', () => {
      this.#open--;
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
    });
    this.#closeUnlessHeaderBy(socket, this.limits.headerTimeoutMs, true);
  }

  /** The connection is told 503 when its request comes within a second; beyond as many waiting as may be served, it is closed at once. */
  #turnAway(socket: Socket, refusal: Refusal, address: string): void {
    this.#counts[refusal]++;
    if (this.#waiting >= this.limits.maxConnections) {
      this.#counts.closedUnanswered++;
      socket.destroy();
      return;
    }
    if (this.#counts[refusal] === 1 || this.#counts[refusal] % 1000 === 0) {
      this.log.warn('railgun sender: connections turned away with 503', { module: 'sender', reason: refusal, address, count: this.#counts[refusal] });
    }
    this.#waiting++;
    this.#refused.set(socket, refusal);
    socket.once('close', () => this.#waiting--);
    this.#closeUnlessHeaderBy(socket, Math.min(refusedWaitMs, this.limits.headerTimeoutMs), false);
  }

  #closeUnlessHeaderBy(socket: Socket, ms: number, count: boolean): void {
    const timer = setTimeout(() => {
      if (count) this.#counts.headerTimeouts++;
      socket.destroy();
    }, ms);
    timer.unref();
    this.#timers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  }
}

/** The address a client's connections count against: IPv4 as is, IPv6 by its /64 (one host usually has the whole /64). */
export function addressKey(address: string | undefined): string {
  if (!address) return '';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
