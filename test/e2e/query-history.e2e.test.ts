// The DNS query history lasts: 300 queries answered through Knot before `signalbox serve`
// restarts are found after it, by `signalbox queries` and by the DNS page's history search.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsolePage } from '../helpers/browser.ts';
import { askUdp, encodeQuery } from '../helpers/dns.ts';
import { tempDir } from '../helpers/host.ts';
import { freePort, startKnot, type Knot } from '../helpers/knot.ts';
import { bin, startServeProcess, stopProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { waitFor } from '../helpers/wait.ts';

const run = Date.now().toString(36);
const count = 300;
let knot: Knot;
let served: ServeProcess | undefined;
let browser: Browser | undefined;
let dir: string;
let dnsPort: number;
const problems: string[] = [];

function queries(args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'queries', '--data-dir', dir, ...args], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { qname: string; rcode: number });

before(async () => {
  knot = await startKnot();
  dnsPort = await freePort();
  dir = tempDir('e2e-history');
  writeFileSync(join(dir, 'signalbox.yaml'), `engines:\n  dns:\n    enabled: true\n    listen: ["127.0.0.1:${dnsPort}"]\n    upstreams: ["127.0.0.1:${knot.port}"]\n`);
  served = await startServeProcess(['--data-dir', dir]);
});

after(async () => {
  await browser?.close();
  if (served) await stopProcess(served.child);
  await knot?.stop();
});

describe('DNS query history across a restart of serve (e2e, Knot upstream)', () => {
  it('keeps 300 queries through a restart: found by signalbox queries and on the DNS page', { timeout: 120_000 }, async () => {
    for (let i = 0; i < count; i++) {
      const answer = await askUdp(dnsPort, encodeQuery(`h${i}-${run}.example.test`, 1), { timeoutMs: 3000 });
      assert.ok(answer, `query ${i} answered`);
    }
    await waitFor(() => jsonLines(queries(['--name', run, '--format', 'json', '--limit', '1000'])).length === count, 'all 300 in the history', 30_000);

    await stopProcess(served!.child);
    served = await startServeProcess(['--data-dir', dir]);

    const after = jsonLines(queries(['--since', '1h', '--name', run, '--rcode', 'NXDOMAIN', '--format', 'json', '--limit', '1000']));
    assert.equal(after.length, count);
    assert.deepEqual(new Set(after.map((entry) => entry.qname)).size, count);
    const csv = queries(['--name', `h7-${run}`]).trim().split('\n');
    assert.equal(csv[0], 'time,client,transport,name,type,rcode,upstream,latency_ms,cache,rrl,flattened,answers');
    assert.match(csv[1]!, new RegExp(`,127\\.0\\.0\\.1,udp,h7-${run}\\.example\\.test,A,NXDOMAIN,127\\.0\\.0\\.1:${knot.port},`));

    browser = await launchChromium();
    const page = await openConsolePage(browser, served, 'dns', problems);
    await page.locator('[data-testid=dns-history-name]').fill(run);
    await page.locator('[data-testid=dns-history-search]').click();
    await page.locator('[data-testid=dns-history-result]', { hasText: '300 queries match' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid=dns-history-row]').count(), 200);
    assert.match(await page.locator('[data-testid=dns-history-top]').innerText(), new RegExp(`example\\.test \\(1\\)`));
  });

  it('raised no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
