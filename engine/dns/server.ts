// UDP and TCP listeners. UDP answers that do not fit the client's size go out as TC=1 so the
// client retries over TCP; TCP is length-prefixed and pipelined (queries on one connection are
// answered as they complete), with an idle timeout and a connection cap.
import cluster from 'node:cluster';
import type { Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { splitHostPort } from '../api/address.ts';
import type { Answer, QueryContext } from './pipeline.ts';
import { udpSocket } from './udp.ts';
import { emptyResponse, minUdpSize, parseQuery, Rcode } from './wire.ts';

/** The largest UDP answer we send whatever the client offers (DNS flag day 2020: 1232). */
export const maxUdpSize = 1232;

export interface ServerCounters {
  queries: number;
  answered: number;
  formerr: number;
  truncated: number;
}

export interface ServerOptions {
  listen: string[];
  queryTimeoutMs: number;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  udpReceiveBufferBytes: number;
  resolve(ctx: QueryContext): Promise<Answer>;
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
export type ServerSettings = Omit<ServerOptions, 'resolve' | 'resolveNow' | 'onReply' | 'passOn'>;

interface Listener {
  udp: Socket;
  tcp: Server;
  local: { address: string; port: number };
}

export interface Listening {
  address: string;
  transport: 'udp' | 'tcp';
}

export class DnsServer {
  readonly counters: ServerCounters = { queries: 0, answered: 0, formerr: 0, truncated: 0 };
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
  }

  get listening(): Listening[] {
    return [...this.listeners.values()].flatMap(({ local }) => {
      const address = formatAddress(local.address, local.port);
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
    for (const { tcp } of this.listeners.values()) tcp.maxConnections = settings.tcpMaxConnections;
    for (const { udp } of this.listeners.values()) setReceiveBuffer(udp, settings.udpReceiveBufferBytes);
    return { listenersChanged: added.length + removed.length > 0 };
  }

  /** Sends an answer another (draining) process passed on, from the listener it came to. */
  sendPassed({ listen, answer, address, port }: PassedAnswer): boolean {
    const listener = this.listeners.get(listen);
    if (!listener || this.udpClosed) return false;
    listener.udp.send(answer, port, address);
    return true;
  }

  private async bind(address: string): Promise<Listener> {
    const { host, port } = splitHostPort(address);
    const tcpKey = formatAddress(host, port);
    if (this.tcpUnretryable.has(tcpKey)) {
      throw Object.assign(
        new Error(`${address}: TCP was in use by another program when this process tried it, and a DNS engine process cannot try the same address twice (a Node.js cluster defect); free it, then restart or upgrade the DNS engine (E_DNS_LISTEN_RETRY)`),
        { code: 'E_DNS_LISTEN_RETRY' },
      );
    }
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

    const tcp = createServer({ noDelay: true }, (socket) => this.serveTcp(socket));
    tcp.maxConnections = this.options.tcpMaxConnections;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        // Same port as UDP, so a client that got TC=1 finds us where it asked.
        tcp.listen(local.port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      // A cluster worker whose shared TCP listen failed with EADDRINUSE (libuv reports it late,
      // at listen) keeps Node's record of that handle, so its next listen on the same address
      // fails an internal assertion in node:internal/cluster/child that ends the process
      // (the defect of nodejs/node#64869, reached here through that kept handle). UDP bind errors are reported at once and leave nothing behind.
      if (cluster.isWorker && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') this.tcpUnretryable.add(tcpKey);
      throw err;
    }
    return { udp, tcp, local };
  }

  private serveTcp(socket: import('node:net').Socket): void {
    let buffered = Buffer.alloc(0);
    this.tcpPending.set(socket, 0);
    socket.once('close', () => {
      this.tcpPending.delete(socket);
      this.onIdle?.();
    });
    socket.setTimeout(this.options.tcpIdleTimeoutMs, () => socket.destroy());
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
        const result = this.receive(message, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, 'tcp', local);
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
  private receive(message: Buffer, client: QueryContext['client'], transport: 'udp' | 'tcp', local: QueryContext['local']): Buffer | null | QueryContext {
    const ctx = this.prepare(message, client, transport, local);
    if ('reply' in ctx) return ctx.reply;
    const now = this.options.resolveNow?.(ctx);
    return now === undefined ? ctx : this.finish(ctx, now);
  }

  /**
   * Counts and parses a query: its context, or the reply it gets without the pipeline. A UDP
   * client is dgram's rinfo object itself: one allocation less per query.
   */
  private prepare(message: Buffer, client: QueryContext['client'], transport: 'udp' | 'tcp', local: QueryContext['local']): QueryContext | { reply: Buffer | null } {
    this.counters.queries++;
    const parsed = parseQuery(message);
    if (!parsed) {
      this.counters.formerr++;
      // Too short to carry an ID: nobody to answer.
      return { reply: message.length >= 12 ? emptyResponse(message, null, Rcode.formErr) : null };
    }
    if (parsed.opcode !== 0) return { reply: emptyResponse(message, parsed, Rcode.notImp) };
    const maxSize = transport === 'tcp' ? 0xffff : parsed.edns ? Math.min(parsed.edns.udpSize, maxUdpSize) : minUdpSize;
    const receivedAt = performance.now();
    return { query: message, parsed, client, local, transport, maxSize, receivedAt, deadline: receivedAt + this.options.queryTimeoutMs, meta: {} };
  }

  /** Truncates what does not fit, counts, and tells the observer what goes out. */
  private finish(ctx: QueryContext, answer: Answer): Buffer | null {
    let reply = answer;
    if (reply) {
      this.counters.answered++;
      if (reply.length > ctx.maxSize) {
        this.counters.truncated++;
        reply = emptyResponse(ctx.query, ctx.parsed, reply[3]! & 0xf, true);
      }
    }
    this.options.onReply?.(ctx, reply);
    return reply;
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
      udp.close();
      tcp.close();
    }
    await new Promise<void>((resolve) => {
      const deadline = performance.now() + timeoutMs;
      const timer = setTimeout(() => this.onIdle?.(), timeoutMs);
      this.onIdle = () => {
        const late = performance.now() >= deadline;
        for (const [socket, pending] of this.tcpPending) if (pending === 0 || late) socket.end();
        if ((this.pendingUdp === 0 && this.tcpPending.size === 0) || late) {
          clearTimeout(timer);
          this.onIdle = null;
          resolve();
        }
      };
      this.onIdle();
    });
    for (const socket of this.tcpPending.keys()) socket.destroy();
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
  udp.close();
  // Open TCP connections finish their queries; only new ones are refused.
  return new Promise((resolve) => tcp.close(() => resolve()));
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
