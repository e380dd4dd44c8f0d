// railgun: the delta link between an origin (listener) and an edge (sender): its config, the
// savings per URL and in total, the link's state, and the live feeds of the Railgun page.
import { z } from 'zod';
import { procedure, stream } from './contract.ts';
import { hostPort } from './address.ts';

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'write an http:// or https:// URL, e.g. http://127.0.0.1:8000');

export const railgunLimits = z
  .object({
    /** Versions kept per cache key on each end; the sender announces its newest. */
    versionsPerKey: z.number().int().min(1).max(64).default(4),
    /** All versions together, per end; the least recently used keys go first. */
    storeBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(8 * 1024 * 1024 * 1024)
      .default(256 * 1024 * 1024),
    /** Bodies larger than this stream through without delta (and are not stored). */
    maxDeltaBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /**
     * zstd level of deltas of bodies up to `largeBodyBytes`. 19: on the page corpus the CLI's
     * `zstd -19 --patch-from` bytes (level 9: 1.09x), for ~10-40 ms of the listener's CPU a page
     * of 100 KB; set 9 (~1-3 ms) where time to first byte matters more than link bytes.
     */
    deltaLevel: z.number().int().min(1).max(22).default(19),
    /** zstd level of full bodies (no base held) up to `largeBodyBytes`: once per key, so worth a high level. */
    fullLevel: z.number().int().min(1).max(22).default(19),
    /** Bodies larger than this are coded at `largeBodyLevel` (a high level costs ~1 s per MB there). */
    largeBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(512 * 1024),
    /** zstd level of deltas and full bodies over `largeBodyBytes`. */
    largeBodyLevel: z.number().int().min(1).max(22).default(9),
  })
  .strict();
export type RailgunLimits = z.infer<typeof railgunLimits>;

/**
 * Sender: what one client, and all of them, may hold of the sender's public port. Defaults stay
 * well under a process's usual 20,000-file limit (a refused connection holds a descriptor for up
 * to a second too), since running out of descriptors fails everything else in the process.
 */
export const railgunClients = z
  .object({
    /** Connections the sender serves at once; the next ones get 503 with Retry-After. */
    maxConnections: z.number().int().min(1).max(100_000).default(4096),
    /** Connections one client address (IPv4, or IPv6 /64) may hold; behind a load balancer raise it to maxConnections. */
    maxConnectionsPerAddress: z.number().int().min(1).max(100_000).default(256),
    /** A connection that has not sent a whole request header this long after it opened (on a kept connection: after a request's first byte) is closed. */
    headerTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** A client that takes no byte of its answer this long is cut off, and what it held goes back (nginx's send_timeout). */
    sendTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    /**
     * Page bodies the sender holds for its clients at once: being read from the link, decoded, or
     * sent (a page sent to many clients counts once). A request that would pass it gets 503.
     */
    bufferBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(8 * 1024 * 1024 * 1024)
      .default(256 * 1024 * 1024),
  })
  .strict();
export type RailgunClients = z.infer<typeof railgunClients>;

/**
 * Sender: where its versions live. memory (the default): in the process. redis: shared by every
 * sender that names the same Redis, so senders behind one load balancer give each other bases.
 */
export const railgunStore = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('redis'),
      /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
      url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'write a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379'),
      /** Sets the server's maxmemory (with LRU eviction of versions) when given; leave it out where the operator sets it. */
      maxBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .optional(),
      /** Seconds a version of a cacheable page stays unused in Redis (no-store ones: `noStoreIdleMs`). */
      ttl: z
        .number()
        .int()
        .min(1)
        .max(30 * 86400)
        .default(86400),
    })
    .strict(),
]);
export type RailgunStore = z.infer<typeof railgunStore>;

