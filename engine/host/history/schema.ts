// The history store's two tables, what a search of each may ask and how it becomes SQL. Shared by
// the store's worker (which runs the SQL) and by its callers (which build the requests).
import type { QueryLogEntry, QueryLogFilter } from '../../api/dns.ts';
import type { RailgunRequest } from '../../api/railgun.ts';
import { rcodeNameSql, typeNameSql } from './dns-names.ts';

export const historyFile = 'history.duckdb';
/** The node:sqlite store of earlier versions; imported once into the DuckDB file, then renamed. */
export const legacySqliteFile = 'query-history.sqlite';

/** Bumped with each change of the tables below; the worker migrates older files (see migrate()). */
export const schemaVersion = 2;

// `ts`, not `at`: AT is a keyword in DuckDB's grammar.
export const createTables = [
  'CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)',
  `CREATE TABLE IF NOT EXISTS queries (ts BIGINT NOT NULL, seq BIGINT NOT NULL, client VARCHAR NOT NULL, transport VARCHAR NOT NULL,
    qname VARCHAR NOT NULL, qtype INTEGER NOT NULL, rcode SMALLINT NOT NULL, upstream VARCHAR, latency_ms FLOAT NOT NULL,
    cache VARCHAR, rrl VARCHAR, flattened BOOLEAN NOT NULL, answers VARCHAR, route VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS requests (ts BIGINT NOT NULL, url VARCHAR NOT NULL, status SMALLINT NOT NULL, outcome VARCHAR NOT NULL,
    raw_bytes BIGINT NOT NULL, link_bytes BIGINT NOT NULL, total_ms FLOAT NOT NULL, origin_ms FLOAT, failure_kind VARCHAR, failure VARCHAR)`,
];

export type HistoryTable = 'queries' | 'requests';

/** A time range: [since, until), ms since the epoch. */
export interface TimeRange {
  since: number;
  until?: number;
}

export interface QuerySearch extends TimeRange {
  filter?: QueryLogFilter;
}

export interface RequestSearch extends TimeRange {
  /** A substring of the URL, case-insensitive. */
  url?: string;
  outcome?: string;
  status?: number;
}

export interface Where {
  sql: string;
  values: (string | number)[];
}

function timeWhere(range: TimeRange): { parts: string[]; values: (string | number)[] } {
  const parts = ['ts >= ?'];
  const values: (string | number)[] = [Math.floor(range.since)];
  if (range.until !== undefined) {
    parts.push('ts < ?');
    values.push(Math.ceil(range.until));
  }
  return { parts, values };
}

/** The WHERE clause of a query search: the live log's filter, over the whole history. */
export function queryWhere(search: QuerySearch): Where {
  const { parts, values } = timeWhere(search);
  const add = (clause: string, value: string | number) => {
    parts.push(clause);
    values.push(value);
  };
  const f = search.filter ?? {};
  // contains() over lower(): a substring, case-insensitive, with no LIKE wildcards to escape.
  if (f.qname) add('contains(lower(qname), ?)', f.qname.toLowerCase());
  if (f.client) add('client = ?', f.client);
  if (f.qtype !== undefined) add('qtype = ?', f.qtype);
  if (f.rcode !== undefined) add('rcode = ?', f.rcode);
  if (f.upstream) add('upstream = ?', f.upstream);
  // Zones compare case-insensitively (RFC 4343), as the routes match them.
  if (f.route) add('lower(route) = ?', f.route.toLowerCase());
  if (f.cache) add('cache = ?', f.cache);
  if (f.rrl) add('rrl = ?', f.rrl);
  return { sql: parts.join(' AND '), values };
}

export function requestWhere(search: RequestSearch): Where {
  const { parts, values } = timeWhere(search);
  if (search.url) {
    parts.push('contains(lower(url), ?)');
    values.push(search.url.toLowerCase());
  }
  if (search.outcome) {
    parts.push('outcome = ?');
    values.push(search.outcome);
  }
  if (search.status !== undefined) {
    parts.push('status = ?');
    values.push(search.status);
  }
  return { sql: parts.join(' AND '), values };
}

export const queryColumns = 'ts, seq, client, transport, qname, qtype, rcode, upstream, latency_ms, cache, rrl, flattened, answers, route';
export const requestColumns = 'ts, url, status, outcome, raw_bytes, link_bytes, total_ms, origin_ms, failure_kind, failure';

/** What an export writes per query: the CLI's columns and names (time as a timestamp, type and rcode by name). */
export const queryExportColumns = `epoch_ms(ts) AS time, client, transport, qname AS name, ${typeNameSql} AS type, ${rcodeNameSql} AS rcode, upstream, route, latency_ms, cache, rrl, flattened, answers`;
export const requestExportColumns = 'epoch_ms(ts) AS time, url, status, outcome, raw_bytes, link_bytes, total_ms, origin_ms, failure_kind, failure';

export type QueryRow = [
  number,
  number,
  string,
  string,
  string,
  number,
  number,
  string | null,
  number,
  string | null,
  string | null,
  boolean,
  string | null,
  string | null,
];
export type RequestRow = [number, string, number, string, number, number, number, number | null, string | null, string | null];

/** FLOAT keeps ~7 digits; the times stored have three decimals. */
const ms = (value: number) => Math.round(value * 1000) / 1000;

export const toQueryEntry = (row: QueryRow): QueryLogEntry => ({
  seq: row[1],
  at: row[0],
  client: row[2],
  transport: row[3] as QueryLogEntry['transport'],
  qname: row[4],
  qtype: row[5],
  rcode: row[6],
  upstream: row[7],
  route: row[13],
  latencyMs: ms(row[8]),
  cache: row[9] as QueryLogEntry['cache'],
  rrl: row[10] as QueryLogEntry['rrl'],
  flattened: row[11],
  answers: row[12],
});

export const toRequest = (row: RequestRow): RailgunRequest => ({
  at: row[0],
  url: row[1],
  status: row[2],
  outcome: row[3] as RailgunRequest['outcome'],
  rawBytes: row[4],
  linkBytes: row[5],
  totalMs: ms(row[6]),
  originMs: row[7] === null ? null : ms(row[7]),
  failure: row[8] === null ? null : { at: row[0], kind: row[8] as NonNullable<RailgunRequest['failure']>['kind'], message: row[9] ?? '' },
});
