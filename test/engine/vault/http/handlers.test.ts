// The Red October handlers in one process, on a vault with a low KDF cost (tests only), answered
// as the HTTPS server answers them: the hardened rules that would cost many production password
// checks through the real server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorAnswer, type Answer } from '../../../../engine/vault/http/answers.ts';
import { GoRequest } from '../../../../engine/vault/http/go-json.ts';
import { routes } from '../../../../engine/vault/http/routes.ts';
import { Vault } from '../../../../engine/vault/vault.ts';
import { tempDir } from '../../../helpers/host.ts';

const cheap = { kdfCost: { N: 2 ** 10, r: 8, p: 1 }, kdf: { minimumN: 2 ** 10 } };
const pw = (name: string) => `${name}-password-1`;
const as = (name: string) => ({ Name: name, Password: pw(name) });
const admin = { AdminName: 'admin', AdminPassword: pw('admin') };
const b64 = (text: string) => Buffer.from(text).toString('base64');

let vault: Vault;

/** What the server would answer for this path and body (from the source 'test'). */
async function ro(path: string, body: unknown): Promise<Answer> {
  const route = routes.get(path)!;
  try {
    return await route.handler({ vault, source: 'test', request: GoRequest.parse(Buffer.from(JSON.stringify(body)), route.type, route.struct) });
  } catch (err) {
    return errorAnswer(err).answer;
  }
}

async function ok(path: string, body: unknown): Promise<Answer> {
  const answer = await ro(path, body);
  assert.equal(answer.Status, 'ok', `${path}: ${JSON.stringify(answer)}`);
  return answer;
}

before(async () => {
  const dir = tempDir('vault-http');
  vault = await Vault.open({ vaultPath: join(dir, 'vault.json'), auditPath: join(dir, 'audit.log'), ...cheap });
});
after(() => vault?.close());

