// forward: sends the query to an upstream and returns its answer. Each upstream query gets a
// random ID on one of a pool of sockets on random ports, each connected to its upstream (so only
// that address can answer on it); answers whose ID or question do not match are dropped; a
// timeout moves on to the next upstream within the client's deadline; a truncated UDP answer is
// fetched again over TCP. The query sent is ours, not the client's: its question and RD/AD/CD
// bits, our own OPT (DO as the client asked) and our own cookie for that upstream (RFC 7873 §5.1),
// so no client's EDNS options or cookie reach an upstream, and the answer comes back without OPT.
import { randomBytes, randomFillSync } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { connect } from 'node:net';
import { splitHostPort } from '../../../api/address.ts';
import type { DnsModule, QueryContext } from '../../pipeline.ts';
import type { ForwarderExchange } from '../dnstap/dnstap.ts';
import { udpSocket } from '../../udp.ts';
import { cookieOption, ExtendedRcode, isTruncated, nsQuery, readU16, stripOpt, writeOpt, writeU16, type UpstreamOpt } from '../../wire.ts';

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
  address: string;
  weight: number;
  /** Operator's switch (dns.setUpstream). */
  enabled: boolean;
  /** From health checks and passive failure counting. */
  healthy: boolean;
  sent: number;
  answered: number;
  timeouts: number;
  outstanding: number;
  /** Smoothed round-trip time of answers, ms. */
  latencyMs: number | null;
}

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

class Upstream {
  readonly stats: UpstreamStats;
  private readonly host: string;
  private readonly port: number;
  private readonly sockets: Socket[] = [];
  private readonly connected: boolean[] = [];
  /** Each socket's own address, once connected (for the tap). */
  private readonly locals: { address: string; port: number }[] = [];
  /** Told of each exchange; set by Forward.setTap. */
  tap: ForwardTap | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private readonly health: HealthOptions;
  private fails = 0;
  private successes = 0;
  /** Our client cookie for this upstream (RFC 7873 §5.1: one per server), and the server cookie it last gave us. */
  private readonly clientCookie = randomBytes(8);
  private serverCookie: Buffer | null = null;

