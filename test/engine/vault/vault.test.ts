// The vault service end to end in one process: accounts, encryption to owners, delegations,
// orders and approvals, decryption, guessing limits and the audit trail. Low scrypt cost (tests
// only): the production floor is 2^15 and the default 2^17.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Vault } from '../../../engine/vault/vault.ts';
import { tempDir } from '../../helpers/host.ts';

const cheap = { kdfCost: { N: 2 ** 10, r: 8, p: 1 }, kdf: { minimumN: 2 ** 10 } };
const pw = (name: string) => `${name}-password-1`;
const as = (name: string) => ({ name, password: pw(name) });
const text = (value: string) => Buffer.from(value).toString('base64');

let vault: Vault;
let dir: string;
before(async () => {
  dir = tempDir('vault');
  vault = await Vault.open({
    vaultPath: join(dir, 'vault.json'),
    auditPath: join(dir, 'audit.log'),
    ...cheap,
    guard: { pairFreeFailures: 3, baseDelayMs: 60_000 },
  });
  await vault.accounts.create('admin', pw('admin'), 'ECC');
  await vault.accounts.createUser(as('admin'), 'test', 'alice', pw('alice'), 'RSA');
  await vault.accounts.createUser(as('admin'), 'test', 'bob', pw('bob'), 'ECC');
  await vault.accounts.createUser(as('admin'), 'test', 'carol', pw('carol'), 'ECC');
});
after(() => vault?.close());

