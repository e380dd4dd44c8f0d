// cache: answers repeated questions from stored wire bytes. A hit copies the stored answer,
// patches the ID and the question's letter case, and rewrites TTLs at offsets found once at
// insertion: no decode on the hot path. Negative answers are cached per RFC 2308; stale answers
// are served per RFC 8767 when the rest of the chain fails. Popular entries are refreshed in the
// background shortly before they expire (prefetch, as unbound does), so they never miss. The
// entries live in columns and off-heap blocks (entries.ts), out of the garbage collector's way.
import type { DnsModule, Next, QueryContext } from '../../pipeline.ts';
import { Rcode, readU16, readU32, scanResponse, writeU16, writeU32 } from '../../wire.ts';
import { EntryTable } from './entries.ts';

export interface CacheOptions {
  maxEntries: number;
  maxBytes: number;
  minTtl: number;
  maxTtl: number;
  /** Cap for NXDOMAIN/NODATA, whatever the SOA says (RFC 2308 §5 suggests hours at most). */
  maxNegativeTtl: number;
  /** How long past expiry an answer may still be served when upstreams fail; 0 disables. */
  staleMaxAgeSeconds: number;
  /** Background refresh of popular entries near expiry; absent means off. */
  prefetch?: PrefetchOptions;
  now?: () => number;
}

export interface PrefetchOptions {
  enabled: boolean;
  /** Hits an entry must have had since it was stored (this one included) to be refreshed. */
  minHits: number;
  /** Refresh once less than this share of the entry's TTL is left. */
  beforeExpiryPercent: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  stale: number;
  /** Background refreshes sent (prefetch). */
  prefetched: number;
  /** Of those, the ones that failed or brought back nothing cacheable. */
  prefetchFailed: number;
}

/** RFC 8767 §4: stale answers carry a TTL of 30 seconds. */
const staleTtl = 30;
/** RFC 8767 §4: after a failed refresh, stale data is served at once for this long before asking again. */
const failureRecheckSeconds = 30;

export class Cache implements DnsModule {
  readonly name = 'cache';
  private readonly options: CacheOptions;
  private readonly table = new EntryTable();
  private readonly now: () => number;
  /** Whether `now` is the default clock, which the query's arrival time can stand in for. */
  private readonly defaultClock: boolean;
  private readonly counters = { bytes: 0, hits: 0, misses: 0, stale: 0, prefetched: 0, prefetchFailed: 0 };
  /** Share of an entry's TTL before expiry at which a refresh may start; 0 when prefetch is off. */
  private readonly prefetchShare: number;
  private readonly prefetchMinHits: number;
  /** An answer's TTL as stored: within the configured bounds. */
  private readonly capTtl: (index: number, ttl: number) => number;

  constructor(options: CacheOptions) {
    this.options = options;
    this.capTtl = (_, ttl) => Math.min(options.maxTtl, Math.max(options.minTtl, ttl));
    this.now = options.now ?? (() => performance.now() / 1000);
    this.defaultClock = options.now === undefined;
    const prefetch = options.prefetch;
    this.prefetchShare = prefetch?.enabled ? prefetch.beforeExpiryPercent / 100 : 0;
    this.prefetchMinHits = prefetch?.minHits ?? 1;
  }

  /** A fresh hit, answered without a promise; anything else (a miss, a refresh due) takes `handle`. */
  handleNow(ctx: QueryContext): Buffer | undefined {
    const { table } = this;
    const slot = table.find(keyScratch, cacheKey(ctx));
    const now = this.queryTime(ctx);
    if (slot < 0 || now >= table.expiresAt[slot]!) return undefined;
    if (this.prefetchDue(slot, now) && table.hits[slot]! + 1 >= this.prefetchMinHits && !table.refreshing[slot]) return undefined;
    this.counters.hits++;
    ctx.meta.cache = 'hit';
    table.touch(slot);
    table.hits[slot]!++;
    return render(table.chunk[slot]!, table.dataAt[slot]!, table.dataLength[slot]!, table.wireLength[slot]!, ctx, now - table.storedAt[slot]!, null);
  }

