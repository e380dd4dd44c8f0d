// dnstap: every query and answer, as dnstap messages (dnstap.proto, encoded by the protobufjs code
// generated from it) over a Frame Streams connection to a collector (framestream.ts). It watches
// rather than answers, so it is not in the module chain: the server tells it what went out to a
// client (CLIENT_QUERY and CLIENT_RESPONSE, the wire bytes as sent) and forward tells it what went
// to an upstream (FORWARDER_QUERY and FORWARDER_RESPONSE). Nothing is encoded on the way of an
// answer: an event is queued (references, no copy) and encoded in a batch once the answer is out;
// a full queue drops and counts, so a slow or absent collector never slows or blocks a query.
import { hostname } from 'node:os';
import type { DnsTransport } from '../../../api/dns.ts';
import type { Logger } from '../../../api/engine.ts';
import { addressBytes } from '../../ip.ts';
import type { QueryContext } from '../../pipeline.ts';
import { dnstap } from './dnstap.pb.js';
import { FrameStreamWriter, type FrameStreamTarget } from './framestream.ts';

/** The Frame Streams content type of dnstap (dnstap.info). */
export const dnstapContentType = 'protobuf:dnstap.Dnstap';
/** Events encoded per batch: bounds the time one batch holds the event loop. */
const batchEvents = 512;
/**
 * Queued events are written this often (sooner once a batch is full): one write, one system call,
 * per many messages. Flushing on every turn of the event loop wrote one or two messages per
 * system call at a few thousand queries a second, which cost more than encoding them.
 */
const flushEveryMs = 10;

export interface DnstapOptions {
  /** `unix:///path/to/socket` or `tcp://host:port`. */
  address: string;
  /** Empty: the host name. */
  identity: string;
  version: string;
  queueSize: number;
  /** Also FORWARDER_QUERY / FORWARDER_RESPONSE for each upstream exchange. */
  forwarder: boolean;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export interface DnstapStats {
  /** Messages written to the collector. */
  sent: number;
  /** Messages dropped because the queue was full (collector absent, slow or gone). */
  dropped: number;
  /** Messages waiting now. */
  queued: number;
  /** 1 while the Frame Streams connection is up. */
  connected: number;
  /** Connections that reached START (the first one included). */
  connections: number;
}

/** A peer of one upstream exchange, as forward sees it. */
export interface ForwarderExchange {
  upstream: { address: string; port: number };
  /** Our socket's address and port. */
  local: { address: string; port: number };
  transport: 'udp' | 'tcp' | 'tls';
  query: Buffer;
  /** performance.now() when the query was sent. */
  sentAt: number;
}

type Event =
  | { kind: 'client'; ctx: QueryContext; reply: Buffer | null; at: number }
  | { kind: 'forwarder-query'; exchange: ForwarderExchange }
  | { kind: 'forwarder-response'; exchange: ForwarderExchange; answer: Buffer; at: number };

const protocols: Record<DnsTransport, dnstap.SocketProtocol> = {
  udp: dnstap.SocketProtocol.UDP,
  tcp: dnstap.SocketProtocol.TCP,
  tls: dnstap.SocketProtocol.DOT,
  https: dnstap.SocketProtocol.DOH,
};

/** `unix:///path` or `tcp://host:port` as a socket target; null when it is neither. */
export function dnstapTarget(address: string): FrameStreamTarget | null {
  if (address.startsWith('unix://')) return address.length > 7 ? { path: address.slice(7) } : null;
  const tcp = /^tcp:\/\/(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]]+)):(\d{1,5})$/.exec(address);
  if (!tcp) return null;
  const port = Number(tcp[3]);
  return port > 0 && port < 65536 ? { host: tcp[1] ?? tcp[2]!, port } : null;
}

