import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ExportNotFoundError, HistoryExports } from '../../../../engine/host/history/exports.ts';
import { HistoryStore } from '../../../../engine/host/history/history-store.ts';
import { tempDir } from '../../../helpers/host.ts';
import { waitFor } from '../../../helpers/wait.ts';

let store: HistoryStore;
let exports: HistoryExports;
const rows = 20_000;
const start = Date.now() - 3_600_000;

before(async () => {
  store = await HistoryStore.open(tempDir('history-export'));
  store.addQueries(
    Array.from({ length: rows }, (_, i) => ({
      seq: i,
      at: start + i,
      client: `10.0.${(i >> 8) & 255}.${i & 255}`,
      transport: 'udp' as const,
      qname: `n${i}.example.test`,
      qtype: i % 2 ? 1 : 28,
      rcode: i % 3 ? 0 : 3,
      upstream: '127.0.0.1:53',
      route: '.',
      latencyMs: 1,
      cache: 'miss' as const,
      rrl: null,
      flattened: false,
      answers: i % 3 ? 'A 192.0.2.1' : null,
    })),
  );
  await store.flush();
  exports = new HistoryExports(store);
});
after(async () => {
  exports.close();
  await store.close();
});

const jobDir = (id: string) => (exports as unknown as { jobs: Map<string, { dir: string }> }).jobs.get(id)?.dir;

describe('history exports', () => {
  it('writes the selection as CSV with progress, reads it back in slices, and forgets the job after the last one', async () => {
    const { job, fileName } = exports.start('queries', { since: start, until: start + 1000, filter: { rcode: 3 } }, 'csv');
    assert.match(fileName, /^signalbox-queries-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
    await waitFor(() => exports.status(job).state === 'ready', 'the export written');
    assert.deepEqual({ ...exports.status(job), bytes: null }, { state: 'ready', fraction: 1, rows: 334, bytes: null, error: null });
    const dir = jobDir(job)!;
    const { base64, done } = await exports.read(job, 0);
    assert.ok(done);
    const lines = Buffer.from(base64, 'base64').toString('utf8').trim().split('\n');
    assert.equal(lines[0], 'time,client,transport,name,type,rcode,upstream,route,latency_ms,cache,rrl,flattened,answers');
    assert.equal(lines.length, 335);
    assert.match(lines[1]!, /,n0\.example\.test,AAAA,NXDOMAIN,127\.0\.0\.1:53,/);
    assert.throws(() => exports.status(job), ExportNotFoundError);
    assert.ok(!existsSync(dir), 'the temporary file is deleted');
  });

  it('cancels an export that is still being written: the job and its file are gone', async () => {
    const { job } = exports.start('queries', { since: 0 }, 'parquet');
    const dir = jobDir(job)!;
    assert.deepEqual(await exports.cancel(job), { cancelled: true });
    assert.throws(
      () => exports.status(job),
      (error: ExportNotFoundError) => error.code === 'E_EXPORT_NOT_FOUND',
    );
    assert.ok(!existsSync(dir));
    // The store goes on serving: the cancel interrupted only that export.
    assert.equal((await store.searchQueries({ since: 0 }, 1)).matched, rows);
  });
});