  handle(ctx: QueryContext, next: Next): Promise<Buffer | null> | Buffer {
    const { table } = this;
    const slot = table.find(keyScratch, cacheKey(ctx));
    const now = this.queryTime(ctx);
    if (slot >= 0 && now < table.expiresAt[slot]!) {
      this.counters.hits++;
      ctx.meta.cache = 'hit';
      table.touch(slot);
      table.hits[slot]!++;
      if (this.prefetchDue(slot, now) && table.hits[slot]! >= this.prefetchMinHits && !table.refreshing[slot]) this.refresh(slot, ctx, next);
      return render(table.chunk[slot]!, table.dataAt[slot]!, table.dataLength[slot]!, table.wireLength[slot]!, ctx, now - table.storedAt[slot]!, null);
    }
    const staleUsable = slot >= 0 && now < table.expiresAt[slot]! + this.options.staleMaxAgeSeconds;
    // RFC 8767 §4 (failure recheck timer): after the rest of the chain failed for this name, its
    // stale answer goes out at once for 30 s instead of after another full upstream timeout.
    if (staleUsable && now < table.failedAt[slot]! + failureRecheckSeconds) return this.stale(slot, ctx);
    this.counters.misses++;
    ctx.meta.cache = 'miss';
    // What a failure would serve stale, copied here: while this query waits, the entry may be
    // replaced or evicted and its slot and block given to another name.
    const staleData = staleUsable ? table.data(slot) : undefined;
    const staleLength = staleUsable ? table.wireLength[slot]! : 0;
    const generation = staleUsable ? table.generation[slot]! : 0;
    // Callbacks rather than an async function: see Pipeline.step.
    return next(ctx).then(
      (answer) => {
        if (answer) this.store(ctx, answer);
        return answer;
      },
      (err: unknown) => {
        if (!staleData) throw err;
        if (table.generation[slot] === generation) table.failedAt[slot] = this.now();
        this.counters.stale++;
        ctx.meta.cache = 'stale';
        return render(staleData, 0, staleData.length, staleLength, ctx, 0, staleTtl);
      },
    );
  }

  /**
   * Seconds on the cache's clock when the query arrived: its receipt time (read by the server a
   * few microseconds earlier) rather than another clock read on every lookup.
   */
  private queryTime(ctx: QueryContext): number {
    return this.defaultClock ? ctx.receivedAt / 1000 : this.now();
  }

  /** Whether less than the prefetch share of the entry's TTL is left. */
  private prefetchDue(slot: number, now: number): boolean {
    const { expiresAt, storedAt } = this.table;
    return this.prefetchShare > 0 && now >= expiresAt[slot]! - (expiresAt[slot]! - storedAt[slot]!) * this.prefetchShare;
  }

  private stale(slot: number, ctx: QueryContext): Buffer {
    this.counters.stale++;
    ctx.meta.cache = 'stale';
    const { table } = this;
    return render(table.chunk[slot]!, table.dataAt[slot]!, table.dataLength[slot]!, table.wireLength[slot]!, ctx, 0, staleTtl);
  }

  /**
   * Asks the rest of the chain again in the background and stores what comes back; the client is
   * answered from the cache meanwhile. One refresh per entry at a time; a failure leaves the entry
   * to expire as usual (and to be served stale after that).
   */
  private refresh(slot: number, ctx: QueryContext, next: Next): void {
    const { table } = this;
    const generation = table.generation[slot]!;
    table.refreshing[slot] = 1;
    this.counters.prefetched++;
    // Flushed or evicted meanwhile (the slot holds another entry now): nobody wants it.
    const same = () => table.generation[slot] === generation;
    // The client's query budget, of which a hit used next to nothing, counted again from when the
    // refresh starts; started after this turn so that the client's answer goes out first.
    const budgetMs = ctx.deadline - performance.now();
    setImmediate(() => {
      // A copy of the client's context with its own meta, so the client's log entry says "hit".
      const receivedAt = performance.now();
      const background: QueryContext = { ...ctx, meta: {}, receivedAt, deadline: receivedAt + budgetMs };
      next(background).then(
        (answer) => {
          if (!same()) return;
          table.refreshing[slot] = 0;
          if (!answer || !this.store(ctx, answer)) this.counters.prefetchFailed++;
        },
        () => {
          if (same()) table.refreshing[slot] = 0;
          this.counters.prefetchFailed++;
        },
      );
    });
  }

  /** Stores the answer to the context's question when it may be cached; says whether it was. */
  private store(ctx: QueryContext, answer: Buffer): boolean {
    const scanned = scanResponse(answer);
    if (!scanned || scanned.truncated) return false;
    const ttl = this.ttlFor(scanned);
    if (ttl === null || ttl <= 0) return false;
    const now = this.now();
    this.add(keyScratch, cacheKey(ctx), answer, scanned.ttlOffsets, this.capTtl, now, now + ttl);
    this.evict();
    return true;
  }

  /** Adds an entry, replacing the key's previous one; the TTL of record i is ttl(i, its TTL in `wire`). */
  private add(
    key: Uint8Array,
    keyLength: number,
    wire: Uint8Array,
    ttlOffsets: readonly number[],
    ttl: (index: number, wireTtl: number) => number,
    storedAt: number,
    expiresAt: number,
  ): void {
    const { table } = this;
    const previous = table.find(key, keyLength);
    if (previous >= 0) this.remove(previous);
    const slot = table.add(key, keyLength, wire.length + 2 * ttlOffsets.length, wire.length, storedAt, expiresAt);
    writeEntryData(table.chunk[slot]!, table.dataAt[slot]!, wire, ttlOffsets, ttl);
    this.counters.bytes += wire.length;
  }