export const railgunConfig = z
  .object({
    enabled: z.boolean().default(false),
    /**
     * pair: both ends in this process, joined over loopback TLS (a generated certificate, pinned,
     * and a generated token) — the console's demo and test setup. listener / sender: one end, the
     * other runs elsewhere (`signalbox railgun ...`).
     */
    role: z.enum(['pair', 'listener', 'sender']).default('pair'),
    /** false keeps the engine up with both ends stopped (the page's stop button). */
    running: z.boolean().default(true),
    /** Listener: where the origin is. */
    origin: httpUrl.default('http://127.0.0.1:8000'),
    /** Listener: the link's TLS address (pair: an ephemeral loopback port when left out). */
    linkListen: hostPort.optional(),
    /** Sender: the listener's link URL (role sender only; pair connects to its own listener). */
    link: httpUrl.optional(),
    /** Sender: where edge clients connect. */
    listen: hostPort.default('127.0.0.1:8080'),
    /** TLS and token files for the listener and sender roles (PEM; the token file holds one line). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    ca: z.string().min(1).optional(),
    /** Sender: the listener's public key, `sha256/<base64>` of its SubjectPublicKeyInfo. */
    pin: z
      .string()
      .regex(/^sha256\/[A-Za-z0-9+/]{43}=$/, 'write it as sha256/<base64 of 32 bytes>')
      .optional(),
    tokenFile: z.string().min(1).optional(),
    /**
     * true: `Cache-Control: no-store` responses stream through as they are, as a cache would treat
     * them. false: they are delta-encoded too, their versions kept per user, in memory only, and
     * dropped after `noStoreIdleMs` unused (engine/railgun/README.md says why that is sound).
     */
    honourNoStore: z.boolean().default(false),
    /** How long a version of a no-store response is kept without being used, on each end. */
    noStoreIdleMs: z
      .number()
      .int()
      .min(100)
      .max(24 * 3600_000)
      .default(10 * 60_000),
    limits: railgunLimits.prefault({}),
    clients: railgunClients.prefault({}),
    store: railgunStore.default({ kind: 'memory' }),
  })
  .strict();
export type RailgunConfig = z.infer<typeof railgunConfig>;

/** How a response crossed the link. */
export const baseOutcome = z.enum([
  /** dcz against a version both ends held. */
  'hit',
  /** The sender announced a version the listener did not hold: full body. */
  'miss',
  /** The sender held no version of this key: full body. */
  'none',
  /** Not delta material (not GET, not 200, Range, binary, too large, no-store with honourNoStore): streamed as is. */
  'pass',
]);
export type BaseOutcome = z.infer<typeof baseOutcome>;

/** What went wrong with a request the pair could not answer with the origin's page. */
export const failureKind = z.enum([
  /** The origin refused the connection (ECONNREFUSED). */
  'origin-refused',
  /** The origin sent no response within the listener's origin timeout. */
  'origin-timeout',
  /** Any other failure to reach the origin: no route, name not found, reset before an answer. */
  'origin-unreachable',
  /** The origin answered 500-599 (passed on to the client as it is). */
  'origin-5xx',
  /** The link to the listener was not up in time (504 of the sender). */
  'link-down',
  /** The pair itself could not answer (502 of the sender or the listener for any other reason). */
  'pair',
]);
export type FailureKind = z.infer<typeof failureKind>;
export const failureKinds = failureKind.options;

export const failure = z.object({
  at: z.number(),
  kind: failureKind,
  /** For the operator: "connect ECONNREFUSED 127.0.0.1:8000", "the origin answered 503". Never sent to clients. */
  message: z.string(),
});
export type Failure = z.infer<typeof failure>;

export const errorsByKind = z.object(Object.fromEntries(failureKinds.map((kind) => [kind, z.number().int()])) as Record<FailureKind, z.ZodNumber>);
export type ErrorsByKind = z.infer<typeof errorsByKind>;

export const savings = z.object({
  requests: z.number().int(),
  /** Bytes of the bodies as the origin sent them. */
  rawBytes: z.number(),
  /** Bytes of the bodies on the link (delta, compressed or as is). */
  linkBytes: z.number(),
  /** Requests answered with a delta. */
  deltaHits: z.number().int(),
  /** Requests that were delta material (everything but `pass`). */
  deltaEligible: z.number().int(),
  /** A delta that failed verification and was fetched again in full. */
  retries: z.number().int(),
  /** Requests that failed: a 502/504 of the pair, or a 5xx of the origin (kinds in `errorsByKind`). */
  errors: z.number().int(),
  errorsByKind,
  /** The most recent failure, null when there was none. */
  lastFailure: failure.nullable(),
  encodeMs: z.number(),
  decodeMs: z.number(),
});
export type Savings = z.infer<typeof savings>;

export const urlSavings = savings.extend({
  url: z.string(),
  lastAt: z.number(),
  lastOutcome: baseOutcome,
});
export type UrlSavings = z.infer<typeof urlSavings>;

