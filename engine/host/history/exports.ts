// Exports of a history selection as CSV, JSON lines or Parquet: DuckDB writes a temporary file in
// the store's worker (with progress), then the console reads it in slices (host.historyExportRead)
// into its download, so a transport never carries one huge message and every transport (IPC,
// WebSocket) works the same. A job read to its end, cancelled, or left unread for 10 minutes is deleted.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryExportFormat, HistoryExportStatus } from '../../api/host.ts';
import type { HistoryStore } from './history-store.ts';
import type { HistoryTable, QuerySearch, RequestSearch } from './schema.ts';

/** Bytes per read: 1 MiB of file is 1.33 MiB of base64 in one message. */
export const exportSliceBytes = 1024 * 1024;
const idleMs = 10 * 60_000;

interface Job extends HistoryExportStatus {
  dir: string;
  file: string;
  fileName: string;
  touched: number;
}

export class ExportNotFoundError extends Error {
  override name = 'ExportNotFoundError';
  readonly code = 'E_EXPORT_NOT_FOUND';
}

const extensions: Record<HistoryExportFormat, string> = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' };
const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export class HistoryExports {
  private readonly jobs = new Map<string, Job>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly store: HistoryStore;

  constructor(store: HistoryStore) {
    this.store = store;
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Starts writing; the job's status says when it is ready to read. */
  start(table: HistoryTable, search: QuerySearch & RequestSearch, format: HistoryExportFormat): { job: string; fileName: string } {
    const id = randomUUID();
    const dir = mkdtempSync(join(tmpdir(), 'signalbox-export-'));
    const fileName = `signalbox-${table}-${stamp(search.since)}-${stamp(search.until ?? Date.now())}.${extensions[format]}`;
    const job: Job = { state: 'writing', fraction: 0, rows: null, bytes: null, error: null, dir, file: join(dir, fileName), fileName, touched: Date.now() };
    this.jobs.set(id, job);
    this.store
      .exportRows(id, table, search, format, job.file, (fraction) => (job.fraction = fraction))
      .then(
        ({ rows }) => {
          if (job.state !== 'writing') return;
          Object.assign(job, { state: 'ready', fraction: 1, rows, bytes: statSync(job.file).size });
        },
        (error: Error) => {
          if (job.state !== 'writing') return;
          Object.assign(job, { state: 'failed', error: error.message });
          rmSync(job.dir, { recursive: true, force: true });
        },
      );
    return { job: id, fileName };
  }

  status(id: string): HistoryExportStatus {
    const job = this.job(id);
    return { state: job.state, fraction: job.fraction, rows: job.rows, bytes: job.bytes, error: job.error };
  }

  /** A slice of the written file from `offset`; the last slice deletes the job. */
  async read(id: string, offset: number): Promise<{ base64: string; done: boolean }> {
    const job = this.job(id);
    if (job.state !== 'ready') throw new ExportNotFoundError(`export ${id} is ${job.state}, not ready to read${job.error ? `: ${job.error}` : ''}`);
    const handle = await open(job.file, 'r');
    try {
      const buffer = Buffer.alloc(Math.max(0, Math.min(exportSliceBytes, job.bytes! - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      const done = offset + bytesRead >= job.bytes!;
      if (done) this.remove(id);
      return { base64: buffer.subarray(0, bytesRead).toString('base64'), done };
    } finally {
      await handle.close();
    }
  }

  async cancel(id: string): Promise<{ cancelled: boolean }> {
    const job = this.jobs.get(id);
    if (!job) return { cancelled: false };
    const writing = job.state === 'writing';
    job.state = 'cancelled';
    if (writing) await this.store.cancelExport(id).catch(() => {});
    this.remove(id);
    return { cancelled: true };
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.jobs.keys()]) this.remove(id);
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new ExportNotFoundError(`no export ${id}: it was read to its end, cancelled, or left unread for 10 minutes; start it again`);
    job.touched = Date.now();
    return job;
  }

  private remove(id: string): void {
    const job = this.jobs.get(id);
    this.jobs.delete(id);
    if (job) rmSync(job.dir, { recursive: true, force: true });
  }

  private sweep(): void {
    for (const [id, job] of this.jobs) if (Date.now() - job.touched > idleMs && job.state !== 'writing') this.remove(id);
  }
}
