// One log line per key (a client address, a module) per interval, however often the thing it
// reports happens: a flood must not flood the log too. Each line that is written says how many
// occurrences it stands for, so nothing goes uncounted. Shared by the engines (they may import
// engine/api only).

export interface LogThrottleOptions {
  /** At most one line per key this often. */
  everyMs: number;
  /** Keys remembered at most; the one logged longest ago is forgotten first (with its count). */
  maxKeys?: number;
  now?: () => number;
}

export class LogThrottle {
  private readonly everyMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Per key: when its last line was written, and the occurrences since that were not logged. */
  private readonly keys = new Map<string, { at: number; unlogged: number }>();

  constructor(options: LogThrottleOptions) {
    this.everyMs = options.everyMs;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Counts one occurrence under `key`. Returns 0 when no line is due, else the count the line
   * stands for: this occurrence and those not logged since the key's last line.
   */
  hit(key: string): number {
    const now = this.now();
    const last = this.keys.get(key);
    if (last && now - last.at < this.everyMs) {
      last.unlogged++;
      return 0;
    }
    this.keys.delete(key);
    this.keys.set(key, { at: now, unlogged: 0 });
    // Maps keep insertion order: the first key is the one logged longest ago.
    if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    return 1 + (last?.unlogged ?? 0);
  }

  /** The occurrences not logged yet, per key, which are then forgotten: for a last line at shutdown. */
  drain(): Map<string, number> {
    const unlogged = new Map<string, number>();
    for (const [key, { unlogged: count }] of this.keys) if (count > 0) unlogged.set(key, count);
    this.keys.clear();
    return unlogged;
  }
}
