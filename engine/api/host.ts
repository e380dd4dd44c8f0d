// host: the engine host itself: which engines run, their state, and restarting them.
import { z } from 'zod';
import { procedure, stream } from './contract.ts';
import { queryLogEntry, queryLogFilter } from './dns.ts';
import { railgunRequest } from './railgun.ts';

export const engineName = z.enum(['echo', 'dns', 'railgun', 'vault', 'bundler']);
export type EngineName = z.infer<typeof engineName>;

/** failed: its start failed in a way a retry repeats (a port in use, a bad config); not restarted until asked. */
export const engineStatus = z.enum(['starting', 'running', 'crashed', 'failed', 'stopping', 'stopped']);
export type EngineStatus = z.infer<typeof engineStatus>;

const exitInfo = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.number(),
});

/** Why the engine's last start failed: a stable code, the error, and what to do about it. */
export const engineError = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string(),
  /** False when the host stopped restarting it because the next start would fail the same way. */
  retrying: z.boolean(),
  at: z.number(),
});
export type EngineError = z.infer<typeof engineError>;

/** The latest zero-downtime upgrade of an engine: where it is, and how it ended. */
export const engineUpgrade = z.object({
  phase: z.enum(['starting', 'probing', 'carrying state', 'draining', 'done', 'rolled back']),
  /** The code version of the process being replaced, and of the new one once it reported. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** What happened, for a person: why it was rolled back, or how long the drain took. */
  message: z.string(),
});
export type EngineUpgrade = z.infer<typeof engineUpgrade>;

/** One process of an engine (the DNS engine runs `workers` of them on the same sockets). */
export const engineProcess = z.object({
  worker: z.number().int().nonnegative(),
  pid: z.number().int(),
  status: z.enum(['starting', 'running', 'draining']),
  version: z.string().nullable(),
  startedAt: z.number(),
  rssBytes: z.number().nullable(),
});
export type EngineProcess = z.infer<typeof engineProcess>;

export const engineState = z.object({
  name: engineName,
  status: engineStatus,
  /** The code the running process runs: package version and build time. */
  version: z.string().nullable(),
  /** Every process of the engine now: one, or the DNS engine's workers (during an upgrade, old and new). */
  processes: z.array(engineProcess),
  upgrade: engineUpgrade.nullable(),
  pid: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
  /** When the current process started (epoch ms), null when none runs. */
  startedAt: z.number().nullable(),
  rssBytes: z.number().nullable(),
  heapUsedBytes: z.number().nullable(),
  lastExit: exitInfo.nullable(),
  /** Epoch ms of the next restart attempt while crashed. */
  restartAt: z.number().nullable(),
  /** The last start failure, until the engine runs again. */
  lastError: engineError.nullable(),
});
export type EngineState = z.infer<typeof engineState>;

export const engineEvent = z.object({
  at: z.number(),
  engine: engineName,
  kind: z.enum(['started', 'crashed', 'failed', 'restarting', 'stopped', 'upgrading', 'upgraded', 'upgrade failed']),
  message: z.string(),
});
export type EngineEvent = z.infer<typeof engineEvent>;

export const hostSnapshot = z.object({
  engines: z.array(engineState),
  /** The most recent lifecycle events, oldest first, bounded. */
  events: z.array(engineEvent),
});
export type HostSnapshot = z.infer<typeof hostSnapshot>;

// Health at a glance: per engine ok / degraded / down with the reasons, its key figures, and the
// engines this host does not run (with the config that turns them on). The host works it out
// (engine/host/health.ts); the console shows it as a banner, nav badges, the title and the Overview.
export const healthLevel = z.enum(['ok', 'degraded', 'down']);
export type HealthLevel = z.infer<typeof healthLevel>;

/** One key figure of an engine: a number with its unit, or a state in words (`text`). */
export const healthFigure = z.object({
  label: z.string(),
  value: z.number().nullable(),
  unit: z.enum(['per second', 'ratio', 'count', 'ms', 'days', 'text']),
  text: z.string().nullable(),
});
export type HealthFigure = z.infer<typeof healthFigure>;

export const engineHealth = z.object({
  name: engineName,
  level: healthLevel,
  /** Why it is not ok, for a person, most serious first; empty when ok. */
  reasons: z.array(z.string()),
  figures: z.array(healthFigure),
});
export type EngineHealth = z.infer<typeof engineHealth>;

export const hostHealth = z.object({
  /** The worst level of any engine. */
  level: healthLevel,
  engines: z.array(engineHealth),
  /** Engines this host can run that its config leaves off, with the YAML that turns each on. */
  disabled: z.array(z.object({ name: engineName, enable: z.string() })),
  at: z.number(),
});
export type HostHealth = z.infer<typeof hostHealth>;

/** One operator action on record (engine/host/operator-audit.ts), in the vault's hash-chained format. */
export const operatorAuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  event: z.enum(['config-set', 'railgun-start', 'railgun-stop', 'cache-flush', 'upstream-set', 'engine-restart', 'engine-upgrade', 'audit-recovered']),
  /** Who: the console session (its address and connection), or the desktop app. */
  actor: z.string().nullable(),
  /** What: the engine, upstream or name; `changes` lists each config key before → after; `result` done or refused. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()])),
  prev: z.string(),
  hash: z.string(),
});
export type OperatorAuditEntry = z.infer<typeof operatorAuditEntry>;

/** A range of the history: [since, until) in ms since the epoch; until defaults to now. */
const historyRange = { since: z.number(), until: z.number().optional() };

