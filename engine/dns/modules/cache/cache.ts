// cache: answers repeated questions from stored wire bytes. A hit copies the stored answer,
// patches the ID and the question's letter case, and rewrites TTLs at offsets found once at
// insertion: no decode on the hot path. Negative answers are cached per RFC 2308; stale answers
// are served per RFC 8767 when the rest of the chain fails. Popular entries are refreshed in the
// background shortly before they expire (prefetch, as unbound does), so they never miss.
import type { DnsModule, Next, QueryContext } from '../../pipeline.ts';
import { Rcode, readU16, readU32, scanResponse, writeU16, writeU32 } from '../../wire.ts';

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

/**
 * Few objects per entry on purpose: under a stream of unique misses the new entries are most of
 * what survives a scavenge, and the scavenge pause (which every query waiting then sits through)
 * grows with the bytes it copies. 688 heap bytes per entry with the answer, its TTL offsets and
 * its TTL values as a buffer and two arrays; about half as one buffer.
 */
interface Entry {
  key: string;
  /** Recency list neighbours: a hit relinks two pointers instead of re-inserting into the Map. */
  older: Entry | null;
  newer: Entry | null;
  /** The answer with its TTLs already capped, then the offset of each TTL field (u16 each). */
  data: Buffer;
  /** Where the answer ends in `data` (the offsets follow). */
  wireLength: number;
  storedAt: number;
  expiresAt: number;
  hits: number;
  refreshing: boolean;
  /** When the rest of the chain last failed to refresh it (serving it stale); -Infinity if never. */
  failedAt: number;
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
  private readonly entries = new Map<string, Entry>();
  /** Most and least recently used ends of the recency list. */
  private newest: Entry | null = null;
  private oldest: Entry | null = null;
  private readonly now: () => number;
  private readonly counters = { bytes: 0, hits: 0, misses: 0, stale: 0, prefetched: 0, prefetchFailed: 0 };
  /** Share of an entry's TTL before expiry at which a refresh may start; 0 when prefetch is off. */
  private readonly prefetchShare: number;
  private readonly prefetchMinHits: number;

