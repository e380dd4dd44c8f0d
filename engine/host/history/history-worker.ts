// The history store's worker thread: it alone holds the DuckDB file, so appends, searches,
// retention and exports never run on the host's event loop. Requests come as messages
// ({ id, op, args }) and are answered in order of arrival for appends, as they finish for reads.
import { DuckDBAppender, DuckDBConnection, DuckDBInstance, DuckDBPendingResultState } from '@duckdb/node-api';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { QueryLogEntry } from '../../api/dns.ts';
import type { HistoryExportFormat } from '../../api/host.ts';
import type { RailgunRequest } from '../../api/railgun.ts';
import { importLegacySqlite } from './legacy-import.ts';
import { trim, type RetentionLimits } from './retention.ts';
import {
  createTables,
  queryColumns,
  queryExportColumns,
  queryWhere,
  requestColumns,
  requestExportColumns,
  requestWhere,
  schemaVersion,
  toQueryEntry,
  toRequest,
  type HistoryTable,
  type QueryRow,
  type QuerySearch,
  type RequestRow,
  type RequestSearch,
  type Where,
} from './schema.ts';

export interface WorkerOptions {
  path: string;
  readOnly: boolean;
  limits: RetentionLimits;
  /** The node:sqlite file of earlier versions to import once, when there is one. */
  legacyPath?: string;
}

const options = workerData as WorkerOptions;
const port = parentPort!;

const instance = await DuckDBInstance.create(options.path, {
  access_mode: options.readOnly ? 'READ_ONLY' : 'READ_WRITE',
  // The host shares its machine with the engines: a bounded share of memory, and one core, so a
  // long search over days of history leaves the others to the DNS engine.
  memory_limit: '512MB',
  threads: '1',
});
const writer = await instance.connect();
const reader = await instance.connect();
yieldToEngines();

/**
 * Linux: this thread and the process's libuv pool threads (where @duckdb/node-api runs DuckDB's
 * work) at nice 10, so when the history and an engine want the same core, the engine's answers
 * go first. Elsewhere (or without /proc) the threads keep their priority.
 */
function yieldToEngines(): void {
  if (process.platform !== 'linux') return;
  try {
    const tids = readdirSync('/proc/self/task').filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'libuv-worker');
    tids.push(readlinkSync('/proc/thread-self').split('/').pop()!);
    for (const tid of tids) setPriority(Number(tid), 10);
  } catch {
    // A thread gone between the listing and the call, or no /proc: nothing to lower.
  }
}

/** Older files get what later versions added; nothing is dropped, so a downgrade still reads them. */
async function migrate(connection: DuckDBConnection): Promise<void> {
  const found = (await connection.runAndReadAll("SELECT value FROM meta WHERE key = 'schema'")).getRows()[0]?.[0];
  if (found !== undefined && Number(found) > schemaVersion) return;
  // Version 2: the route a query took (issue 21's routing by zone), appended as the last column.
  await connection.run('ALTER TABLE queries ADD COLUMN IF NOT EXISTS route VARCHAR');
  await connection.run("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", [String(schemaVersion)]);
}

const text = (appender: DuckDBAppender, value: string | null | undefined) => (value == null ? appender.appendNull() : appender.appendVarchar(value));
const real = (appender: DuckDBAppender, value: number | null) => (value === null ? appender.appendNull() : appender.appendFloat(value));

