// The cache's entries, kept in columns (typed arrays indexed by slot) rather than as one object
// per entry. Under a stream of unique misses the new entries are most of what survives a scavenge,
// and every object they hold is copied by it and marked by each major GC: as objects an entry was
// 688 heap bytes, then 354 with its answer in one buffer; here it is its key string, its buffer and
// its place in the key map. Slots are reused; a generation number tells a slot's entries apart.
// The least-recently-used order is a doubly linked list through the slots.

const none = -1;

export class EntryTable {
  /** Slot of each key. */
  private readonly slots = new Map<string, number>();
  private capacity = 0;
  private readonly free: number[] = [];
  private used = 0;
  /** Most and least recently used ends of the recency list. */
  newest = none;
  oldest = none;
  keys: string[] = [];
  /** The answer with its TTLs capped, then the offset of each TTL field (u16 each). */
  data: (Buffer | undefined)[] = [];
  wireLength = new Uint32Array(0);
  storedAt = new Float64Array(0);
  expiresAt = new Float64Array(0);
  /** When the rest of the chain last failed to refresh the entry; -Infinity if never. */
  failedAt = new Float64Array(0);
  hits = new Uint32Array(0);
  refreshing = new Uint8Array(0);
  /** Bumped each time a slot's entry is added or removed. */
  generation = new Uint32Array(0);
  older = new Int32Array(0);
  newer = new Int32Array(0);

  get size(): number {
    return this.slots.size;
  }

  /** The slot holding `key`, or -1. */
  find(key: string): number {
    return this.slots.get(key) ?? none;
  }

  /** Stores a new entry as the most recently used (the caller removed any entry of that key). */
  add(key: string, data: Buffer, wireLength: number, storedAt: number, expiresAt: number): number {
    const slot = this.free.pop() ?? this.take();
    this.keys[slot] = key;
    this.data[slot] = data;
    this.wireLength[slot] = wireLength;
    this.storedAt[slot] = storedAt;
    this.expiresAt[slot] = expiresAt;
    this.failedAt[slot] = -Infinity;
    this.hits[slot] = 0;
    this.refreshing[slot] = 0;
    this.generation[slot]!++;
    this.slots.set(key, slot);
    this.link(slot);
    return slot;
  }

  remove(slot: number): void {
    // Whoever still holds the slot's number (a refresh in flight) sees that its entry is gone.
    this.generation[slot]!++;
    this.slots.delete(this.keys[slot]!);
    this.unlink(slot);
    this.keys[slot] = '';
    this.data[slot] = undefined;
    this.free.push(slot);
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
    const widen = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(old: T, make: (length: number) => T): T => {
      const wider = make(capacity);
      wider.set(old);
      return wider;
    };
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
