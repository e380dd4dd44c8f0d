// The DNS query history lasts: 300 queries answered through Knot before `signalbox serve`
// restarts are found after it, by `signalbox queries` (through the running host, and from the file
// once it stopped) and on the DNS page; the page's range, drag zoom and export work on the real
// store (DuckDB), the exported CSV, JSON lines and Parquet files read back (Parquet with DuckDB).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { HistoryStore } from '../../engine/host/history/history-store.ts';
import { launchChromium, openConsolePage } from '../helpers/browser.ts';
import { askUdp, encodeQuery } from '../helpers/dns.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../helpers/knot.ts';
import { bin, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { waitFor } from '../helpers/wait.ts';

const run = Date.now().toString(36);
const count = 300;
/** Queries of an earlier run, 25 to 35 minutes ago: in the last hour, not in the last 5 minutes. */
const earlier = 40;
const earlierStart = Date.now() - 35 * 60_000;
let knot: Knot;
let served: ServeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let dir: string;
let dnsPort: number;
const problems: string[] = [];

function queries(args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'queries', '--data-dir', dir, ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { qname?: string; name?: string; rcode: number; answers: string | null });
const matched = (n: number) => page.locator(`[data-testid=dns-history-result][data-matched="${n}"]`).waitFor({ timeout: 15_000 });

before(async () => {
  knot = await startKnot();
  dnsPort = await freePort();
  dir = tempDir('e2e-history');
  const seed = await HistoryStore.open(dir);
  seed.addQueries(
    Array.from({ length: earlier }, (_, i) => ({
      seq: i + 1,
      at: earlierStart + i * 15_000,
      client: '10.9.9.9',
      transport: 'udp' as const,
      qname: `old${i}-${run}.example.test`,
      qtype: 1,
      rcode: 0,
      upstream: '127.0.0.1:53',
      route: '.',
      latencyMs: 2,
      cache: 'miss' as const,
      rrl: null,
      flattened: false,
      answers: 'A 192.0.2.99',
    })),
  );
  await seed.close();
  writeFileSync(
    join(dir, 'signalbox.yaml'),
    `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${dnsPort}"]\n    upstreams: ["127.0.0.1:${knot.port}"]\n`,
  );
  served = await startServeProcess(['--data-dir', dir]);
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  await knot?.stop();
});

describe('DNS query history across a restart of serve (e2e, Knot upstream, DuckDB)', () => {
  it('keeps 300 queries through a restart: found by signalbox queries, with their answers', { timeout: 120_000 }, async () => {
    for (let i = 0; i < count; i++) {
      const answer = await askUdp(dnsPort, encodeQuery(`h${i}-${run}.example.test`, 1), { timeoutMs: 3000 });
      assert.ok(answer, `query ${i} answered`);
    }
    assert.ok(await askUdp(dnsPort, encodeQuery('alias.example.test', 1), { timeoutMs: 3000 }));
    await waitFor(
      () => jsonLines(queries(['--since', '5m', '--name', run, '--format', 'json', '--limit', '1000'])).length === count,
      'all 300 in the history',
      30_000,
    );

    await stopProcess(served!.child);
    served = await startServeProcess(['--data-dir', dir]);

    const found = jsonLines(queries(['--since', '1h', '--name', run, '--rcode', 'NXDOMAIN', '--format', 'json', '--limit', '1000']));
    assert.equal(found.length, count);
    assert.equal(new Set(found.map((entry) => entry.qname)).size, count);
    const csv = queries(['--name', `h7-${run}`])
      .trim()
      .split('\n');
    assert.equal(csv[0], 'time,client,transport,name,type,rcode,upstream,route,latency_ms,cache,rrl,flattened,answers');
    assert.match(csv[1]!, new RegExp(`,127\\.0\\.0\\.1,udp,h7-${run}\\.example\\.test,A,NXDOMAIN,127\\.0\\.0\\.1:${knot.port},`));
    // RFC 1034 §3.6.2: the chain as the upstream answered it, then the address.
    assert.deepEqual(
      jsonLines(queries(['--name', 'alias.example.test', '--format', 'json'])).map((entry) => entry.answers),
      ['CNAME alias2.example.test; CNAME www.example.test; A 192.0.2.10'],
    );
  });

  it('on the DNS page: the range and a drag across the chart change the rows; answers in rows', { timeout: 60_000 }, async () => {
    browser = await launchChromium();
    page = await openConsolePage(browser, served!, 'dns', problems);
    await page.locator('[data-testid=dns-history-filter-qname]').fill(run);
    await matched(count + earlier);
    assert.equal(await page.locator('[data-testid=dns-history-row]').count(), 200);
    const topNames = await page.locator('[data-testid=dns-history-top-names]').innerText();
    assert.match(topNames, new RegExp(`h\\d+-${run}\\.example\\.test`));

    await page.locator('[data-testid=dns-history-range]').selectOption({ label: 'Last 5 minutes' });
    await matched(count);
    assert.ok((await page.locator('[data-testid=dns-history-row]').first().getAttribute('data-qname'))!.startsWith('h'));

    // Back to the hour, then drag from 40 to 20 minutes ago: only the earlier run's queries.
    await page.locator('[data-testid=dns-history-range]').selectOption({ label: 'Last hour' });
    await matched(count + earlier);
    const chart = page.locator('[data-testid=dns-history-chart]');
    // Mouse events only reach what is in the viewport.
    await chart.scrollIntoViewIfNeeded();
    const since = Number(await chart.getAttribute('data-since'));
    const until = Number(await chart.getAttribute('data-until'));
    const plot = (await chart.locator('.u-over').boundingBox())!;
    const xAt = (ms: number) => plot.x + (plot.width * (ms - since)) / (until - since);
    await page.mouse.move(xAt(Date.now() - 40 * 60_000), plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(xAt(Date.now() - 20 * 60_000), plot.y + plot.height / 2, { steps: 8 });
    await page.mouse.up();
    await matched(earlier);
    assert.equal(await page.locator('[data-testid=dns-history-range]').inputValue(), 'custom');
    const rows = page.locator('[data-testid=dns-history-row]');
    assert.equal(await rows.count(), earlier);
    assert.ok((await rows.first().getAttribute('data-qname'))!.startsWith('old'));
    assert.equal(await rows.first().locator('[data-testid=dns-history-answers]').innerText(), 'A 192.0.2.99');

    await page.locator('[data-testid=dns-history-filter-qname]').fill('alias.example.test');
    await page.locator('[data-testid=dns-history-range]').selectOption({ label: 'Last 5 minutes' });
    await matched(1);
    assert.equal(
      await page.locator('[data-testid=dns-history-answers]').first().innerText(),
      'CNAME alias2.example.test; CNAME www.example.test; A 192.0.2.10',
    );
  });

  it('exports the selection as CSV, JSON lines and Parquet, each file read back', { timeout: 60_000 }, async () => {
    await page.locator('[data-testid=dns-history-filter-qname]').fill(run);
    await matched(count);
    const download = async (format: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download', { timeout: 20_000 }),
        page.locator(`[data-testid=dns-history-export-${format}]`).click(),
      ]);
      const path = join(dir, `export.${format}`);
      await file.saveAs(path);
      await page.locator('[data-testid=dns-history-export-result]', { hasText: `${count} queries` }).waitFor({ timeout: 10_000 });
      return path;
    };
    const csv = readFileSync(await download('csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(csv[0], 'time,client,transport,name,type,rcode,upstream,route,latency_ms,cache,rrl,flattened,answers');
    assert.equal(csv.length, count + 1);
    assert.ok(
      csv.slice(1).every((line) => line.includes(`-${run}.example.test,A,NXDOMAIN,`)),
      'every row an A query answered NXDOMAIN',
    );

    const lines = jsonLines(readFileSync(await download('jsonl'), 'utf8'));
    assert.equal(lines.length, count);
    assert.equal(new Set(lines.map((line) => line.name)).size, count);

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const parquet = await download('parquet');
    const [row] = (
      await connection.runAndReadAll(
        `SELECT count(*), count(DISTINCT name), count(*) FILTER (rcode = 'NXDOMAIN' AND type = 'A') FROM read_parquet('${parquet}')`,
      )
    ).getRowsJS();
    assert.deepEqual(row!.map(Number), [count, count, count]);
    connection.closeSync();
    instance.closeSync();
  });

  it('signalbox queries reads the file itself once no host holds it', async () => {
    // The page first: a console that loses its host reports the refused reconnects as errors.
    await browser?.close();
    browser = undefined;
    await stopProcess(served!.child);
    served = undefined;
    assert.equal(jsonLines(queries(['--since', '1h', '--name', run, '--format', 'json', '--limit', '1000'])).length, count + earlier);
  });

  it('raised no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