  constructor(address: string, weight: number, health: HealthOptions) {
    this.health = health;
    const { host, port } = splitHostPort(address);
    this.host = host;
    this.port = port;
    this.stats = { address, weight, enabled: true, healthy: true, sent: 0, answered: 0, timeouts: 0, outstanding: 0, latencyMs: null };
    for (let i = 0; i < socketsPerUpstream; i++) {
      const socket = udpSocket(host.includes(':'));
      socket.on('message', (message) => this.onAnswer(i, message));
      socket.on('error', () => {});
      // Connected: the kernel keeps the route and accepts datagrams from this upstream only, and a
      // send needs no address. Until the connect completes, sends name the address.
      socket.connect(port, host, () => {
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
   * COOKIE (the server cookie once it gave us one).
   */
  private packetFor({ query, questionEnd, dnssecOk }: UpstreamQuestion): Buffer {
    const cookieLength = 8 + (this.serverCookie?.length ?? 0);
    const packet = Buffer.allocUnsafe(questionEnd + 11 + 4 + cookieLength);
    query.copy(packet, 0, 0, questionEnd);
    packet[2] = query[2]! & 0x01;
    packet[3] = query[3]! & 0x30;
    writeU16(packet, 4, 1);
    writeU16(packet, 6, 0);
    writeU16(packet, 8, 0);
    writeU16(packet, 10, 1);
    const at = writeOpt(packet, questionEnd, dnssecOk, 0, 4 + cookieLength);
    writeU16(packet, at, cookieOption);
    writeU16(packet, at + 2, cookieLength);
    this.clientCookie.copy(packet, at + 4);
    this.serverCookie?.copy(packet, at + 12);
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

  /** One try over UDP: the answer, or null on timeout. `tapped`: told to the tap (health probes are not). */
  queryUdp(question: UpstreamQuestion, timeoutMs: number, tapped = true): Promise<UpstreamOpt | null> {
    const socketIndex = randomU16() % this.sockets.length;
    let id = randomU16();
    while (this.waiting.has(socketIndex * 0x10000 + id)) id = randomU16();
    const packet = this.packetFor(question);
    writeU16(packet, 0, id);
    const { questionEnd } = question;
    this.stats.sent++;
    this.stats.outstanding++;
    const sentAt = performance.now();
    const exchange = tapped && this.tap ? this.exchange(this.locals[socketIndex], 'udp', packet, sentAt) : null;
    if (exchange) this.tap!.forwarderQuery(exchange);
    return new Promise((resolve) => {
      this.waiting.set(socketIndex * 0x10000 + id, { packet, exchange, questionEnd, sentAt, deadline: sentAt + timeoutMs, resolve });
      this.sweeper ??= setInterval(() => this.sweep(), sweepEveryMs);
      if (this.connected[socketIndex]) this.sockets[socketIndex]!.send(packet);
      else this.sockets[socketIndex]!.send(packet, this.port, this.host);
    });
  }

  private exchange(local: { address: string; port: number } | undefined, transport: 'udp' | 'tcp', query: Buffer, sentAt: number): ForwarderExchange {
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
      waiting.resolve(null);
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** One try over TCP (after TC=1): the answer, or null on error or timeout. */
  queryTcp(question: UpstreamQuestion, timeoutMs: number): Promise<UpstreamOpt | null> {
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
    waiting.resolve(answer);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const socket of this.sockets) socket.close();
    for (const waiting of this.waiting.values()) waiting.resolve(null);
    this.waiting.clear();
  }
}

export interface ForwardOptions {
  upstreams: { address: string; weight: number }[];
  upstreamTimeoutMs: number;
  policy: Policy;
  health: HealthOptions;
}

export class Forward implements DnsModule {
  /** Asks an upstream: never at once. */
  readonly handleNow = null;
  readonly name = 'forward';
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly policy: Policy;
  private readonly probe: UpstreamQuestion;
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private turn = 0;

  constructor(options: ForwardOptions) {
    if (options.upstreams.length === 0) throw new Error('forward: no upstreams configured');
    this.upstreams = options.upstreams.map(({ address, weight }) => new Upstream(address, weight, options.health));
    this.timeoutMs = options.upstreamTimeoutMs;
    this.policy = options.policy;
    const probe = nsQuery(options.health.probeName);
    this.probe = { query: probe, questionEnd: probe.length, dnssecOk: false };
    if (options.health.enabled) {
      this.probeTimer = setInterval(() => this.probeAll(), options.health.intervalMs);
      this.probeTimer.unref();
    }
  }

  handle(ctx: QueryContext): Promise<Buffer | null> {
    const { query, parsed } = ctx;
    return this.attempt(ctx, { query, questionEnd: parsed.questionEnd, dnssecOk: parsed.edns?.dnssecOk ?? false }, this.order(), 0, false);
  }

  /**
   * Asks upstreams[index], and on silence the next ones, while the client's deadline allows; a
   * truncated UDP answer is asked again over TCP from the same upstream. BADCOOKIE (RFC 7873
   * §5.3): the answer brought the upstream's server cookie, so the query is sent once more with
   * it, and over TCP if that is refused too. Any other extended rcode means the upstream did not
   * take our EDNS: the next one is tried. Callbacks rather than an async function: see Pipeline.step.
   */
  private attempt(ctx: QueryContext, question: UpstreamQuestion, upstreams: readonly Upstream[], index: number, cookieRetried: boolean): Promise<Buffer | null> {
    const upstream = upstreams[index];
    const left = ctx.deadline - performance.now();
    if (!upstream || left <= 0) return Promise.reject(new Error(`no upstream answered ${ctx.parsed.name} within the deadline`));
    return upstream.queryUdp(question, Math.min(this.timeoutMs, left)).then((answer) => {
      if (!answer) return this.attempt(ctx, question, upstreams, index + 1, false);
      const badCookie = answer.rcode === ExtendedRcode.badCookie;
      if (badCookie && !cookieRetried) return this.attempt(ctx, question, upstreams, index, true);
      if (!badCookie && answer.rcode > 0xf) return this.attempt(ctx, question, upstreams, index + 1, false);
      if (!badCookie && !isTruncated(answer.message)) return this.accept(ctx, upstream, answer.message);
      const tcpTimeout = Math.max(1, ctx.deadline - performance.now());
      return upstream.queryTcp(question, tcpTimeout).then((full) => {
        if (full && full.rcode <= 0xf) return this.accept(ctx, upstream, full.message);
        if (badCookie) return this.attempt(ctx, question, upstreams, index + 1, false);
        return this.accept(ctx, upstream, answer.message);
      });
    });
  }

  /** The client's ID and its letter case of the question go back (RFC 5452 §9.1 echo). */
  private accept(ctx: QueryContext, upstream: Upstream, answer: Buffer): Buffer {
    ctx.meta.upstream = upstream.stats.address;
    writeU16(answer, 0, ctx.parsed.id);
    ctx.query.copy(answer, 12, 12, ctx.parsed.questionEnd);
    return answer;
  }

  /**
   * The upstreams to try, best first: the healthy enabled ones in policy order, then the
   * unhealthy enabled ones (better a doubtful upstream than none).
   */
  private order(): readonly Upstream[] {
    // One upstream, the usual setup: no arrays made per query.
    if (this.upstreams.length === 1) return this.upstreams[0]!.stats.enabled ? this.upstreams : [];
    const enabled = this.upstreams.filter((u) => u.stats.enabled);
    const healthy = enabled.filter((u) => u.stats.healthy);
    const rest = enabled.filter((u) => !u.stats.healthy);
    return [...this.arrange(healthy), ...rest];
  }

  private arrange(candidates: Upstream[]): Upstream[] {
    if (candidates.length <= 1) return candidates;
    switch (this.policy) {
      case 'first-available':
        return candidates;
      case 'least-outstanding':
        return [...candidates].sort((a, b) => a.stats.outstanding - b.stats.outstanding);
      case 'weighted-random': {
        const pool = [...candidates];
        const out: Upstream[] = [];
        while (pool.length > 0) {
          const total = pool.reduce((sum, u) => sum + u.stats.weight, 0);
          let pick = Math.random() * total;
          const index = Math.max(0, pool.findIndex((u) => (pick -= u.stats.weight) < 0));
          out.push(...pool.splice(index, 1));
        }
        return out;
      }
      default: {
        const start = this.turn++ % candidates.length;
        return [...candidates.slice(start), ...candidates.slice(0, start)];
      }
    }
  }

  private probeAll(): void {
    for (const upstream of this.upstreams) {
      if (!upstream.stats.enabled) continue;
      // Any answer, even REFUSED, shows the server is up; only silence counts against it.
      void upstream.queryUdp(this.probe, this.timeoutMs, false);
    }
  }

  /** Tells `tap` of every upstream exchange from now on (null: nobody). */
  setTap(tap: ForwardTap | null): void {
    for (const upstream of this.upstreams) upstream.tap = tap;
  }

  setEnabled(address: string, enabled: boolean): boolean {
    const upstream = this.upstreams.find((u) => u.stats.address === address);
    if (upstream) upstream.stats.enabled = enabled;
    return upstream !== undefined;
  }

  stats(): UpstreamStats[] {
    return this.upstreams.map((upstream) => ({ ...upstream.stats }));
  }

  close(): void {
    clearInterval(this.probeTimer);
    for (const upstream of this.upstreams) upstream.close();
  }
}