  constructor(options: CacheOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now() / 1000);
    const prefetch = options.prefetch;
    this.prefetchShare = prefetch?.enabled ? prefetch.beforeExpiryPercent / 100 : 0;
    this.prefetchMinHits = prefetch?.minHits ?? 1;
  }

  /** A fresh hit, answered without a promise; anything else (a miss, a refresh due) takes `handle`. */
  handleNow(ctx: QueryContext): Buffer | undefined {
    const entry = this.entries.get(cacheKey(ctx));
    const now = this.now();
    if (!entry || now >= entry.expiresAt) return undefined;
    if (this.prefetchDue(entry, now) && entry.hits + 1 >= this.prefetchMinHits && !entry.refreshing) return undefined;
    this.counters.hits++;
    ctx.meta.cache = 'hit';
    this.touch(entry);
    entry.hits++;
    return this.render(entry, ctx, now - entry.storedAt, null);
  }

  handle(ctx: QueryContext, next: Next): Promise<Buffer | null> | Buffer {
    const key = cacheKey(ctx);
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now < entry.expiresAt) {
      this.counters.hits++;
      ctx.meta.cache = 'hit';
      this.touch(entry);
      entry.hits++;
      if (this.prefetchDue(entry, now) && entry.hits >= this.prefetchMinHits && !entry.refreshing) this.refresh(key, entry, ctx, next);
      return this.render(entry, ctx, now - entry.storedAt, null);
    }
    const staleUsable = entry !== undefined && now < entry.expiresAt + this.options.staleMaxAgeSeconds;
    // RFC 8767 §4 (failure recheck timer): after the rest of the chain failed for this name, its
    // stale answer goes out at once for 30 s instead of after another full upstream timeout.
    if (staleUsable && now < entry.failedAt + failureRecheckSeconds) return this.stale(entry, ctx);
    this.counters.misses++;
    ctx.meta.cache = 'miss';
    // Callbacks rather than an async function: see Pipeline.step.
    return next(ctx).then(
      (answer) => {
        if (answer) this.store(key, answer);
        return answer;
      },
      (err: unknown) => {
        if (!staleUsable) throw err;
        entry.failedAt = this.now();
        return this.stale(entry, ctx);
      },
    );
  }

  /** Whether less than the prefetch share of the entry's TTL is left. */
  private prefetchDue(entry: Entry, now: number): boolean {
    return this.prefetchShare > 0 && now >= entry.expiresAt - (entry.expiresAt - entry.storedAt) * this.prefetchShare;
  }

  private stale(entry: Entry, ctx: QueryContext): Buffer {
    this.counters.stale++;
    ctx.meta.cache = 'stale';
    return this.render(entry, ctx, 0, staleTtl);
  }

  /**
   * Asks the rest of the chain again in the background and stores what comes back; the client is
   * answered from the cache meanwhile. One refresh per entry at a time; a failure leaves the entry
   * to expire as usual (and to be served stale after that).
   */
  private refresh(key: string, entry: Entry, ctx: QueryContext, next: Next): void {
    entry.refreshing = true;
    this.counters.prefetched++;
    // The client's query budget, of which a hit used next to nothing, counted again from when the
    // refresh starts; started after this turn so that the client's answer goes out first.
    const budgetMs = ctx.deadline - performance.now();
    setImmediate(() => {
      // A copy of the client's context with its own meta, so the client's log entry says "hit".
      const receivedAt = performance.now();
      const background: QueryContext = { ...ctx, meta: {}, receivedAt, deadline: receivedAt + budgetMs };
      next(background).then(
        (answer) => {
          entry.refreshing = false;
          // Flushed or evicted meanwhile: nobody wants it now. Replaced by a miss: already fresh.
          if (this.entries.get(key) !== entry) return;
          if (!answer || !this.store(key, answer)) this.counters.prefetchFailed++;
        },
        () => {
          entry.refreshing = false;
          this.counters.prefetchFailed++;
        },
      );
    });
  }

  private render(entry: Entry, ctx: QueryContext, elapsed: number, fixedTtl: number | null): Buffer {
    const { data, wireLength } = entry;
    const out = Buffer.allocUnsafe(wireLength);
    data.copy(out, 0, 0, wireLength);
    writeU16(out, 0, ctx.parsed.id);
    ctx.query.copy(out, 12, 12, ctx.parsed.questionEnd);
    const age = Math.floor(elapsed);
    for (let at = wireLength; at < data.length; at += 2) {
      const offset = readU16(data, at);
      writeU32(out, offset, fixedTtl ?? Math.max(0, readU32(data, offset) - age));
    }
    return out;
  }

  /** Stores an answer when it may be cached; says whether it was. */
  private store(key: string, answer: Buffer): boolean {
    const scanned = scanResponse(answer);
    if (!scanned || scanned.truncated) return false;
    const ttl = this.ttlFor(scanned);
    if (ttl === null || ttl <= 0) return false;
    const { minTtl, maxTtl } = this.options;
    const data = entryData(answer, scanned.ttlOffsets, (_, ttl) => Math.min(maxTtl, Math.max(minTtl, ttl)));
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const now = this.now();
    this.add(key, data, answer.length, now, now + ttl);
    this.evict();
    return true;
  }

  private add(key: string, data: Buffer, wireLength: number, storedAt: number, expiresAt: number): void {
    const entry: Entry = { key, older: null, newer: null, data, wireLength, storedAt, expiresAt, hits: 0, refreshing: false, failedAt: -Infinity };
    this.entries.set(key, entry);
    this.link(entry);
    this.counters.bytes += entry.wireLength;
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

  /**
   * Least-recently-used order lives in a linked list, not in the Map's insertion order: with
   * 100k entries, deleting and re-adding a key per hit and scanning the Map from its start to
   * evict made V8 walk over deleted slots (measured: 13-66 % of the engine's time, test/bench).
   */
  private touch(entry: Entry): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    this.link(entry);
  }

  private link(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest) this.newest.newer = entry;
    this.newest = entry;
    this.oldest ??= entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }

  private evict(): void {
    while (this.oldest && (this.entries.size > this.options.maxEntries || this.counters.bytes > this.options.maxBytes)) {
      this.remove(this.oldest.key, this.oldest);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.unlink(entry);
    this.counters.bytes -= entry.wireLength;
  }

  /**
   * Every entry, least recently used first, as one buffer for the process that takes over (an
   * upgrade). Written in slices with a turn of the event loop between them, so that queries keep
   * being answered meanwhile; one buffer crosses the processes far faster than 100k objects.
   */
  async exportSnapshot(): Promise<Buffer> {
    const entries: Entry[] = [];
    for (let entry = this.oldest; entry; entry = entry.newer) entries.push(entry);
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
        const { key, data, wireLength, storedAt, expiresAt, next } = decodeEntry(bytes, offset, now);
        offset = next;
        if (now >= expiresAt + this.options.staleMaxAgeSeconds) continue;
        const previous = this.entries.get(key);
        if (previous) this.remove(key, previous);
        this.add(key, data, wireLength, storedAt, expiresAt);
        taken++;
      }
      this.evict();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return taken;
  }

  /** Removes every entry, or those for one name (any type); returns how many went. */
  flush(name?: string): number {
    let removed = 0;
    const wanted = name === undefined ? null : wireName(name);
    for (const [key, entry] of this.entries) {
      if (wanted === null || key.startsWith(wanted)) {
        this.remove(key, entry);
        removed++;
      }
    }
    return removed;
  }

  stats(): CacheStats {
    const { bytes, hits, misses, stale, prefetched, prefetchFailed } = this.counters;
    return { entries: this.entries.size, bytes, hits, misses, stale, prefetched, prefetchFailed };
  }
}

