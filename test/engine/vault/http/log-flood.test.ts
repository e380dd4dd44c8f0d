// A client that keeps sending after the login guard stopped it must not flood the log (once:
// 115,763 lines, 19.9 MB in 20 s from one client). Requests refused for load are logged once per
// client address per interval, with the count the line stands for; the rest is logged at close.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { as, admin, startHttpsVault } from './https-fixture.ts';

describe('vault HTTPS: log of rate-limited requests', { timeout: 120_000 }, () => {
  it('logs 300 rate-limited requests from one address as one line, and the other 299 as a count at close', async () => {
    // One lock lasts a minute, so that the flood below is refused however slow this machine is.
    const server = await startHttpsVault('vault-flood', { throttledLogEveryMs: 60_000 }, { guard: { baseDelayMs: 60_000 } });
    let closed = false;
    try {
      await server.ok('/create', as('admin'));
      await server.ok('/create-user', { ...as('alice'), ...admin });
      for (let n = 0; n < 3; n++) assert.equal((await server.post('/summary', { Name: 'alice', Password: 'wrong-password' })).answer.Code, 'E_VAULT_AUTH');
      const before = server.lines.length;
      for (let batch = 0; batch < 15; batch++) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => server.post('/summary', as('alice'))));
        assert.deepEqual(new Set(answers.map(({ answer }) => answer.Code)), new Set(['E_RATE_LIMITED']));
      }
      const flood = server.lines.slice(before);
      assert.deepEqual(
        flood.map((line) => [line.msg, line.fields.status, line.fields.source, line.fields.count]),
        [['request', 'E_RATE_LIMITED', '127.0.0.1', 1]],
        'one line for 300 requests',
      );
      // Other answers are logged one by one, as before.
      await server.ok('/summary', as('admin'));
      assert.equal(server.lines.at(-1)?.fields.status, 'ok');

      await server.close();
      closed = true;
      const last = server.lines.at(-1)!;
      assert.deepEqual([last.msg, last.fields.source, last.fields.count], ['requests refused for load, not logged yet', '127.0.0.1', 299]);
    } finally {
      if (!closed) await server.close();
    }
  });
});
