import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DelegationStore, type DelegationGrant, type EndReason } from '../../../engine/vault/delegations.ts';

const grant = (owner: string, fields: Partial<DelegationGrant> = {}): DelegationGrant => ({
  owner,
  key: { type: 'ECC', privateKey: new Uint8Array(32).fill(7) },
  uses: 2,
  durationMs: 60_000,
  users: ['requester'],
  anyone: false,
  labels: [],
  order: null,
  ...fields,
});
const request = { requester: 'requester', labels: [] as string[], ciphertextHash: 'h1', orderId: null };

describe('vault delegations', () => {
  it('serves only named requesters unless made for anyone', () => {
    const store = new DelegationStore();
    store.add(grant('alice'));
    store.add(grant('bob', { users: [], anyone: true }));
    store.add(grant('carol', { users: [] }));
    assert.deepEqual([...store.usable(request).keys()].sort(), ['alice', 'bob']);
    assert.deepEqual([...store.usable({ ...request, requester: 'mallory' }).keys()], ['bob']);
    store.purge();
  });

  it('needs a shared label when the ciphertext has labels', () => {
    const store = new DelegationStore();
    store.add(grant('alice', { labels: ['red'] }));
    store.add(grant('bob'));
    assert.deepEqual([...store.usable({ ...request, labels: ['red', 'blue'] }).keys()], ['alice']);
    assert.deepEqual([...store.usable({ ...request, labels: ['green'] }).keys()], []);
    assert.deepEqual([...store.usable(request).keys()].sort(), ['alice', 'bob'], 'an unlabelled ciphertext takes any');
    store.purge();
  });

  it('spends uses and wipes the key of a spent delegation', () => {
    const ended: EndReason[] = [];
    const store = new DelegationStore((_d, reason) => ended.push(reason));
    const key = new Uint8Array(32).fill(9);
    store.add(grant('alice', { uses: 2, key: { type: 'ECC', privateKey: key } }));
    store.spend(store.usable(request).values());
    assert.equal(store.list()[0]!.uses, 1);
    store.spend(store.usable(request).values());
    assert.deepEqual(store.list(), []);
    assert.deepEqual(ended, ['spent']);
    assert.ok(
      key.every((byte) => byte === 0),
      'the key bytes are overwritten',
    );
  });

  it('ends on a timer, wiping the key, without waiting for a request', async () => {
    const ended: string[] = [];
    const store = new DelegationStore((d, reason) => ended.push(`${d.owner}:${reason}`));
    const key = new Uint8Array(32).fill(5);
    store.add(grant('alice', { durationMs: 50, key: { type: 'ECC', privateKey: key } }));
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.deepEqual(ended, ['alice:expired']);
    assert.ok(key.every((byte) => byte === 0));
  });

  it('binds an order delegation to its order and ciphertext, and prefers it for that order', () => {
    const store = new DelegationStore();
    store.add(grant('alice', { order: { id: 'o1', ciphertextHash: 'h1' }, uses: 1 }));
    store.add(grant('alice', { uses: 5 }));
    store.add(grant('bob', { order: { id: 'o1', ciphertextHash: 'h1' } }));
    assert.equal(store.usable({ ...request, orderId: 'o1' }).get('alice')!.order?.id, 'o1');
    assert.deepEqual(
      [...store.usable({ ...request, orderId: 'o1', ciphertextHash: 'other' }).keys()],
      ['alice'],
      'only the general one for another ciphertext',
    );
    assert.deepEqual([...store.usable(request).keys()], ['alice'], 'not without the order');
    store.closeOrder('o1');
    assert.deepEqual(
      store.list().map((d) => d.orderId),
      [null],
    );
    store.purge();
  });

  it('replaces the previous delegation of the same owner and wipes it', () => {
    const store = new DelegationStore();
    const first = new Uint8Array(32).fill(1);
    store.add(grant('alice', { key: { type: 'ECC', privateKey: first } }));
    store.add(grant('alice', { uses: 9 }));
    assert.deepEqual(
      store.list().map((d) => d.uses),
      [9],
    );
    assert.ok(first.every((byte) => byte === 0));
    assert.equal(store.purge(), 1);
  });
});
