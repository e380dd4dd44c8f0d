// dns: the DNS proxy engine (RRDNS). This first part covers listeners, the module pipeline and
// forwarding; cache, rrl, flatten and the query log join it (issue 3).
import { z } from 'zod';
import { procedure, stream } from './contract.ts';

/** "127.0.0.1:53" or "[::1]:53"; the port is required so that nothing is guessed. */
export const hostPort = z.string().refine(
  (value) => /^(\[[0-9a-fA-F:.]+\]|[0-9.]+):\d{1,5}$/.test(value) && Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535,
  'write it as ADDRESS:PORT with a port of 0-65535, e.g. 127.0.0.1:53 or [::1]:53',
);

export const dnsConfig = z
  .object({
    enabled: z.boolean().default(false),
    listen: z.array(hostPort).min(1).default(['127.0.0.1:5353']),
    /** Empty: the resolvers of /etc/resolv.conf. An entry is ADDR:PORT or { address, weight }. */
    upstreams: z.array(z.union([hostPort, z.object({ address: hostPort, weight: z.number().min(0.01).max(1000).default(1) }).strict()])).default([]),
    policy: z.enum(['round-robin', 'least-outstanding', 'weighted-random', 'first-available']).default('round-robin'),
    healthCheck: z
      .object({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(100).max(600_000).default(2000),
        /** Asked as NS; any answer, even REFUSED, counts as alive. */
        probeName: z.string().min(1).max(255).default('.'),
        failsToDown: z.number().int().min(1).max(100).default(3),
        successesToUp: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /** How long one upstream try may take before the next upstream is tried. */
    upstreamTimeoutMs: z.number().int().min(50).max(10_000).default(1000),
    /** The whole budget of a client query, all tries included. */
    queryTimeoutMs: z.number().int().min(100).max(30_000).default(3000),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        maxEntries: z.number().int().min(1).default(100_000),
        maxBytes: z.number().int().min(4096).default(64 * 1024 * 1024),
        minTtl: z.number().int().min(0).default(0),
        maxTtl: z.number().int().min(1).default(86_400),
        maxNegativeTtl: z.number().int().min(0).default(3600),
        staleMaxAgeSeconds: z.number().int().min(0).default(86_400),
      })
      .strict()
      .default({ enabled: true, maxEntries: 100_000, maxBytes: 64 * 1024 * 1024, minTtl: 0, maxTtl: 86_400, maxNegativeTtl: 3600, staleMaxAgeSeconds: 86_400 }),
    querylog: z
      .object({
        size: z.number().int().min(100).max(1_000_000).default(10_000),
        batchMs: z.number().int().min(50).max(5000).default(200),
        maxBatch: z.number().int().min(10).max(100_000).default(5000),
      })
      .strict()
      .prefault({}),
    rrl: z
      .object({
        enabled: z.boolean().default(false),
        responsesPerSecond: z.number().min(0.1).max(1e6).default(5),
        nodataPerSecond: z.number().min(0).default(0),
        nxdomainsPerSecond: z.number().min(0).default(0),
        errorsPerSecond: z.number().min(0).default(0),
        allPerSecond: z.number().min(0).default(0),
        window: z.number().int().min(1).max(3600).default(5),
        slip: z.number().int().min(0).max(10).default(2),
        ipv4PrefixLength: z.number().int().min(0).max(32).default(24),
        ipv6PrefixLength: z.number().int().min(0).max(128).default(56),
        exempt: z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'write an address or a CIDR block, e.g. 10.0.0.0/8')).default([]),
        logOnly: z.boolean().default(false),
        maxAccounts: z.number().int().min(100).default(200_000),
      })
      .strict()
      .prefault({}),
    flatten: z
      .object({
        names: z.array(z.string().min(1).max(255)).default([]),
        maxChain: z.number().int().min(1).max(16).default(8),
      })
      .strict()
      .prefault({}),
    tcp: z
      .object({
        idleTimeoutMs: z.number().int().min(100).default(10_000),
        maxConnections: z.number().int().min(1).default(256),
      })
      .strict()
      .default({ idleTimeoutMs: 10_000, maxConnections: 256 }),
  })
  .strict();
