// dns: the DNS proxy engine (RRDNS): its config, counters, query log, per-second history, and the
// procedures the console and `signalbox dns` use.
import { z } from 'zod';
import { moduleConfig, moduleStats } from '../dns/chain.ts';
import { listenAddress } from './address.ts';
import { checkRouting } from './dns-routing.ts';
import { procedure, stream } from './contract.ts';
import { mergedAs } from './merge.ts';

export const dnsConfig = z
  .object({
    enabled: z.boolean().default(false),
    /** Processes serving the same sockets: a number, or auto (one per core). Read when the engine starts. */
    workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default(1),
    /** ADDR:PORT (UDP and TCP), tls://ADDR:PORT (DoT, RFC 7858) or https://ADDR:PORT/PATH (DoH, RFC 8484). */
    listen: z.array(listenAddress).min(1).default(['127.0.0.1:5353']),
    /** The certificate and key DoT and DoH listeners present (PEM files, read at start, on a config change and on SIGHUP). */
    tls: z
      .object({
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    // Each module's keys (upstreams, policy, healthCheck, pools, routes, upstreamTimeoutMs, querylog,
    // rrl, cache, flatten), declared in its folder: engine/dns/modules/<name>/contract.ts.
    ...moduleConfig,
    /** The whole budget of a client query, all tries included. */
    queryTimeoutMs: z.number().int().min(100).max(30_000).default(3000),
    /** dnstap output (dnstap.info) over Frame Streams to a collector: engine/dns/modules/dnstap/README.md. */
    dnstap: z
      .object({
        enabled: z.boolean().default(false),
        /** unix:///path/to/socket or tcp://host:port (an IPv6 host in brackets), as CoreDNS writes it. */
        address: z
          .string()
          .regex(/^(unix:\/\/.+|tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):\d{1,5})$/, 'write unix:///path/to/socket or tcp://host:port')
          .optional(),
        /** Sent in every message; empty: the host name. */
        identity: z.string().max(255).default(''),
        version: z.string().max(255).default('signalbox'),
        /** Messages held while the collector is absent or slow; more are dropped and counted. */
        queueSize: z.number().int().min(1).max(1_000_000).default(10_000),
        /** Also log each upstream exchange (FORWARDER_QUERY / FORWARDER_RESPONSE). */
        forwarder: z.boolean().default(true),
        /** The longest wait between reconnects (from 100 ms, doubled after each failure). */
        reconnectMaxMs: z.number().int().min(100).max(600_000).default(5000),
      })
      .strict()
      .prefault({}),
    /**
     * Receive buffer of each UDP listener: what queues while every process is busy (a GC pause,
     * an upgrade's handover). The kernel's 208 KiB default holds ~25 ms at 10k q/s; the kernel
     * caps it at net.core.rmem_max.
     */
    udpReceiveBufferBytes: z
      .number()
      .int()
      .min(65_536)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    tcp: z
      .object({
        idleTimeoutMs: z.number().int().min(100).default(10_000),
        maxConnections: z.number().int().min(1).default(256),
      })
      .strict()
      .default({ idleTimeoutMs: 10_000, maxConnections: 256 }),
  })
  .strict()
  .refine((config) => !config.listen.some((address) => /^(tls|https):/.test(address)) || (config.tls.certFile && config.tls.keyFile), {
    message: 'a tls:// or https:// listener needs tls.certFile and tls.keyFile (PEM files)',
    path: ['tls'],
  })
  .refine((config) => !config.dnstap.enabled || config.dnstap.address, {
    message: 'dnstap needs an address: unix:///path/to/socket or tcp://host:port',
    path: ['dnstap', 'address'],
  })
  .superRefine(checkRouting);
export type DnsConfig = z.infer<typeof dnsConfig>;
export type DnsConfigInput = z.input<typeof dnsConfig>;

/** How a query came: plain UDP or TCP, DNS over TLS (RFC 7858) or DNS over HTTPS (RFC 8484). */
export const dnsTransport = z.enum(['udp', 'tcp', 'tls', 'https']);
export type DnsTransport = z.infer<typeof dnsTransport>;

const byStream = z.object({ tcp: z.number().int(), tls: z.number().int(), https: z.number().int() });

// Merged across workers by engine/api/merge.ts: numbers add unless marked here.
export const dnsStats = z.object({
  startedAt: mergedAs(z.number(), { merge: 'min' }),
  queries: z.number().int(),
  answered: z.number().int(),
  servfail: z.number().int(),
  formerr: z.number().int(),
  truncated: z.number().int(),
  /** Datagrams not answered: responses (QR=1, never ours to answer) and ones too short for a header. */
  dropped: z.object({ response: z.number().int(), short: z.number().int() }),
  /** Connections accepted by stream transport: TCP, DoT, DoH (one DoH HTTP/2 connection carries many queries). */
  connections: byStream,
  /** Connections open now, by stream transport. */
  connectionsOpen: byStream,
  /** Connections closed at once because the listener had tcp.maxConnections open. */
  connectionsRefused: byStream,
  /** Connections closed after tcp.idleTimeoutMs without a query. */
  connectionsIdleClosed: byStream,
  /** Queries by `transport/family/type` (family 4 or 6; CoreDNS's monitored types, the rest as `other`), e.g. `udp/4/A`. */
  requests: z.record(z.string(), z.number().int()),
  moduleErrors: z.record(z.string(), z.number().int()),
  /** dnstap output; null when off. Workers each have their own connection: numbers add up. */
  dnstap: z
    .object({
      /** Messages written to the collector. */
      sent: z.number().int(),
      /** Messages dropped because the queue was full (collector absent, slow or gone). */
      dropped: z.number().int(),
      queued: z.number().int(),
      /** Processes whose Frame Streams connection is up now. */
      connected: z.number().int(),
      /** Connections that reached START since start (reconnects included). */
      connections: z.number().int(),
    })
    .nullable(),
  listening: mergedAs(z.array(z.object({ address: z.string(), transport: dnsTransport })), { merge: 'same' }),
  // Each module's fields (qps, rcodes, flattened, rrl, hitRatio, cache, upstreams, pools, routes), declared in its
  // folder: engine/dns/modules/<name>/contract.ts.
  ...moduleStats,
});
export type DnsStats = z.infer<typeof dnsStats>;

export const queryLogEntry = z.object({
  seq: z.number().int(),
  at: z.number(),
  client: z.string(),
  transport: dnsTransport,
  qname: z.string(),
  qtype: z.number().int(),
  /** The rcode answered; when rrl slipped or dropped the answer (`rrl`), the rcode the client would have got. */
  rcode: z.number().int(),
  upstream: z.string().nullable(),
  /** The zone of the route the query took ("." for the root route); null where it was not recorded (history rows from before routes were kept). */
  route: z.string().nullable(),
  latencyMs: z.number(),
  cache: z.enum(['hit', 'miss', 'stale']).nullable(),
  rrl: z.enum(['slip', 'drop']).nullable(),
  flattened: z.boolean(),
  /** The answer records as text ("CNAME a.example.net; A 192.0.2.1"): in the query history, and in a dns.queryLog batch that asked for them. */
  answers: z.string().nullable().optional(),
});
export type QueryLogEntry = z.infer<typeof queryLogEntry>;

export const queryLogFilter = z
  .object({
    client: z.string().max(64).optional(),
    /** A substring of the name, case-insensitive. */
    qname: z.string().max(255).optional(),
    qtype: z.number().int().min(0).max(65535).optional(),
    rcode: z.number().int().min(-1).max(15).optional(),
    upstream: z.string().max(300).optional(),
    /** The route's zone, exactly (case-insensitive). */
    route: z.string().max(255).optional(),
    cache: z.enum(['hit', 'miss', 'stale']).optional(),
    rrl: z.enum(['slip', 'drop']).optional(),
  })
  .strict();
export type QueryLogFilter = z.infer<typeof queryLogFilter>;

/** One second of traffic, for the live chart. */
export const dnsSecond = z.object({
  /** Start of the second, ms since the epoch. */
  at: mergedAs(z.number(), { merge: 'same' }),
  queries: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  stale: z.number().int(),
  slipped: z.number().int(),
  dropped: z.number().int(),
  servfail: z.number().int(),
  nxdomain: z.number().int(),
  /** Mean latency of the second's answers, ms; null when there were none. */
  latencyMs: mergedAs(z.number().nullable(), { merge: 'weightedMean', by: 'queries' }),
});
export type DnsSecond = z.infer<typeof dnsSecond>;

const decodedRecord = z.object({ name: z.string(), type: z.string(), class: z.string(), ttl: z.number().int().nullable(), data: z.string() });

/** A DNS message decoded for people: the packet drawer of the console. */
export const decodedMessage = z.object({
  size: z.number().int(),
  id: z.number().int(),
  opcode: z.string(),
  rcode: z.string(),
  /** Header flags that are set: qr, aa, tc, rd, ra, ad, cd. */
  flags: z.array(z.string()),
  questions: z.array(z.object({ name: z.string(), type: z.string(), class: z.string() })),
  answers: z.array(decodedRecord),
  authorities: z.array(decodedRecord),
  additionals: z.array(decodedRecord),
  /** Why it could not be decoded fully, if so. */
  error: z.string().nullable(),
  hex: z.string(),
});
export type DecodedMessage = z.infer<typeof decodedMessage>;

const ranked = z.array(z.object({ key: z.string(), count: z.number().int() }));

export const dnsApi = {
  procedures: {
    'dns.stats': procedure('Counters of the DNS engine since it started.', z.object({}).strict(), dnsStats, 'viewer'),
    'dns.recentQueries': procedure(
      'The newest entries of the query log, filtered.',
      z.object({ filter: queryLogFilter.default({}), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
      z.object({ entries: z.array(queryLogEntry) }),
      'viewer',
    ),
    'dns.top': procedure(
      'The most frequent names and clients in the query log.',
      z.object({ limit: z.number().int().min(1).max(100).default(10) }).strict(),
      z.object({ names: ranked, clients: ranked }),
      'viewer',
    ),
    'dns.setUpstream': procedure(
      'Takes an upstream out of rotation, or puts it back.',
      z
        .object({
          address: z.string().max(300),
          enabled: z.boolean(),
          /** Only in this pool; without it, in every pool that has the address. */
          pool: z.string().max(64).optional(),
        })
        .strict(),
      z.object({ ok: z.literal(true) }),
      'operator',
    ),
    'dns.cacheFlush': procedure(
      'Empties the cache, or removes one name (all types).',
      z.object({ name: z.string().min(1).max(255).optional() }).strict(),
      z.object({ removed: z.number().int() }),
      'operator',
    ),
    'dns.history': procedure(
      'The last seconds of traffic, oldest first, one entry per second (up to 600).',
      z.object({ seconds: z.number().int().min(1).max(600).default(300) }).strict(),
      z.object({ seconds: z.array(dnsSecond) }),
      'viewer',
    ),
    'dns.configGet': procedure('The config the engine runs with now, defaults filled in.', z.object({}).strict(), z.object({ config: dnsConfig }), 'viewer'),
    'dns.configSet': procedure(
      'Validates and applies a whole DNS config without dropping queries: the pipeline is swapped, listeners kept unless `listen` changed. The host reuses it when the engine restarts; the YAML file is not rewritten.',
      z.object({ config: dnsConfig }).strict(),
      z.object({ config: dnsConfig, listenersChanged: z.boolean() }),
      'operator',
    ),
    'dns.packet': procedure(
      'One captured query and its answer, decoded; E_DNS_NOT_CAPTURED once it left the capture ring.',
      z.object({ seq: z.number().int().min(1) }).strict(),
      z.object({ entry: queryLogEntry, query: decodedMessage, answer: decodedMessage.nullable() }),
      'viewer',
    ),
    'dns.pcap': procedure(
      'The last queries and their answers as a pcap file (base64), for Wireshark or tcpdump.',
      z.object({ limit: z.number().int().min(1).max(100_000).default(1000) }).strict(),
      z.object({ fileName: z.string(), base64: z.string(), packets: z.number().int() }),
      'viewer',
    ),
  },
  streams: {
    'dns.seconds': stream('One entry per second of traffic, for the live chart.', z.object({}).strict(), dnsSecond, 'viewer'),
    'dns.queryLog': stream(
      "Queries as they are answered, in batches (every 200 ms by default), filtered on the server; `dropped` counts entries a batch could not hold; `answers: true` adds each reply's answer records as text.",
      queryLogFilter.extend({ answers: z.boolean().optional() }),
      z.object({ entries: z.array(queryLogEntry), dropped: z.number().int() }),
      'viewer',
    ),
  },
} as const;
