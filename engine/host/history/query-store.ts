// The DNS query history that lasts: every entry of the engine's query log, kept in SQLite
// (node:sqlite) in the data folder, so a reload, a restart or an upgrade loses nothing and the
// console and `signalbox queries` can look back over hours. Entries come in batches from the
// host's own subscription to `dns.queryLog` (never on the engine's answer path) and are written
// one transaction per second; old rows go by age and by count.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import type { QueryLogEntry, QueryLogFilter } from '../../api/dns.ts';

export const historyFile = 'query-history.sqlite';

export interface HistoryLimits {
  /** Rows older than this go (default 7 days). */
  maxAgeMs: number;
  /** At most this many rows, the oldest go first (default 20 million, ~2 GB). */
  maxRows: number;
}

export const defaultHistoryLimits: HistoryLimits = { maxAgeMs: 7 * 86_400_000, maxRows: 20_000_000 };

export interface HistoryQuery {
  since: number;
  until?: number;
  filter?: QueryLogFilter;
  limit: number;
}

/** At most this many entries wait for a write: 20 s at 10k q/s. */
const maxPending = 200_000;

const columns = ['at', 'client', 'transport', 'qname', 'qtype', 'rcode', 'upstream', 'latency_ms', 'cache', 'rrl', 'flattened'] as const;

interface Row {
  seq: number;
  at: number;
  client: string;
  transport: 'udp' | 'tcp';
  qname: string;
  qtype: number;
  rcode: number;
  upstream: string | null;
  latency_ms: number;
  cache: 'hit' | 'miss' | 'stale' | null;
  rrl: 'slip' | 'drop' | null;
  flattened: number;
}

const toEntry = (row: Row): QueryLogEntry => ({
  seq: row.seq,
  at: row.at,
  client: row.client,
  transport: row.transport,
  qname: row.qname,
  qtype: row.qtype,
  rcode: row.rcode,
  upstream: row.upstream,
  // Not a column yet: the history does not keep which route a query took.
  route: null,
  latencyMs: row.latency_ms,
  cache: row.cache,
  rrl: row.rrl,
  flattened: row.flattened === 1,
});

/** The WHERE clause of a search (the live log's filter, over the whole history) and its values. */
export function whereOf(query: Omit<HistoryQuery, 'limit'>): { sql: string; values: (string | number)[] } {
  const parts = ['at >= ?'];
  const values: (string | number)[] = [query.since];
  if (query.until !== undefined) {
    parts.push('at < ?');
    values.push(query.until);
  }
  const f = query.filter ?? {};
  const where = (clause: string, value: string | number) => {
    parts.push(clause);
    values.push(value);
  };
  // instr over lower(): a substring, case-insensitive, with no LIKE wildcards to escape.
  if (f.qname) where('instr(lower(qname), ?) > 0', f.qname.toLowerCase());
  if (f.client) where('client = ?', f.client);
  if (f.qtype !== undefined) where('qtype = ?', f.qtype);
  if (f.rcode !== undefined) where('rcode = ?', f.rcode);
  if (f.upstream) where('upstream = ?', f.upstream);
  // The history keeps no route yet (every row's is null), so no row is on the route asked for.
  if (f.route) where('NULL = ?', f.route);
  if (f.cache) where('cache = ?', f.cache);
  if (f.rrl) where('rrl = ?', f.rrl);
  return { sql: parts.join(' AND '), values };
}

export class QueryStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly limits: HistoryLimits;
  private pending: QueryLogEntry[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private sinceTrim = 0;

  /** Opens (or creates) the store; `readOnly` for readers such as `signalbox queries`. */
  constructor(path: string, options: { readOnly?: boolean; limits?: Partial<HistoryLimits> } = {}) {
    this.limits = { ...defaultHistoryLimits, ...options.limits };
    this.db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
    if (!options.readOnly) {
      // WAL: readers (the CLI, the console's searches) never block the writer, nor it them.
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      this.db.exec(`CREATE TABLE IF NOT EXISTS queries (
        seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, client TEXT NOT NULL, transport TEXT NOT NULL, qname TEXT NOT NULL,
        qtype INTEGER NOT NULL, rcode INTEGER NOT NULL, upstream TEXT, latency_ms REAL NOT NULL, cache TEXT, rrl TEXT, flattened INTEGER NOT NULL)`);
      this.db.exec('CREATE INDEX IF NOT EXISTS queries_at ON queries (at)');
    }
    this.insert = this.db.prepare(`INSERT INTO queries (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  }

  static inDataDir(dataDir: string, options?: { readOnly?: boolean; limits?: Partial<HistoryLimits> }): QueryStore {
    return new QueryStore(join(dataDir, historyFile), options);
  }

  /** Entries not kept because a second's batch was full (the disk is slower than the traffic). */
  dropped = 0;

  /** Keeps entries for the next write; writes start once a second. */
  add(entries: readonly QueryLogEntry[]): void {
    for (const entry of entries) {
      if (this.pending.length < maxPending) this.pending.push(entry);
      else this.dropped++;
    }
    this.timer ??= setInterval(() => this.flush(), 1000);
    this.timer.unref?.();
  }

  /** Writes what is pending in one transaction; trims by age and count once a minute. */
  flush(): number {
    const batch = this.pending;
    if (batch.length === 0) return 0;
    this.pending = [];
    this.db.exec('BEGIN');
    try {
      for (const e of batch) this.insert.run(e.at, e.client, e.transport, e.qname, e.qtype, e.rcode, e.upstream, e.latencyMs, e.cache, e.rrl, e.flattened ? 1 : 0);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    if (Date.now() - this.sinceTrim > 60_000) this.trim();
    return batch.length;
  }

  /** Removes rows older than maxAgeMs, then the oldest beyond maxRows. */
  trim(now = Date.now()): void {
    this.sinceTrim = now;
    this.db.prepare('DELETE FROM queries WHERE at < ?').run(now - this.limits.maxAgeMs);
    const newest = this.db.prepare('SELECT max(seq) AS seq FROM queries').get() as { seq: number | null };
    if (newest.seq !== null) this.db.prepare('DELETE FROM queries WHERE seq <= ?').run(newest.seq - this.limits.maxRows);
  }

  /** The newest matching entries first, and how many match in all. */
  search(query: HistoryQuery): { entries: QueryLogEntry[]; matched: number } {
    const where = whereOf(query);
    const rows = this.db.prepare(`SELECT seq, ${columns.join(', ')} FROM queries WHERE ${where.sql} ORDER BY at DESC, seq DESC LIMIT ?`).all(...where.values, query.limit) as unknown as Row[];
    const { n } = this.db.prepare(`SELECT count(*) AS n FROM queries WHERE ${where.sql}`).get(...where.values) as { n: number };
    return { entries: rows.map(toEntry), matched: n };
  }

  /** The most frequent names and clients over a range. */
  top(query: Omit<HistoryQuery, 'limit'>, limit: number): { names: { key: string; count: number }[]; clients: { key: string; count: number }[] } {
    const where = whereOf(query);
    const by = (column: string) =>
      (this.db.prepare(`SELECT ${column} AS key, count(*) AS count FROM queries WHERE ${where.sql} GROUP BY ${column} ORDER BY count DESC LIMIT ?`).all(...where.values, limit) as { key: string; count: number }[]).map(({ key, count }) => ({ key, count }));
    return { names: by('qname'), clients: by('client') };
  }

  private closed = false;

  /** Writes what is pending, then closes; a second close does nothing. */
  close(): void {
    clearInterval(this.timer);
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) this.flush();
    this.db.close();
  }
}
