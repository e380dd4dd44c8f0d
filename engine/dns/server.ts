// UDP and TCP listeners, and DoT (tls.ts) and DoH (doh.ts) ones. UDP answers that do not fit the
// client's size go out as TC=1 so the client retries over TCP; TCP and DoT are length-prefixed and
// pipelined (queries on one connection are answered as they complete), with an idle timeout and a
// connection cap.
import cluster from 'node:cluster';
import type { Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { parseListen, splitHostPort } from '../api/address.ts';
import type { DnsTransport } from '../api/dns.ts';
import { dohServer, type DohListener } from './doh.ts';
import { paddedOpt } from './padding.ts';
import { dotServer, secureOptions, type TlsIdentity } from './tls.ts';
import type { Answer, QueryContext } from './pipeline.ts';
import { ServerCookies } from './cookies.ts';
import { RequestCounts } from './request-counts.ts';
import { udpSocket } from './udp.ts';
import {
  ednsVersion,
  emptyResponse,
  ExtendedRcode,
  isAuthoritative,
  minUdpSize,
  optRecord,
  ourUdpSize,
  parseQuery,
  Rcode,
  withOpt,
  type ParsedQuery,
} from './wire.ts';

/** The largest UDP answer we send whatever the client offers: the size our OPT offers. */
export const maxUdpSize = ourUdpSize;

export interface ServerCounters {
  queries: number;
  answered: number;
  formerr: number;
  truncated: number;
  /** Datagrams not answered at all: responses (QR=1) and packets too short to hold a header. */
  dropped: { response: number; short: number };
  /** Connections accepted, by stream transport (a DoH HTTP/2 connection carries many queries). */
  connections: ByStream;
  /** Connections open now. */
  connectionsOpen: ByStream;
  /** Connections closed at once because the listener had tcp.maxConnections open. */
  connectionsRefused: ByStream;
  /** Connections closed after tcp.idleTimeoutMs without a query. */
  connectionsIdleClosed: ByStream;
}

type StreamTransport = 'tcp' | 'tls' | 'https';
type ByStream = Record<StreamTransport, number>;
const byStream = (): ByStream => ({ tcp: 0, tls: 0, https: 0 });

/** How often the server cookie secret changes (RFC 9018 §5 asks for regular rotation). */
const cookieSecretRotationSeconds = 3600;
/** Our OPT without options, for the common EDNS answer: one of these per DO bit, made once. */
const plainOpt = [optRecord(false, 0, null), optRecord(true, 0, null)] as const;

export interface ServerOptions {
  listen: string[];
  queryTimeoutMs: number;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  udpReceiveBufferBytes: number;
  /** The certificate and key of DoT and DoH listeners (null when there are none). */
  tls: TlsIdentity | null;
  /** The key server cookie secrets are derived from (cookies.ts); absent: a random secret per process. */
  cookieMasterKey?: Uint8Array | null;
  resolve(ctx: QueryContext): Promise<Answer>;
  /**
   * Whether an answer of our own (FORMERR, NOTIMP, BADVERS) may go to this client: RRL's
   * errors-per-second (absent: always). A refused one is not sent.
   */
  admitError?(client: QueryContext['client'], transport: DnsTransport): boolean;
  /** The fast path: an answer at once, or undefined to go through `resolve`. */
  resolveNow?(ctx: QueryContext): Answer | undefined;
  /** Told what was finally sent for a query (after truncation), or null when nothing was. */
  onReply?(ctx: QueryContext, reply: Buffer | null): void;
  /** After drain() closed the UDP sockets: where the answers still pending go (another process sends them). */
  passOn?(answer: PassedAnswer): void;
}

/** A UDP answer a draining process could not send itself: the process that serves now sends it. */
export interface PassedAnswer {
  /** The listen address as configured, e.g. "127.0.0.1:53". */
  listen: string;
  answer: Uint8Array;
  address: string;
  port: number;
}

/** What can change while serving; `listen` rebinds only the addresses that changed. */
export type ServerSettings = Omit<ServerOptions, 'resolve' | 'resolveNow' | 'onReply' | 'passOn' | 'admitError' | 'cookieMasterKey'>;

interface Listener {
  /** Plain DNS only: its UDP socket (TCP is on `tcp`). */
  udp: Socket | null;
  /** The listening TCP socket (shared across the engine's processes); DoT and DoH accept on it too. */
  tcp: Server;
  /** DoT: the TLS server doing the handshakes; DoH: the HTTP server. */
  tls: TlsServer | null;
  doh: DohListener | null;
  transport: 'plain' | 'tls' | 'https';
  /** The DoH path, else empty. */
  path: string;
  local: { address: string; port: number };
}

export interface Listening {
  address: string;
  transport: DnsTransport;
}

export class DnsServer {
  readonly counters: ServerCounters = {
    queries: 0,
    answered: 0,
    formerr: 0,
    truncated: 0,
    dropped: { response: 0, short: 0 },
    connections: byStream(),
    connectionsOpen: byStream(),
    connectionsRefused: byStream(),
    connectionsIdleClosed: byStream(),
  };
  /** Queries by transport, family and type (CoreDNS's breakdown, metrics-aligned.ts). */
  readonly requests = new RequestCounts();
  private readonly cookies: ServerCookies;
  private options: ServerOptions;
  /** By the address as configured (a port 0 stays 0 here, bound to a real port). */
  private readonly listeners = new Map<string, Listener>();
  /** TCP addresses this process must not listen on again (see bind). */
  private readonly tcpUnretryable = new Set<string>();
  /** Answers still to be sent for datagrams already read, and open TCP connections' pending answers. */
  private pendingUdp = 0;
  private readonly tcpPending = new Map<import('node:net').Socket, number>();
  /** Set by drain(): called whenever pending work finishes, to close what became idle. */
  private onIdle: (() => void) | null = null;
  /** Set by drain(): the UDP sockets are closed, answers still pending are passed on. */
  private udpClosed = false;

  constructor(options: ServerOptions) {
    this.options = options;
    this.cookies = new ServerCookies({ rotateSeconds: cookieSecretRotationSeconds, ...(options.cookieMasterKey ? { master: options.cookieMasterKey } : {}) });
  }

  get listening(): Listening[] {
    return [...this.listeners.values()].flatMap(({ local, transport, path }): Listening[] => {
      const address = formatAddress(local.address, local.port);
      if (transport === 'tls') return [{ address: `tls://${address}`, transport }];
      if (transport === 'https') return [{ address: `https://${address}${path}`, transport }];
      return [
        { address, transport: 'udp' as const },
        { address, transport: 'tcp' as const },
      ];
    });
  }

  async start(): Promise<void> {
    await this.update(this.options);
  }

  /**
   * Applies new settings while serving: new addresses are bound before removed ones are closed,
   * kept ones are not touched, so queries to them are never refused. A failed bind leaves the
   * old listeners in place and rejects.
   */
  async update(settings: ServerSettings): Promise<{ listenersChanged: boolean }> {
    const added = settings.listen.filter((address) => !this.listeners.has(address));
    const removed = [...this.listeners.keys()].filter((address) => !settings.listen.includes(address));
    const bound: [string, Listener][] = [];
    try {
      for (const address of added) bound.push([address, await this.bind(address)]);
    } catch (err) {
      for (const [, listener] of bound) closeListener(listener);
      throw err;
    }
    this.options = { ...this.options, ...settings };
    for (const [address, listener] of bound) this.listeners.set(address, listener);
    for (const address of removed) {
      closeListener(this.listeners.get(address)!);
      this.listeners.delete(address);
    }
    for (const { tcp, udp, tls, doh } of this.listeners.values()) {
      tcp.maxConnections = settings.tcpMaxConnections;
      if (udp) setReceiveBuffer(udp, settings.udpReceiveBufferBytes);
      // New connections get the new certificate; open ones keep the one they shook hands with.
      if (settings.tls) (tls ?? doh?.http)?.setSecureContext(secureOptions(settings.tls));
    }
    return { listenersChanged: added.length + removed.length > 0 };
  }

  /** Sends an answer another (draining) process passed on, from the listener it came to. */
  sendPassed({ listen, answer, address, port }: PassedAnswer): boolean {
    const listener = this.listeners.get(listen);
    if (!listener?.udp || this.udpClosed) return false;
    listener.udp.send(answer, port, address);
    return true;
  }

  private async bind(address: string): Promise<Listener> {
    const spec = parseListen(address);
    if (!spec)
      throw Object.assign(new Error(`${address}: not a listen address (ADDRESS:PORT, tls://ADDRESS:PORT or https://ADDRESS:PORT/PATH) (E_INVALID_PARAMS)`), {
        code: 'E_INVALID_PARAMS',
      });
    if (spec.transport === 'plain') return this.bindPlain(address);
    const identity = this.options.tls;
    if (!identity)
      throw Object.assign(new Error(`${address}: an encrypted listener needs tls.certFile and tls.keyFile (E_DNS_TLS_FILE)`), { code: 'E_DNS_TLS_FILE' });
    const { host, port } = splitHostPort(spec.address);
    const tcp = createServer({ noDelay: true });
    tcp.maxConnections = this.options.tcpMaxConnections;
    await this.listenTcp(tcp, host, port);
    const transport = spec.transport;
    this.countConnections(tcp, transport);
    const local = { address: host, port: (tcp.address() as import('node:net').AddressInfo).port };
    if (spec.transport === 'tls') {
      const tls = dotServer(tcp, identity, this.options.tcpIdleTimeoutMs, (socket) => this.serveTcp(socket, 'tls'));
      return { udp: null, tcp, tls, doh: null, transport: 'tls', path: '', local };
    }
    const doh = dohServer(
      tcp,
      identity,
      {
        path: spec.path,
        idleTimeoutMs: this.options.tcpIdleTimeoutMs,
        maxConnections: this.options.tcpMaxConnections,
        onRefused: () => this.counters.connectionsRefused.https++,
        onIdleClosed: () => this.counters.connectionsIdleClosed.https++,
      },
      (message, client, at) => this.answerOnce(message, client, at),
    );
    return { udp: null, tcp, tls: null, doh, transport: 'https', path: spec.path, local };
  }

  /** One DoH query: its answer (or null for none), through the same fast path and pipeline as the rest. */
  private async answerOnce(message: Buffer, client: QueryContext['client'], local: QueryContext['local']): Promise<Buffer | null> {
    const result = this.receive(message, client, 'https', local);
    if (!isPending(result)) return result;
    return this.finish(result, await this.options.resolve(result));
  }

  /** Listens on a TCP address; a worker's EADDRINUSE is remembered (see the comment inside). */
  private async listenTcp(tcp: Server, host: string, port: number): Promise<void> {
    const tcpKey = formatAddress(host, port);
    if (this.tcpUnretryable.has(tcpKey)) {
      throw Object.assign(
        new Error(
          `${tcpKey}: TCP was in use by another program when this process tried it, and a DNS engine process cannot try the same address twice (a Node.js cluster defect); free it, then restart or upgrade the DNS engine (E_DNS_LISTEN_RETRY)`,
        ),
        { code: 'E_DNS_LISTEN_RETRY' },
      );
    }
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // A cluster worker whose shared TCP listen failed with EADDRINUSE (libuv reports it late,
      // at listen) keeps Node's record of that handle, so its next listen on the same address
      // fails an internal assertion in node:internal/cluster/child that ends the process
      // (the defect of nodejs/node#64869, reached here through that kept handle). UDP bind errors are reported at once and leave nothing behind.
      if (cluster.isWorker && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') this.tcpUnretryable.add(tcpKey);
      throw err;
    }
  }

  private async bindPlain(address: string): Promise<Listener> {
    const { host, port } = splitHostPort(address);
    const udp = udpSocket(host.includes(':'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', () => {});
    setReceiveBuffer(udp, this.options.udpReceiveBufferBytes);
    const local = { address: host, port: udp.address().port };
    udp.on('message', (message, remote) => {
      // No closure per datagram on the fast path: a cache hit is sent right here.
      const result = this.receive(message, remote, 'udp', local);
      if (!isPending(result)) {
        if (result) udp.send(result, remote.port, remote.address);
        return;
      }
      this.pendingUdp++;
      void this.options.resolve(result).then((answer) => {
        this.pendingUdp--;
        const reply = this.finish(result, answer);
        if (reply && !this.udpClosed) udp.send(reply, remote.port, remote.address);
        else if (reply) this.options.passOn?.({ listen: address, answer: reply, address: remote.address, port: remote.port });
        this.onIdle?.();
      });
    });

    const tcp = createServer({ noDelay: true }, (socket) => this.serveTcp(socket, 'tcp'));
    this.countConnections(tcp, 'tcp');
    tcp.maxConnections = this.options.tcpMaxConnections;
    try {
      // Same port as UDP, so a client that got TC=1 finds us where it asked.
      await this.listenTcp(tcp, host, local.port);
    } catch (err) {
      udp.close();
      throw err;
    }
    return { udp, tcp, tls: null, doh: null, transport: 'plain', path: '', local };
  }

  /**
   * Accepted, open and refused connections of a stream listener. Node's net.Server closes a
   * connection past maxConnections itself and tells only by 'drop'.
   */
  private countConnections(tcp: Server, transport: StreamTransport): void {
    const { connections, connectionsOpen, connectionsRefused } = this.counters;
    tcp.on('connection', (socket: import('node:net').Socket) => {
      connections[transport]++;
      connectionsOpen[transport]++;
      socket.once('close', () => connectionsOpen[transport]--);
    });
    tcp.on('drop', () => connectionsRefused[transport]++);
  }

  /** DNS over TCP, and over TLS (RFC 7858 §3.3: the same two-byte length prefix, pipelined). */
  private serveTcp(socket: import('node:net').Socket, transport: 'tcp' | 'tls'): void {
    let buffered = Buffer.alloc(0);
    this.tcpPending.set(socket, 0);
    socket.once('close', () => {
      this.tcpPending.delete(socket);
      this.onIdle?.();
    });
    socket.setTimeout(this.options.tcpIdleTimeoutMs, () => {
      this.counters.connectionsIdleClosed[transport]++;
      socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = Buffer.from(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
        const send = (reply: Buffer | null) => {
          if (!reply || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        };
        const result = this.receive(message, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, transport, local);
        if (!isPending(result)) {
          send(result);
          continue;
        }
        this.tcpPending.set(socket, (this.tcpPending.get(socket) ?? 0) + 1);
        void this.options.resolve(result).then((answer) => {
          send(this.finish(result, answer));
          this.tcpPending.set(socket, (this.tcpPending.get(socket) ?? 1) - 1);
          this.onIdle?.();
        });
      }
    });
  }

  /**
   * One query: its reply (or null for none) when it has one at once (the fast path, or an error
   * needing no pipeline), else its context, for the caller to resolve and `finish` (one promise
   * and one closure per pending query, made by the caller that knows where the reply goes).
   * Never throws.
   */
  private receive(message: Buffer, client: QueryContext['client'], transport: DnsTransport, local: QueryContext['local']): Buffer | null | QueryContext {
    const ctx = this.prepare(message, client, transport, local);
    if ('reply' in ctx) return ctx.reply;
    const now = this.options.resolveNow?.(ctx);
    return now === undefined ? ctx : this.finish(ctx, now);
  }

  /**
   * Counts and parses a query: its context, or the reply it gets without the pipeline. A UDP
   * client is dgram's rinfo object itself: one allocation less per query.
   */
  private prepare(
    message: Buffer,
    client: QueryContext['client'],
    transport: DnsTransport,
    local: QueryContext['local'],
  ): QueryContext | { reply: Buffer | null } {
    this.counters.queries++;
    // Too short to carry an ID: nobody to answer.
    if (message.length < 12) {
      this.counters.dropped.short++;
      return { reply: null };
    }
    // QR=1 is a response, never ours to answer: answering it (even FORMERR, itself a response)
    // lets two servers bounce one spoofed datagram forever. knot, unbound and dnsdist drop it too.
    if (message[2]! & 0x80) {
      this.counters.dropped.response++;
      return { reply: null };
    }
    const parsed = parseQuery(message);
    if (parsed) this.requests.count(transport, client.address, parsed.type);
    // As unbound: the opcode is judged before the rest, so an unknown one is NOTIMP, not FORMERR.
    if (((message[2]! >>> 3) & 0xf) !== 0) return this.ownAnswer(message, parsed, Rcode.notImp, client, transport);
    const edns = parsed?.edns;
    if (!parsed || (edns && !edns.wellFormed)) {
      this.counters.formerr++;
      return this.ownAnswer(message, parsed, Rcode.formErr, client, transport);
    }
    // RFC 6891 §6.1.3: a version we do not implement is BADVERS, answered as version 0.
    if (edns && edns.version > ednsVersion) return this.ownAnswer(message, parsed, ExtendedRcode.badVers, client, transport);
    const cookie = edns && edns.cookieAt >= 0 ? this.cookies.answer(message, edns.cookieAt, edns.cookieLength, client.address) : null;
    const maxSize = transport !== 'udp' ? 0xffff : edns ? Math.min(edns.udpSize, maxUdpSize) : minUdpSize;
    const receivedAt = performance.now();
    return { query: message, parsed, cookie, client, local, transport, maxSize, receivedAt, deadline: receivedAt + this.options.queryTimeoutMs, meta: {} };
  }

  /**
   * An answer of our own to a query the pipeline never sees (FORMERR, NOTIMP, BADVERS): header
   * and question when it could be read, an OPT when the query had a readable one (RFC 6891 §7),
   * and sent only as far as RRL's errors-per-second allows (BIND 9 drops such errors when limited).
   */
  private ownAnswer(
    message: Buffer,
    parsed: ParsedQuery | null,
    rcode: number,
    client: QueryContext['client'],
    transport: DnsTransport,
  ): { reply: Buffer | null } {
    if (this.options.admitError && !this.options.admitError(client, transport)) return { reply: null };
    const reply = emptyResponse(message, parsed, rcode);
    // As unbound: RA only once the query is one we would resolve (BADVERS); a query we cannot
    // take (FORMERR, NOTIMP) is not served by the forwarder at all.
    if (rcode === ExtendedRcode.badVers) reply[3]! |= 0x80;
    const edns = parsed?.edns;
    return { reply: edns?.wellFormed ? withOpt(reply, optRecord(edns.dnssecOk, rcode, null)) : reply };
  }

  /**
   * Makes the pipeline's answer this client's own, truncates what does not fit, counts, and tells
   * the observer what goes out. Answers in the pipeline (and in the cache) carry no OPT and the
   * header bits of whoever asked first: here opcode, RD and CD become this query's (RFC 1035
   * §4.1.1, RFC 4035 §3.2.2), RA is set (every client may use this forwarder), and an EDNS query
   * gets our OPT with its DO bit and cookie; a query without EDNS gets none (RFC 6891 §7).
   * The answer is this query's own buffer (a cache copy, an upstream datagram), patched in place.
   */
  private finish(ctx: QueryContext, answer: Answer): Buffer | null {
    let reply = answer;
    if (reply) {
      this.counters.answered++;
      const { query, parsed } = ctx;
      let opt = parsed.edns ? this.optFor(ctx) : null;
      if (reply.length + (opt?.length ?? 0) > ctx.maxSize) {
        this.counters.truncated++;
        // The empty TC=1 copy keeps the answer's rcode and AA: only the records did not fit.
        reply = emptyResponse(query, parsed, reply[3]! & 0xf, { truncated: true, authoritative: isAuthoritative(reply) });
      }
      reply[2] = 0x80 | (query[2]! & 0x79) | (reply[2]! & 0x06);
      reply[3] = 0x80 | (reply[3]! & 0x2f) | (query[3]! & 0x10);
      // RFC 8467 §4.1: on an encrypted transport, an answer to a padded query is padded to a block.
      if (opt && parsed.edns!.padding && (ctx.transport === 'tls' || ctx.transport === 'https')) opt = paddedOpt(opt, reply.length);
      if (opt) reply = withOpt(reply, opt);
    }
    this.options.onReply?.(ctx, reply);
    return reply;
  }

  /** This answer's OPT: our UDP size, version 0, the query's DO, the rcode's upper bits, our COOKIE. */
  private optFor(ctx: QueryContext): Buffer {
    const extended = ctx.meta.extendedRcode ?? 0;
    if (!ctx.cookie && extended === 0) return plainOpt[ctx.parsed.edns!.dnssecOk ? 1 : 0];
    return optRecord(ctx.parsed.edns!.dnssecOk, extended, ctx.cookie?.option ?? null);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.listeners.values()].map(closeListener));
    this.listeners.clear();
  }

  /**
   * Stops reading and finishes what was read, for a zero-downtime upgrade. The sockets are shared
   * with the process taking over. UDP closes at once: datagrams not yet read stay in the shared
   * queue for the other process, and answers to those read here go out through it (passOn), as
   * this process can no longer send from the listening port. TCP stops accepting and each
   * connection closes once its answers are out. Whatever is left after `timeoutMs` is dropped.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.udpClosed = true;
    for (const { udp, tcp } of this.listeners.values()) {
      udp?.close();
      tcp.close();
    }
    const dohs = [...this.listeners.values()].flatMap(({ doh }) => (doh ? [doh] : []));
    for (const doh of dohs) for (const socket of doh.connections) socket.once('close', () => this.onIdle?.());
    await new Promise<void>((resolve) => {
      const deadline = performance.now() + timeoutMs;
      const timer = setTimeout(() => this.onIdle?.(), timeoutMs);
      this.onIdle = () => {
        const late = performance.now() >= deadline;
        for (const [socket, pending] of this.tcpPending) if (pending === 0 || late) socket.end();
        for (const doh of dohs) doh.closeIdle();
        const dohOpen = dohs.some((doh) => doh.connections.size > 0);
        if ((this.pendingUdp === 0 && this.tcpPending.size === 0 && !dohOpen) || late) {
          clearTimeout(timer);
          this.onIdle = null;
          resolve();
        }
      };
      this.onIdle();
    });
    for (const socket of this.tcpPending.keys()) socket.destroy();
    for (const doh of dohs) for (const socket of doh.connections) socket.destroy();
    this.listeners.clear();
  }
}

function isPending(result: Buffer | null | QueryContext): result is QueryContext {
  return result !== null && !Buffer.isBuffer(result);
}

/** Shared by the engine's processes (one kernel socket): setting it from any of them sets it. */
function setReceiveBuffer(udp: Socket, bytes: number): void {
  try {
    udp.setRecvBufferSize(bytes);
  } catch {
    // Refused (a platform limit): the kernel default stays; nothing else depends on it.
  }
}

function closeListener({ udp, tcp }: Listener): Promise<void> {
  udp?.close();
  // Open TCP connections finish their queries; only new ones are refused.
  return new Promise((resolve) => tcp.close(() => resolve()));
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
