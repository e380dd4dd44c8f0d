// The cache's storage on its own: the off-heap blocks and the entry table's hash index and
// recency list, checked against a plain Map through random adds, finds and removes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockStore } from '../../../../engine/dns/modules/cache/blocks.ts';
import { EntryTable } from '../../../../engine/dns/modules/cache/entries.ts';

/** A small deterministic generator, so that a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    // The high bits: an LCG's low bits repeat with short periods.
    return (state >>> 8) % below;
  };
}

describe('dns cache blocks', () => {
  it('gives blocks at least as large as asked for that do not overlap, and reuses released ones', () => {
    const store = new BlockStore();
    const sizes = [1, 63, 64, 65, 96, 97, 128, 1000, 4096, 65_535 + 261 + 12_000];
    const handles = sizes.map((size) => store.allocate(size));
    handles.forEach((handle, i) => store.chunk(handle).fill(i, store.offset(handle), store.offset(handle) + sizes[i]!));
    handles.forEach((handle, i) => {
      const bytes = store.chunk(handle).subarray(store.offset(handle), store.offset(handle) + sizes[i]!);
      assert.ok(
        bytes.every((byte) => byte === i),
        `block ${i} (${sizes[i]} bytes) was overwritten`,
      );
    });
    store.release(handles[3]!);
    assert.equal(store.allocate(70), handles[3], 'a released block of the class is used again');
  });

  it('refuses a block larger than the largest class', () => {
    assert.throws(() => new BlockStore().allocate(BlockStore.maxBlockBytes + 1), /larger than the largest/);
  });

  it('allocates a chunk only when a class has no free block', () => {
    const store = new BlockStore();
    store.allocate(64);
    const reserved = store.reservedBytes;
    for (let i = 0; i < 100; i++) store.allocate(64);
    assert.equal(store.reservedBytes, reserved, '101 blocks of 64 bytes fit the first chunk');
  });
});

describe('dns cache entry table', () => {
  it('finds, replaces and removes entries as a Map would, keeping each entry its own bytes and the recency order', () => {
    const random = generator(7);
    const table = new EntryTable();
    const model = new Map<string, { slot: number; data: Buffer }>();
    /** Least recently used first, as the table's byAge. */
    const order: string[] = [];
    const keys: Buffer[] = [];
    for (let i = 0; i < 6000; i++) {
      // Lengths from 1 to 300 bytes; a few keys share prefixes, some are repeated.
      const key = Buffer.from(Array.from({ length: 1 + random(300) }, () => random(4)));
      keys.push(key);
    }
    for (let step = 0; step < 20_000; step++) {
      const key = keys[random(keys.length)]!;
      const name = key.toString('latin1');
      const found = table.find(key, key.length);
      assert.equal(found, model.get(name)?.slot ?? -1, `find at step ${step}`);
      const action = random(3);
      if (action === 0 && found >= 0) {
        table.remove(found);
        model.delete(name);
        order.splice(order.indexOf(name), 1);
      } else if (action === 1 && found >= 0) {
        table.touch(found);
        order.splice(order.indexOf(name), 1);
        order.push(name);
      } else if (found < 0) {
        const data = Buffer.from(Array.from({ length: 1 + random(600) }, () => random(256)));
        const slot = table.add(key, key.length, data.length, data.length, step, step + 1);
        data.copy(table.chunk[slot]!, table.dataAt[slot]!);
        model.set(name, { slot, data });
        order.push(name);
      }
    }
    assert.equal(table.size, model.size);
    // Past 1024 entries the index grows and every entry is indexed again.
    assert.ok(model.size > 1100, `the walk kept ${model.size} entries`);
    for (const [name, { slot, data }] of model) {
      assert.deepEqual(table.data(slot), data, `data of ${JSON.stringify(name)}`);
      assert.equal(table.key(slot).toString('latin1'), name);
    }
    assert.deepEqual(
      [...table.byAge()].map((slot) => table.key(slot).toString('latin1')),
      order,
    );
  });

  it('tells a key from its prefixes and from longer keys', () => {
    const table = new EntryTable();
    const slot = table.add(Buffer.from('\x01a\x04test\x00'), 8, 4, 4, 0, 1);
    assert.equal(table.find(Buffer.from('\x01a\x04test\x00'), 8), slot);
    assert.equal(table.find(Buffer.from('\x01a\x04test'), 7), -1);
    assert.equal(table.find(Buffer.from('\x01a\x04test\x00\x00'), 9), -1);
    assert.ok(table.keyStartsWith(slot, Buffer.from('\x01a'), 2));
    assert.ok(!table.keyStartsWith(slot, Buffer.from('\x01b'), 2));
  });

  it("bumps a slot's generation when its entry goes and when a new one takes the slot", () => {
    const table = new EntryTable();
    const slot = table.add(Buffer.from('a'), 1, 1, 1, 0, 1);
    const generation = table.generation[slot]!;
    table.remove(slot);
    assert.equal(table.add(Buffer.from('b'), 1, 1, 1, 0, 1), slot, 'the freed slot is reused');
    assert.equal(table.generation[slot], generation + 2);
  });
});
