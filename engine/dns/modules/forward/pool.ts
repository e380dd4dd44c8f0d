// A pool of upstreams: the order they are tried in (the policy, healthy ones first), retries on
// the next one within the client's deadline, and the active health probes. Routes send queries
// to pools (forward.ts); each pool keeps its own health, so one pool's outage is not another's.
import type { QueryContext } from '../../pipeline.ts';
import { ExtendedRcode, isTruncated, nsQuery, writeU16 } from '../../wire.ts';
import { Upstream, type HealthOptions, type Policy, type UpstreamOptions, type UpstreamQuestion, type UpstreamStats, type ForwardTap } from './upstream.ts';

export interface PoolOptions {
  /** The pool's name, as routes and stats call it. */
  name?: string;
  upstreams: UpstreamOptions[];
  upstreamTimeoutMs: number;
  policy: Policy;
  health: HealthOptions;
}

/** Per pool in `dns.stats`: the client queries routed to it and how many no upstream answered. */
export interface PoolStats {
  name: string;
  policy: Policy;
  queries: number;
  /** Queries no upstream of the pool answered within the deadline (answered SERVFAIL, or stale from the cache). */
  failed: number;
}

export class Pool {
  readonly name: string;
  private readonly counters = { queries: 0, failed: 0 };
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly policy: Policy;
  private readonly probe: UpstreamQuestion;
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private turn = 0;

  constructor(options: PoolOptions) {
    this.name = options.name ?? 'default';
    if (options.upstreams.length === 0) throw new Error(`forward: pool ${this.name} has no upstreams`);
    this.upstreams = options.upstreams.map((upstream) => new Upstream(this.name, upstream, options.health));
    this.timeoutMs = options.upstreamTimeoutMs;
    this.policy = options.policy;
    const probe = nsQuery(options.health.probeName);
    this.probe = { query: probe, questionEnd: probe.length, dnssecOk: false };
    if (options.health.enabled) {
      this.probeTimer = setInterval(() => this.probeAll(), options.health.intervalMs);
      this.probeTimer.unref();
    }
  }

  /** The answer of the first upstream that gives one; rejects when none does within the deadline. */
  resolve(ctx: QueryContext): Promise<Buffer | null> {
    const { query, parsed } = ctx;
    this.counters.queries++;
    return this.attempt(ctx, { query, questionEnd: parsed.questionEnd, dnssecOk: parsed.edns?.dnssecOk ?? false }, this.order(), 0, false);
  }

  /**
   * Asks upstreams[index], and on silence the next ones, while the client's deadline allows; a
   * truncated UDP answer is asked again over TCP from the same upstream. BADCOOKIE (RFC 7873
   * §5.3): the answer brought the upstream's server cookie, so the query is sent once more with
   * it, and over TCP if that is refused too. Any other extended rcode means the upstream did not
   * take our EDNS: the next one is tried. Callbacks rather than an async function: see Pipeline.step.
   */
  private attempt(
    ctx: QueryContext,
    question: UpstreamQuestion,
    upstreams: readonly Upstream[],
    index: number,
    cookieRetried: boolean,
  ): Promise<Buffer | null> {
    const upstream = upstreams[index];
    const left = ctx.deadline - performance.now();
    if (!upstream || left <= 0) {
      this.counters.failed++;
      return Promise.reject(new Error(`no upstream of pool ${this.name} answered ${ctx.parsed.name} within the deadline`));
    }
    return upstream.query(question, Math.min(this.timeoutMs, left)).then((answer) => {
      if (!answer) return this.attempt(ctx, question, upstreams, index + 1, false);
      const badCookie = answer.rcode === ExtendedRcode.badCookie;
      if (badCookie && !cookieRetried) return this.attempt(ctx, question, upstreams, index, true);
      if (!badCookie && answer.rcode > 0xf) return this.attempt(ctx, question, upstreams, index + 1, false);
      if (!badCookie && !isTruncated(answer.message)) return this.accept(ctx, upstream, answer.message);
      const tcpTimeout = Math.max(1, ctx.deadline - performance.now());
      return upstream.queryStream(question, tcpTimeout).then((full) => {
        if (full && full.rcode <= 0xf) return this.accept(ctx, upstream, full.message);
        if (badCookie) return this.attempt(ctx, question, upstreams, index + 1, false);
        return this.accept(ctx, upstream, answer.message);
      });
    });
  }

  /** The client's ID and its letter case of the question go back (RFC 5452 §9.1 echo). */
  private accept(ctx: QueryContext, upstream: Upstream, answer: Buffer): Buffer {
    ctx.meta.upstream = upstream.stats.address;
    writeU16(answer, 0, ctx.parsed.id);
    ctx.query.copy(answer, 12, 12, ctx.parsed.questionEnd);
    return answer;
  }

  /**
   * The upstreams to try, best first: the healthy enabled ones in policy order, then the
   * unhealthy enabled ones (better a doubtful upstream than none).
   */
  private order(): readonly Upstream[] {
    // One upstream, the usual setup: no arrays made per query.
    if (this.upstreams.length === 1) return this.upstreams[0]!.stats.enabled ? this.upstreams : [];
    const enabled = this.upstreams.filter((u) => u.stats.enabled);
    const healthy = enabled.filter((u) => u.stats.healthy);
    const rest = enabled.filter((u) => !u.stats.healthy);
    return [...this.arrange(healthy), ...rest];
  }

  private arrange(candidates: Upstream[]): Upstream[] {
    if (candidates.length <= 1) return candidates;
    switch (this.policy) {
      case 'first-available':
        return candidates;
      case 'least-outstanding':
        return [...candidates].sort((a, b) => a.stats.outstanding - b.stats.outstanding);
      case 'weighted-random': {
        const pool = [...candidates];
        const out: Upstream[] = [];
        while (pool.length > 0) {
          const total = pool.reduce((sum, u) => sum + u.stats.weight, 0);
          let pick = Math.random() * total;
          const index = Math.max(
            0,
            pool.findIndex((u) => (pick -= u.stats.weight) < 0),
          );
          out.push(...pool.splice(index, 1));
        }
        return out;
      }
      default: {
        const start = this.turn++ % candidates.length;
        return [...candidates.slice(start), ...candidates.slice(0, start)];
      }
    }
  }

  /** Tells `tap` of every upstream exchange from now on (null: nobody). */
  setTap(tap: ForwardTap | null): void {
    for (const upstream of this.upstreams) upstream.tap = tap;
  }

  private probeAll(): void {
    for (const upstream of this.upstreams) {
      if (!upstream.stats.enabled) continue;
      // Any answer, even REFUSED, shows the server is up; only silence counts against it.
      void upstream.query(this.probe, this.timeoutMs, false);
    }
  }

  setEnabled(address: string, enabled: boolean): boolean {
    const upstream = this.upstreams.find((u) => u.stats.address === address);
    if (upstream) upstream.stats.enabled = enabled;
    return upstream !== undefined;
  }

  stats(): UpstreamStats[] {
    return this.upstreams.map((upstream) => upstream.snapshot());
  }

  poolStats(): PoolStats {
    return { name: this.name, policy: this.policy, ...this.counters };
  }

  /** The forward modules using this pool: a config change that leaves it alone hands it on, health and all. */
  private holders = 0;

  retain(): this {
    this.holders++;
    return this;
  }

  /** One forward module is done with it; the last one closes it. */
  release(): void {
    if (--this.holders === 0) this.close();
  }

  close(): void {
    clearInterval(this.probeTimer);
    for (const upstream of this.upstreams) upstream.close();
  }
}
