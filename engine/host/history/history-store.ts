// The history that lasts: DNS queries and Railgun requests kept in DuckDB (DATA_DIR/history.duckdb),
// so a reload, a restart or an upgrade loses nothing and the console and `signalbox queries` can
// look back over days. The file is held by a worker thread (history-worker.ts): entries wait here
// and go to it once a second as one batch, and every search and export runs there, so neither
// slows the host's event loop (nor, through it, the engines' answers).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RailgunRequest } from '../../api/railgun.ts';
import type { HistoryExportFormat, HistoryPoint } from '../../api/host.ts';
import type { WorkerOptions } from './history-worker.ts';
import { defaultRetention, type RetentionLimits, type TrimResult } from './retention.ts';
import type { QueryLogEntry } from '../../api/dns.ts';
import { historyFile, legacySqliteFile, type HistoryTable, type QuerySearch, type RequestSearch } from './schema.ts';

/** At most this many entries wait for the next batch, per table: 20 s at 10k q/s. */
const maxPending = 200_000;
const batchEveryMs = 1000;
const trimEveryMs = 60_000;

export interface HistoryOptions {
  readOnly?: boolean;
  limits?: Partial<RetentionLimits>;
}

export class HistoryUnavailableError extends Error {
  override name = 'HistoryUnavailableError';
  readonly code = 'E_HISTORY_UNAVAILABLE';
}

/**
 * history-worker.ts beside this file in the sources; in the build, dist/engine/host/history/history-worker.js
 * (this code sits in a shared chunk of dist/, so it is looked for upwards).
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), 'history-worker.ts');
  for (let dir = dirname(here); dirname(dir) !== dir; dir = dirname(dir)) {
    const built = join(dir, 'engine', 'host', 'history', 'history-worker.js');
    if (existsSync(built)) return built;
  }
  throw new HistoryUnavailableError(`history: history-worker.js is not in the build above ${here}; run npm run build`);
}

export class HistoryStore {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private queries: QueryLogEntry[] = [];
  private requests: RailgunRequest[] = [];
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Told of an export's progress: the fraction DuckDB has written. */
  readonly exportProgress = new Map<string, (fraction: number) => void>();
  /** Entries not kept because too many waited (the disk slower than the traffic), since the host started. */
  dropped = 0;
  private flushing: Promise<void> = Promise.resolve();
  private ticking = false;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (message: { id?: number; result?: unknown; error?: string; event?: string; job?: string; fraction?: number }) => {
      if (message.event === 'export-progress') this.exportProgress.get(message.job!)?.(message.fraction!);
      if (message.id === undefined) return;
      const call = this.calls.get(message.id);
      this.calls.delete(message.id);
      if (message.error !== undefined) call?.reject(new HistoryUnavailableError(`history: ${message.error}`));
      else call?.resolve(message.result);
    });
    const fail = (error: Error) => {
      this.failure = new HistoryUnavailableError(`history: the store's worker stopped: ${error.message}`);
      for (const call of this.calls.values()) call.reject(this.failure);
      this.calls.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
  }

  /** Opens (or creates) DATA_DIR/history.duckdb; `readOnly` for a reader while no host holds it. */
  static async open(dataDir: string, options: HistoryOptions = {}): Promise<HistoryStore> {
    const entry = workerFile();
    if (!options.readOnly) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const workerData: WorkerOptions = {
      path: join(dataDir, historyFile),
      readOnly: options.readOnly ?? false,
      limits: { ...defaultRetention, ...options.limits },
      legacyPath: options.readOnly ? undefined : join(dataDir, legacySqliteFile),
    };
    const worker = new Worker(entry, { workerData, execArgv: entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [] });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { event?: string }) => {
        if (message.event !== 'ready') return;
        worker.off('error', onError);
        worker.off('message', onMessage);
        resolve();
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        reject(
          new HistoryUnavailableError(
            `history: cannot open ${workerData.path}: ${error.message}${/lock/i.test(error.message) ? ' (another process holds it: stop it, or read through it)' : ''}`,
          ),
        );
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
    });
    const store = new HistoryStore(worker);
    if (!workerData.readOnly) {
      store.timers.push(setInterval(() => store.tick(), batchEveryMs));
      store.timers.push(setInterval(() => void store.trim().catch(() => {}), trimEveryMs));
      for (const timer of store.timers) timer.unref();
    }
    return store;
  }

  private call<T>(op: string, args: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  addQueries(entries: readonly QueryLogEntry[]): void {
    this.keep(this.queries, entries);
  }

  addRequests(requests: readonly RailgunRequest[]): void {
    this.keep(this.requests, requests);
  }

  private keep<T>(pending: T[], rows: readonly T[]): void {
    const room = Math.max(0, maxPending - pending.length);
    for (let i = 0; i < rows.length && i < room; i++) pending.push(rows[i]!);
    this.dropped += Math.max(0, rows.length - room);
  }

  /**
   * Sends what waits to the worker once the batch before it is written, so the worker holds at
   * most one batch per table and a slow disk shows as entries waiting here (bounded), not as a
   * queue of messages; searches sent after this see what it sent.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => {
      const writes: Promise<unknown>[] = [];
      if (this.queries.length > 0) writes.push(this.call('appendQueries', this.queries));
      if (this.requests.length > 0) writes.push(this.call('appendRequests', this.requests));
      this.queries = [];
      this.requests = [];
      return Promise.all(writes).then(() => undefined);
    });
    return this.flushing;
  }

  /** The once-a-second batch: skipped while the last one is still being written. */
  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    void this.flush()
      .catch(() => {})
      .finally(() => (this.ticking = false));
  }

  trim(now = Date.now()): Promise<TrimResult> {
    return this.call('trim', { now });
  }

  /** The newest matching queries first, and how many match in all. */
  searchQueries(search: QuerySearch, limit: number): Promise<{ entries: QueryLogEntry[]; matched: number }> {
    return this.call('searchQueries', { search, limit });
  }

  topQueries(search: QuerySearch, limit: number): Promise<{ names: { key: string; count: number }[]; clients: { key: string; count: number }[] }> {
    return this.call('topQueries', { search, limit });
  }

  chartQueries(search: QuerySearch & { until: number }, bucketMs: number): Promise<HistoryPoint[]> {
    return this.call('chartQueries', { search, bucketMs });
  }

  searchRequests(search: RequestSearch, limit: number): Promise<{ requests: RailgunRequest[]; matched: number }> {
    return this.call('searchRequests', { search, limit });
  }

  /** Writes the matching rows of `table` to `file`; `onProgress` gets the fraction written. */
  async exportRows(
    job: string,
    table: HistoryTable,
    search: QuerySearch & RequestSearch,
    format: HistoryExportFormat,
    file: string,
    onProgress: (fraction: number) => void,
  ): Promise<{ rows: number }> {
    this.exportProgress.set(job, onProgress);
    try {
      return await this.call('exportRows', { job, table, search, format, file });
    } finally {
      this.exportProgress.delete(job);
    }
  }

  cancelExport(job: string): Promise<{ cancelled: boolean }> {
    return this.call('cancelExport', { job });
  }

  /** Writes what waits, checkpoints and closes the file; a second close waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      if (!this.failure) {
        await this.flush().catch(() => {});
        await this.call('close', {}).catch(() => {});
      }
      await this.worker.terminate();
    })();
    return this.closing;
  }
}