describe('vault service', () => {
  it('lets only an admin create accounts, and only one first account', async () => {
    await assert.rejects(vault.accounts.create('eve', pw('eve'), 'ECC'), { code: 'E_VAULT_EXISTS' });
    await assert.rejects(vault.accounts.createUser(as('alice'), 'test', 'eve', pw('eve'), 'ECC'), { code: 'E_VAULT_NOT_ADMIN' });
    assert.deepEqual(
      vault.users().map((u) => `${u.name}:${u.type}:${u.admin}`),
      ['admin:ECC:true', 'alice:RSA:false', 'bob:ECC:false', 'carol:ECC:false'],
    );
  });

  it('decrypts 2-of-3 only with two delegations for the requester, spending a use of each', async () => {
    const { ciphertext, info } = await vault.encrypt(as('admin'), 'test', {
      data: text('launch code'),
      access: { kind: 'owners', owners: ['alice', 'bob', 'carol'], minimum: 2 },
      labels: ['red'],
      usages: ['decrypt'],
    });
    assert.deepEqual(info.owners, ['alice', 'bob', 'carol']);
    await assert.rejects(vault.decrypt(as('carol'), 'test', ciphertext, null), { code: 'E_VAULT_NEED_DELEGATIONS' });
    await vault.delegate(as('alice'), 'test', { seconds: 60, uses: 1, users: ['carol'], anyone: false, labels: ['red'] });
    await vault.delegate(as('bob'), 'test', { seconds: 60, uses: 1, users: ['admin'], anyone: false, labels: ['red'] });
    await assert.rejects(
      vault.decrypt(as('carol'), 'test', ciphertext, null),
      { code: 'E_VAULT_NEED_DELEGATIONS' },
      "bob's delegation is for admin, not carol",
    );
    await vault.delegate(as('bob'), 'test', { seconds: 60, uses: 2, users: ['carol'], anyone: false, labels: ['red'] });
    const result = await vault.decrypt(as('carol'), 'test', ciphertext, null);
    assert.equal(Buffer.from(result.data, 'base64').toString(), 'launch code');
    assert.deepEqual(result.delegates, ['alice', 'bob']);
    assert.deepEqual(
      vault.summary().live.map((d) => `${d.owner}:${d.uses}`),
      ['bob:1'],
      "alice's only use is spent, bob has one left",
    );
    await assert.rejects(vault.decrypt(as('carol'), 'test', ciphertext, null), { code: 'E_VAULT_NEED_DELEGATIONS' });
  });

  it('spends nothing when the ciphertext may not be decrypted', async () => {
    const { ciphertext } = await vault.encrypt(as('admin'), 'test', {
      data: text('ssh key'),
      access: { kind: 'owners', owners: ['alice', 'bob'], minimum: 2 },
      labels: [],
      usages: ['ssh-sign-with'],
    });
    await vault.delegate(as('alice'), 'test', { seconds: 60, uses: 1, users: [], anyone: true, labels: [] });
    await assert.rejects(vault.decrypt(as('carol'), 'test', ciphertext, null), { code: 'E_VAULT_USAGE' });
    assert.ok(vault.summary().live.some((d) => d.owner === 'alice' && d.uses === 1));
  });

  it('never counts one person twice (a user on both sides of left x right)', async () => {
    const { ciphertext } = await vault.encrypt(as('admin'), 'test', {
      data: text('pair'),
      access: { kind: 'left-right', left: ['carol', 'alice'], right: ['carol', 'bob'] },
      labels: [],
      usages: [],
    });
    await vault.delegate(as('carol'), 'test', { seconds: 60, uses: 5, users: [], anyone: true, labels: [] });
    await vault.purge(as('admin'), 'test');
    await vault.delegate(as('carol'), 'test', { seconds: 60, uses: 5, users: [], anyone: true, labels: [] });
    await assert.rejects(vault.decrypt(as('carol'), 'test', ciphertext, null), { code: 'E_VAULT_NEED_DELEGATIONS' });
    await vault.delegate(as('bob'), 'test', { seconds: 60, uses: 1, users: ['carol'], anyone: false, labels: [] });
    assert.deepEqual((await vault.decrypt(as('carol'), 'test', ciphertext, null)).delegates.sort(), ['bob', 'carol']);
    await vault.purge(as('admin'), 'test');
  });

  it('refuses a predicate that would count one person twice', async () => {
    for (const predicate of ['(2, alice, alice)', 'alice & (alice | bob)', '(2, alice, (1, alice, bob), carol)']) {
      await assert.rejects(
        vault.encrypt(as('admin'), 'test', { data: text('x'), access: { kind: 'predicate', predicate }, labels: [], usages: [] }),
        { code: 'E_VAULT_ACCESS' },
        predicate,
      );
    }
    const { info } = await vault.encrypt(as('admin'), 'test', {
      data: text('x'),
      access: { kind: 'predicate', predicate: '(alice & bob) | (alice & carol)' },
      labels: [],
      usages: [],
    });
    assert.deepEqual(info.owners, ['alice', 'bob', 'carol']);
  });

  it('refuses a malformed predicate with E_VAULT_ACCESS, before the password check', async () => {
    for (const predicate of ['alice &', '(2, alice)', ')', '(x, alice, bob)']) {
      const access = { kind: 'predicate', predicate } as const;
      await assert.rejects(
        vault.encrypt({ name: 'nobody', password: 'not-a-password' }, 'test', { data: text('x'), access, labels: [], usages: [] }),
        { code: 'E_VAULT_ACCESS' },
        predicate,
      );
      await assert.rejects(
        vault.reEncrypt({ name: 'nobody', password: 'not-a-password' }, 'test', { ciphertext: 'x', access }),
        { code: 'E_VAULT_ACCESS' },
        predicate,
      );
    }
  });

  it('runs an order: approvals bound to it, decrypt once satisfied, then it is fulfilled', async () => {
    const { ciphertext } = await vault.encrypt(as('admin'), 'test', {
      data: text('order me'),
      access: { kind: 'owners', owners: ['alice', 'bob'], minimum: 2 },
      labels: [],
      usages: ['decrypt'],
    });
    const order = await vault.order(as('carol'), 'test', { ciphertext, reason: 'incident 7', seconds: 300, uses: 1 });
    assert.equal(order.satisfied, false);
    await assert.rejects(vault.approve(as('carol'), 'test', { orderId: order.id, seconds: 60, uses: 1 }), { code: 'E_VAULT_NOT_OWNER' });
    assert.equal((await vault.approve(as('alice'), 'test', { orderId: order.id, seconds: 60, uses: 1 })).satisfied, false);
    await assert.rejects(vault.decrypt(as('carol'), 'test', ciphertext, null), { code: 'E_VAULT_NEED_DELEGATIONS' }, 'order approvals serve only the order');
    assert.equal((await vault.approve(as('bob'), 'test', { orderId: order.id, seconds: 60, uses: 1 })).satisfied, true);
    await assert.rejects(vault.decrypt(as('admin'), 'test', ciphertext, order.id), { code: 'E_VAULT_NO_ORDER' }, 'only the requester');
    const result = await vault.decrypt(as('carol'), 'test', ciphertext, order.id);
    assert.equal(Buffer.from(result.data, 'base64').toString(), 'order me');
    assert.equal(vault.listOrders().find((o) => o.id === order.id)!.status, 'fulfilled');
    assert.deepEqual(
      vault.summary().live.filter((d) => d.orderId === order.id),
      [],
      'its approvals ended with it',
    );
  });

  it('keeps ciphertexts readable after a password change', async () => {
    const { ciphertext } = await vault.encrypt(as('admin'), 'test', {
      data: text('before'),
      access: { kind: 'owners', owners: ['alice'], minimum: 1 },
      labels: [],
      usages: [],
    });
    await vault.accounts.changePassword(as('alice'), 'test', 'a-brand-new-password');
    await assert.rejects(vault.delegate(as('alice'), 'test', { seconds: 60, uses: 1, users: ['alice'], anyone: false, labels: [] }), { code: 'E_VAULT_AUTH' });
    await vault.delegate({ name: 'alice', password: 'a-brand-new-password' }, 'test', { seconds: 60, uses: 1, users: ['alice'], anyone: false, labels: [] });
    const result = await vault.decrypt({ name: 'alice', password: 'a-brand-new-password' }, 'test', ciphertext, null);
    assert.equal(Buffer.from(result.data, 'base64').toString(), 'before');
    await vault.accounts.changePassword({ name: 'alice', password: 'a-brand-new-password' }, 'test', pw('alice'));
  });

  it('answers a wrong password and an unknown name the same way, and rate-limits guessing', async () => {
    const wrong = await vault.accounts.authenticate({ name: 'bob', password: 'nope' }, 'guesser').catch((err: Error & { code: string }) => err);
    const unknown = await vault.accounts.authenticate({ name: 'nobody', password: 'nope' }, 'guesser').catch((err: Error & { code: string }) => err);
    assert.deepEqual([(wrong as { code: string }).code, (wrong as Error).message], [(unknown as { code: string }).code, (unknown as Error).message]);
    await vault.accounts.authenticate({ name: 'bob', password: 'nope' }, 'guesser').catch(() => {});
    await vault.accounts.authenticate({ name: 'bob', password: 'nope' }, 'guesser').catch(() => {});
    await assert.rejects(vault.accounts.authenticate(as('bob'), 'guesser'), { code: 'E_RATE_LIMITED' }, 'from the guesser, even the right password waits');
    assert.equal((await vault.accounts.authenticate(as('bob'), 'elsewhere')).name, 'bob', 'bob is not locked out from another source');
  });

  it('counts password checks in flight: 60 wrong passwords at once get 3 real checks', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        vault.accounts.authenticate({ name: 'carol', password: 'not-her-password' }, 'burst').then(
          () => 'ok',
          (err: { code: string }) => err.code,
        ),
      ),
    );
    assert.deepEqual([answers.filter((code) => code === 'E_VAULT_AUTH').length, answers.filter((code) => code === 'E_RATE_LIMITED').length], [3, 57]);
    assert.equal((await vault.accounts.authenticate(as('carol'), 'elsewhere')).name, 'carol');
  });

  it('names unknown requesters only to a caller whose password was right', async () => {
    const grant = { seconds: 60, uses: 1, users: ['nobody-here'], anyone: false, labels: [] };
    await assert.rejects(vault.delegate({ name: 'carol', password: 'wrong' }, 'prober', grant), { code: 'E_VAULT_AUTH' });
    await assert.rejects(vault.delegate(as('carol'), 'test', grant), { code: 'E_VAULT_NO_USER' });
  });

  it('keeps the last admin and refuses self-modification', async () => {
    await assert.rejects(vault.accounts.modify(as('admin'), 'test', 'admin', 'revoke'), { code: 'E_VAULT_SELF' });
    await vault.accounts.modify(as('admin'), 'test', 'carol', 'admin');
    await vault.accounts.modify(as('carol'), 'test', 'admin', 'revoke');
    await assert.rejects(vault.accounts.modify(as('admin'), 'test', 'carol', 'revoke'), { code: 'E_VAULT_NOT_ADMIN' });
    await assert.rejects(vault.accounts.modify(as('carol'), 'test', 'carol', 'delete'), { code: 'E_VAULT_SELF' });
    await vault.accounts.modify(as('carol'), 'test', 'admin', 'admin');
    await vault.accounts.modify(as('admin'), 'test', 'carol', 'revoke');
    assert.deepEqual(
      vault
        .users()
        .filter((u) => u.admin)
        .map((u) => u.name),
      ['admin'],
    );
  });

  it('keeps an intact audit chain with every kind of event and no secret in it', async () => {
    const { entries, chain } = await vault.auditEntries(1000);
    assert.equal(chain.ok, true);
    const events = new Set<string>(entries.map((e) => e.event));
    for (const event of [
      'create',
      'create-user',
      'encrypt',
      'delegate',
      'decrypt',
      'deny',
      'order',
      'approve',
      'purge',
      'password-change',
      'failed-login',
      'modify',
    ])
      assert.ok(events.has(event), event);
    const log = readFileSync(join(dir, 'audit.log'), 'utf8');
    for (const name of ['admin', 'alice', 'bob', 'carol']) assert.ok(!log.includes(pw(name)), `no password of ${name}`);
    assert.ok(!log.includes('launch code') && !log.includes(text('launch code')), 'no plaintext');
  });
});