  /** How long an answer may be cached, or null when it must not be. */
  private ttlFor(scanned: NonNullable<ReturnType<typeof scanResponse>>): number | null {
    const { minTtl, maxTtl, maxNegativeTtl } = this.options;
    const negative = scanned.rcode === Rcode.nxDomain || (scanned.rcode === Rcode.noError && scanned.answerCount === 0);
    if (negative) {
      // RFC 2308 §5: without an SOA a negative answer is not cached.
      return scanned.negativeTtl === null ? null : Math.min(maxNegativeTtl, scanned.negativeTtl);
    }
    if (scanned.rcode !== Rcode.noError || scanned.minTtl === null) return null;
    return Math.min(maxTtl, Math.max(minTtl, scanned.minTtl));
  }

  private evict(): void {
    const { table } = this;
    while (table.oldest >= 0 && (table.size > this.options.maxEntries || this.counters.bytes > this.options.maxBytes)) {
      this.remove(table.oldest);
    }
  }

  private remove(slot: number): void {
    this.counters.bytes -= this.table.wireLength[slot]!;
    this.table.remove(slot);
  }

  /**
   * Every entry, least recently used first, as one buffer for the process that takes over (an
   * upgrade). Written in slices with a turn of the event loop between them, so that queries keep
   * being answered meanwhile; one buffer crosses the processes far faster than 100k objects.
   */
  async exportSnapshot(): Promise<Buffer> {
    const { table } = this;
    // Copied out first: the entries may change between the slices.
    const entries = [...table.byAge()].map((slot): SnapshotEntry => ({
      key: table.key(slot),
      data: table.data(slot),
      wireLength: table.wireLength[slot]!,
      storedAt: table.storedAt[slot]!,
      expiresAt: table.expiresAt[slot]!,
    }));
    const parts: Buffer[] = [];
    for (let from = 0; from < entries.length; from += snapshotSlice) {
      const now = this.now();
      for (const entry of entries.slice(from, from + snapshotSlice)) parts.push(encodeEntry(entry, now));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Buffer.concat(parts);
  }

  /** Takes a snapshot of another process's cache (in slices, as it was made); entries past their stale age are left out. */
  async importSnapshot(snapshot: Uint8Array): Promise<number> {
    const bytes = Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
    let taken = 0;
    let offset = 0;
    while (offset < bytes.length) {
      const now = this.now();
      for (let n = 0; n < snapshotSlice && offset < bytes.length; n++) {
        const { key, wire, ttlOffsets, ttls, storedAt, expiresAt, next } = decodeEntry(bytes, offset, now);
        offset = next;
        if (now >= expiresAt + this.options.staleMaxAgeSeconds) continue;
        this.add(key, key.length, wire, ttlOffsets, (i) => ttls[i]!, storedAt, expiresAt);
        taken++;
      }
      this.evict();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return taken;
  }

  /** Removes every entry, or those for one name (any type); returns how many went. */
  flush(name?: string): number {
    const wanted = name === undefined ? null : wireName(name);
    const doomed = [...this.table.byAge()].filter((slot) => wanted === null || this.table.keyStartsWith(slot, wanted, wanted.length));
    for (const slot of doomed) this.remove(slot);
    return doomed.length;
  }

  stats(): CacheStats {
    const { bytes, hits, misses, stale, prefetched, prefetchFailed } = this.counters;
    return { entries: this.table.size, bytes, hits, misses, stale, prefetched, prefetchFailed };
  }
}

/**
 * An entry's answer for this query, from its data (`length` bytes at `start` of `bytes`): its ID
 * and letter case, TTLs less the entry's age (or fixed).
 */
function render(bytes: Buffer, start: number, length: number, wireLength: number, ctx: QueryContext, elapsed: number, fixedTtl: number | null): Buffer {
  const out = Buffer.allocUnsafe(wireLength);
  bytes.copy(out, 0, start, start + wireLength);
  writeU16(out, 0, ctx.parsed.id);
  ctx.query.copy(out, 12, 12, ctx.parsed.questionEnd);
  // At least 0: a lookup's clock is the query's arrival, and an entry stored since then is new,
  // not younger than new.
  const age = Math.max(0, Math.floor(elapsed));
  for (let at = start + wireLength; at < start + length; at += 2) {
    const offset = readU16(bytes, at);
    writeU32(out, offset, fixedTtl ?? Math.max(0, readU32(bytes, start + offset) - age));
  }
  return out;
}

/** An entry as a snapshot carries it. */
interface SnapshotEntry {
  key: Buffer;
  /** The answer with its TTLs capped, then the offset of each TTL field (u16 each). */
  data: Buffer;
  wireLength: number;
  storedAt: number;
  expiresAt: number;
}

/** Where cache keys are put together: a question is at most 255 name bytes + 4, then two flag bytes. */
const keyScratch = Buffer.alloc(512);

/**
 * The cache key, written to keyScratch; its length. Lower-cased question bytes plus the DO and CD
 * bits ("0"/"1" each): answers differ on each.
 */
function cacheKey(ctx: QueryContext): number {
  const { query, parsed } = ctx;
  const length = parsed.questionEnd - 12;
  for (let i = 0; i < length; i++) {
    const byte = query[12 + i]!;
    keyScratch[i] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
  }
  keyScratch[length] = parsed.edns?.dnssecOk ? 0x31 : 0x30;
  keyScratch[length + 1] = parsed.checkingDisabled ? 0x31 : 0x30;
  return length + 2;
}

/**
 * An entry's data, written to `target` from `at`: the answer with the TTL of record i set to
 * ttl(i, its TTL in `wire`), then the TTL offsets (u16 each).
 */
function writeEntryData(target: Buffer, at: number, wire: Uint8Array, ttlOffsets: readonly number[], ttl: (index: number, wireTtl: number) => number): void {
  target.set(wire, at);
  for (let i = 0; i < ttlOffsets.length; i++) {
    writeU32(target, at + ttlOffsets[i]!, ttl(i, readU32(wire, ttlOffsets[i]!)));
    writeU16(target, at + wire.length + 2 * i, ttlOffsets[i]!);
  }
}

/** A name as the lower-cased wire bytes that start its cache keys. */
function wireName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return Buffer.from(labels.map((label) => String.fromCharCode(label.length) + label).join('') + '\0', 'latin1');
}

/** Entries written or read per turn of the event loop during an upgrade's handover. */
const snapshotSlice = 2000;

/**
 * One entry of a snapshot: key, wire answer, TTL offsets and values, then its age and time left
 * in seconds (relative, as the processes' clocks differ): u16 key length, key (latin1), u32 wire
 * length, wire, u16 TTL count, per TTL u16 offset + u32 value, f64 age, f64 time left. The
 * format is what the process on the other side of an upgrade reads, whatever its version: keep it.
 */
function encodeEntry(entry: SnapshotEntry, now: number): Buffer {
  const { data, wireLength } = entry;
  const ttlCount = (data.length - wireLength) / 2;
  const { key } = entry;
  const out = Buffer.allocUnsafe(2 + key.length + 4 + wireLength + 2 + ttlCount * 6 + 16);
  let at = out.writeUInt16BE(key.length, 0);
  at += key.copy(out, at);
  at = out.writeUInt32BE(wireLength, at);
  at += data.copy(out, at, 0, wireLength);
  at = out.writeUInt16BE(ttlCount, at);
  for (let i = 0; i < ttlCount; i++) {
    const offset = readU16(data, wireLength + 2 * i);
    at = out.writeUInt16BE(offset, at);
    at = out.writeUInt32BE(readU32(data, offset), at);
  }
  at = out.writeDoubleBE(now - entry.storedAt, at);
  out.writeDoubleBE(entry.expiresAt - now, at);
  return out;
}

/** An entry of a snapshot, its fields as views of the snapshot's bytes. */
interface DecodedEntry {
  key: Buffer;
  wire: Buffer;
  ttlOffsets: number[];
  /** The TTL value at each offset. */
  ttls: number[];
  storedAt: number;
  expiresAt: number;
  /** Where the next entry starts. */
  next: number;
}

function decodeEntry(bytes: Buffer, offset: number, now: number): DecodedEntry {
  let at = offset;
  const keyLength = bytes.readUInt16BE(at);
  const key = bytes.subarray(at + 2, at + 2 + keyLength);
  at += 2 + keyLength;
  const wireLength = bytes.readUInt32BE(at);
  const wire = bytes.subarray(at + 4, at + 4 + wireLength);
  at += 4 + wireLength;
  const count = bytes.readUInt16BE(at);
  at += 2;
  const ttlOffsets: number[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < count; i++, at += 6) {
    ttlOffsets.push(bytes.readUInt16BE(at));
    ttls.push(bytes.readUInt32BE(at + 2));
  }
  const storedAt = now - bytes.readDoubleBE(at);
  const expiresAt = now + bytes.readDoubleBE(at + 8);
  return { key, wire, ttlOffsets, ttls, storedAt, expiresAt, next: at + 16 };
}
