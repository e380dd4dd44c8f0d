// Structured logs: one JSON object a line on stderr, naming the engine and module. Fields whose
// names suggest a secret are replaced, as a last guard: callers must not pass secrets at all.
import type { Logger } from '../api/engine.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const levels: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretField = /pass(word)?|secret|token|private|plaintext|authorization|cookie/i;

export interface LogOptions {
  engine: string;
  module?: string;
  level?: Level;
  write?: (line: string) => void;
}

export function createLogger(options: LogOptions): Logger {
  const min = levels[options.level ?? (process.env.SIGNALBOX_LOG_LEVEL as Level | undefined) ?? 'info'] ?? levels.info;
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (levels[level] < min) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, engine: options.engine };
    if (options.module) record.module = options.module;
    record.msg = msg;
    for (const [key, value] of Object.entries(fields ?? {})) {
      record[key] = secretField.test(key) ? '[redacted]' : value instanceof Error ? value.message : value;
    }
    write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (module) => createLogger({ ...options, module: options.module ? `${options.module}/${module}` : module }),
  };
}
