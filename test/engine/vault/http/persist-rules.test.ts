// The rules of delegation persistence over the real HTTPS server in this process (a low KDF cost;
// persist-restart.test.ts restarts the built command): what leaves the disk when delegations end,
// what is stored while a restore is pending, a file that does not verify, the config's limits.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { vaultConfig } from '../../../../engine/api/vault.ts';
import { tempDir } from '../../../helpers/host.ts';
import { admin, as, startHttpsVault, type HttpsVault, type RoAnswer } from './https-fixture.ts';

const response = (answer: RoAnswer) => JSON.parse(Buffer.from(answer.Response!, 'base64').toString('utf8')) as Record<string, unknown>;
const roDelegate = (name: string, time = '1h') => ({ ...as(name), Uses: 2, Time: time, Users: ['dave'] });
const roRestore = (name: string) => ({ ...as(name), Uses: 0, Time: '1h' });

/** A vault whose delegations persist to 2 of alice, bob, carol; `open()` starts it (again) on the same files. */
function persistedVault() {
  const dir = tempDir('vault-persist-rules');
  const file = join(dir, 'vault.json.delegations');
  const open = () => startHttpsVault('vault-persist-rules', {}, { dir, persist: { owners: ['alice', 'bob', 'carol'], minimum: 2, path: file } });
  return { dir, file, open };
}

async function withAccounts(server: HttpsVault): Promise<void> {
  await server.ok('/create', as('admin'));
  for (const name of ['alice', 'bob', 'carol', 'dave']) await server.ok('/create-user', { ...as(name), UserType: 'ECC', ...admin });
}

/** Waits (bounded) for a condition that a timer makes true. */
async function eventually(what: string, test: () => boolean): Promise<void> {
  for (let waited = 0; !test(); waited += 50) {
    if (waited > 15_000) assert.fail(`${what} did not happen within 15 s`);
    await sleep(50);
  }
}

describe('vault HTTPS: delegation persistence rules', { timeout: 120_000 }, () => {
  it('removes a delegation from disk when it ends: expiry, purge', async () => {
    const { file, open } = persistedVault();
    const server = await open();
    try {
      await withAccounts(server);
      await server.ok('/delegate', roDelegate('alice', '1s'));
      assert.equal(existsSync(file), true);
      await eventually('the expired delegation leaving the disk', () => !existsSync(file));
      await server.ok('/delegate', roDelegate('bob'));
      assert.equal(existsSync(file), true);
      await server.ok('/purge', as('admin'));
      assert.equal(existsSync(file), false, 'a purge ends them on disk too');
    } finally {
      await server.close();
    }
  });

  it('stores nothing new while a restore is pending, and keeps a delegation made since the restart over the stored one', async () => {
    const { file, open } = persistedVault();
    let server = await open();
    await withAccounts(server);
    await server.ok('/delegate', roDelegate('alice'));
    await server.close();
    const before = readFileSync(file, 'utf8');

    server = await open();
    try {
      assert.equal((await server.ok('/summary', as('dave'))).State, 'inactive');
      await server.ok('/delegate', { ...as('alice'), Uses: 7, Time: '1h', Users: ['dave'] });
      assert.equal(readFileSync(file, 'utf8'), before, 'the stored file waits for its restore untouched');
      const noTime = await server.post('/restore', { ...as('bob') });
      assert.deepEqual(
        [noTime.answer.Code, noTime.answer.Status],
        ['E_RO_FIELD', 'Time is required: how long your key waits for the other owners to restore, a Go duration such as 1h (ro restore -time 1h)'],
      );
      await server.ok('/restore', roRestore('bob'));
      assert.deepEqual(response(await server.ok('/restore', roRestore('carol'))), { Status: 'active' });
      const live = (await server.ok('/summary', as('dave'))).Live as Record<string, { Uses: number }>;
      assert.equal(live.alice?.Uses, 7, 'the delegation made since the restart wins');
      assert.notEqual(readFileSync(file, 'utf8'), before, 'active again: the merged delegations are stored');
      const restored = (await server.vault.audit.read(20)).find((entry) => entry.event === 'persist-restored');
      assert.deepEqual(restored?.details.skipped, ['alice: delegated again since the restart']);
    } finally {
      await server.close();
    }
  });

  it('reports a stored file that does not verify, refuses /restore, and lets an admin reset it', async () => {
    const { file, open } = persistedVault();
    let server = await open();
    await withAccounts(server);
    await server.ok('/delegate', roDelegate('alice'));
    await server.close();
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { ciphertext: string };
    // One byte of the signed document changed.
    const bytes = Buffer.from(stored.ciphertext, 'base64url');
    const at = bytes.indexOf('"restore"') + 2;
    bytes[at] = bytes[at]! ^ 1;
    writeFileSync(file, JSON.stringify({ ...stored, ciphertext: bytes.toString('base64url') }));

    server = await open();
    try {
      const status = server.vault.status().persist;
      assert.equal(status.state, 'inactive');
      assert.match(String(status.error), /do not verify/);
      const refused = await server.post('/restore', roRestore('bob'));
      assert.equal(refused.answer.Code, 'E_VAULT_PERSIST_UNREADABLE');
      assert.deepEqual(response(await server.ok('/reset-persisted', as('admin'))), { Status: 'active' });
      assert.equal(existsSync(file), false);
      assert.equal(server.vault.status().persist.error, null);
    } finally {
      await server.close();
    }
  });

  it('answers as Red October without persistence when it is off', async () => {
    const server = await startHttpsVault('vault-persist-off');
    try {
      await server.ok('/create', as('admin'));
      assert.deepEqual(response(await server.ok('/status', as('admin'))), { Status: 'disabled' });
      assert.equal((await server.ok('/summary', as('admin'))).State, 'disabled');
      for (const path of ['/restore', '/reset-persisted']) {
        const { answer } = await server.post(path, roRestore('admin'));
        assert.deepEqual([answer.Status, answer.Code], ['persist: null store does not support delegations', 'E_VAULT_PERSIST_DISABLED'], path);
      }
    } finally {
      await server.close();
    }
  });

  it('refuses a persist policy one person could restore alone, or nobody could', () => {
    const check = (persist: unknown) => vaultConfig.safeParse({ persist });
    assert.equal(check({ owners: ['alice', 'bob'], minimum: 2 }).success, true);
    assert.match(check({ owners: ['alice', 'bob'], minimum: 1 }).error!.issues[0]!.message, /minimum is at least 2/);
    assert.match(check({ owners: ['alice', 'bob'], minimum: 3 }).error!.issues[0]!.message, /more than the 2 owners/);
    assert.match(check({ owners: ['alice', 'alice'], minimum: 2 }).error!.issues[0]!.message, /each owner is named once/);
  });
});
