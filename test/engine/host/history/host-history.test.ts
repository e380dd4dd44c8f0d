// The host and its history store together: DNS queries (through an engine upgrade, Knot upstream)
// and Railgun requests reach the store through the host's own subscriptions, and a store that
// cannot open does not keep the host down.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { railgunConfig } from '../../../../engine/api/railgun.ts';
import { defaultConfig } from '../../../../engine/host/config.ts';
import { startHost } from '../../../../engine/host/host.ts';
import type { EngineUpgrade } from '../../../../engine/api/host.ts';
import { askUdp, encodeQuery } from '../../../helpers/dns.ts';
import { freePort, startKnot } from '../../../helpers/knot.ts';
import { quietLog, tempDir } from '../../../helpers/host.ts';
import { waitFor } from '../../../helpers/wait.ts';

describe('host history', () => {
  it('keeps the queries answered before and after an upgrade of the DNS engine (Knot upstream)', { timeout: 60_000 }, async () => {
    const knot = await startKnot();
    const port = await freePort();
    const config = defaultConfig();
    config.engines.dns = {
      ...config.engines.dns,
      enabled: true,
      listen: [`127.0.0.1:${port}`],
      upstreams: [`127.0.0.1:${knot.port}`],
      healthCheck: { ...config.engines.dns.healthCheck, probeName: 'example.test.' },
    };
    const host = await startHost({ config, dataDir: tempDir('host-history'), version: 'test', log: quietLog });
    const run = Date.now().toString(36);
    const ask = async (from: number) => {
      for (let i = from; i < from + 50; i++)
        assert.ok(await askUdp(port, encodeQuery(`u${i}-${run}.example.test`, 1), { timeoutMs: 3000 }), `query ${i} answered`);
    };
    try {
      await ask(0);
      const upgrade = (await host.router.call('host.upgradeEngine', { name: 'dns' })) as EngineUpgrade;
      assert.equal(upgrade.phase, 'done', upgrade.message);
      await ask(50);
      type Found = { entries: { qname: string }[]; matched: number };
      const search = () => host.router.call('host.queryHistory', { since: 0, filter: { qname: run }, limit: 200, buckets: 10 }) as Promise<Found>;
      await waitFor(async () => (await search()).matched === 100, 'all 100 queries in the history');
      assert.equal(new Set((await search()).entries.map((entry) => entry.qname)).size, 100);
    } finally {
      await host.stop();
      await knot.stop();
    }
  });

  it('keeps the Railgun requests the pair answered, found by URL after the batch', { timeout: 60_000 }, async () => {
    const origin = http.createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'same '.repeat(2000)}${Date.now()}</p>`),
    );
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const config = defaultConfig();
    config.engines.railgun = railgunConfig.parse({
      enabled: true,
      origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
      listen: '127.0.0.1:0',
    });
    const host = await startHost({ config, dataDir: tempDir('host-history'), version: 'test', log: quietLog });
    try {
      type Status = { senderAddress: string; link: { state: string } };
      await waitFor(async () => ((await host.router.call('railgun.status', {}).catch(() => null)) as Status | null)?.link.state === 'up', 'the link');
      const { senderAddress } = (await host.router.call('railgun.status', {})) as Status;
      const since = Date.now();
      for (let i = 0; i < 3; i++) await (await fetch(`http://${senderAddress}/kept-page`)).arrayBuffer();
      type Found = { requests: { url: string; status: number; outcome: string }[]; matched: number };
      let found: Found | undefined;
      await waitFor(
        async () => (found = (await host.router.call('host.requestHistory', { since, url: 'KEPT', limit: 10 })) as Found).matched === 3,
        'three requests in the history',
      );
      assert.deepEqual(
        found!.requests.map((request) => [request.url, request.status]),
        [
          ['/kept-page', 200],
          ['/kept-page', 200],
          ['/kept-page', 200],
        ],
      );
      assert.equal(found!.requests.filter((request) => request.outcome === 'hit').length, 2, 'the second and third crossed as deltas');
    } finally {
      await host.stop();
      origin.closeAllConnections();
      origin.close();
    }
  });

  it('runs its engines without the history when another process holds history.duckdb, and says why', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('host-history');
    // DuckDB lets one process hold a file for writing; this one keeps it until told to go.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const { DuckDBInstance } = require('@duckdb/node-api'); DuckDBInstance.create(${JSON.stringify(join(dataDir, 'history.duckdb'))}).then(() => console.log('held')); process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'held');
    const config = defaultConfig();
    config.engines.dns = { ...config.engines.dns, enabled: true, listen: [`127.0.0.1:${await freePort()}`], upstreams: ['127.0.0.1:9'] };
    const host = await startHost({ config, dataDir, version: 'test', log: quietLog });
    try {
      await assert.rejects(host.router.call('host.queryHistory', { since: 0 }), (error: { code: string; message: string }) => {
        assert.equal(error.code, 'E_ENGINE_UNAVAILABLE');
        assert.match(error.message, /this host keeps no history: the history store did not open: .*lock/i);
        return true;
      });
      assert.ok(host.supervisor.has('dns'));
    } finally {
      await host.stop();
      holder.kill();
    }
  });
});
