// The query log's ring of recent entries, kept as columns (typed arrays, plus arrays for the
// strings) rather than as one object per entry. Every entry lives for the ring's length (10k
// queries by default: about a second at 10k q/s), so as objects each one survived a scavenge and
// was copied and promoted, adding to the pause that every waiting query sits through. Entries are
// made into objects again only when read (the console's views, the packet drawer).
import type { QueryLogEntry } from '../../../api/dns.ts';

const cacheStates = [null, 'hit', 'miss', 'stale'] as const;
const rrlActions = [null, 'slip', 'drop'] as const;
const transports = ['udp', 'tcp', 'tls', 'https'] as const;

/** transport (bits 0 and 6), cache (2 bits), rrl (2 bits), flattened (1 bit) in one byte. */
function packFlags(entry: QueryLogEntry): number {
  const transport = transports.indexOf(entry.transport);
  return (
    (transport & 1) | ((transport & 2) << 5) | (cacheStates.indexOf(entry.cache) << 1) | (rrlActions.indexOf(entry.rrl) << 3) | (entry.flattened ? 0x20 : 0)
  );
}

export class EntryRing {
  readonly capacity: number;
  /** Entries held (up to capacity) and the slot the next one goes to. */
  private count = 0;
  private next = 0;
  private readonly seq: Float64Array;
  private readonly at: Float64Array;
  private readonly latencyMs: Float64Array;
  private readonly qtype: Uint16Array;
  private readonly rcode: Int8Array;
  private readonly flags: Uint8Array;
  private readonly client: string[];
  private readonly qname: string[];
  private readonly upstream: (string | null)[];
  /** The route's zone: the same few strings (the route table's own) in every slot. */
  private readonly route: (string | null)[];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.seq = new Float64Array(capacity);
    this.at = new Float64Array(capacity);
    this.latencyMs = new Float64Array(capacity);
    this.qtype = new Uint16Array(capacity);
    this.rcode = new Int8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.client = new Array<string>(capacity).fill('');
    this.qname = new Array<string>(capacity).fill('');
    this.upstream = new Array<string | null>(capacity).fill(null);
    this.route = new Array<string | null>(capacity).fill(null);
  }

  get length(): number {
    return this.count;
  }

  push(entry: QueryLogEntry): void {
    const slot = this.next;
    this.seq[slot] = entry.seq;
    this.at[slot] = entry.at;
    this.latencyMs[slot] = entry.latencyMs;
    this.qtype[slot] = entry.qtype;
    this.rcode[slot] = entry.rcode;
    this.flags[slot] = packFlags(entry);
    this.client[slot] = entry.client;
    this.qname[slot] = entry.qname;
    this.upstream[slot] = entry.upstream;
    this.route[slot] = entry.route;
    this.next = (slot + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The entry `index` places from the oldest (0 is the oldest held). */
  get(index: number): QueryLogEntry | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const slot = (this.next - this.count + index + this.capacity) % this.capacity;
    const flags = this.flags[slot]!;
    return {
      seq: this.seq[slot]!,
      at: this.at[slot]!,
      client: this.client[slot]!,
      transport: transports[(flags & 1) | ((flags >> 5) & 2)]!,
      qname: this.qname[slot]!,
      qtype: this.qtype[slot]!,
      rcode: this.rcode[slot]!,
      upstream: this.upstream[slot]!,
      route: this.route[slot]!,
      latencyMs: this.latencyMs[slot]!,
      cache: cacheStates[(flags >> 1) & 3]!,
      rrl: rrlActions[(flags >> 3) & 3]!,
      flattened: (flags & 0x20) !== 0,
    };
  }

  /** The sequence number of the entry `index` places from the oldest, without making the entry. */
  seqAt(index: number): number {
    return this.seq[(this.next - this.count + index + this.capacity) % this.capacity]!;
  }

  /** The names, or the clients, of every entry held (for counting the most frequent). */
  column(name: 'qname' | 'client'): readonly string[] {
    return this[name].slice(0, this.count);
  }

  /** A ring of another capacity holding the newest entries of this one. */
  resized(capacity: number): EntryRing {
    const ring = new EntryRing(capacity);
    for (let i = Math.max(0, this.count - capacity); i < this.count; i++) ring.push(this.get(i)!);
    return ring;
  }
}
