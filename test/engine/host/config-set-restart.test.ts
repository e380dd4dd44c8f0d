// A DNS config applied live through the host survives a crash of the engine process: the host
// starts the new process with it. Invalid configs never reach the engine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DnsConfig } from '../../../engine/api/dns.ts';
import { createRouter } from '../../../engine/host/router.ts';
import { Supervisor } from '../../../engine/host/supervisor.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';
import { freePort, kdig, startKnot, type Knot } from '../../helpers/knot.ts';
import { waitFor } from '../../helpers/wait.ts';

let knot: Knot;
let supervisor: Supervisor;
let port: number;
before(async () => {
  knot = await startKnot();
  port = await freePort();
  supervisor = new Supervisor({
    engines: [{ name: 'dns', config: { enabled: true, listen: [`127.0.0.1:${port}`], upstreams: [`127.0.0.1:${knot.port}`] } }],
    dataDir: tempDir('data'),
    log: quietLog,
    backoff: { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 },
  });
  await supervisor.start();
});
after(async () => {
  await supervisor?.stop();
  await knot?.stop();
});

describe('dns.configSet through the host', () => {
  it('keeps a live config across an engine crash', async () => {
    const router = createRouter(supervisor, { version: '0.0.0-test', startedAt: Date.now() });
    const { config } = (await router.call('dns.configGet', {})) as { config: DnsConfig };
    await router.call('dns.configSet', { config: { ...config, rrl: { ...config.rrl, enabled: true, responsesPerSecond: 7 } } });
    const pid = supervisor.snapshot().engines[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => {
      const engine = supervisor.snapshot().engines[0]!;
      return engine.status === 'running' && engine.pid !== pid;
    }, 'the engine to come back');
    const after = (await router.call('dns.configGet', {})) as { config: DnsConfig };
    assert.equal(after.config.rrl.enabled, true);
    assert.equal(after.config.rrl.responsesPerSecond, 7);
    assert.match(await kdig(port, ['www.example.test', 'A']), /192\.0\.2\.10/);
  });

  it('refuses an invalid config with the key that is wrong, and keeps the running one', async () => {
    const client = supervisor.client('dns')!;
    const { config } = (await client.call('dns.configGet', {})) as { config: DnsConfig };
    await assert.rejects(
      client.call('dns.configSet', { config: { ...config, rrl: { ...config.rrl, slip: 99 } } }),
      (err: { code: string; message: string }) => {
        assert.equal(err.code, 'E_INVALID_PARAMS');
        assert.match(err.message, /rrl.*slip/);
        return true;
      },
    );
    assert.deepEqual(((await client.call('dns.configGet', {})) as { config: DnsConfig }).config, config);
  });
});
