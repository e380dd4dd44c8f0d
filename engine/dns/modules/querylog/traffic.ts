// Traffic per second, for the live chart and the stats tiles: each query-log entry is counted in
// the bucket of the second it was answered in; the last ten minutes are kept. Seconds without
// traffic are reported as zeros so that the chart's time axis has no holes.
import type { DnsSecond, QueryLogEntry } from '../../../api/dns.ts';
import { rcodeName } from '../../wire.ts';

const keptSeconds = 600;

interface Bucket extends DnsSecond {
  latencyTotal: number;
}

function emptyBucket(at: number): Bucket {
  return { at, queries: 0, hits: 0, misses: 0, stale: 0, slipped: 0, dropped: 0, servfail: 0, nxdomain: 0, latencyMs: null, latencyTotal: 0 };
}

export class Traffic {
  /** Answers sent since start by rcode name; dropped queries are not answers. */
  readonly rcodes: Record<string, number> = {};
  flattened = 0;
  private readonly buckets = new Map<number, Bucket>();
  /** The bucket the last entry went to. */
  private current: Bucket | undefined;
  private readonly subscribers = new Set<(second: DnsSecond) => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The last second sent to subscribers, so that a late timer neither skips nor repeats one. */
  private lastEmitted = 0;
  private readonly now: () => number;
  /** The first second counted: history does not pretend the engine ran before it started. */
  private readonly firstSecond: number;

  constructor(now: () => number = Date.now) {
    this.now = now;
    this.firstSecond = Math.floor(now() / 1000) * 1000;
  }

  observe(entry: QueryLogEntry): void {
    const second = Math.floor(entry.at / 1000) * 1000;
    // Nearly every entry falls in the second of the one before: no map lookup for those.
    let bucket = this.current?.at === second ? this.current : this.buckets.get(second);
    if (!bucket) {
      bucket = emptyBucket(second);
      this.buckets.set(second, bucket);
      this.forgetBefore(second - keptSeconds * 1000);
    }
    this.current = bucket;
    bucket.queries++;
    if (entry.cache === 'hit') bucket.hits++;
    else if (entry.cache === 'miss') bucket.misses++;
    else if (entry.cache === 'stale') bucket.stale++;
    if (entry.rrl === 'slip') bucket.slipped++;
    else if (entry.rrl === 'drop') bucket.dropped++;
    if (entry.rcode === 2) bucket.servfail++;
    else if (entry.rcode === 3) bucket.nxdomain++;
    if (entry.rcode >= 0 && entry.rrl !== 'drop') {
      bucket.latencyTotal += entry.latencyMs;
      const name = rcodeName(entry.rcode);
      this.rcodes[name] = (this.rcodes[name] ?? 0) + 1;
    }
    if (entry.flattened) this.flattened++;
  }

  /** The last `count` whole seconds since the start (the current one excluded), oldest first. */
  history(count: number): DnsSecond[] {
    const current = Math.floor(this.now() / 1000) * 1000;
    const seconds: DnsSecond[] = [];
    const from = Math.max(current - Math.min(count, keptSeconds) * 1000, this.firstSecond);
    for (let at = from; at < current; at += 1000) seconds.push(this.second(at));
    return seconds;
  }

  /** Queries per second over the last `window` whole seconds. */
  qps(window = 5): number {
    const seconds = this.history(window);
    const total = seconds.reduce((sum, second) => sum + second.queries, 0);
    return seconds.length === 0 ? 0 : Math.round((total / seconds.length) * 10) / 10;
  }

  /** Calls `emit` with each second once it is over; returns the function that stops it. */
  subscribe(emit: (second: DnsSecond) => void): () => void {
    this.subscribers.add(emit);
    if (!this.timer) {
      this.lastEmitted = Math.floor(this.now() / 1000) * 1000 - 1000;
      this.timer = setInterval(() => this.emitFinishedSeconds(), 250);
    }
    return () => {
      this.subscribers.delete(emit);
      if (this.subscribers.size === 0) this.close();
    };
  }

  private emitFinishedSeconds(): void {
    const current = Math.floor(this.now() / 1000) * 1000;
    // After a long stall, only what the history still holds.
    this.lastEmitted = Math.max(this.lastEmitted, current - keptSeconds * 1000);
    for (let at = this.lastEmitted + 1000; at < current; at += 1000) {
      const second = this.second(at);
      for (const subscriber of this.subscribers) subscriber(second);
      this.lastEmitted = at;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }

  private second(at: number): DnsSecond {
    const { latencyTotal, ...bucket } = this.buckets.get(at) ?? emptyBucket(at);
    const answered = bucket.queries - bucket.dropped;
    return { ...bucket, latencyMs: answered > 0 ? Math.round((latencyTotal / answered) * 1000) / 1000 : null };
  }

  private forgetBefore(oldest: number): void {
    // Buckets are inserted in time order, so the oldest come first.
    for (const at of this.buckets.keys()) {
      if (at >= oldest) break;
      this.buckets.delete(at);
    }
  }
}
