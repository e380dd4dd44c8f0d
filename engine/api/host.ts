// host: the engine host itself: which engines run, their state, and restarting them.
import { z } from 'zod';
import { procedure, stream } from './contract.ts';

export const engineName = z.enum(['echo', 'dns', 'railgun', 'vault', 'bundler']);
export type EngineName = z.infer<typeof engineName>;

export const engineStatus = z.enum(['starting', 'running', 'crashed', 'stopping', 'stopped']);
export type EngineStatus = z.infer<typeof engineStatus>;

const exitInfo = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.number(),
});

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
});
export type EngineState = z.infer<typeof engineState>;

export const engineEvent = z.object({
  at: z.number(),
  engine: engineName,
  kind: z.enum(['started', 'crashed', 'restarting', 'stopped', 'upgrading', 'upgraded', 'upgrade failed']),
  message: z.string(),
});
export type EngineEvent = z.infer<typeof engineEvent>;

export const hostSnapshot = z.object({
  engines: z.array(engineState),
  /** The most recent lifecycle events, oldest first, bounded. */
  events: z.array(engineEvent),
});
export type HostSnapshot = z.infer<typeof hostSnapshot>;

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
    'host.upgradeEngine': procedure(
      'Replaces a running engine process by a new one from the code on disk without a gap (engines that share their sockets: dns): the new one must answer a probe before the old one drains; a failed probe rolls back.',
      z.object({ name: engineName }).strict(),
      engineUpgrade,
      'operator',
    ),
  },
  streams: {
    'host.watchEngines': stream(
      'Engine states: sent on every change and once a second.',
      z.object({}).strict(),
      hostSnapshot,
      'viewer',
    ),
  },
} as const;