export class Dnstap {
  private readonly options: DnstapOptions;
  private readonly log: Logger;
  private readonly writer: FrameStreamWriter;
  private readonly identity: Uint8Array;
  private readonly version: Uint8Array;
  private queue: Event[] = [];
  /** Messages the queued events make (a client exchange is two): what queueSize bounds. */
  private queuedMessages = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate = false;
  /** After close(): late events (an old forward pool's last answers) are ignored. */
  private closed = false;
  private sent = 0;
  private dropped = 0;
  /** Drops since the last log line about them. */
  private droppedUnlogged = 0;

  constructor(options: DnstapOptions, log: Logger) {
    const target = dnstapTarget(options.address);
    if (!target) throw new Error(`dnstap.address ${options.address}: write unix:///path/to/socket or tcp://host:port (E_INVALID_PARAMS)`);
    this.options = options;
    this.log = log;
    this.identity = Buffer.from(options.identity || hostname());
    this.version = Buffer.from(options.version);
    this.writer = new FrameStreamWriter({
      target,
      contentType: dnstapContentType,
      reconnectMinMs: options.reconnectMinMs,
      reconnectMaxMs: options.reconnectMaxMs,
      onState: (connected, reason) => {
        if (connected) log.info('dnstap connected', { address: options.address, queued: this.queuedMessages, droppedSinceLastLine: this.takeDropped() });
        else log.warn('dnstap not connected; retrying', { address: options.address, reason, droppedSinceLastLine: this.takeDropped() });
      },
      onWritable: () => this.schedule(),
    });
  }

  get forwarder(): boolean {
    return this.options.forwarder;
  }

  /** What a client was sent for its query (null: nothing, e.g. RRL dropped it); CLIENT_QUERY and CLIENT_RESPONSE. */
  client(ctx: QueryContext, reply: Buffer | null): void {
    this.push({ kind: 'client', ctx, reply, at: performance.now() }, reply ? 2 : 1);
  }

  forwarderQuery(exchange: ForwarderExchange): void {
    this.push({ kind: 'forwarder-query', exchange }, 1);
  }

  forwarderResponse(exchange: ForwarderExchange, answer: Buffer): void {
    this.push({ kind: 'forwarder-response', exchange, answer, at: performance.now() }, 1);
  }

  stats(): DnstapStats {
    return {
      sent: this.sent,
      dropped: this.dropped,
      queued: this.queuedMessages,
      connected: this.writer.connected ? 1 : 0,
      connections: this.writer.connections,
    };
  }

  /** Sends what is queued while the stream is up, then ends it (STOP/FINISH). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.flush();
    this.closed = true;
    await this.writer.close();
  }

  private push(event: Event, messages: number): void {
    if (this.closed) return;
    if (this.queuedMessages + messages > this.options.queueSize) {
      this.dropped += messages;
      this.droppedUnlogged += messages;
      return;
    }
    this.queue.push(event);
    this.queuedMessages += messages;
    this.schedule();
  }

  private schedule(): void {
    if (this.queue.length === 0 || !this.writer.ready) return;
    if (this.queue.length >= batchEvents) {
      if (this.immediate) return;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.flush();
      });
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, flushEveryMs);
    this.timer.unref();
  }

  /** Encodes and writes queued events in batches while the stream takes them. */
  private flush(): void {
    while (this.queue.length > 0 && this.writer.ready) {
      const batch = this.queue.length <= batchEvents ? this.queue : this.queue.slice(0, batchEvents);
      this.queue = batch === this.queue ? [] : this.queue.slice(batchEvents);
      const payloads: Uint8Array[] = [];
      for (const event of batch)
        for (const message of this.messages(event))
          payloads.push(dnstap.Dnstap.encode({ identity: this.identity, version: this.version, type: dnstap.Dnstap.Type.MESSAGE, message }).finish());
      this.writer.write(payloads);
      this.sent += payloads.length;
      this.queuedMessages -= payloads.length;
    }
  }

