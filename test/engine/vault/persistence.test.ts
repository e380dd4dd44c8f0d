// DelegationPersistence on its own, over a real vault's accounts (a low KDF cost): restores that
// arrive together, whose order a network makes hard to pin down, are driven here in one tick.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../../../engine/common/audit-log.ts';
import { DelegationStore } from '../../../engine/vault/delegations.ts';
import { DelegationPersistence } from '../../../engine/vault/persist/persistence.ts';
import { Vault } from '../../../engine/vault/vault.ts';
import { tempDir } from '../../helpers/host.ts';

const pw = (name: string) => `${name}-password-1`;
const lowCost = { kdfCost: { N: 2 ** 10, r: 8, p: 1 }, kdf: { minimumN: 2 ** 10 } };

describe('vault delegation persistence', () => {
  it('brings the stored delegations back once when three owners restore in the same moment', async () => {
    const dir = tempDir('vault-persistence');
    const paths = { vaultPath: join(dir, 'vault.json'), auditPath: join(dir, 'audit.log') };
    const persist = { owners: ['alice', 'bob', 'carol'], minimum: 2, path: join(dir, 'vault.json.delegations') };
    const before = await Vault.open({ ...paths, ...lowCost, persist });
    await before.accounts.create('admin', pw('admin'), 'ECC');
    for (const name of ['alice', 'bob', 'carol', 'dave'])
      await before.accounts.createUser({ name: 'admin', password: pw('admin') }, 'test', name, pw(name), 'ECC');
    await before.delegate({ name: 'alice', password: pw('alice') }, 'test', { seconds: 3600, uses: 4, users: ['dave'], anyone: false, labels: [] });
    await before.close();

    const vault = await Vault.open({ ...paths, ...lowCost });
    try {
      const delegations = new DelegationStore();
      const recorded: Pick<AuditEntry, 'event' | 'actor'>[] = [];
      const persistence = await DelegationPersistence.open(persist, {
        vaultId: vault.status().vaultId,
        delegations,
        publicKeyOf: (name) => vault.accounts.publicKeyOf(name),
        record: async (event, actor) => void recorded.push({ event, actor }),
        changed: () => {},
      });
      assert.equal(persistence.current, 'inactive');
      const keys = await Promise.all(['alice', 'bob', 'carol'].map(async (name) => (await vault.accounts.unlock({ name, password: pw(name) }, 'test')).key));
      const states = await Promise.all(['alice', 'bob', 'carol'].map((name, index) => persistence.restore(name, keys[index]!, 3600)));
      assert.ok(states.includes('active'), states.join());
      assert.equal(persistence.current, 'active');
      assert.deepEqual(
        delegations.general().map((d) => [d.owner, d.uses]),
        [['alice', 4]],
      );
      assert.equal(recorded.filter((entry) => entry.event === 'persist-restored').length, 1, 'brought back once');
      for (const key of keys)
        assert.ok(
          key.privateKey.every((byte) => byte === 0),
          "every restorer's key is wiped",
        );
      await persistence.close();
      delegations.purge();
    } finally {
      await vault.close();
    }
  });
});
