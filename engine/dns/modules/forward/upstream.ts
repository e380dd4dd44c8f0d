// One upstream of a pool: where its queries go and what it has answered. Over UDP each query gets a
// random ID on one of a pool of sockets on random ports, each connected to its upstream (so only
// that address can answer on it); a truncated UDP answer is fetched again over TCP. Over DNS over
// TLS (tls://ADDR:PORT#NAME) queries share one authenticated connection (dot.ts). Either way
// answers whose ID or question do not match are dropped, and the query sent is ours, not the
// client's: its question and RD/AD/CD bits, our own OPT (DO as the client asked) and our own
// cookie for that upstream (RFC 7873 §5.1), so no client's EDNS options or cookie reach an
// upstream, and the answer comes back without OPT.
import { randomBytes, randomFillSync } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { splitHostPort } from '../../../api/address.ts';
import { parseTlsUpstream } from '../../../api/dns-routing.ts';
import { udpSocket } from '../../udp.ts';
import type { ForwarderExchange } from '../dnstap/dnstap.ts';
import { queryBlockLength } from '../../padding.ts';
import { cookieOption, paddingOption, readU16, stripOpt, writeOpt, writeU16, type UpstreamOpt } from '../../wire.ts';
import { DotConnection } from './dot.ts';

const socketsPerUpstream = 8;

