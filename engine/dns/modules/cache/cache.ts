// cache: answers repeated questions from stored wire bytes. A hit copies the stored answer,
// patches the ID and the question's letter case, and rewrites TTLs at offsets found once at
// insertion: no decode on the hot path. Negative answers are cached per RFC 2308; stale answers
// are served per RFC 8767 when the rest of the chain fails.
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
  now?: () => number;
}

interface Entry {
  wire: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  storedAt: number;
  expiresAt: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  stale: number;
}

/** RFC 8767 §4: stale answers carry a TTL of 30 seconds. */
const staleTtl = 30;

export class Cache implements DnsModule {
  readonly name = 'cache';
  private readonly options: CacheOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly counters = { bytes: 0, hits: 0, misses: 0, stale: 0 };

  constructor(options: CacheOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now() / 1000);
  }

  async handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    const key = cacheKey(ctx);
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now < entry.expiresAt) {
      this.counters.hits++;
      ctx.meta.cache = 'hit';
      this.touch(key, entry);
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

  private store(key: string, answer: Buffer): void {
    const scanned = scanResponse(answer);
    if (!scanned || scanned.truncated) return;
    const ttl = this.ttlFor(scanned);
    if (ttl === null || ttl <= 0) return;
    const { minTtl, maxTtl } = this.options;
    const ttls = scanned.ttlOffsets.map((offset) => Math.min(maxTtl, Math.max(minTtl, readU32(answer, offset))));
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const now = this.now();
    const entry = { wire: Buffer.from(answer), ttlOffsets: scanned.ttlOffsets, ttls, storedAt: now, expiresAt: now + ttl };
    this.entries.set(key, entry);
    this.counters.bytes += entry.wire.length;
    this.evict();
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

  private touch(key: string, entry: Entry): void {
    // Map keeps insertion order: moving a hit to the end makes the first key the least recent.
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.counters.bytes <= this.options.maxBytes) break;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.counters.bytes -= entry.wire.length;
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
    return { entries: this.entries.size, bytes: this.counters.bytes, hits: this.counters.hits, misses: this.counters.misses, stale: this.counters.stale };
  }
}

/** Lower-cased question bytes plus the DO and CD bits: answers differ on each. */
function cacheKey(ctx: QueryContext): string {
  const { query, parsed } = ctx;
  let key = '';
  for (let i = 12; i < parsed.questionEnd; i++) {
    const byte = query[i]!;
    key += String.fromCharCode(byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte);
  }
  return key + (parsed.edns?.dnssecOk ? '1' : '0') + (parsed.checkingDisabled ? '1' : '0');
}

/** A name as the lower-cased wire bytes that start its cache keys. */
function wireName(name: string): string {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  return labels.map((label) => String.fromCharCode(label.length) + label).join('') + '\0';
}
