// cache: answers repeated questions from stored wire bytes. A hit copies the stored answer,
// patches the ID and the question's letter case, and rewrites TTLs at offsets found once at
// insertion: no decode on the hot path. Negative answers are cached per RFC 2308; stale answers
// are served per RFC 8767 when the rest of the chain fails. Popular entries are refreshed in the
// background shortly before they expire (prefetch, as unbound does), so they never miss.
import type { DnsModule, Next, QueryContext } from '../../pipeline.ts';
import { Rcode, readU32, scanResponse, writeU16, writeU32 } from '../../wire.ts';

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

interface Entry {
  key: string;
  /** Recency list neighbours: a hit relinks two pointers instead of re-inserting into the Map. */
  older: Entry | null;
  newer: Entry | null;
  wire: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  storedAt: number;
  expiresAt: number;
  /** When a hit may start a refresh: precomputed so that a hit compares numbers only. */
  prefetchAt: number;
  hits: number;
  refreshing: boolean;
}

/** A cache entry as it crosses to another process (an upgrade): times relative to now. */
export interface ExportedEntry {
  key: string;
  wire: Uint8Array;
  ttlOffsets: number[];
  ttls: number[];
  ageSeconds: number;
  expiresInSeconds: number;
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
    if (now >= entry.prefetchAt && entry.hits + 1 >= this.prefetchMinHits && !entry.refreshing) return undefined;
    this.counters.hits++;
    ctx.meta.cache = 'hit';
    this.touch(entry);
    entry.hits++;
    return this.render(entry, ctx, now - entry.storedAt, null);
  }

  async handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    const key = cacheKey(ctx);
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now < entry.expiresAt) {
      this.counters.hits++;
      ctx.meta.cache = 'hit';
      this.touch(entry);
      entry.hits++;
      if (now >= entry.prefetchAt && entry.hits >= this.prefetchMinHits && !entry.refreshing) this.refresh(key, entry, ctx, next);
      return this.render(entry, ctx, now - entry.storedAt, null);
    }
    this.counters.misses++;
    ctx.meta.cache = 'miss';
    let answer: Buffer | null;
    try {
      answer = await next(ctx);
    } catch (err) {
      if (entry && now < entry.expiresAt + this.options.staleMaxAgeSeconds) {
        this.counters.stale++;
        ctx.meta.cache = 'stale';
        return this.render(entry, ctx, 0, staleTtl);
      }
      throw err;
    }
    if (answer) this.store(key, answer);
    return answer;
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
    const out = Buffer.from(entry.wire);
    writeU16(out, 0, ctx.parsed.id);
    ctx.query.copy(out, 12, 12, ctx.parsed.questionEnd);
    const age = Math.floor(elapsed);
    for (let i = 0; i < entry.ttlOffsets.length; i++) {
      writeU32(out, entry.ttlOffsets[i]!, fixedTtl ?? Math.max(0, entry.ttls[i]! - age));
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
    const ttls = scanned.ttlOffsets.map((offset) => Math.min(maxTtl, Math.max(minTtl, readU32(answer, offset))));
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const now = this.now();
    const expiresAt = now + ttl;
    const prefetchAt = this.prefetchShare > 0 ? expiresAt - ttl * this.prefetchShare : Infinity;
    const entry: Entry = { key, older: null, newer: null, wire: Buffer.from(answer), ttlOffsets: scanned.ttlOffsets, ttls, storedAt: now, expiresAt, prefetchAt, hits: 0, refreshing: false };
    this.entries.set(key, entry);
    this.link(entry);
    this.counters.bytes += entry.wire.length;
    this.evict();
    return true;
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
    this.counters.bytes -= entry.wire.length;
  }

  /** Every entry, least recently used first, for the process that takes over (an upgrade). */
  exportEntries(): ExportedEntry[] {
    const now = this.now();
    const out: ExportedEntry[] = [];
    for (let entry = this.oldest; entry; entry = entry.newer) {
      out.push({ key: entry.key, wire: entry.wire, ttlOffsets: entry.ttlOffsets, ttls: entry.ttls, ageSeconds: now - entry.storedAt, expiresInSeconds: entry.expiresAt - now });
    }
    return out;
  }

  /** Takes entries exported by another process; those past their stale age are left out. Returns how many were taken. */
  importEntries(entries: ExportedEntry[]): number {
    const now = this.now();
    let taken = 0;
    for (const exported of entries) {
      if (exported.expiresInSeconds + this.options.staleMaxAgeSeconds <= 0) continue;
      const previous = this.entries.get(exported.key);
      if (previous) this.remove(exported.key, previous);
      const storedAt = now - exported.ageSeconds;
      const expiresAt = now + exported.expiresInSeconds;
      const ttl = expiresAt - storedAt;
      const prefetchAt = this.prefetchShare > 0 ? expiresAt - ttl * this.prefetchShare : Infinity;
      const entry: Entry = { key: exported.key, older: null, newer: null, wire: Buffer.from(exported.wire), ttlOffsets: exported.ttlOffsets, ttls: exported.ttls, storedAt, expiresAt, prefetchAt, hits: 0, refreshing: false };
      this.entries.set(entry.key, entry);
      this.link(entry);
      this.counters.bytes += entry.wire.length;
      taken++;
    }
    this.evict();
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

/** Lower-cased question bytes plus the DO and CD bits: answers differ on each. */
function cacheKey(ctx: QueryContext): string {
  const { query, parsed } = ctx;
  const end = parsed.questionEnd;
  let upper = false;
  for (let i = 12; i < end && !upper; i++) upper = query[i]! >= 0x41 && query[i]! <= 0x5a;
  // Most names arrive lower-case: then one native conversion makes the key.
  let question: string;
  if (!upper) {
    question = query.toString('latin1', 12, end);
  } else {
    const lowered = Buffer.from(query.subarray(12, end));
    for (let i = 0; i < lowered.length; i++) if (lowered[i]! >= 0x41 && lowered[i]! <= 0x5a) lowered[i]! |= 0x20;
    question = lowered.toString('latin1');
  }
  return question + (parsed.edns?.dnssecOk ? '1' : '0') + (parsed.checkingDisabled ? '1' : '0');
}

/** A name as the lower-cased wire bytes that start its cache keys. */
function wireName(name: string): string {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return labels.map((label) => String.fromCharCode(label.length) + label).join('') + '\0';
}
