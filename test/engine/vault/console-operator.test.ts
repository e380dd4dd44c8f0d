// The vault's audit log names the console operator a call was made for, through the real host:
// router -> engine process (the caller travels in the call's envelope) -> vault.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller } from '../../../engine/api/identity.ts';
import { defaultConfig } from '../../../engine/host/config.ts';
import { startHost, type Host } from '../../../engine/host/host.ts';
import { quietLog, tempDir } from '../../helpers/host.ts';

let host: Host;
const olga: Caller = { name: 'olga', role: 'admin', via: 'session' };
const mallory: Caller = { name: 'mallory', role: 'operator', via: 'session' };

before(async () => {
  const config = defaultConfig();
  config.engines.vault = { ...config.engines.vault, enabled: true };
  host = await startHost({ config, dataDir: tempDir('vault-operator'), version: 'test', log: quietLog });
});
after(() => host?.stop());

type Entries = { entries: { event: string; actor: string | null; details: Record<string, unknown> }[]; chain: { ok: boolean } };

describe('vault audit through the console', () => {
  it('names the console operator beside the vault account, for actions and failed logins', async () => {
    await host.router.call('vault.create', { name: 'admin', password: 'admin-password-1' }, olga);
    await host.router
      .call('vault.createUser', { admin: { name: 'admin', password: 'wrong-password' }, name: 'alice', password: 'alice-password-1' }, mallory)
      .catch(() => {});
    const { entries, chain } = (await host.router.call('vault.audit', { limit: 10 }, olga)) as Entries;
    const create = entries.find((entry) => entry.event === 'create')!;
    assert.deepEqual([create.actor, create.details.operator], ['admin', 'olga']);
    const failed = entries.find((entry) => entry.event === 'failed-login')!;
    assert.deepEqual([failed.actor, failed.details.operator], ['admin', 'mallory']);
    assert.equal(chain.ok, true, 'the operator is part of the hashed entry; the chain holds');
  });

  it("names no operator for the host's own calls", async () => {
    await host.router.call('vault.createUser', { admin: { name: 'admin', password: 'admin-password-1' }, name: 'bob', password: 'bob-password-12' });
    const { entries } = (await host.router.call('vault.audit', { limit: 10 })) as Entries;
    const created = entries.find((entry) => entry.event === 'create-user')!;
    assert.equal(created.details.operator, undefined);
  });
});