/** Where cache keys are put together: a question is at most 255 name bytes + 4, then two flag bytes. */
const keyScratch = Buffer.alloc(512);

/**
 * Lower-cased question bytes plus the DO and CD bits ("0"/"1" each): answers differ on each. Made
 * in a scratch buffer and read out as one flat string; concatenating the flags made two cons
 * strings and a flattened copy on every lookup, and kept them alive in every entry.
 */
function cacheKey(ctx: QueryContext): string {
  const { query, parsed } = ctx;
  const length = parsed.questionEnd - 12;
  for (let i = 0; i < length; i++) {
    const byte = query[12 + i]!;
    keyScratch[i] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
  }
  keyScratch[length] = parsed.edns?.dnssecOk ? 0x31 : 0x30;
  keyScratch[length + 1] = parsed.checkingDisabled ? 0x31 : 0x30;
  return keyScratch.toString('latin1', 0, length + 2);
}

/** An entry's one buffer: the answer with the TTL of record i set to ttl(i, its TTL in `wire`), then the TTL offsets (u16 each). */
function entryData(wire: Uint8Array, ttlOffsets: readonly number[], ttl: (index: number, wireTtl: number) => number): Buffer {
  const data = Buffer.allocUnsafe(wire.length + 2 * ttlOffsets.length);
  data.set(wire, 0);
  for (let i = 0; i < ttlOffsets.length; i++) {
    writeU32(data, ttlOffsets[i]!, ttl(i, readU32(wire, ttlOffsets[i]!)));
    writeU16(data, wire.length + 2 * i, ttlOffsets[i]!);
  }
  return data;
}

/** A name as the lower-cased wire bytes that start its cache keys. */
function wireName(name: string): string {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return labels.map((label) => String.fromCharCode(label.length) + label).join('') + '\0';
}

/** Entries written or read per turn of the event loop during an upgrade's handover. */
const snapshotSlice = 2000;

/**
 * One entry of a snapshot: key, wire answer, TTL offsets and values, then its age and time left
 * in seconds (relative, as the processes' clocks differ): u16 key length, key (latin1), u32 wire
 * length, wire, u16 TTL count, per TTL u16 offset + u32 value, f64 age, f64 time left. The
 * format is what the process on the other side of an upgrade reads, whatever its version: keep it.
 */
function encodeEntry(entry: Entry, now: number): Buffer {
  const { data, wireLength } = entry;
  const ttlCount = (data.length - wireLength) / 2;
  const key = Buffer.from(entry.key, 'latin1');
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

function decodeEntry(bytes: Buffer, offset: number, now: number): Pick<Entry, 'key' | 'data' | 'wireLength' | 'storedAt' | 'expiresAt'> & { next: number } {
  let at = offset;
  const keyLength = bytes.readUInt16BE(at);
  const key = bytes.toString('latin1', at + 2, at + 2 + keyLength);
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
  const data = entryData(wire, ttlOffsets, (i) => ttls[i]!);
  const storedAt = now - bytes.readDoubleBE(at);
  const expiresAt = now + bytes.readDoubleBE(at + 8);
  return { key, data, wireLength, storedAt, expiresAt, next: at + 16 };
}
