// The host and its history store together: a store that cannot open does not keep the host down.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../engine/host/config.ts';
import { startHost } from '../../../../engine/host/host.ts';
import { freePort } from '../../../helpers/knot.ts';
import { quietLog, tempDir } from '../../../helpers/host.ts';

describe('host history', () => {
  it('runs its engines without the history when another process holds history.duckdb, and says why', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('host-history');
    // DuckDB lets one process hold a file for writing; this one keeps it until told to go.
    const holder = spawn(process.execPath, ['-e', `const { DuckDBInstance } = require('@duckdb/node-api'); DuckDBInstance.create(${JSON.stringify(join(dataDir, 'history.duckdb'))}).then(() => console.log('held')); process.stdin.resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
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
