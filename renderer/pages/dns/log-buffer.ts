// A fixed-size ring of query log entries: appending a batch costs one write per entry and never
// copies the ring, so 10,000 queries a second stay cheap; the oldest entries make room.
import type { QueryLogEntry } from '../../../engine/api/index.ts';

export class LogBuffer {
  readonly capacity: number;
  private readonly slots: (QueryLogEntry | undefined)[];
  /** Where the oldest entry sits. */
  private start = 0;
  private size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Array<QueryLogEntry | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Appends entries (oldest first); returns how many older entries they pushed out. */
  push(entries: readonly QueryLogEntry[]): number {
    let evicted = 0;
    // A batch larger than the ring would only overwrite itself: keep its tail.
    const from = Math.max(0, entries.length - this.capacity);
    evicted += from;
    for (let i = from; i < entries.length; i++) {
      this.slots[(this.start + this.size) % this.capacity] = entries[i];
      if (this.size < this.capacity) this.size++;
      else {
        this.start = (this.start + 1) % this.capacity;
        evicted++;
      }
    }
    return evicted;
  }

  /** The entry `index` places from the newest (0 is the newest). */
  newest(index: number): QueryLogEntry | undefined {
    if (index < 0 || index >= this.size) return undefined;
    return this.slots[(this.start + this.size - 1 - index) % this.capacity];
  }

  /** Every entry, oldest first. */
  toArray(): QueryLogEntry[] {
    const out: QueryLogEntry[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.slots[(this.start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.size = 0;
  }
}