/** CSPRNG bytes drawn 4 KiB at a time: a crypto call per query cost more than the rest of a miss. */
const randomPool = Buffer.alloc(4096);
let randomUsed = randomPool.length;
function randomU16(): number {
  if (randomUsed + 2 > randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  randomUsed += 2;
  return randomPool.readUInt16BE(randomUsed - 2);
}

export interface UpstreamStats {
  /** The pool it belongs to. */
  pool: string;
  address: string;
  transport: 'udp' | 'tls';
  weight: number;
  /** Operator's switch (dns.setUpstream). */
  enabled: boolean;
  /** From health checks and passive failure counting. */
  healthy: boolean;
  sent: number;
  answered: number;
  timeouts: number;
  /** Tries that ended without an answer before their timeout: a DoT connection that closed or could not be made. */
  errors: number;
  outstanding: number;
  /** Smoothed round-trip time of answers, ms. */
  latencyMs: number | null;
  /** DoT connections opened (each carries many queries); 0 over UDP. */
  connections: number;
  /** Why the last DoT connection failed (a refused certificate, a reset), until one succeeds; null over UDP. */
  lastError: string | null;
}

/** How an upstream is configured: its address (ADDR:PORT or tls://ADDR:PORT#NAME) and, for DoT, its CA file and idle time. */
export interface UpstreamOptions {
  address: string;
  weight: number;
  caFile?: string | undefined;
  idleTimeoutMs?: number | undefined;
}

/** RFC 7858 §3.4 leaves the idle time to the client; unbound's server side closes after 30 s, ours keeps 10 s. */
const defaultDotIdleMs = 10_000;

export type Policy = 'round-robin' | 'least-outstanding' | 'weighted-random' | 'first-available';

export interface HealthOptions {
  enabled: boolean;
  intervalMs: number;
  probeName: string;
  failsToDown: number;
  successesToUp: number;
}

/** Who is told of each upstream exchange (dnstap's FORWARDER_QUERY and FORWARDER_RESPONSE). */
export interface ForwardTap {
  forwarderQuery(exchange: ForwarderExchange): void;
  /** `answer` is the upstream's message as received (a copy: forward patches its own). */
  forwarderResponse(exchange: ForwarderExchange, answer: Buffer): void;
}

interface Waiting {
  /** The query as sent: an answer must repeat its question. */
  packet: Buffer;
  /** For the tap, when there is one. */
  exchange: ForwarderExchange | null;
  questionEnd: number;
  sentAt: number;
  /** performance.now() after which the try has timed out. */
  deadline: number;
  /** DoT: sent again once already, on a new connection after the first one closed. */
  resent: boolean;
  resolve(answer: UpstreamOpt | null): void;
}

/** What an upstream is asked: the client's question (bytes 12..questionEnd of `query`), flags and DO bit. */
export interface UpstreamQuestion {
  query: Buffer;
  questionEnd: number;
  dnssecOk: boolean;
}

/** How often pending tries are checked for their deadline: one timer, not one per query. */
const sweepEveryMs = 20;

/** Whether `answer` repeats the question of `query` (bytes 12..end), ignoring ASCII case (RFC 5452 §9.1). */
function sameQuestion(query: Buffer, answer: Buffer, end: number): boolean {
  if (answer.length < end) return false;
  for (let i = 12; i < end; i++) {
    const a = query[i]!;
    const b = answer[i]!;
    if (a !== b && (a | 0x20) !== (b | 0x20)) return false;
    // Only letters may differ by case: 0x20 apart elsewhere is a different byte.
    if (a !== b && !((a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a)) return false;
  }
  return true;
}

export class Upstream {
  readonly stats: UpstreamStats;
  private readonly host: string;
  private readonly port: number;
  /** UDP: the sockets queries go out on. DoT: none, and `dot` instead. */
  private readonly sockets: Socket[] = [];
  private readonly dot: DotConnection | null = null;
  private readonly connected: boolean[] = [];
  /** Each UDP socket's own address, once connected (for the tap). */
  private readonly locals: { address: string; port: number }[] = [];
  /** Told of each exchange; set by Forward.setTap. */
  tap: ForwardTap | null = null;
  private closed = false;
  private readonly waiting = new Map<number, Waiting>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private readonly health: HealthOptions;
  private fails = 0;
  private successes = 0;
  /** Our client cookie for this upstream (RFC 7873 §5.1: one per server), and the server cookie it last gave us. */
  private readonly clientCookie = randomBytes(8);
  private serverCookie: Buffer | null = null;

  constructor(pool: string, { address, weight, caFile, idleTimeoutMs }: UpstreamOptions, health: HealthOptions) {
    this.health = health;
    const tls = parseTlsUpstream(address);
    const { host, port } = splitHostPort(tls?.address ?? address);
    this.host = host;
    this.port = port;
    const transport = tls ? 'tls' : 'udp';
    this.stats = {
      pool,
      address,
      transport,
      weight,
      enabled: true,
      healthy: true,
      sent: 0,
      answered: 0,
      timeouts: 0,
      errors: 0,
      outstanding: 0,
      latencyMs: null,
      connections: 0,
      lastError: null,
    };
    if (tls) {
      // Read once per pool build: a config change (dns.configSet, an upgrade) reads it again.
      const ca = caFile ? readFileSync(caFile) : undefined;
      this.dot = new DotConnection(
        { host, port, name: tls.name, ca, idleTimeoutMs: idleTimeoutMs ?? defaultDotIdleMs },
        (message) => this.onAnswer(0, message),
        () => this.onDotClosed(),
      );
      return;
    }
    for (let i = 0; i < socketsPerUpstream; i++) {
      const socket = udpSocket(host.includes(':'));
      socket.on('message', (message) => this.onAnswer(i, message));
      socket.on('error', () => {});
      // Connected: the kernel keeps the route and accepts datagrams from this upstream only, and a
      // send needs no address. Until the connect completes, sends name the address.
      socket.connect(port, host, () => {
        // A pool closed right after it was built (a reload that failed) may close the socket before the connect completes.
        if (this.closed) return;
        this.connected[i] = true;
        this.locals[i] = socket.address();
      });
      socket.unref();
      this.sockets.push(socket);
      this.connected.push(false);
    }
  }

  /**
   * The query as this upstream gets it, ID still to be set: the question, RD/AD/CD from the
   * client (no other header bit), one OPT of ours with our UDP size, the client's DO and our
   * COOKIE (the server cookie once it gave us one); over DoT also a Padding option (RFC 7830)
   * that makes it a multiple of 128 octets (RFC 8467 §4.1), so its size does not tell the name.
   */
  private packetFor({ query, questionEnd, dnssecOk }: UpstreamQuestion): Buffer {
    const cookieLength = 8 + (this.serverCookie?.length ?? 0);
    const unpadded = questionEnd + 11 + 4 + cookieLength;
    const padding = this.dot ? (queryBlockLength - ((unpadded + 4) % queryBlockLength)) % queryBlockLength : 0;
    const paddingOptionLength = this.dot ? 4 + padding : 0;
    const packet = Buffer.allocUnsafe(unpadded + paddingOptionLength);
    query.copy(packet, 0, 0, questionEnd);
    packet[2] = query[2]! & 0x01;
    packet[3] = query[3]! & 0x30;
    writeU16(packet, 4, 1);
    writeU16(packet, 6, 0);
    writeU16(packet, 8, 0);
    writeU16(packet, 10, 1);
    const at = writeOpt(packet, questionEnd, dnssecOk, 0, 4 + cookieLength + paddingOptionLength);
    writeU16(packet, at, cookieOption);
    writeU16(packet, at + 2, cookieLength);
    this.clientCookie.copy(packet, at + 4);
    this.serverCookie?.copy(packet, at + 12);
    if (this.dot) {
      writeU16(packet, unpadded, paddingOption);
      writeU16(packet, unpadded + 2, padding);
      // RFC 7830 §4: the padding octets SHOULD be zero.
      packet.fill(0, unpadded + 4);
    }
    return packet;
  }

  /**
   * The answer without its OPT, or null when it is not an answer to us: malformed, or carrying a
   * COOKIE whose client cookie is not ours (RFC 7873 §5.3: off-path spoofing). A server cookie
   * in it is kept for the next query.
   */
  private takeAnswer(message: Buffer): UpstreamOpt | null {
    const answer = stripOpt(message);
    if (!answer) return null;
    const { cookie } = answer;
    if (cookie) {
      if (cookie.length < 8 || !cookie.subarray(0, 8).equals(this.clientCookie)) return null;
      if (cookie.length >= 16 && cookie.length <= 40) this.serverCookie = cookie.subarray(8);
    }
    return answer;
  }

  /**
   * One try, over UDP or the DoT connection: the answer, or null on timeout (or a DoT connection
   * that failed). `tapped`: told to the tap (health probes are not).
   */
  query(question: UpstreamQuestion, timeoutMs: number, tapped = true): Promise<UpstreamOpt | null> {
    // Over DoT every query shares the one connection: its IDs are the only key.
    const socketIndex = this.dot ? 0 : randomU16() % this.sockets.length;
    let id = randomU16();
    while (this.waiting.has(socketIndex * 0x10000 + id)) id = randomU16();
    const packet = this.packetFor(question);
    writeU16(packet, 0, id);
    const { questionEnd } = question;
    this.stats.sent++;
    this.stats.outstanding++;
    const sentAt = performance.now();
    const exchange = tapped && this.tap ? this.exchange(this.dot ? undefined : this.locals[socketIndex], this.dot ? 'tls' : 'udp', packet, sentAt) : null;
    if (exchange) this.tap!.forwarderQuery(exchange);
    return new Promise((resolve) => {
      this.waiting.set(socketIndex * 0x10000 + id, { packet, exchange, questionEnd, sentAt, deadline: sentAt + timeoutMs, resent: false, resolve });
      this.sweeper ??= setInterval(() => this.sweep(), sweepEveryMs);
      if (this.dot) this.dot.send(packet);
      else if (this.connected[socketIndex]) this.sockets[socketIndex]!.send(packet);
      else this.sockets[socketIndex]!.send(packet, this.port, this.host);
    });
  }

  private exchange(
    local: { address: string; port: number } | undefined,
    transport: ForwarderExchange['transport'],
    query: Buffer,
    sentAt: number,
  ): ForwarderExchange {
    return { upstream: { address: this.host, port: this.port }, local: local ?? { address: '', port: 0 }, transport, query, sentAt };
  }

  /** Times out the tries whose deadline passed. */
  private sweep(): void {
    const now = performance.now();
    for (const [key, waiting] of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(key);
      this.stats.timeouts++;
      this.stats.outstanding--;
      this.observe(false);
      this.dot?.stalled(waiting.sentAt);
      waiting.resolve(null);
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      this.dot?.idle();
    }
  }

  /**
   * The DoT connection closed with queries on it unanswered (the server shed an idle connection
   * as we wrote, or reset it): each is sent once more on a new connection while its deadline
   * allows (RFC 7766 §6.2.1.1); one that was already resent, or a connection that could not be
   * made, fails the try at once so the pool moves on to another upstream.
   */
  private onDotClosed(): void {
    const dot = this.dot!;
    this.stats.connections = dot.opened;
    this.stats.lastError = dot.lastError;
    const now = performance.now();
    for (const [key, waiting] of this.waiting) {
      if (!waiting.resent && waiting.deadline > now) {
        waiting.resent = true;
        dot.send(waiting.packet);
        continue;
      }
      this.waiting.delete(key);
      this.stats.errors++;
      this.stats.outstanding--;
      this.observe(false);
      waiting.resolve(null);
    }
  }

  /** One try over a stream (after TC=1): TCP, or the DoT connection again; the answer, or null on error or timeout. */
  queryStream(question: UpstreamQuestion, timeoutMs: number): Promise<UpstreamOpt | null> {
    if (this.dot) return this.query(question, timeoutMs);
    const { questionEnd } = question;
    return new Promise((resolve) => {
      const packet = this.packetFor(question);
      const id = randomU16();
      writeU16(packet, 0, id);
      const socket = connect({ host: this.host, port: this.port });
      let exchange: ForwarderExchange | null = null;
      let received = Buffer.alloc(0);
      const finish = (answer: UpstreamOpt | null) => {
        socket.destroy();
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      socket.on('error', () => finish(null));
      socket.on('connect', () => {
        const length = Buffer.alloc(2);
        writeU16(length, 0, packet.length);
        socket.write(Buffer.concat([length, packet]));
        exchange = this.tap && this.exchange({ address: socket.localAddress ?? '', port: socket.localPort ?? 0 }, 'tcp', packet, performance.now());
        if (exchange) this.tap!.forwarderQuery(exchange);
      });
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + readU16(received, 0)) return;
        const answer = received.subarray(2, 2 + readU16(received, 0));
        const matches = readU16(answer, 0) === id && sameQuestion(packet, answer, questionEnd);
        if (exchange) this.tap?.forwarderResponse(exchange, Buffer.from(answer));
        finish(matches ? this.takeAnswer(Buffer.from(answer)) : null);
      });
    });
  }

  /** Counts a success or failure (an answer or a timeout, from traffic or probes). */
  observe(ok: boolean): void {
    if (ok) {
      this.fails = 0;
      if (!this.stats.healthy && ++this.successes >= this.health.successesToUp) this.stats.healthy = true;
    } else {
      this.successes = 0;
      if (this.stats.healthy && ++this.fails >= this.health.failsToDown) this.stats.healthy = false;
    }
  }

  private onAnswer(socketIndex: number, message: Buffer): void {
    if (message.length < 12) return;
    const key = socketIndex * 0x10000 + readU16(message, 0);
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    // A spoofed or stray answer: keep waiting for the real one.
    if (!(readU16(message, 2) & 0x8000) || !sameQuestion(waiting.packet, message, waiting.questionEnd)) return;
    const answer = this.takeAnswer(message);
    if (!answer) return;
    if (waiting.exchange) this.tap?.forwarderResponse(waiting.exchange, Buffer.from(message));
    this.waiting.delete(key);
    this.stats.answered++;
    this.stats.outstanding--;
    const rtt = performance.now() - waiting.sentAt;
    this.stats.latencyMs = this.stats.latencyMs === null ? rtt : this.stats.latencyMs * 0.8 + rtt * 0.2;
    this.observe(true);
    if (this.waiting.size === 0) this.dot?.idle();
    waiting.resolve(answer);
  }

  /** The counters as of now (a DoT connection's count and error are read from it). */
  snapshot(): UpstreamStats {
    if (this.dot) {
      this.stats.connections = this.dot.opened;
      this.stats.lastError = this.dot.lastError;
    }
    return { ...this.stats };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.dot?.close();
    for (const socket of this.sockets) socket.close();
    for (const waiting of this.waiting.values()) waiting.resolve(null);
    this.waiting.clear();
  }
}