const historyRequest = z
  .object({
    ...historyRange,
    filter: queryLogFilter.default({}),
    limit: z.number().int().min(1).max(10_000).default(500),
    /** Chart buckets over the range (the bucket is at least 1 s). */
    buckets: z.number().int().min(1).max(2000).default(300),
  })
  .strict();

const ranked = z.array(z.object({ key: z.string(), count: z.number().int() }));

/** One bucket of the history chart. */
export const historyPoint = z.object({
  at: z.number(),
  queries: z.number().int(),
  cached: z.number().int(),
  errors: z.number().int(),
  nxdomain: z.number().int(),
});
export type HistoryPoint = z.infer<typeof historyPoint>;

export const historyExportFormat = z.enum(['csv', 'jsonl', 'parquet']);
export type HistoryExportFormat = z.infer<typeof historyExportFormat>;

export const historyExportStatus = z.object({
  state: z.enum(['writing', 'ready', 'failed', 'cancelled']),
  /** Of the writing, 0 to 1. */
  fraction: z.number(),
  rows: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type HistoryExportStatus = z.infer<typeof historyExportStatus>;

const exportJob = z.object({ job: z.string().uuid() }).strict();

export const hostApi = {
  procedures: {
    'host.info': procedure(
      'Version of the host and the runtime it runs on.',
      z.object({}).strict(),
      z.object({ version: z.string(), node: z.string(), platform: z.string(), startedAt: z.number() }),
      'viewer',
    ),
    'host.engines': procedure('State of every engine process.', z.object({}).strict(), hostSnapshot, 'viewer'),
    'host.restartEngine': procedure(
      'Stops an engine process and starts a new one.',
      z.object({ name: engineName }).strict(),
      z.object({ ok: z.literal(true) }),
      'operator',
    ),
    'host.health': procedure(
      'Health of every engine (ok, degraded, down) with the reasons and key figures, and the engines left off.',
      z.object({}).strict(),
      hostHealth,
      'viewer',
    ),
    'host.audit': procedure(
      'Operator actions, newest first (older than `beforeSeq` when given), and whether the hash chain is intact.',
      z.object({ limit: z.number().int().min(1).max(10_000).default(50), beforeSeq: z.number().int().positive().optional() }).strict(),
      z.object({
        entries: z.array(operatorAuditEntry),
        check: z.object({ ok: z.boolean(), entries: z.number().int(), brokenAt: z.number().int().nullable(), reason: z.string().nullable() }),
      }),
      'viewer',
    ),
    'host.queryHistory': procedure(
      'DNS queries kept in the history store (the data folder) over a time range, filtered as the live log: the newest first (with their answers), how many match, the top names and clients, and a chart of the range in `buckets` buckets.',
      historyRequest,
      z.object({
        entries: z.array(queryLogEntry),
        matched: z.number().int(),
        top: z.object({ names: ranked, clients: ranked }),
        chart: z.object({ bucketMs: z.number().int(), points: z.array(historyPoint) }),
        /** Entries the host could not keep since it started (more waited than it holds). */
        dropped: z.number().int(),
      }),
      'viewer',
    ),
    'host.requestHistory': procedure(
      'Railgun requests kept in the history store over a time range, newest first, by URL substring, outcome and status; with how many match.',
      z
        .object({
          ...historyRange,
          url: z.string().max(2048).optional(),
          outcome: z.string().max(32).optional(),
          status: z.number().int().min(100).max(599).optional(),
          limit: z.number().int().min(1).max(10_000).default(500),
        })
        .strict(),
      z.object({ requests: z.array(railgunRequest), matched: z.number().int() }),
      'viewer',
    ),
    'host.historyExport': procedure(
      'Starts writing a selection of the history (DNS queries as host.queryHistory selects them, or Railgun requests by URL) to a file as CSV, JSON lines or Parquet; follow it with host.historyExportStatus, then read it with host.historyExportRead.',
      z
        .object({
          ...historyRange,
          table: z.enum(['queries', 'requests']).default('queries'),
          filter: queryLogFilter.default({}),
          url: z.string().max(2048).optional(),
          format: historyExportFormat,
        })
        .strict(),
      z.object({ job: z.string(), fileName: z.string() }),
      'viewer',
    ),
    'host.historyExportStatus': procedure('How far an export has got.', exportJob, historyExportStatus, 'viewer'),
    'host.historyExportRead': procedure(
      'A slice (up to 1 MiB, base64) of a written export from `offset`; the last slice (`done`) ends the job.',
      exportJob.extend({ offset: z.number().int().min(0) }),
      z.object({ base64: z.string(), done: z.boolean() }),
      'viewer',
    ),
    'host.historyExportCancel': procedure('Stops an export and deletes what it wrote.', exportJob, z.object({ cancelled: z.boolean() }), 'viewer'),
    'host.upgradeEngine': procedure(
      'Replaces a running engine process by a new one from the code on disk without a gap (engines that share their sockets: dns): the new one must answer a probe before the old one drains; a failed probe rolls back.',
      z.object({ name: engineName }).strict(),
      engineUpgrade,
      'operator',
    ),
  },
  streams: {
    'host.watchEngines': stream('Engine states: sent on every change and once a second.', z.object({}).strict(), hostSnapshot, 'viewer'),
    'host.watchHealth': stream('Health of every engine: sent each time the host checks it (every 2 s).', z.object({}).strict(), hostHealth, 'viewer'),
  },
} as const;