describe('Red October handlers', () => {
  it('makes one first admin when two /create race, and answers "Vault is not created yet" before', async () => {
    assert.equal((await ro('/summary', as('admin'))).Status, 'Vault is not created yet');
    // Both pass the first check and run the KDF; whichever writes second is refused.
    const answers = await Promise.all([ro('/create', as('admin')), ro('/create', as('admin'))]);
    assert.deepEqual(answers.map((answer) => answer.Code ?? answer.Status).sort(), ['E_VAULT_EXISTS', 'ok']);
    assert.deepEqual(
      vault.users().map((user) => `${user.name}:${user.admin}`),
      ['admin:true'],
    );
    await ok('/create-user', { ...as('alice'), ...admin });
    await ok('/create-user', { ...as('bob'), ...admin, UserType: 'ecc' });
    await ok('/create-user', { ...as('carol'), ...admin, usertype: 'RSA' });
  });

  it('creates accounts only with a right admin password, and refuses short passwords and unknown key types', async () => {
    assert.equal((await ro('/create-user', { ...as('dave'), AdminName: 'admin', AdminPassword: 'wrong-password' })).Status, 'wrong name or password');
    assert.equal((await ro('/create-user', { ...as('dave'), AdminName: 'alice', AdminPassword: pw('alice') })).Code, 'E_VAULT_NOT_ADMIN');
    assert.equal((await ro('/create-user', { Name: 'dave', Password: 'short', ...admin })).Status, 'Password: a password has at least 10 characters');
    assert.equal((await ro('/create-user', { ...as('dave'), ...admin, UserType: 'DSA' })).Status, 'Unknown record type');
    assert.equal((await ro('/create-user', { ...as('alice'), ...admin })).Code, 'E_VAULT_USER_EXISTS');
    assert.equal(vault.accounts.get('dave'), undefined);
  });

  it('checks the password on /password even with an empty NewPassword, which changes nothing', async () => {
    assert.equal((await ro('/password', { Name: 'alice', Password: 'wrong-password', HipchatName: 'x' })).Status, 'wrong name or password');
    assert.match((await ro('/password', { ...as('alice'), HipchatName: 'x' })).Status, /^NewPassword is empty: nothing was changed/);
    await ok('/password', { ...as('alice'), NewPassword: 'a-new-password-2' });
    await ok('/password', { Name: 'alice', Password: 'a-new-password-2', NewPassword: pw('alice') });
  });

  it('takes one access structure, any M of N, and names unknown delegation users only after the password', async () => {
    const both = await ro('/encrypt', { ...as('admin'), Data: b64('x'), Owners: ['alice'], Minimum: 1, Predicate: 'alice & bob' });
    assert.deepEqual([both.Status, both.Code], ['Invalid access structure.', 'E_RO_ACCESS']);
    assert.match(String((await ro('/encrypt', { ...as('admin'), Data: b64('x'), Owners: ['alice', 'bob'], Minimum: 3 })).Detail), /1 to 2/);
    assert.equal((await ro('/encrypt', { ...as('admin'), Data: b64('x'), LeftOwners: ['alice'] })).Status, 'Invalid access structure.');
    await ok('/encrypt', { ...as('admin'), Data: b64('x'), Owners: ['alice', 'bob', 'carol'], Minimum: 3, Minimum2: 'ignored' });
    await ok('/encrypt', { ...as('admin'), Data: b64('x'), LeftOwners: ['alice'], RightOwners: ['bob'], Minimum: 2 });
    await ok('/encrypt', { ...as('admin'), Data: b64('x'), Predicate: '(2, alice, bob, carol)' });
    assert.equal(
      (await ro('/delegate', { Name: 'alice', Password: 'wrong-password', Uses: 1, Time: '1h', Users: ['nobody'] })).Status,
      'wrong name or password',
    );
    assert.equal((await ro('/delegate', { ...as('alice'), Uses: 1, Time: '1h', Users: ['nobody'] })).Status, 'User(s) not present: nobody');
    assert.match((await ro('/delegate', { ...as('alice'), Uses: 1, Time: '1h', Slot: 'two' })).Status, /^Slot is not supported/);
    assert.equal((await ro('/delegate', { ...as('alice'), Uses: 1, Time: '500ms', Users: ['bob'] })).Status, 'Time must be at least 1s');
    assert.equal((await ro('/delegate', { ...as('alice'), Uses: 1, Time: '169h', Users: ['bob'] })).Status, 'Time is at most 168h (7 days)');
    assert.equal((await ro('/delegate', { ...as('alice'), Uses: 10_001, Time: '1h', Users: ['bob'] })).Status, 'Uses is at most 10000');
    assert.equal(
      (await ro('/delegate', { ...as('alice'), Uses: 1, Time: '1h', Users: ['bob'], Labels: ['no spaces'] })).Status,
      'Labels[0]: labels hold letters, digits, _, . and -',
    );
  });

  it('refuses ro delegate without -users with a Status that says to add -users NAME, and keeps the Time and Uses limits', async () => {
    // What `ro delegate -time 1h -uses 2` sends: Users null (no -users), or [""] (-users "").
    for (const Users of [null, [], ['']]) {
      const answer = await ro('/delegate', { ...as('alice'), Uses: 2, Time: '1h', Users, Labels: null });
      assert.deepEqual(
        [answer.Code, answer.Status],
        ['E_RO_USERS_REQUIRED', 'Users required when delegating: add -users NAME (who may use this delegation, e.g. ro delegate -users bob,carol)'],
        JSON.stringify(Users),
      );
      assert.match(String(answer.Detail), /"Anyone": true/);
    }
    assert.equal(
      (await ro('/delegate', { ...as('alice'), Uses: 2, Time: '0h', Users: ['bob'] })).Status,
      'Time must be more than 0 (a Go duration such as 30m or 1h10m)',
      "ro's default -time",
    );
    assert.equal(
      (await ro('/delegate', { ...as('alice'), Uses: 0, Time: '1h', Users: ['bob'] })).Status,
      'Uses is required: how many decryptions the delegation serves (at least 1)',
    );
    await ok('/delegate', { ...as('alice'), Uses: 1, Time: '1h', Users: ['bob'], Labels: null });
  });

  it("keeps orders to their requester and answers them in Red October's shape", async () => {
    const ciphertext = (await ok('/encrypt', { ...as('admin'), Data: b64('x'), Owners: ['alice', 'bob'], Minimum: 2 })).Response as string;
    assert.match(
      (await ro('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '1h', Uses: 1, Users: ['carol', 'admin'] })).Status,
      /^an order is for its requester only/,
    );
    assert.equal((await ro('/order', { ...as('carol'), EncryptedData: ciphertext, Uses: 1 })).Status, 'Duration required when placing an order.');
    assert.equal(
      (await ro('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '1h' })).Status,
      'Number of required uses necessary when placing an order.',
    );
    assert.equal(
      (await ro('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '1h', Uses: 1 })).Status,
      'Must specify at least one user per order.',
    );
    const placed = JSON.parse(
      Buffer.from(
        (await ok('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '1h', Uses: 1, Users: ['carol'], Reason: 'incident 7' })).Response as string,
        'base64',
      ).toString(),
    ) as { Num: string; Reason: string };
    assert.equal(placed.Reason, 'incident 7');
    assert.equal((await ro('/ordercancel', { ...as('admin'), OrderNum: placed.Num })).Code, 'E_VAULT_NO_ORDER', 'only the requester cancels');
    const cancelled = await ok('/ordercancel', { ...as('carol'), OrderNum: placed.Num });
    assert.equal(Buffer.from(cancelled.Response as string, 'base64').toString(), 'Successfully removed order');
    assert.equal((await ro('/orderinfo', { ...as('carol'), OrderNum: 'f'.repeat(24) })).Status, 'No order with that number');
    assert.equal(
      (await ro('/orderinfo', { ...as('carol'), OrderNum: placed.Num })).Status,
      'No order with that number',
      'a cancelled order is gone, as in Red October',
    );
  });

  it('modifies accounts as Red October words it, keeping the last admin', async () => {
    assert.equal((await ro('/modify', { ...as('admin'), ToModify: 'bob', Command: 'promote' })).Status, "core: unknown command 'promote' passed to modify");
    assert.equal((await ro('/modify', { ...as('admin'), ToModify: 'admin', Command: 'revoke' })).Code, 'E_VAULT_SELF');
    await ok('/modify', { ...as('admin'), ToModify: 'bob', Command: 'admin' });
    await ok('/modify', { ...as('admin'), ToModify: 'bob', Command: 'revoke' });
    const status = await ok('/status', as('bob'));
    assert.equal(Buffer.from(status.Response as string, 'base64').toString(), '{"Status":"disabled"}');
  });
});
