// The packets of the last queries, kept for the console's packet drawer and for pcap export. Bounded
// by count and by bytes; the oldest go first. The bytes are copied into one preallocated arena and
// the rest is kept in columns: holding each exchange as objects (its buffers, the client's address
// object, the log entry) kept ~1.4 MB of young objects alive at 10k q/s for every scavenge to copy,
// 40 % of its pause (test/bench). Exchanges become objects again only when read.
import type { QueryLogEntry } from '../../../api/dns.ts';
import { EntryRing } from './ring.ts';

export interface Endpoint {
  address: string;
  port: number;
}

export interface CapturedExchange {
  entry: QueryLogEntry;
  client: Endpoint;
  server: Endpoint;
  query: Buffer;
  /** What was sent back, null when nothing was (a dropped query). */
  reply: Buffer | null;
  /** When the answer went out, ms since the epoch. */
  answeredAt: number;
}

/** Arena bytes per exchange kept (a UDP query and answer take a few hundred), within these bounds. */
const arenaBytesPerExchange = 2048;
/** The least arena: the largest TCP answer (64 KiB) with its query always fits, several times over. */
const minArenaBytes = 256 * 1024;
/** Capture memory at most, whatever the count. */
const maxArenaBytes = 32 * 1024 * 1024;

export class PacketCapture {
  private size: number;
  private entries: EntryRing;
  private count = 0;
  private next = 0;
  private clientPort = new Uint16Array(0);
  private server: Endpoint[] = [];
  private answeredAt = new Float64Array(0);
  /** Where each packet starts, counted in bytes ever written to the arena (so an overwritten one shows). */
  private queryAt = new Float64Array(0);
  private queryLength = new Uint32Array(0);
  private replyAt = new Float64Array(0);
  /** -1: no reply was sent. */
  private replyLength = new Int32Array(0);
  private arena = Buffer.alloc(0);
  private written = 0;

  constructor(size: number) {
    this.size = size;
    this.entries = new EntryRing(Math.max(1, size));
    this.allocate(size);
  }

  record(exchange: CapturedExchange): void {
    if (this.size === 0) return;
    const { query, reply } = exchange;
    // Both packets must fit the arena at once, or neither is kept (a 64 KiB answer always fits).
    if (query.length + (reply?.length ?? 0) > this.arena.length / 2) return;
    const slot = this.next;
    this.queryAt[slot] = this.write(query);
    this.queryLength[slot] = query.length;
    this.replyAt[slot] = reply ? this.write(reply) : 0;
    this.replyLength[slot] = reply ? reply.length : -1;
    this.clientPort[slot] = exchange.client.port;
    this.server[slot] = exchange.server;
    this.answeredAt[slot] = exchange.answeredAt;
    this.entries.push(exchange.entry);
    this.next = (slot + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /** The exchange whose query-log entry has this sequence number, if still kept. */
  get(seq: number): CapturedExchange | undefined {
    // Entries are in sequence order: binary search.
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = this.entries.seqAt(middle);
      if (found === seq) return this.exchange(middle);
      if (found < seq) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The newest `limit` exchanges (at most the configured size) still whole, oldest first. */
  last(limit: number): CapturedExchange[] {
    const out: CapturedExchange[] = [];
    for (let index = Math.max(0, this.count - limit); index < this.count; index++) {
      const exchange = this.exchange(index);
      if (exchange) out.push(exchange);
    }
    return out;
  }

  /** Keeps the newest exchanges that the new size holds. */
  resize(size: number): void {
    if (size === this.size) return;
    const kept = this.last(size);
    this.size = size;
    this.entries = new EntryRing(Math.max(1, size));
    this.count = 0;
    this.next = 0;
    this.written = 0;
    this.allocate(size);
    for (const exchange of kept) this.record(exchange);
  }

  private allocate(size: number): void {
    this.clientPort = new Uint16Array(size);
    this.server = new Array<Endpoint>(size);
    this.answeredAt = new Float64Array(size);
    this.queryAt = new Float64Array(size);
    this.queryLength = new Uint32Array(size);
    this.replyAt = new Float64Array(size);
    this.replyLength = new Int32Array(size);
    this.arena = Buffer.alloc(size === 0 ? 0 : Math.min(maxArenaBytes, Math.max(minArenaBytes, size * arenaBytesPerExchange)));
  }

  /** Copies a packet into the arena (from its start again when it does not fit before the end); returns where it went. */
  private write(packet: Uint8Array): number {
    let at = this.written % this.arena.length;
    if (at + packet.length > this.arena.length) {
      this.written += this.arena.length - at;
      at = 0;
    }
    this.arena.set(packet, at);
    const start = this.written;
    this.written += packet.length;
    return start;
  }

  /** A copy of the packet written at `start`, or null when newer packets have overwritten it. */
  private read(start: number, length: number): Buffer | null {
    if (start < this.written - this.arena.length) return null;
    const at = start % this.arena.length;
    return Buffer.from(this.arena.subarray(at, at + length));
  }

  /** The exchange `index` places from the oldest, or undefined when its bytes were overwritten. */
  private exchange(index: number): CapturedExchange | undefined {
    const slot = (this.next - this.count + index + this.size) % this.size;
    const query = this.read(this.queryAt[slot]!, this.queryLength[slot]!);
    const replyLength = this.replyLength[slot]!;
    const reply = replyLength < 0 ? null : this.read(this.replyAt[slot]!, replyLength);
    if (!query || (replyLength >= 0 && !reply)) return undefined;
    const entry = this.entries.get(index)!;
    return {
      entry,
      // The entry's client is the same address (kept once, as the query log interns it).
      client: { address: entry.client, port: this.clientPort[slot]! },
      server: this.server[slot]!,
      query,
      reply,
      answeredAt: this.answeredAt[slot]!,
    };
  }
}
