// Against online password guessing: failures are counted per account and per source (a client
// address, or the console), and past a few free tries each further try must wait twice as long as
// the last. The check runs before the KDF, so a guesser cannot even spend our CPU. Unknown
// account names are counted the same way as real ones: the answer never says which is which.
// The clock is monotonic, so a wall-clock jump cannot lift a lock.

export interface GuardOptions {
  /** Failures an account may have before it must wait. */
  accountFreeFailures: number;
  /** Failures a source may have (over all accounts) before it must wait. */
  sourceFreeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Counters forget failures this long after the last one. */
  forgetAfterMs: number;
  /** Accounts and sources remembered at most (the oldest are forgotten first). */
  maxTracked: number;
}

export const defaultGuardOptions: GuardOptions = {
  accountFreeFailures: 3,
  sourceFreeFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 24 * 3600_000,
  maxTracked: 10_000,
};

interface Failures {
  count: number;
  last: number;
}

export type GuardVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class LoginGuard {
  private readonly options: GuardOptions;
  private readonly now: () => number;
  private readonly accounts = new Map<string, Failures>();
  private readonly sources = new Map<string, Failures>();

  constructor(options: Partial<GuardOptions> = {}, now: () => number = () => performance.now()) {
    this.options = { ...defaultGuardOptions, ...options };
    this.now = now;
  }

  check(account: string, source: string): GuardVerdict {
    const wait = Math.max(this.waitFor(this.accounts.get(account), this.options.accountFreeFailures), this.waitFor(this.sources.get(source), this.options.sourceFreeFailures));
    return wait > 0 ? { allowed: false, retryAfterMs: Math.ceil(wait) } : { allowed: true };
  }

  failure(account: string, source: string): void {
    this.count(this.accounts, account);
    this.count(this.sources, source);
  }

  /** A right password clears the account's failures; the source keeps its record. */
  success(account: string): void {
    this.accounts.delete(account);
  }

  /** Failures counted against an account now (for the console). */
  failuresOf(account: string): number {
    return this.current(this.accounts.get(account))?.count ?? 0;
  }

  private waitFor(failures: Failures | undefined, free: number): number {
    const live = this.current(failures);
    if (!live || live.count < free) return 0;
    const delay = Math.min(this.options.baseDelayMs * 2 ** (live.count - free), this.options.maxDelayMs);
    return live.last + delay - this.now();
  }

  private current(failures: Failures | undefined): Failures | undefined {
    return failures && this.now() - failures.last < this.options.forgetAfterMs ? failures : undefined;
  }

  private count(map: Map<string, Failures>, key: string): void {
    const previous = this.current(map.get(key));
    map.delete(key);
    map.set(key, { count: (previous?.count ?? 0) + 1, last: this.now() });
    // Maps keep insertion order: the first key is the one that failed longest ago.
    if (map.size > this.options.maxTracked) map.delete(map.keys().next().value!);
  }
}

/** At most `limit` password derivations at once (scrypt at N = 2^17 takes 128 MiB each). */
export class KdfGate {
  private readonly limit: number;
  private readonly maxQueued: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit = 2, maxQueued = 64) {
    this.limit = limit;
    this.maxQueued = maxQueued;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxQueued) throw new Error('too many password checks at once; try again shortly');
      // The finishing run hands its slot over directly, so no newcomer can slip in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
