// echo: a tiny built-in engine that exercises the plumbing end to end (process, RPC, streams).
import { z } from 'zod';
import { procedure, stream } from './contract.ts';

export const echoConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** Interval of the tick stream, in milliseconds. */
    tickMs: z.number().int().min(50).max(60_000).default(1000),
  })
  .strict();
export type EchoConfig = z.infer<typeof echoConfig>;

export const echoApi = {
  procedures: {
    'echo.status': procedure(
      'Process facts of the echo engine.',
      z.object({}).strict(),
      z.object({ pid: z.number().int(), uptimeMs: z.number(), calls: z.number().int() }),
      'viewer',
    ),
    'echo.ping': procedure(
      'Answers at once; measures a round trip through the host.',
      z.object({ sentAt: z.number() }).strict(),
      z.object({ sentAt: z.number(), answeredAt: z.number() }),
      'viewer',
    ),
    'echo.echo': procedure('Returns the text it was given.', z.object({ text: z.string().max(64 * 1024) }).strict(), z.object({ text: z.string() }), 'viewer'),
  },
  streams: {
    'echo.ticks': stream('A counter sent at the configured interval.', z.object({}).strict(), z.object({ n: z.number().int(), at: z.number() }), 'viewer'),
  },
} as const;
