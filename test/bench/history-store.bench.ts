// History store candidates at 10k q/s: node:sqlite (the one the host uses, history/query-store.ts)
// and DuckDB (@duckdb/node-api, when DUCKDB_MODULE points at an installed copy; not a dependency).
// Each gets SECONDS batches of 10,000 query-log rows (one batch a second at 10k q/s), then a top-N
// of names over everything and a name search. Run: node --import tsx test/bench/history-store.bench.ts
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { QueryLogEntry } from '../../engine/api/dns.ts';
import { QueryStore } from '../../engine/host/history/query-store.ts';
import { tempDir } from '../helpers/host.ts';

const perSecond = 10_000;
const seconds = Number(process.env.SECONDS_OF_TRAFFIC ?? 200);
const names = 50_000;

function batch(second: number, start: number): QueryLogEntry[] {
  const rows: QueryLogEntry[] = [];
  for (let i = 0; i < perSecond; i++) {
    // A skewed mix of names, as real traffic: a few names take most queries.
    const n = Math.floor(names * Math.random() ** 3);
    rows.push({ seq: 0, at: start + second * 1000 + i / 10, client: `10.0.${(i >> 8) & 255}.${i & 255}`, transport: 'udp', qname: `host${n}.example${n % 97}.test`, qtype: i % 5 === 0 ? 28 : 1, rcode: n % 13 === 0 ? 3 : 0, upstream: '127.0.0.1:53', route: null, latencyMs: (i % 50) / 10, cache: i % 4 === 0 ? 'miss' : 'hit', rrl: null, flattened: false });
  }
  return rows;
}

const dirSize = (dir: string) => readdirSync(dir).reduce((total, file) => total + statSync(join(dir, file)).size, 0);
const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;
const timed = async (work: () => unknown) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

async function sqlite() {
  const dir = tempDir('bench-sqlite');
  const store = QueryStore.inDataDir(dir);
  const start = Date.now() - seconds * 1000;
  const batches: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const rows = batch(s, start);
    batches.push(await timed(() => { store.add(rows); store.flush(); }));
  }
  const top = await timed(() => store.top({ since: 0 }, 10));
  const search = await timed(() => store.search({ since: 0, filter: { qname: 'host4242.' }, limit: 500 }));
  store.close();
  return { batches, top, search, bytes: dirSize(dir) };
}

async function duckdb(module: string) {
  const { DuckDBInstance } = (await import(module)) as { DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckConnection> }> } };
  const dir = tempDir('bench-duckdb');
  const db = await DuckDBInstance.create(join(dir, 'history.duckdb'));
  const con = await db.connect();
  await con.run('CREATE TABLE queries (ts BIGINT, client VARCHAR, transport VARCHAR, qname VARCHAR, qtype INTEGER, rcode INTEGER, upstream VARCHAR, latency_ms DOUBLE, cache VARCHAR, rrl VARCHAR, flattened BOOLEAN)');
  const start = Date.now() - seconds * 1000;
  const batches: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const rows = batch(s, start);
    batches.push(
      await timed(async () => {
        // The appender is DuckDB's bulk path (row-at-a-time INSERTs are far slower).
        const appender = await con.createAppender('queries');
        for (const e of rows) {
          appender.appendBigInt(BigInt(Math.round(e.at)));
          appender.appendVarchar(e.client);
          appender.appendVarchar(e.transport);
          appender.appendVarchar(e.qname);
          appender.appendInteger(e.qtype);
          appender.appendInteger(e.rcode);
          appender.appendVarchar(e.upstream ?? '');
          appender.appendDouble(e.latencyMs);
          appender.appendVarchar(e.cache ?? '');
          appender.appendVarchar('');
          appender.appendBoolean(e.flattened);
          appender.endRow();
        }
        appender.flushSync();
        appender.closeSync();
      }),
    );
  }
  const top = await timed(() => con.run('SELECT qname, count(*) c FROM queries GROUP BY qname ORDER BY c DESC LIMIT 10'));
  const search = await timed(() => con.run("SELECT * FROM queries WHERE contains(lower(qname), 'host4242.') ORDER BY ts DESC LIMIT 500"));
  await con.run('CHECKPOINT');
  con.closeSync();
  return { batches, top, search, bytes: dirSize(dir) };
}

interface DuckAppender {
  appendBigInt(value: bigint): void;
  appendVarchar(value: string): void;
  appendInteger(value: number): void;
  appendDouble(value: number): void;
  appendBoolean(value: boolean): void;
  endRow(): void;
  flushSync(): void;
  closeSync(): void;
}

interface DuckConnection {
  run(sql: string): Promise<unknown>;
  createAppender(table: string): Promise<DuckAppender>;
  closeSync(): void;
}

function report(name: string, r: { batches: number[]; top: number; search: number; bytes: number }) {
  const rows = seconds * perSecond;
  const total = r.batches.reduce((a, b) => a + b, 0);
  console.log(
    `${name}: ${rows.toLocaleString('en')} rows; a 10k-row batch mean ${(total / r.batches.length).toFixed(1)} ms, p99 ${p(r.batches, 0.99).toFixed(1)} ms ` +
      `(sustained ${Math.round(rows / (total / 1000)).toLocaleString('en')} rows/s); top-10 names ${r.top.toFixed(0)} ms; name search ${r.search.toFixed(0)} ms; ` +
      `${(r.bytes / (rows / 1e6) / 1e6).toFixed(0)} MB per million rows`,
  );
}

report('node:sqlite', await sqlite());
if (process.env.DUCKDB_MODULE) report('duckdb', await duckdb(process.env.DUCKDB_MODULE));
