// Orders as Red October's clients run them (spec §5, `ro order` then `ro delegate`): owners approve
// by ordinary delegations that name the requester and share the order's labels, no OrderNum; the
// order counts them (Delegated, OwnersDelegated); once fulfilled or cancelled it is gone from
// /orderinfo and /orderout ("No order with that number") while the console keeps its history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, admin, startHttpsVault, type HttpsVault, type RoAnswer } from './https-fixture.ts';

type Order = { Num: string; Delegated: number; OwnersDelegated: string[]; Satisfied: boolean; Labels: string[] };
const response = <T>(answer: RoAnswer) => JSON.parse(Buffer.from(answer.Response as string, 'base64').toString('utf8')) as T;
let server: HttpsVault;
let ciphertext: string;

before(async () => {
  server = await startHttpsVault('vault-orders');
  await server.ok('/create', as('admin'));
  for (const name of ['alice', 'bob', 'carol', 'dave']) await server.ok('/create-user', { ...as(name), ...admin });
  ciphertext = (
    await server.ok('/encrypt', {
      ...as('admin'),
      Owners: ['alice', 'bob', 'carol'],
      Minimum: 2,
      Labels: ['payroll'],
      Data: Buffer.from('the payroll key').toString('base64'),
    })
  ).Response as string;
});
after(() => server.close());

const info = async (num: string) => response<Order>(await server.ok('/orderinfo', { ...as('dave'), OrderNum: num }));

describe('orders approved as Red October clients do (ro order, ro delegate -users -labels)', () => {
  it('counts ordinary delegations naming the requester and a label of the order, then forgets the fulfilled order in the API but not in the console', async () => {
    const placed = response<Order>(
      await server.ok('/order', { ...as('dave'), EncryptedData: ciphertext, Duration: '1h', Uses: 1, Users: ['dave'], Labels: ['payroll'] }),
    );
    assert.deepEqual([placed.Delegated, placed.OwnersDelegated, placed.Labels], [0, [], ['payroll']]);
    await server.ok('/delegate', { ...as('alice'), Uses: 1, Time: '1h', Users: ['dave'], Labels: ['payroll'] });
    await server.ok('/delegate', { ...as('bob'), Uses: 1, Time: '1h', Users: ['carol'], Labels: ['payroll'] });
    await server.ok('/delegate', { ...as('carol'), Uses: 1, Time: '1h', Users: ['dave'], Labels: ['hr'] });
    const one = await info(placed.Num);
    assert.deepEqual(
      [one.Delegated, one.OwnersDelegated, one.Satisfied],
      [1, ['alice'], false],
      'a delegation for someone else, or for other labels, does not count',
    );
    await server.ok('/delegate', { ...as('bob'), Uses: 1, Time: '1h', Users: ['dave'], Labels: ['payroll'] });
    const two = await info(placed.Num);
    assert.deepEqual([two.Delegated, two.OwnersDelegated, two.Satisfied], [2, ['alice', 'bob'], true]);
    assert.ok(response<Record<string, Order>>(await server.ok('/orderout', as('dave')))[placed.Num]);

    const decrypted = response<{ Data: string; Delegates: string[] }>(await server.ok('/decrypt', { ...as('dave'), Data: ciphertext }));
    assert.deepEqual([Buffer.from(decrypted.Data, 'base64').toString(), decrypted.Delegates], ['the payroll key', ['alice', 'bob']]);
    assert.deepEqual((await server.post('/orderinfo', { ...as('dave'), OrderNum: placed.Num })).answer, {
      Status: 'No order with that number',
      Code: 'E_VAULT_NO_ORDER',
    });
    assert.equal(response<Record<string, Order>>(await server.ok('/orderout', as('dave')))[placed.Num], undefined);
    const history = server.vault.listOrders().find((order) => order.id === placed.Num)!;
    assert.deepEqual([history.status, history.delegated], ['fulfilled', ['alice', 'bob']], 'the console keeps it');
  });

  it('forgets a cancelled order in the API, keeps it in the console, and refuses an order without Users', async () => {
    const placed = response<Order>(await server.ok('/order', { ...as('dave'), EncryptedData: ciphertext, Duration: '1h', Uses: 1, Users: ['dave'] }));
    await server.ok('/ordercancel', { ...as('dave'), OrderNum: placed.Num });
    assert.equal((await server.post('/orderinfo', { ...as('dave'), OrderNum: placed.Num })).answer.Status, 'No order with that number');
    assert.equal(server.vault.listOrders().find((order) => order.id === placed.Num)?.status, 'cancelled');
    const refused = await server.post('/order', { ...as('dave'), EncryptedData: ciphertext, Duration: '1h', Uses: 1 });
    assert.deepEqual([refused.answer.Status, refused.answer.Code], ['Must specify at least one user per order.', 'E_RO_USERS_REQUIRED']);
  });

  it('still binds an approval to one order with OrderNum (what the console does)', async () => {
    const placed = response<Order>(await server.ok('/order', { ...as('carol'), EncryptedData: ciphertext, Duration: '1h', Uses: 1, Users: ['carol'] }));
    for (const owner of ['alice', 'bob']) await server.ok('/delegate', { ...as(owner), Uses: 1, Time: '1h', OrderNum: placed.Num });
    assert.deepEqual((await info(placed.Num)).OwnersDelegated, ['alice', 'bob']);
    assert.equal(server.vault.summary().live.filter((d) => d.orderId === placed.Num).length, 2);
  });
});
