// querylog: records every query and what became of it in a bounded ring, and feeds live
// subscribers in batches, each with its own server-side filter. A subscriber that cannot keep up
// is told how many entries it missed instead of growing a queue.
import type { QueryLogEntry, QueryLogFilter } from '../../../api/dns.ts';
import type { DnsModule, Next, NextNow, QueryContext } from '../../pipeline.ts';
import { answerSummary } from './answers.ts';
import { EntryRing } from './ring.ts';

export interface QueryLogOptions {
  size: number;
  /** How often subscribers get a batch. */
  batchMs: number;
  /** Entries a batch holds at most; the rest are counted as dropped. */
  maxBatch: number;
}

interface Subscriber {
  filter: QueryLogFilter;
  pending: QueryLogEntry[];
  /** The answers of `pending` as text, only for a subscriber that asked for them. */
  answers: (string | null)[] | null;
  dropped: number;
  emit(batch: { entries: QueryLogEntry[]; dropped: number }): void;
}

export function matches(entry: QueryLogEntry, filter: QueryLogFilter): boolean {
  return (
    (filter.client === undefined || entry.client === filter.client) &&
    (filter.qname === undefined || entry.qname.includes(filter.qname.toLowerCase())) &&
    (filter.qtype === undefined || entry.qtype === filter.qtype) &&
    (filter.rcode === undefined || entry.rcode === filter.rcode) &&
    (filter.upstream === undefined || entry.upstream === filter.upstream) &&
    (filter.route === undefined || entry.route?.toLowerCase() === filter.route.toLowerCase()) &&
    (filter.cache === undefined || entry.cache === filter.cache) &&
    (filter.rrl === undefined || entry.rrl === filter.rrl)
  );
}

/**
 * The string already held for a client address, if it is the last one seen at its place: a UDP
 * query's address is a new string each time (dgram's rinfo), and the rings keep every entry's
 * for about a second, so each one survived a scavenge (copied, then promoted) only to die in the
 * old generation. Direct-mapped on the address's last characters: no growth, no eviction work.
 */
class AddressInterner {
  private readonly seen = new Array<string>(256).fill('');

  intern(address: string): string {
    const n = address.length;
    const place = (n + address.charCodeAt(n - 1) * 7 + address.charCodeAt(n - 2) * 31) & 255;
    const held = this.seen[place]!;
    if (held === address) return held;
    this.seen[place] = address;
    return address;
  }
}

export class QueryLog implements DnsModule {
  readonly name = 'querylog';
  private options: QueryLogOptions;
  private ring: EntryRing;
  private seq = 0;
  /**
   * Sequence numbers of worker `index` of `count` are index, index + count, ...: unique across the
   * workers of one engine, and the host finds the worker of a number as seq % count.
   */
  private readonly worker: { index: number; count: number };
  private readonly subscribers = new Set<Subscriber>();
  /** How many subscribers asked for the answers: only then are replies read for them. */
  private answerSubscribers = 0;
  private readonly clients = new AddressInterner();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Told of every entry as it is recorded (per-second traffic). */
  private readonly observe: (entry: QueryLogEntry) => void;

  constructor(options: QueryLogOptions, observe: (entry: QueryLogEntry) => void = () => {}, worker = { index: 0, count: 1 }) {
    this.options = options;
    this.observe = observe;
    this.worker = worker;
    this.seq = worker.index;
    this.ring = new EntryRing(options.size);
  }

  /** New options while running: the ring keeps its newest entries, subscribers stay. */
  reconfigure(options: QueryLogOptions): void {
    if (options.size !== this.ring.capacity) this.ring = this.ring.resized(options.size);
    if (options.batchMs !== this.options.batchMs && this.timer) {
      clearInterval(this.timer);
      this.timer = setInterval(() => this.flush(), options.batchMs);
    }
    this.options = options;
  }

  handle(ctx: QueryContext, next: Next): Promise<Buffer | null> {
    // Callbacks rather than an async function: see Pipeline.step.
    return next(ctx).then(
      (reply) => {
        this.record(ctx, reply, performance.now() - ctx.receivedAt);
        return reply;
      },
      (err: unknown) => {
        this.record(ctx, null, performance.now() - ctx.receivedAt);
        throw err;
      },
    );
  }

