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

export const engineState = z.object({
  name: engineName,
  status: engineStatus,
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
  kind: z.enum(['started', 'crashed', 'restarting', 'stopped']),
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
    ),
    'host.engines': procedure('State of every engine process.', z.object({}).strict(), hostSnapshot),
    'host.restartEngine': procedure(
      'Stops an engine process and starts a new one.',
      z.object({ name: engineName }).strict(),
      z.object({ ok: z.literal(true) }),
    ),
  },
  streams: {
    'host.watchEngines': stream(
      'Engine states: sent on every change and once a second.',
      z.object({}).strict(),
      hostSnapshot,
    ),
  },
} as const;