  /** The dnstap messages of one event (a client exchange is two: the query and the response). */
  private messages(event: Event): dnstap.Message.$Properties[] {
    if (event.kind === 'client') {
      const { ctx, reply } = event;
      const peers = socketFields(ctx.client, ctx.local, protocols[ctx.transport]);
      const queryTime = wallTime(ctx.receivedAt);
      const query = { ...peers, type: dnstap.Message.Type.CLIENT_QUERY, queryTimeSec: queryTime.sec, queryTimeNsec: queryTime.nsec, queryMessage: ctx.query };
      if (!reply) return [query];
      const at = wallTime(event.at);
      return [
        query,
        {
          ...peers,
          type: dnstap.Message.Type.CLIENT_RESPONSE,
          queryTimeSec: queryTime.sec,
          queryTimeNsec: queryTime.nsec,
          responseTimeSec: at.sec,
          responseTimeNsec: at.nsec,
          responseMessage: reply,
        },
      ];
    }
    const { exchange } = event;
    const peers = socketFields(exchange.local, exchange.upstream, protocols[exchange.transport]);
    const sent = wallTime(exchange.sentAt);
    if (event.kind === 'forwarder-query')
      return [{ ...peers, type: dnstap.Message.Type.FORWARDER_QUERY, queryTimeSec: sent.sec, queryTimeNsec: sent.nsec, queryMessage: exchange.query }];
    const at = wallTime(event.at);
    return [
      {
        ...peers,
        type: dnstap.Message.Type.FORWARDER_RESPONSE,
        queryTimeSec: sent.sec,
        queryTimeNsec: sent.nsec,
        responseTimeSec: at.sec,
        responseTimeNsec: at.nsec,
        responseMessage: event.answer,
      },
    ];
  }

  private takeDropped(): number {
    const count = this.droppedUnlogged;
    this.droppedUnlogged = 0;
    return count;
  }
}

/**
 * Family, protocol, addresses and ports of an exchange: the initiator is the query side. The
 * family is the initiator's (the responder's when ours is not known yet); an address of the other
 * family (a wildcard `::` listener answering an IPv4 client), unknown or unspecified, is left
 * out and only its port given.
 */
function socketFields(
  initiator: { address: string; port: number },
  responder: { address: string; port: number },
  protocol: dnstap.SocketProtocol,
): Omit<dnstap.Message.$Properties, 'type'> {
  const queryAddress = initiator.address ? bytesOf(initiator.address) : null;
  const responseAddress = responder.address ? bytesOf(responder.address) : null;
  const length = (queryAddress ?? responseAddress)?.length ?? 4;
  const usable = (bytes: Uint8Array | null): bytes is Uint8Array => bytes !== null && bytes.length === length && bytes.some((byte) => byte !== 0);
  return {
    socketFamily: length === 4 ? dnstap.SocketFamily.INET : dnstap.SocketFamily.INET6,
    socketProtocol: protocol,
    ...(usable(queryAddress) ? { queryAddress } : {}),
    queryPort: initiator.port,
    ...(usable(responseAddress) ? { responseAddress } : {}),
    responsePort: responder.port,
  };
}

/** Addresses already turned into bytes: the same clients and listeners come again and again (parsing was the largest cost per message). */
const addressCache = new Map<string, Uint8Array>();
const addressCacheSize = 4096;

function bytesOf(address: string): Uint8Array {
  let bytes = addressCache.get(address);
  if (!bytes) {
    if (addressCache.size >= addressCacheSize) addressCache.clear();
    bytes = addressBytes(address);
    addressCache.set(address, bytes);
  }
  return bytes;
}

/** A performance.now() time as seconds and nanoseconds since the epoch (dnstap's *_time_sec, *_time_nsec). */
function wallTime(at: number): { sec: number; nsec: number } {
  const ms = performance.timeOrigin + at;
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.min(999_999_999, Math.floor((ms - sec * 1000) * 1e6)) };
}