export type DnsConfig = z.infer<typeof dnsConfig>;

export const dnsStats = z.object({
  queries: z.number().int(),
  answered: z.number().int(),
  servfail: z.number().int(),
  formerr: z.number().int(),
  truncated: z.number().int(),
  moduleErrors: z.record(z.string(), z.number().int()),
  cache: z.object({ entries: z.number().int(), bytes: z.number().int(), hits: z.number().int(), misses: z.number().int(), stale: z.number().int() }).nullable(),
  rrl: z
    .object({
      accounts: z.number().int(),
      limited: z.record(z.string(), z.number().int()),
      slipped: z.number().int(),
      dropped: z.number().int(),
      wouldLimit: z.number().int(),
    })
    .nullable(),
  listening: z.array(z.object({ address: z.string(), transport: z.enum(['udp', 'tcp']) })),
  upstreams: z.array(
    z.object({
      address: z.string(),
      weight: z.number(),
      enabled: z.boolean(),
      healthy: z.boolean(),
      sent: z.number().int(),
      answered: z.number().int(),
      timeouts: z.number().int(),
      outstanding: z.number().int(),
      latencyMs: z.number().nullable(),
    }),
  ),
});
export type DnsStats = z.infer<typeof dnsStats>;

export const queryLogEntry = z.object({
  seq: z.number().int(),
  at: z.number(),
  client: z.string(),
  transport: z.enum(['udp', 'tcp']),
  qname: z.string(),
  qtype: z.number().int(),
  /** -1 when nothing was sent (dropped by rrl). */
  rcode: z.number().int(),
  upstream: z.string().nullable(),
  latencyMs: z.number(),
  cache: z.enum(['hit', 'miss', 'stale']).nullable(),
  rrl: z.enum(['slip', 'drop']).nullable(),
  flattened: z.boolean(),
});
export type QueryLogEntry = z.infer<typeof queryLogEntry>;

export const queryLogFilter = z
  .object({
    client: z.string().max(64).optional(),
    /** A substring of the name, case-insensitive. */
    qname: z.string().max(255).optional(),
    qtype: z.number().int().min(0).max(65535).optional(),
    rcode: z.number().int().min(-1).max(15).optional(),
    upstream: z.string().max(64).optional(),
    cache: z.enum(['hit', 'miss', 'stale']).optional(),
    rrl: z.enum(['slip', 'drop']).optional(),
  })
  .strict();
export type QueryLogFilter = z.infer<typeof queryLogFilter>;

const ranked = z.array(z.object({ key: z.string(), count: z.number().int() }));

export const dnsApi = {
  procedures: {
    'dns.stats': procedure('Counters of the DNS engine since it started.', z.object({}).strict(), dnsStats),
    'dns.recentQueries': procedure(
      'The newest entries of the query log, filtered.',
      z.object({ filter: queryLogFilter.default({}), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
      z.object({ entries: z.array(queryLogEntry) }),
    ),
    'dns.top': procedure(
      'The most frequent names and clients in the query log.',
      z.object({ limit: z.number().int().min(1).max(100).default(10) }).strict(),
      z.object({ names: ranked, clients: ranked }),
    ),
    'dns.setUpstream': procedure(
      'Takes an upstream out of rotation, or puts it back.',
      z.object({ address: z.string().max(64), enabled: z.boolean() }).strict(),
      z.object({ ok: z.literal(true) }),
    ),
    'dns.cacheFlush': procedure(
      'Empties the cache, or removes one name (all types).',
      z.object({ name: z.string().min(1).max(255).optional() }).strict(),
      z.object({ removed: z.number().int() }),
    ),
  },
  streams: {
    'dns.queryLog': stream(
      'Queries as they are answered, in batches (every 200 ms by default), filtered on the server; `dropped` counts entries a batch could not hold.',
      queryLogFilter,
      z.object({ entries: z.array(queryLogEntry), dropped: z.number().int() }),
    ),
  },
} as const;
