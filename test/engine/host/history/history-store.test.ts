import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import type { RailgunRequest } from '../../../../engine/api/railgun.ts';
import { HistoryStore } from '../../../../engine/host/history/history-store.ts';
import type { QueryLogEntry } from '../../../../engine/api/dns.ts';
import { tempDir } from '../../../helpers/host.ts';

const entry = (at: number, qname: string, extra: Partial<QueryLogEntry> = {}): QueryLogEntry => ({
  seq: 0,
  at,
  client: '127.0.0.1',
  transport: 'udp',
  qname,
  qtype: 1,
  rcode: 0,
  upstream: '127.0.0.1:53',
  route: '.',
  latencyMs: 1.5,
  cache: 'miss',
  rrl: null,
  flattened: false,
  answers: 'A 192.0.2.1',
  ...extra,
});

const request = (at: number, url: string, extra: Partial<RailgunRequest> = {}): RailgunRequest => ({
  at,
  url,
  status: 200,
  outcome: 'hit',
  rawBytes: 90_000,
  linkBytes: 300,
  totalMs: 12.5,
  originMs: 4.25,
  failure: null,
  ...extra,
});

const opened: HistoryStore[] = [];
const open = async (dir: string, options?: Parameters<typeof HistoryStore.open>[1]) => {
  const store = await HistoryStore.open(dir, options);
  opened.push(store);
  return store;
};
after(() => Promise.all(opened.map((store) => store.close())));

describe('history store (DuckDB in a worker thread)', () => {
  it('finds queries by range, name substring (any case), client, rcode, cache and rrl, newest first, after a reopen', async () => {
    const dir = tempDir('history');
    const store = await open(dir);
    // On a chart bucket's start (2 s buckets below).
    const t = Math.floor((Date.now() - 60_000) / 2000) * 2000;
    store.addQueries([
      entry(t + 1000, 'www.example.test', { seq: 7 }),
      entry(t + 2000, 'mail.example.test', { rcode: 3, cache: 'hit' }),
      entry(t + 3000, 'other.test', { client: '10.0.0.2', rrl: 'slip', answers: null, route: 'corp.example.' }),
    ]);
    await store.close();
    const again = await open(dir, { readOnly: true });
    const names = async (search: Parameters<HistoryStore['searchQueries']>[0]) => (await again.searchQueries(search, 10)).entries.map((e) => e.qname);
    assert.deepEqual(await names({ since: 0, filter: { qname: 'EXAMPLE' } }), ['mail.example.test', 'www.example.test']);
    assert.equal((await again.searchQueries({ since: t + 1500 }, 10)).matched, 2);
    assert.equal((await again.searchQueries({ since: 0, until: t + 2000 }, 10)).matched, 1);
    assert.deepEqual(await names({ since: 0, filter: { rcode: 3 } }), ['mail.example.test']);
    assert.deepEqual(await names({ since: 0, filter: { client: '10.0.0.2' } }), ['other.test']);
    assert.deepEqual(await names({ since: 0, filter: { cache: 'hit' } }), ['mail.example.test']);
    assert.deepEqual(await names({ since: 0, filter: { rrl: 'slip' } }), ['other.test']);
    // The route's zone, compared without regard to case as the routes match it (RFC 4343).
    assert.deepEqual(await names({ since: 0, filter: { route: 'CORP.Example.' } }), ['other.test']);
    const [first] = (await again.searchQueries({ since: 0, filter: { qname: 'www' } }, 1)).entries;
    assert.deepEqual(first, entry(t + 1000, 'www.example.test', { seq: 7 }));
    assert.deepEqual((await again.topQueries({ since: 0 }, 1)).clients, [{ key: '127.0.0.1', count: 2 }]);
    const chart = await again.chartQueries({ since: t, until: t + 4000 }, 2000);
    assert.deepEqual(
      chart.map((point) => [point.queries, point.cached, point.nxdomain]),
      [
        [1, 0, 0],
        [2, 1, 1],
      ],
    );
  });

  it('keeps Railgun requests in their own table, searched by URL, outcome and status', async () => {
    const store = await open(tempDir('history'));
    const t = Date.now() - 10_000;
    const failed = request(t + 1, 'https://example.test/B', {
      status: 502,
      outcome: 'miss',
      failure: { at: t + 1, kind: 'origin-refused', message: 'connect ECONNREFUSED 127.0.0.1:8000' },
    });
    store.addRequests([request(t, 'https://example.test/a'), failed]);
    await store.flush();
    assert.deepEqual((await store.searchRequests({ since: 0, url: '/b' }, 10)).requests, [failed]);
    assert.equal((await store.searchRequests({ since: 0, status: 200 }, 10)).matched, 1);
    assert.equal((await store.searchQueries({ since: 0 }, 10)).matched, 0);
  });
});