async function appendQueries(rows: readonly QueryLogEntry[]): Promise<void> {
  // The appender is DuckDB's bulk path: one per batch, a row at a time into column buffers.
  const appender = await writer.createAppender('queries');
  for (const e of rows) {
    appender.appendBigInt(BigInt(Math.round(e.at)));
    appender.appendBigInt(BigInt(e.seq));
    appender.appendVarchar(e.client);
    appender.appendVarchar(e.transport);
    appender.appendVarchar(e.qname);
    appender.appendInteger(e.qtype);
    appender.appendSmallInt(e.rcode);
    text(appender, e.upstream);
    appender.appendFloat(e.latencyMs);
    text(appender, e.cache);
    text(appender, e.rrl);
    appender.appendBoolean(e.flattened);
    text(appender, e.answers);
    text(appender, e.route);
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

async function appendRequests(rows: readonly RailgunRequest[]): Promise<void> {
  const appender = await writer.createAppender('requests');
  for (const r of rows) {
    appender.appendBigInt(BigInt(Math.round(r.at)));
    appender.appendVarchar(r.url);
    appender.appendSmallInt(r.status);
    appender.appendVarchar(r.outcome);
    appender.appendBigInt(BigInt(Math.round(r.rawBytes)));
    appender.appendBigInt(BigInt(Math.round(r.linkBytes)));
    appender.appendFloat(r.totalMs);
    real(appender, r.originMs);
    text(appender, r.failure?.kind);
    text(appender, r.failure?.message);
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

const rowsOf = async (sql: string, values: (string | number)[]) => (await reader.runAndReadAll(sql, values)).getRowsJS();
// BIGINT columns come back as bigint; the API speaks numbers (ms since the epoch fit in 2^53).
const numbers = (row: unknown[]) => row.map((value) => (typeof value === 'bigint' ? Number(value) : value));

async function count(table: HistoryTable, where: Where): Promise<number> {
  return Number((await rowsOf(`SELECT count(*) FROM ${table} WHERE ${where.sql}`, where.values))[0]![0]);
}

async function searchQueries({ search, limit }: { search: QuerySearch; limit: number }) {
  const where = queryWhere(search);
  const rows = await rowsOf(`SELECT ${queryColumns} FROM queries WHERE ${where.sql} ORDER BY ts DESC, seq DESC LIMIT ?`, [...where.values, limit]);
  return { entries: rows.map((row) => toQueryEntry(numbers(row) as QueryRow)), matched: await count('queries', where) };
}

async function topQueries({ search, limit }: { search: QuerySearch; limit: number }) {
  const where = queryWhere(search);
  const by = async (column: string) =>
    (
      await rowsOf(`SELECT ${column}, count(*) AS n FROM queries WHERE ${where.sql} GROUP BY ${column} ORDER BY n DESC, ${column} LIMIT ?`, [
        ...where.values,
        limit,
      ])
    ).map((row) => ({
      key: String(row[0]),
      count: Number(row[1]),
    }));
  return { names: await by('qname'), clients: await by('client') };
}

/** Queries per bucket over the range (for the chart): all, answered from the cache, errors (SERVFAIL, REFUSED, dropped). */
async function chartQueries({ search, bucketMs }: { search: QuerySearch & { until: number }; bucketMs: number }) {
  const where = queryWhere(search);
  const rows = await rowsOf(
    `SELECT (ts // ?) * ? AS bucket, count(*), count(*) FILTER (cache IN ('hit', 'stale')), count(*) FILTER (rcode = 2 OR rcode = 5 OR rcode < 0), count(*) FILTER (rcode = 3)
     FROM queries WHERE ${where.sql} GROUP BY bucket ORDER BY bucket`,
    [bucketMs, bucketMs, ...where.values],
  );
  return rows.map((row) => {
    const [at, queries, cached, errors, nxdomain] = numbers(row) as number[];
    return { at: at!, queries: queries!, cached: cached!, errors: errors!, nxdomain: nxdomain! };
  });
}

async function searchRequests({ search, limit }: { search: RequestSearch; limit: number }) {
  const where = requestWhere(search);
  const rows = await rowsOf(`SELECT ${requestColumns} FROM requests WHERE ${where.sql} ORDER BY ts DESC LIMIT ?`, [...where.values, limit]);
  return { requests: rows.map((row) => toRequest(numbers(row) as RequestRow)), matched: await count('requests', where) };
}

/** Exports being written, by job, each on a connection of its own (so it can be interrupted alone). */
const writing = new Map<string, DuckDBConnection>();
/** Jobs cancelled before they started (the cancel overtook them: appends ran first). */
const cancelledEarly = new Set<string>();

/** COPY's own formats: JSON lines is DuckDB's default JSON output (one object a line). */
const copyFormat: Record<HistoryExportFormat, string> = { csv: 'FORMAT csv, HEADER true', jsonl: 'FORMAT json', parquet: 'FORMAT parquet, COMPRESSION zstd' };

/**
 * Writes the matching rows to `file` with DuckDB's own writers, a task at a time so progress
 * (DuckDB's estimate of rows processed) can be reported and the job interrupted in between.
 */
async function exportRows({
  job,
  table,
  search,
  format,
  file,
}: {
  job: string;
  table: HistoryTable;
  search: QuerySearch & RequestSearch;
  format: HistoryExportFormat;
  file: string;
}) {
  const where = table === 'queries' ? queryWhere(search) : requestWhere(search);
  const rows = await count(table, where);
  if (cancelledEarly.delete(job)) throw new Error('export cancelled');
  const connection = await instance.connect();
  writing.set(job, connection);
  try {
    await connection.run('SET enable_progress_bar = true');
    await connection.run('SET enable_progress_bar_print = false');
    const columns = table === 'queries' ? queryExportColumns : requestExportColumns;
    // The file name is ours (a temporary file), never the client's; quotes doubled all the same.
    const sql = `COPY (SELECT ${columns} FROM ${table} WHERE ${where.sql} ORDER BY ts) TO '${file.replace(/'/g, "''")}' (${copyFormat[format]})`;
    const pending = await connection.start(sql, where.values);
    let last = 0;
    for (;;) {
      const state = pending.runTask();
      if (state === DuckDBPendingResultState.RESULT_READY) break;
      const now = Date.now();
      if (now - last > 200) {
        last = now;
        const progress = connection.progress;
        port.postMessage({ event: 'export-progress', job, fraction: progress.percentage >= 0 ? progress.percentage / 100 : 0, rows });
      }
      // Lets a cancel (or any other request) in between two tasks.
      await new Promise((resolve) => setImmediate(resolve));
      if (!writing.has(job)) throw new Error('export cancelled');
    }
    await pending.getResult();
    return { rows };
  } finally {
    writing.delete(job);
    connection.closeSync();
  }
}

function cancelExport({ job }: { job: string }) {
  const connection = writing.get(job);
  writing.delete(job);
  if (connection) connection.interrupt();
  else cancelledEarly.add(job);
  return { cancelled: true };
}

async function close() {
  for (const connection of writing.values()) connection.interrupt();
  if (!options.readOnly) await writer.run('CHECKPOINT');
  writer.closeSync();
  reader.closeSync();
  instance.closeSync();
  return { closed: true };
}

const operations: Record<string, (args: never) => unknown> = {
  appendQueries,
  appendRequests,
  searchQueries,
  topQueries,
  chartQueries,
  searchRequests,
  exportRows,
  cancelExport,
  trim: ({ now }: { now: number }) => trim(writer, options.limits, now),
  close,
};

// Appends go through one chain, so a search sent after an append sees its rows.
let writes: Promise<unknown> = Promise.resolve();

port.on('message', (message: { id: number; op: string; args: unknown }) => {
  const operation = operations[message.op];
  const run = () => Promise.resolve().then(() => operation!(message.args as never));
  const isWrite = message.op.startsWith('append') || message.op === 'trim' || message.op === 'close';
  const done = isWrite ? (writes = writes.then(run, run)) : writes.then(run, run);
  done.then(
    (result) => port.postMessage({ id: message.id, result }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
if (!options.readOnly) {
  for (const sql of createTables) await writer.run(sql);
  await migrate(writer);
  if (options.legacyPath && existsSync(options.legacyPath)) {
    await importLegacySqlite(options.legacyPath, (rows) => appendQueries(rows));
    renameSync(options.legacyPath, `${options.legacyPath}.imported`);
  }
}
port.postMessage({ event: 'ready' });
