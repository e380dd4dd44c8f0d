import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../../../engine/railgun/codec.ts';
import { VersionStore } from '../../../engine/railgun/store.ts';
import { waitFor } from '../../helpers/wait.ts';

const body = (text: string, size = 100) => Buffer.from(text.padEnd(size, '.'));

describe('version store', () => {
  it('keeps the last K versions of a key, newest announced', () => {
    const store = new VersionStore({ versionsPerKey: 2, storeBytes: 10_000 });
    const [a, b, c] = [store.add('k', body('a')), store.add('k', body('b')), store.add('k', body('c'))];
    assert.equal(store.find('k', a.hash), null, 'the oldest went');
    assert.ok(store.find('k', b.hash));
    assert.equal(store.newest('k'), c);
    assert.deepEqual(store.stats, { keys: 1, versions: 2, bytes: 200 });
  });

  it("never finds a version under another key (one user's page is not another's base)", () => {
    const store = new VersionStore({ versionsPerKey: 4, storeBytes: 10_000 });
    const mine = store.add('/page\nalice', body('same'));
    assert.equal(store.find('/page\nbob', mine.hash), null);
  });

  it('stays within its bytes by dropping the least recently used keys', () => {
    const store = new VersionStore({ versionsPerKey: 4, storeBytes: 300 });
    store.add('old', body('1'));
    store.add('used', body('2'));
    store.add('other', body('3'));
    store.newest('old');
    store.add('new', body('4'));
    assert.ok(store.stats.bytes <= 300);
    assert.ok(store.newest('old'), 'recently used key kept');
    assert.equal(store.newest('used'), null, 'least recently used key dropped');
    assert.ok(store.newest('new'));
  });

  it('does not count a repeated version twice, and skips bodies larger than the whole store', () => {
    const store = new VersionStore({ versionsPerKey: 4, storeBytes: 150 });
    store.add('k', body('x'));
    store.add('k', body('x'));
    assert.deepEqual(store.stats, { keys: 1, versions: 1, bytes: 100 });
    store.add('k', body('huge', 1000));
    assert.deepEqual(store.stats, { keys: 1, versions: 1, bytes: 100 });
  });

  it('drops the keys of no-store versions after the idle time, keeps the others; a cacheable version stops the clock', async () => {
    const store = new VersionStore({ versionsPerKey: 4, storeBytes: 10_000 }, 200);
    try {
      const noStore = body('private');
      store.add('inbox\nalice', noStore, sha256(noStore), { noStore: true });
      store.add('news', body('public'));
      const turned = body('was private');
      store.add('page', turned, sha256(turned), { noStore: true });
      store.add('page', body('now cacheable'));
      await waitFor(() => store.stats.keys === 2, 'the idle no-store key to go', 5000);
      assert.equal(store.newest('inbox\nalice'), null);
      assert.ok(store.newest('news'));
      assert.ok(store.newest('page'), 'its newest version is cacheable: kept');
      assert.deepEqual(store.stats, { keys: 2, versions: 3, bytes: 300 });
    } finally {
      store.close();
    }
  });
});
