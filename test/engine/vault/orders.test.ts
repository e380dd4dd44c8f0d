import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OrderBook, type Order } from '../../../engine/vault/orders.ts';

const request = {
  requester: 'carol',
  ciphertextHash: 'h1',
  owners: ['alice', 'bob'],
  access: { kind: 'owners' as const, owners: ['alice', 'bob'], minimum: 2 },
  labels: ['red'],
  reason: 'incident 42',
  uses: 1,
  durationMs: 60_000,
};

describe('vault orders', () => {
  it('places an order that owners approve, once each', () => {
    const book = new OrderBook();
    const order = book.place(request);
    assert.match(order.id, /^[0-9a-f]{24}$/);
    book.approve(order.id, 'alice');
    book.approve(order.id, 'alice');
    book.approve(order.id, 'bob');
    assert.deepEqual(
      book.list()[0]!.approvals.map((a) => a.owner),
      ['alice', 'bob'],
    );
    assert.throws(() => book.approve(order.id, 'mallory'), { code: 'E_VAULT_NOT_OWNER' });
    book.closeAll();
  });

  it('lets only the requester cancel, without saying whether the order exists', () => {
    const closed: Order[] = [];
    const book = new OrderBook((order) => closed.push(order));
    const order = book.place(request);
    assert.throws(() => book.cancel(order.id, 'alice'), { code: 'E_VAULT_NO_ORDER', message: `no order ${order.id}` });
    assert.throws(() => book.cancel('f'.repeat(24), 'carol'), { code: 'E_VAULT_NO_ORDER' });
    book.cancel(order.id, 'carol');
    assert.equal(closed[0]!.status, 'cancelled');
    assert.throws(() => book.approve(order.id, 'alice'), { code: 'E_VAULT_ORDER_CLOSED' });
  });

  it('expires an order on a timer', async () => {
    const closed: string[] = [];
    const book = new OrderBook((order) => closed.push(order.status));
    const order = book.place({ ...request, durationMs: 40 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(closed, ['expired']);
    assert.throws(() => book.openOrder(order.id), { code: 'E_VAULT_ORDER_CLOSED' });
  });

  it('caps the open orders of one requester', () => {
    const book = new OrderBook();
    for (let i = 0; i < 20; i++) book.place(request);
    assert.throws(() => book.place(request), { code: 'E_VAULT_TOO_MANY_ORDERS' });
    book.closeAll();
  });
});
