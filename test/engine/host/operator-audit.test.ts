import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OperatorAudit, configChanges, operatorAuditFile, type OperatorEntry } from '../../../engine/host/operator-audit.ts';
import { hostCaller, type Caller } from '../../../engine/api/identity.ts';
import { asConnection, createRouter } from '../../../engine/host/router.ts';
import { verifyChain } from '../../../engine/common/audit-log.ts';
import { echoSupervisor, tempDir } from '../../helpers/host.ts';

const supervisor = echoSupervisor();
after(() => supervisor.stop());

describe('operator audit log', () => {
  it('records a restart and a refused action with who, what and the result, in a hash chain', async () => {
    const dir = tempDir('operator-audit');
    await supervisor.start();
    const router = createRouter(supervisor, { version: 'test', startedAt: Date.now(), audit: await OperatorAudit.open(dir) });
    const olga: Caller = { name: 'olga', role: 'operator', via: 'session' };
    await asConnection(router, '127.0.0.1:5000').call('host.restartEngine', { name: 'echo' }, olga);
    await assert.rejects(asConnection(router, '127.0.0.1:5001').call('host.restartEngine', { name: 'dns' }, olga), { code: 'E_ENGINE_UNAVAILABLE' });

    const { entries, check } = (await router.call('host.audit', { limit: 10 })) as { entries: OperatorEntry[]; check: { ok: boolean } };
    assert.equal(check.ok, true);
    assert.deepEqual(
      entries.map((entry) => [entry.event, entry.actor, entry.details.engine, entry.details.result]),
      [
        ['engine-restart', 'olga (console session 127.0.0.1:5001)', 'dns', 'refused'],
        ['engine-restart', 'olga (console session 127.0.0.1:5000)', 'echo', 'done'],
      ],
    );
    assert.equal(entries[0]!.details.code, 'E_ENGINE_UNAVAILABLE');
    // The file is the vault's format: it verifies with the vault's own chain check.
    const file = verifyChain(readFileSync(join(dir, operatorAuditFile), 'utf8'));
    assert.equal(file.check.ok, true);
    assert.equal(file.entries.length, 2);
    // Reads by other calls are not recorded.
    await router.call('host.engines', {});
    assert.equal(((await router.call('host.audit', { limit: 10 })) as { entries: unknown[] }).entries.length, 2);
  });

  it('survives a restart of the host: the chain goes on in the same file', async () => {
    const dir = tempDir('operator-audit');
    const first = createRouter(supervisor, { version: 'test', startedAt: Date.now(), audit: await OperatorAudit.open(dir) });
    await first.callAs('host.restartEngine', { name: 'echo' }, hostCaller, 'a');
    const second = createRouter(supervisor, { version: 'test', startedAt: Date.now(), audit: await OperatorAudit.open(dir) });
    await second.callAs('host.restartEngine', { name: 'echo' }, hostCaller, 'b');
    const file = verifyChain(readFileSync(join(dir, operatorAuditFile), 'utf8'));
    assert.equal(file.check.ok, true);
    assert.deepEqual(
      file.entries.map((entry) => [entry.seq, entry.actor]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
  });

  it('lists the config keys a change touched, before and after, and hides secrets', () => {
    assert.deepEqual(configChanges({ rrl: { window: 15, slip: 2 }, cache: { enabled: true } }, { rrl: { window: 20, slip: 2 }, cache: { enabled: false } }), [
      'rrl.window: 15 → 20',
      'cache.enabled: true → false',
    ]);
    assert.deepEqual(configChanges({ auth: { password: 'old' }, tokenFile: '/a' }, { auth: { password: 'new' }, tokenFile: '/b' }), [
      'auth.password: changed (value not recorded)',
      'tokenFile: "/a" → "/b"',
    ]);
    assert.doesNotMatch(JSON.stringify(configChanges({ token: 'x1' }, { token: 'y2' })), /x1|y2/);
  });
});
