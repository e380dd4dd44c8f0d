// Accounts through `ro create-user`, which sends no admin's credentials (spec §2: Name, Password,
// UserType, HipchatName), over the real HTTPS server: with engines.vault.registration `approval`
// (the default) it makes a pending account that can do nothing until an admin approves it with
// /modify Command "approve" (or rejects it); `admin` refuses; `open` is Red October's behaviour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { as, admin, startHttpsVault, type HttpsVault } from './https-fixture.ts';

/** What `ro create-user -name NAME -password PW` sends. */
const roCreateUser = (name: string) => ({ ...as(name), UserType: 'rsa', HipchatName: '' });

async function withVault<T>(options: Parameters<typeof startHttpsVault>[2], run: (server: HttpsVault) => Promise<T>): Promise<T> {
  const server = await startHttpsVault('vault-registration', {}, options);
  try {
    await server.ok('/create', as('admin'));
    await server.ok('/create-user', { ...as('alice'), ...admin });
    return await run(server);
  } finally {
    await server.close();
  }
}

describe('vault HTTPS: registration without an admin', { timeout: 120_000 }, () => {
  it('makes a pending account that can do nothing until an admin approves it through /modify', () =>
    withVault({}, async (server) => {
      const registered = await server.ok('/create-user', roCreateUser('dave'));
      assert.match(String(registered.Detail), /dave waits for an admin's approval/);
      assert.equal(server.vault.users().find((user) => user.name === 'dave')?.pendingUntil !== null, true);

      const refused = (path: string, body: object) => server.post(path, body).then(({ answer }) => [answer.Code, answer.Status]);
      assert.deepEqual((await refused('/delegate', { ...as('dave'), Uses: 1, Time: '1h', Users: ['alice'] }))[0], 'E_VAULT_PENDING');
      assert.deepEqual((await refused('/encrypt', { ...as('dave'), Data: 'eA==', Owners: ['alice'], Minimum: 1 }))[0], 'E_VAULT_PENDING');
      assert.deepEqual(
        await refused('/summary', { Name: 'dave', Password: 'not-his-password' }),
        ['E_VAULT_AUTH', 'wrong name or password'],
        'a wrong password says nothing of the state',
      );
      assert.equal(
        (await server.post('/encrypt', { ...as('alice'), Data: 'eA==', Owners: ['dave'], Minimum: 1 })).answer.Code,
        'E_VAULT_NO_USER',
        'a pending account owns nothing',
      );
      assert.equal(((await server.ok('/summary', as('admin'))).All as Record<string, unknown>).dave, undefined, 'not listed to Red October clients');
      assert.equal((await server.post('/modify', { ...as('alice'), ToModify: 'dave', Command: 'approve' })).answer.Code, 'E_VAULT_NOT_ADMIN');

      await server.ok('/modify', { ...as('admin'), ToModify: 'dave', Command: 'approve' });
      await server.ok('/delegate', { ...as('dave'), Uses: 1, Time: '1h', Users: ['alice'] });
      assert.deepEqual(((await server.ok('/summary', as('admin'))).All as Record<string, unknown>).dave, { Admin: false, Type: 'RSA' });
      assert.equal((await server.post('/modify', { ...as('admin'), ToModify: 'dave', Command: 'approve' })).answer.Code, 'E_VAULT_NOT_PENDING');

      await server.ok('/create-user', roCreateUser('erin'));
      await server.ok('/modify', { ...as('admin'), ToModify: 'erin', Command: 'reject' });
      assert.equal(server.vault.accounts.get('erin'), undefined, 'rejected: gone');
      await server.ok('/create-user', roCreateUser('erin'));

      const events = (await server.vault.auditEntries(100)).entries.map(
        (entry) => `${entry.event}:${String(entry.details.target ?? '')}:${String(entry.details.command ?? entry.details.pending ?? '')}`,
      );
      for (const expected of ['register:dave:true', 'modify:dave:approve', 'register:erin:true', 'modify:erin:reject'])
        assert.ok(events.includes(expected), `audited ${expected}`);
    }));

  it('removes a pending account nobody approved in time, and audits it', () =>
    withVault({ pendingTtlMs: 300 }, async (server) => {
      await server.ok('/create-user', roCreateUser('frank'));
      const deadline = Date.now() + 10_000;
      while (server.vault.accounts.get('frank') && Date.now() < deadline) await sleep(50);
      assert.equal(server.vault.accounts.get('frank'), undefined, 'gone after its time');
      const expired = (await server.vault.auditEntries(10)).entries.find((entry) => entry.event === 'pending-expired');
      assert.equal(expired?.details.target, 'frank');
    }));

  it("refuses with registration admin, and creates at once with registration open (Red October's behaviour)", async () => {
    await withVault({ registration: 'admin' }, async (server) => {
      const { answer } = await server.post('/create-user', roCreateUser('mallory'));
      assert.equal(answer.Code, 'E_RO_ADMIN_REQUIRED');
      assert.equal(server.vault.accounts.get('mallory'), undefined);
    });
    await withVault({ registration: 'open' }, async (server) => {
      await server.ok('/create-user', roCreateUser('mallory'));
      await server.ok('/delegate', { ...as('mallory'), Uses: 1, Time: '1h', Users: ['alice'] });
    });
  });
});