describe('history retention', () => {
  it('drops queries and requests older than maxAgeMs at a trim', async () => {
    const store = await open(tempDir('history'), { limits: { maxAgeMs: 10_000 } });
    const now = Date.now();
    store.addQueries([entry(now - 20_000, 'old.test'), entry(now - 5000, 'new.test')]);
    store.addRequests([request(now - 20_000, 'https://old.test/'), request(now - 5000, 'https://new.test/')]);
    await store.flush();
    assert.equal((await store.trim(now)).byAge, 2);
    assert.deepEqual(
      (await store.searchQueries({ since: 0 }, 10)).entries.map((e) => e.qname),
      ['new.test'],
    );
    assert.deepEqual(
      (await store.searchRequests({ since: 0 }, 10)).requests.map((r) => r.url),
      ['https://new.test/'],
    );
  });

  it('keeps the used part of the file under maxBytes by dropping the oldest rows first', async () => {
    const maxBytes = 2 * 1024 * 1024;
    const store = await open(tempDir('history'), { limits: { maxBytes } });
    const start = Date.now() - 3_600_000;
    const total = 150_000;
    // Distinct names and clients: several MB of blocks even with DuckDB's compression.
    store.addQueries(
      Array.from({ length: total }, (_, n) =>
        entry(start + n, `n${n}-${(n * 2654435761) % 1e9}.example.test`, { client: `10.1.${(n >> 8) & 255}.${n & 255}` }),
      ),
    );
    await store.flush();
    const result = await store.trim(Date.now());
    assert.ok(result.bySize > 0, 'rows were dropped for size');
    assert.ok(result.usedBytes <= maxBytes, `used ${result.usedBytes} bytes`);
    const { entries, matched } = await store.searchQueries({ since: 0 }, 1);
    assert.equal(matched, total - result.bySize);
    assert.equal(entries[0]!.at, start + total - 1, 'the newest row is kept');
    assert.equal((await store.searchQueries({ since: 0, until: start + total - matched }, 1)).matched, 0, 'what went is the oldest');
  });
});

describe('history file of schema version 1 (before routes were kept)', () => {
  it('gains the route column at open, keeps its rows (route null) and stores routes from then on', async () => {
    const dir = tempDir('history-v1');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(join(dir, 'history.duckdb'));
    const connection = await instance.connect();
    // The version 1 tables, as the first DuckDB store made them.
    await connection.run('CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)');
    await connection.run("INSERT INTO meta VALUES ('schema', '1')");
    await connection.run(
      'CREATE TABLE queries (ts BIGINT NOT NULL, seq BIGINT NOT NULL, client VARCHAR NOT NULL, transport VARCHAR NOT NULL, qname VARCHAR NOT NULL, qtype INTEGER NOT NULL, rcode SMALLINT NOT NULL, upstream VARCHAR, latency_ms FLOAT NOT NULL, cache VARCHAR, rrl VARCHAR, flattened BOOLEAN NOT NULL, answers VARCHAR)',
    );
    const t = Date.now() - 5000;
    await connection.run(`INSERT INTO queries VALUES (${t}, 1, '127.0.0.1', 'udp', 'old.test', 1, 0, NULL, 1, NULL, NULL, false, NULL)`);
    connection.closeSync();
    instance.closeSync();
    const store = await open(dir);
    store.addQueries([entry(t + 1000, 'new.test', { route: '.' })]);
    await store.close();
    const again = await open(dir, { readOnly: true });
    const found = (await again.searchQueries({ since: 0 }, 10)).entries.map((e) => [e.qname, e.route]);
    assert.deepEqual(found, [
      ['new.test', '.'],
      ['old.test', null],
    ]);
  });
});

describe('history upgrade from the node:sqlite store', () => {
  it('imports query-history.sqlite once and renames it', async () => {
    const dir = tempDir('history');
    const legacy = new DatabaseSync(join(dir, 'query-history.sqlite'));
    legacy.exec(
      'CREATE TABLE queries (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, client TEXT NOT NULL, transport TEXT NOT NULL, qname TEXT NOT NULL, qtype INTEGER NOT NULL, rcode INTEGER NOT NULL, upstream TEXT, latency_ms REAL NOT NULL, cache TEXT, rrl TEXT, flattened INTEGER NOT NULL)',
    );
    const t = Date.now() - 1000;
    legacy
      .prepare(
        'INSERT INTO queries (at, client, transport, qname, qtype, rcode, upstream, latency_ms, cache, rrl, flattened) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(t, '127.0.0.1', 'tcp', 'kept.test', 28, 3, null, 2.25, null, 'drop', 1);
    legacy.close();
    const store = await open(dir);
    assert.deepEqual((await store.searchQueries({ since: 0 }, 10)).entries, [
      {
        seq: 1,
        at: t,
        client: '127.0.0.1',
        transport: 'tcp',
        qname: 'kept.test',
        qtype: 28,
        rcode: 3,
        upstream: null,
        route: null,
        latencyMs: 2.25,
        cache: null,
        rrl: 'drop',
        flattened: true,
        answers: null,
      },
    ]);
    assert.ok(!existsSync(join(dir, 'query-history.sqlite')) && existsSync(join(dir, 'query-history.sqlite.imported')));
  });
});
