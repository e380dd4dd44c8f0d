// The cache's entries, kept in columns (typed arrays indexed by slot) with their bytes in blocks
// off the JavaScript heap (blocks.ts), and found through a hash index of their own (chains through
// the slots) rather than a Map of key strings. An entry so is no object at all: under a stream of
// unique misses the new entries used to be most of what survived a scavenge (a key string, a
// Buffer and a Map entry each), copied by every scavenge and marked by every major GC.
// Slots are reused; a generation number tells a slot's entries apart. The least-recently-used
// order is a doubly linked list through the slots.
import { randomBytes } from 'node:crypto';
import { BlockStore } from './blocks.ts';

const none = -1;

/**
 * FNV-1a over the key bytes from a random start, then mixed (murmur3's finalizer): the start is
 * unknown to clients, who choose the names, so they cannot aim many names at one chain.
 */
function hashKey(key: Uint8Array, length: number, seed: number): number {
  let hash = seed;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ key[i]!, 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

export class EntryTable {
  private readonly blocks = new BlockStore();
  private readonly seed = randomBytes(4).readUInt32LE(0);
  /** Per hash bucket, the first slot of its chain. */
  private buckets = new Int32Array(1024).fill(none);
  private capacity = 0;
  private readonly free: number[] = [];
  private used = 0;
  private count = 0;
  /** Most and least recently used ends of the recency list. */
  newest = none;
  oldest = none;
  /** The chunk holding the slot's block: its key bytes from `keyAt`, then its data from `dataAt`. */
  chunk: Buffer[] = [];
  private block = new Int32Array(0);
  private keyAt = new Uint32Array(0);
  private keyLength = new Uint16Array(0);
  private hash = new Uint32Array(0);
  /** The next slot in the same hash bucket. */
  private chain = new Int32Array(0);
  /** The data: the answer with its TTLs capped (wireLength bytes), then each TTL field's offset (u16). */
  dataAt = new Uint32Array(0);
  dataLength = new Uint32Array(0);
  wireLength = new Uint32Array(0);
  storedAt = new Float64Array(0);
  expiresAt = new Float64Array(0);
  /** When the rest of the chain last failed to refresh the entry; -Infinity if never. */
  failedAt = new Float64Array(0);
  hits = new Uint32Array(0);
  refreshing = new Uint8Array(0);
  /** Bumped each time a slot's entry is added or removed. */
  generation = new Uint32Array(0);
  private older = new Int32Array(0);
  private newer = new Int32Array(0);

  get size(): number {
    return this.count;
  }

  /** The slot holding the key (its first `length` bytes), or -1. */
  find(key: Uint8Array, length: number): number {
    const hash = hashKey(key, length, this.seed);
    for (let slot = this.buckets[hash & (this.buckets.length - 1)]!; slot !== none; slot = this.chain[slot]!) {
      if (this.hash[slot] === hash && this.keyLength[slot] === length && this.keyStartsWith(slot, key, length)) return slot;
    }
    return none;
  }

  /** Whether the slot's key starts with the first `length` bytes of `bytes`. */
  keyStartsWith(slot: number, bytes: Uint8Array, length: number): boolean {
    if (this.keyLength[slot]! < length) return false;
    const chunk = this.chunk[slot]!;
    const at = this.keyAt[slot]!;
    for (let i = 0; i < length; i++) if (chunk[at + i] !== bytes[i]) return false;
    return true;
  }

  /** The slot's key bytes, copied. */
  key(slot: number): Buffer {
    return Buffer.from(this.chunk[slot]!.subarray(this.keyAt[slot]!, this.keyAt[slot]! + this.keyLength[slot]!));
  }

  /** The slot's data bytes, copied (they outlive the entry). */
  data(slot: number): Buffer {
    return Buffer.from(this.chunk[slot]!.subarray(this.dataAt[slot]!, this.dataAt[slot]! + this.dataLength[slot]!));
  }

  /**
   * A new entry as the most recently used (the caller removed any entry of that key): its key is
   * copied in, its `dataLength` bytes are for the caller to write at chunk[slot], dataAt[slot].
   */
  add(key: Uint8Array, keyLength: number, dataLength: number, wireLength: number, storedAt: number, expiresAt: number): number {
    const slot = this.free.pop() ?? this.take();
    const block = this.blocks.allocate(keyLength + dataLength);
    const chunk = this.blocks.chunk(block);
    const at = this.blocks.offset(block);
    chunk.set(key.subarray(0, keyLength), at);
    this.chunk[slot] = chunk;
    this.block[slot] = block;
    this.keyAt[slot] = at;
    this.keyLength[slot] = keyLength;
    this.dataAt[slot] = at + keyLength;
    this.dataLength[slot] = dataLength;
    this.wireLength[slot] = wireLength;
    this.storedAt[slot] = storedAt;
    this.expiresAt[slot] = expiresAt;
    this.failedAt[slot] = -Infinity;
    this.hits[slot] = 0;
    this.refreshing[slot] = 0;
    this.generation[slot]!++;
    this.hash[slot] = hashKey(key, keyLength, this.seed);
    this.index(slot);
    this.link(slot);
    this.count++;
    return slot;
  }

  remove(slot: number): void {
    // Whoever still holds the slot's number (a refresh in flight) sees that its entry is gone.
    this.generation[slot]!++;
    this.unindex(slot);
    this.unlink(slot);
    this.blocks.release(this.block[slot]!);
    this.free.push(slot);
    this.count--;
  }

  /** Makes the entry the most recently used. */
  touch(slot: number): void {
    if (this.newest === slot) return;
    this.unlink(slot);
    this.link(slot);
  }

  /** The slots in use, least recently used first. */
  *byAge(): Generator<number> {
    for (let slot = this.oldest; slot !== none; slot = this.newer[slot]!) yield slot;
  }

  /** A slot never used yet, growing the columns (by doubling) when all are taken. */
  private take(): number {
    if (this.used === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    return this.used++;
  }

  private grow(capacity: number): void {
    const widen = <T extends Uint16Array | Uint32Array | Float64Array | Uint8Array | Int32Array>(old: T, make: (length: number) => T): T => {
      const wider = make(capacity);
      wider.set(old);
      return wider;
    };
    this.block = widen(this.block, (n) => new Int32Array(n));
    this.keyAt = widen(this.keyAt, (n) => new Uint32Array(n));
    this.keyLength = widen(this.keyLength, (n) => new Uint16Array(n));
    this.hash = widen(this.hash, (n) => new Uint32Array(n));
    this.chain = widen(this.chain, (n) => new Int32Array(n));
    this.dataAt = widen(this.dataAt, (n) => new Uint32Array(n));
    this.dataLength = widen(this.dataLength, (n) => new Uint32Array(n));
    this.wireLength = widen(this.wireLength, (n) => new Uint32Array(n));
    this.storedAt = widen(this.storedAt, (n) => new Float64Array(n));
    this.expiresAt = widen(this.expiresAt, (n) => new Float64Array(n));
    this.failedAt = widen(this.failedAt, (n) => new Float64Array(n));
    this.hits = widen(this.hits, (n) => new Uint32Array(n));
    this.refreshing = widen(this.refreshing, (n) => new Uint8Array(n));
    this.generation = widen(this.generation, (n) => new Uint32Array(n));
    this.older = widen(this.older, (n) => new Int32Array(n));
    this.newer = widen(this.newer, (n) => new Int32Array(n));
    this.capacity = capacity;
    // As many buckets as slots: chains stay about one slot long.
    if (capacity > this.buckets.length) {
      this.buckets = new Int32Array(capacity).fill(none);
      for (let slot = this.oldest; slot !== none; slot = this.newer[slot]!) this.index(slot);
    }
  }

  private index(slot: number): void {
    const bucket = this.hash[slot]! & (this.buckets.length - 1);
    this.chain[slot] = this.buckets[bucket]!;
    this.buckets[bucket] = slot;
  }

  private unindex(slot: number): void {
    const bucket = this.hash[slot]! & (this.buckets.length - 1);
    if (this.buckets[bucket] === slot) {
      this.buckets[bucket] = this.chain[slot]!;
      return;
    }
    let before = this.buckets[bucket]!;
    while (this.chain[before] !== slot) before = this.chain[before]!;
    this.chain[before] = this.chain[slot]!;
  }

  private link(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = none;
    if (this.newest !== none) this.newer[this.newest] = slot;
    this.newest = slot;
    if (this.oldest === none) this.oldest = slot;
  }

  private unlink(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older !== none) this.newer[older] = newer;
    else this.oldest = newer;
    if (newer !== none) this.older[newer] = older;
    else this.newest = older;
    this.older[slot] = this.newer[slot] = none;
  }
}
