// `signalbox queries`: reads the DNS query history a host keeps in its data folder and prints the
// matching queries, newest first, as CSV or JSON lines: through the running host's local socket
// when one holds the file (DuckDB lets no other process open it then), else from the file, read-only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { QueryLogEntry, QueryLogFilter } from '../../api/dns.ts';
import { rcodeCode, rcodeText, typeCode, typeName } from './dns-names.ts';
import { searchThroughHost } from './history-socket.ts';
import { HistoryStore } from './history-store.ts';
import { historyFile, type QuerySearch } from './schema.ts';

export class QueriesUsageError extends Error {
  override name = 'QueriesUsageError';
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "5m", "1h", "7d" as milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  if (!match) throw new QueriesUsageError(`queries: --since "${text}": write a duration such as 90s, 5m, 1h or 7d`);
  return Number(match[1]) * units[match[2]!]!;
}

const csvColumns = ['time', 'client', 'transport', 'name', 'type', 'rcode', 'upstream', 'route', 'latency_ms', 'cache', 'rrl', 'flattened', 'answers'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function csvLine(entry: QueryLogEntry): string {
  return [
    new Date(entry.at).toISOString(),
    entry.client,
    entry.transport,
    entry.qname,
    typeName(entry.qtype),
    rcodeText(entry.rcode),
    entry.upstream ?? '',
    entry.route ?? '',
    String(entry.latencyMs),
    entry.cache ?? '',
    entry.rrl ?? '',
    String(entry.flattened),
    entry.answers ?? '',
  ]
    .map(csvField)
    .join(',');
}

export async function queriesCommand(args: string[], defaultDataDir: string, write: (text: string) => void): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      since: { type: 'string', default: '1h' },
      name: { type: 'string' },
      client: { type: 'string' },
      type: { type: 'string' },
      rcode: { type: 'string' },
      limit: { type: 'string', default: '1000' },
      format: { type: 'string', default: 'csv' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'] ?? defaultDataDir;
  const file = join(dataDir, historyFile);
  if (!existsSync(file))
    throw new QueriesUsageError(
      `queries: no query history in ${dataDir} (${historyFile}): a host keeps one while its DNS or Railgun engine runs; give --data-dir of that host`,
    );
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new QueriesUsageError(`queries: --limit "${values.limit}": write a whole number of 1 or more`);
  if (values.format !== 'csv' && values.format !== 'json') throw new QueriesUsageError(`queries: --format "${values.format}": write csv or json (JSON lines)`);
  const filter: QueryLogFilter = {};
  if (values.name) filter.qname = values.name;
  if (values.client) filter.client = values.client;
  if (values.type) filter.qtype = checked(typeCode(values.type), `--type "${values.type}": not a DNS type name (A, AAAA, MX, ...) or number`);
  if (values.rcode)
    filter.rcode = checked(rcodeCode(values.rcode), `--rcode "${values.rcode}": not an rcode name (NOERROR, NXDOMAIN, SERVFAIL, DROPPED, ...) or number`);

  const search: QuerySearch = { since: Date.now() - parseDuration(values.since), filter };
  const { entries } = (await searchThroughHost(dataDir, { search, limit })) ?? (await searchFile(dataDir, search, limit));
  if (values.format === 'csv') write([csvColumns.join(','), ...entries.map(csvLine)].join('\n') + '\n');
  else write(entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
}

async function searchFile(dataDir: string, search: QuerySearch, limit: number) {
  const store = await HistoryStore.open(dataDir, { readOnly: true });
  try {
    return await store.searchQueries(search, limit);
  } finally {
    await store.close();
  }
}

function checked(code: number | undefined, message: string): number {
  if (code === undefined) throw new QueriesUsageError(`queries: ${message}`);
  return code;
}