export const linkState = z.object({
  state: z.enum(['stopped', 'connecting', 'up', 'down']),
  /** Where the sender connects (or the listener listens), null when not known. */
  address: z.string().nullable(),
  /** The latest PING round trip. */
  rttMs: z.number().nullable(),
  /** Since when the link has been up, epoch ms. */
  upSince: z.number().nullable(),
  reconnects: z.number().int(),
  /** Bytes through the link's TLS socket, both directions, framing included. */
  socketBytesSent: z.number(),
  socketBytesReceived: z.number(),
  lastError: z.string().nullable(),
});
export type LinkState = z.infer<typeof linkState>;

/** The sender's clients: connections now and what the limits turned away since the ends started. */
export const clientStats = z.object({
  /** Connections being served now. */
  open: z.number().int(),
  /** Connections turned away with 503: the sender held `maxConnections`. */
  refusedFull: z.number().int(),
  /** Connections turned away with 503: their address held `maxConnectionsPerAddress`. */
  refusedPerAddress: z.number().int(),
  /** Turned-away connections closed at once, without a 503: as many were already waiting for theirs. */
  closedUnanswered: z.number().int(),
  /** Connections closed for sending no whole request header within `headerTimeoutMs`. */
  headerTimeouts: z.number().int(),
  /** Requests answered 503: `bufferBytes` was spent. */
  refusedBusy: z.number().int(),
  /** Bytes of page bodies held for clients now (within `bufferBytes`). */
  bodyBytes: z.number(),
  /** Bytes written to client sockets that the kernel has not taken yet (at most ~128 KiB a connection). */
  bufferedBytes: z.number(),
});
export type ClientStats = z.infer<typeof clientStats>;

export const railgunStatus = z.object({
  /** When the engine process started (epoch ms): every counter here counts from then. */
  since: z.number(),
  role: railgunConfig.shape.role,
  running: z.boolean(),
  /** Why the ends are not running although the config says so (an address in use, a missing file). */
  error: z.string().nullable(),
  origin: z.string().nullable(),
  /** Where edge clients connect (sender), null for a listener only. */
  senderAddress: z.string().nullable(),
  listenerAddress: z.string().nullable(),
  link: linkState,
  totals: savings,
  /** Versions held per end. */
  store: z.object({ keys: z.number().int(), versions: z.number().int(), bytes: z.number() }),
  /** The sender's clients (zeros without a sender). */
  clients: clientStats,
});
export type RailgunStatus = z.infer<typeof railgunStatus>;

export const railgunSecond = z.object({
  at: z.number(),
  requests: z.number().int(),
  rawBytes: z.number(),
  linkBytes: z.number(),
});
export type RailgunSecond = z.infer<typeof railgunSecond>;

export const railgunRequest = z.object({
  at: z.number(),
  url: z.string(),
  status: z.number().int(),
  outcome: baseOutcome,
  rawBytes: z.number(),
  linkBytes: z.number(),
  /** Time from the client's request to the last byte the pair sent it. */
  totalMs: z.number(),
  originMs: z.number().nullable(),
  /** Why it failed, for a request that did. */
  failure: failure.nullable(),
});
export type RailgunRequest = z.infer<typeof railgunRequest>;

export const railgunApi = {
  procedures: {
    'railgun.status': procedure('State of the ends, the link and the total savings.', z.object({}).strict(), railgunStatus, 'viewer'),
    'railgun.urls': procedure(
      'Savings per URL (the most recently used, up to `limit`).',
      z.object({ limit: z.number().int().min(1).max(10_000).default(1000) }).strict(),
      z.object({ urls: z.array(urlSavings) }),
      'viewer',
    ),
    'railgun.history': procedure(
      'The last seconds of traffic, oldest first (up to 600).',
      z.object({ seconds: z.number().int().min(1).max(600).default(300) }).strict(),
      z.object({ seconds: z.array(railgunSecond) }),
      'viewer',
    ),
    'railgun.configGet': procedure('The config the engine runs with now.', z.object({}).strict(), z.object({ config: railgunConfig }), 'viewer'),
    'railgun.configSet': procedure(
      'Applies a whole Railgun config: the ends restart when what they serve changed. The host reuses it when the engine restarts.',
      z.object({ config: railgunConfig }).strict(),
      z.object({ config: railgunConfig }),
      'operator',
    ),
  },
  streams: {
    'railgun.seconds': stream('One entry per second of traffic, for the live chart.', z.object({}).strict(), railgunSecond, 'viewer'),
    'railgun.requests': stream(
      'Requests as they finish, in batches of up to 250 ms; `dropped` counts those a batch could not hold.',
      z.object({}).strict(),
      z.object({ requests: z.array(railgunRequest), dropped: z.number().int() }),
      'viewer',
    ),
  },
} as const;