  handleNow(ctx: QueryContext, next: NextNow): Buffer | null | undefined {
    const reply = next(ctx);
    if (reply !== undefined) this.record(ctx, reply, performance.now() - ctx.receivedAt);
    return reply;
  }

  private record(ctx: QueryContext, reply: Buffer | null, latencyMs: number): void {
    this.seq += this.worker.count;
    const entry: QueryLogEntry = {
      seq: this.seq,
      at: Date.now(),
      client: this.clients.intern(ctx.client.address),
      transport: ctx.transport,
      qname: ctx.parsed.name.toLowerCase(),
      qtype: ctx.parsed.type,
      // What the client would have got when rrl slipped or dropped it (`rrl` says which); a
      // thrown error becomes SERVFAIL in the pipeline.
      rcode: ctx.meta.limitedRcode ?? (reply ? reply[3]! & 0xf : 2),
      upstream: ctx.meta.upstream ?? null,
      // Set by the service before the chain runs; a context made elsewhere (a test's) took the root route.
      route: ctx.meta.route ?? '.',
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      cache: ctx.meta.cache ?? null,
      rrl: ctx.meta.rrl ?? null,
      flattened: ctx.meta.flattened ?? false,
    };
    ctx.meta.logged = entry;
    this.ring.push(entry);
    this.observe(entry);
    // Read now (~1 us), not at the batch: a reply may be a view of a much larger buffer (an
    // upstream datagram's), and holding 200 ms of them kept so much memory alive that garbage
    // collection stalled the engine (p50 0.14 ms -> 24 ms at 10k q/s, test/bench/RESULTS.md).
    const answers = this.answerSubscribers > 0 ? answerSummary(reply) : null;
    for (const subscriber of this.subscribers) {
      if (!matches(entry, subscriber.filter)) continue;
      if (subscriber.pending.length < this.options.maxBatch) {
        subscriber.pending.push(entry);
        subscriber.answers?.push(answers);
      } else subscriber.dropped++;
    }
  }

  /** The ring, oldest first, filtered, at most `limit` of the newest. */
  recent(filter: QueryLogFilter, limit: number): QueryLogEntry[] {
    const found: QueryLogEntry[] = [];
    for (let i = this.ring.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.ring.get(i)!;
      if (matches(entry, filter)) found.push(entry);
    }
    return found.reverse();
  }

  /** The most frequent names and clients in the ring. */
  top(limit: number): { names: { key: string; count: number }[]; clients: { key: string; count: number }[] } {
    const count = (values: readonly string[]) => {
      const counts = new Map<string, number>();
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
      return [...counts]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, limit)
        .map(([key, n]) => ({ key, count: n }));
    };
    return { names: count(this.ring.column('qname')), clients: count(this.ring.column('client')) };
  }

  /** `answers`: each entry also carries its reply's answer records as text (the query history asks for them). */
  subscribe(filter: QueryLogFilter & { answers?: boolean }, emit: Subscriber['emit']): () => void {
    const { answers, ...only } = filter;
    const subscriber: Subscriber = { filter: only, pending: [], answers: answers ? [] : null, dropped: 0, emit };
    this.subscribers.add(subscriber);
    if (answers) this.answerSubscribers++;
    this.timer ??= setInterval(() => this.flush(), this.options.batchMs);
    return () => {
      if (this.subscribers.delete(subscriber) && answers) this.answerSubscribers--;
      if (this.subscribers.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private flush(): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.pending.length === 0 && subscriber.dropped === 0) continue;
      const answers = subscriber.answers;
      // Copies: the ring and other subscribers share the entries.
      const entries = answers ? subscriber.pending.map((entry, i) => ({ ...entry, answers: answers[i]! })) : subscriber.pending;
      const batch = { entries, dropped: subscriber.dropped };
      subscriber.pending = [];
      if (answers) subscriber.answers = [];
      subscriber.dropped = 0;
      subscriber.emit(batch);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.subscribers.clear();
    this.answerSubscribers = 0;
  }
}
