// Against online password guessing without locking out the innocent. Failures are counted per
// (account, source) and per source (a client address, or the console); past a few free tries each
// further try from there must wait twice as long as the last. So a guesser slows itself down, and
// the account's owner at another address still gets in: nothing an attacker does from one address
// locks an account everywhere. Against guessing from many addresses, failures are also counted per
// account, and that count holds back only sources that have themselves failed for that account.
// An attempt counts as a failure from the moment it is let through until its check says
// otherwise, so guesses sent at the same moment cannot all pass before the first one fails.
// The check runs before the KDF, so a guesser cannot even spend our CPU. Unknown account names are
// counted the same way as real ones: the answer never says which is which. The clock is
// monotonic, so a wall-clock jump cannot lift a lock.

export interface GuardOptions {
  /** Failures an account may have from one source before that source must wait. */
  pairFreeFailures: number;
  /** Failures a source may have (over all accounts) before it must wait. */
  sourceFreeFailures: number;
  /** Failures an account may have over all sources before those that failed for it must wait. */
  accountFreeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Counters forget failures this long after the last one. */
  forgetAfterMs: number;
  /** Counters remembered at most, per kind (the oldest are forgotten first). */
  maxTracked: number;
}

export const defaultGuardOptions: GuardOptions = {
  pairFreeFailures: 3,
  sourceFreeFailures: 10,
  accountFreeFailures: 10,
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

/** A password check let through; say how it ended, once. */
export interface Attempt {
  /** Wrong password (or no such account): it stays counted. */
  failed(): void;
  /** Right password: the account's failures from this source are cleared. */
  succeeded(): void;
  /** No check happened (the KDF gate was full, an error): as if never tried. */
  abandoned(): void;
}

export class LoginGuard {
  private readonly options: GuardOptions;
  private readonly now: () => number;
  private readonly pairs = new Map<string, Failures>();
  private readonly sources = new Map<string, Failures>();
  private readonly accounts = new Map<string, Failures>();

  constructor(options: Partial<GuardOptions> = {}, now: () => number = () => performance.now()) {
    this.options = { ...defaultGuardOptions, ...options };
    this.now = now;
  }

  check(account: string, source: string): GuardVerdict {
    const pair = this.current(this.pairs.get(pairKey(account, source)));
    const wait = Math.max(
      this.waitFor(pair, this.options.pairFreeFailures),
      this.waitFor(this.sources.get(source), this.options.sourceFreeFailures),
      pair ? this.waitFor(this.accounts.get(account), this.options.accountFreeFailures) : 0,
    );
    return wait > 0 ? { allowed: false, retryAfterMs: Math.ceil(wait) } : { allowed: true };
  }

  /** Checks, and when allowed counts the attempt as a failure until it ends otherwise. */
  begin(account: string, source: string): ({ allowed: true } & Attempt) | { allowed: false; retryAfterMs: number } {
    const verdict = this.check(account, source);
    if (!verdict.allowed) return verdict;
    const keys: [Map<string, Failures>, string][] = [
      [this.pairs, pairKey(account, source)],
      [this.sources, source],
      [this.accounts, account],
    ];
    for (const [map, key] of keys) this.count(map, key);
    let ended = false;
    const end = (how: () => void) => () => {
      if (ended) return;
      ended = true;
      how();
    };
    return {
      allowed: true,
      failed: end(() => {
        for (const [map, key] of keys) this.touch(map, key);
      }),
      succeeded: end(() => {
        this.pairs.delete(pairKey(account, source));
        this.uncount(this.sources, source);
        this.uncount(this.accounts, account);
      }),
      abandoned: end(() => {
        for (const [map, key] of keys) this.uncount(map, key);
      }),
    };
  }

  /** Failures counted against an account now, over all sources (for the console). */
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

  /** A failure's wait runs from when its check ended, not from when it was let through. */
  private touch(map: Map<string, Failures>, key: string): void {
    const failures = map.get(key);
    if (failures) failures.last = Math.max(failures.last, this.now());
  }

  private uncount(map: Map<string, Failures>, key: string): void {
    const failures = map.get(key);
    if (!failures) return;
    if (--failures.count <= 0) map.delete(key);
  }
}

function pairKey(account: string, source: string): string {
  return `${account}\u0000${source}`;
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
