// One YAML file configures the host and every engine. Errors name the file, the key and the line,
// and carry a stable code; nothing starts on a bad config.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { dnsConfig } from '../api/dns.ts';
import { railgunConfig } from '../api/railgun.ts';
import { vaultConfig } from '../api/vault.ts';
import { bundlerConfig } from '../api/bundler.ts';
import { echoConfig } from '../api/echo.ts';
import { plainIssue } from './issue-text.ts';

export const configSchema = z
  .object({
    /** Where the host keeps its files (token, vault, ...); defaults to the platform's data folder. */
    dataDir: z.string().min(1).optional(),
    serve: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        /** Host names (and addresses) the console is reached by, besides loopback: any other Host header is refused (DNS rebinding). */
        names: z.array(z.string().min(1)).default([]),
        /** PEM files of the console's TLS certificate and key; required beyond loopback unless one is generated. */
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        sessions: z
          .object({
            idleTimeoutMinutes: z
              .number()
              .min(1)
              .max(7 * 24 * 60)
              .default(30),
            lifetimeHours: z
              .number()
              .min(0.1)
              .max(30 * 24)
              .default(12),
          })
          .strict()
          .default({ idleTimeoutMinutes: 30, lifetimeHours: 12 }),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8787, names: [], sessions: { idleTimeoutMinutes: 30, lifetimeHours: 12 } }),
    supervisor: z
      .object({
        restartBackoff: z
          .object({
            initialMs: z.number().int().min(10).max(60_000).default(200),
            maxMs: z.number().int().min(100).max(600_000).default(30_000),
            resetAfterMs: z.number().int().min(1000).default(30_000),
          })
          .strict()
          .default({ initialMs: 200, maxMs: 30_000, resetAfterMs: 30_000 }),
      })
      .strict()
      .default({ restartBackoff: { initialMs: 200, maxMs: 30_000, resetAfterMs: 30_000 } }),
    engines: z
      .object({
        echo: echoConfig.default({ enabled: true, tickMs: 1000 }),
        dns: dnsConfig.default(dnsConfig.parse({})),
        railgun: railgunConfig.default(railgunConfig.parse({})),
        vault: vaultConfig.default({ enabled: false }),
        bundler: bundlerConfig.default({ enabled: false, trust: 'current' }),
      })
      .strict()
      .default({
        echo: { enabled: true, tickMs: 1000 },
        dns: dnsConfig.parse({}),
        railgun: railgunConfig.parse({}),
        vault: { enabled: false },
        bundler: { enabled: false, trust: 'current' },
      }),
    /** The history of DNS queries and Railgun requests in the data folder (engine/host/history/). */
    history: z
      .object({
        enabled: z.boolean().default(true),
        maxAgeDays: z.number().min(0.01).max(3650).default(7),
        /** The used part of history.duckdb is kept under this. */
        maxSizeMB: z.number().int().min(16).max(1_048_576).default(2048),
      })
      .strict()
      .default({ enabled: true, maxAgeDays: 7, maxSizeMB: 2048 }),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

export const ConfigErrorCode = {
  missingFile: 'E_CONFIG_MISSING_FILE',
  syntax: 'E_CONFIG_SYNTAX',
  unknownKey: 'E_CONFIG_UNKNOWN_KEY',
  type: 'E_CONFIG_TYPE',
  value: 'E_CONFIG_VALUE',
} as const;

export class ConfigError extends Error {
  readonly code: string;
  readonly file: string;
  readonly key: string | null;
  readonly line: number | null;

  constructor(code: string, file: string, key: string | null, line: number | null, detail: string) {
    const where = [key, line !== null ? `(line ${line} of ${file})` : `(${file})`].filter(Boolean).join(' ');
    super(`config: ${where}: ${detail}`);
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.key = key;
    this.line = line;
  }
}

/** The built-in defaults: what runs when no config file is given. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(
      ConfigErrorCode.missingFile,
      file,
      null,
      null,
      `cannot read it: ${reason} — pass an existing file with --config, or leave --config out to use the defaults`,
    );
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new ConfigError(ConfigErrorCode.syntax, file, null, line, `not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;

  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  const lineOf = (keyPath: (string | number)[]) => {
    const offset = keyOffset(doc, keyPath);
    return offset === null ? null : lines.linePos(offset).line;
  };
  if (issue.code === 'unrecognized_keys') {
    const key = [...path, issue.keys[0]!];
    const known = knownKeys(path);
    const hint = known.length > 0 ? ` — known keys here: ${known.join(', ')}` : '';
    throw new ConfigError(ConfigErrorCode.unknownKey, file, formatKey(key), lineOf(key), `unknown key "${issue.keys[0]}"${hint}`);
  }
  const code = issue.code === 'invalid_type' ? ConfigErrorCode.type : ConfigErrorCode.value;
  throw new ConfigError(code, file, formatKey(path), lineOf(path), plainIssue(issue));
}

function formatKey(path: (string | number)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

/** Where the key of `path` starts in the text, or where its closest existing parent does. */
function keyOffset(doc: Document, path: (string | number)[]): number | null {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[depth - 1]);
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  return null;
}

function knownKeys(path: (string | number)[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (!(schema instanceof z.ZodObject)) return [];
    const next = (schema.shape as Record<string, z.ZodType>)[String(part)];
    if (!next) return [];
    schema = next;
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}
