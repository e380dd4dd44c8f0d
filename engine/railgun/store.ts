// The versions each end holds: the last K bodies per cache key, all of them bounded by bytes.
// Whole keys are evicted least recently used first; within a key the oldest version goes first.
// Versions of no-store responses live in memory only and go after an idle time (RFC 9111
// §5.2.2.5: "a best-effort attempt to remove the information from volatile storage").
import { sha256 } from './codec.ts';

export interface Version {
  readonly hash: Buffer;
  readonly body: Buffer;
}

export interface StoreLimits {
  versionsPerKey: number;
  storeBytes: number;
}

export interface AddOptions {
  /** The version came from a no-store response: its key is dropped after `noStoreIdleMs` unused. */
  noStore?: boolean;
}

export class VersionStore {
  /** Map order is recency: a key is deleted and set again on every use. */
  readonly #keys = new Map<string, Version[]>();
  /** Keys of no-store versions with their last use (performance.now()), least recently used first. */
  readonly #expiring = new Map<string, number>();
  #sweep: NodeJS.Timeout | null = null;
  #bytes = 0;
  #versions = 0;

  private limits: StoreLimits;
  private readonly noStoreIdleMs: number;
  constructor(limits: StoreLimits, noStoreIdleMs = 10 * 60_000) {
    this.limits = limits;
    this.noStoreIdleMs = noStoreIdleMs;
  }

  setLimits(limits: StoreLimits): void {
    this.limits = limits;
    for (const [key, versions] of this.#keys) {
      while (versions.length > limits.versionsPerKey) this.#drop(versions.shift()!);
      if (versions.length === 0) this.#forget(key);
    }
    this.#evict();
  }

  /** The newest version of `key`. */
  newest(key: string): Version | null {
    const versions = this.#touch(key);
    return versions ? versions[versions.length - 1]! : null;
  }

  /** Every version of `key`, newest first: the ones a sender announces. */
  versionsOf(key: string): Version[] {
    return [...(this.#touch(key) ?? [])].reverse();
  }

  /**
   * The version of `key` whose SHA-256 is, or starts with, `id` (the link names versions by a
   * prefix: protocol.ts), the newest if two share it; never one of another key, so no page serves
   * as another's base.
   */
  find(key: string, id: Buffer): Version | null {
    const versions = this.#touch(key);
    if (!versions || id.length === 0) return null;
    return versions.findLast((version) => version.hash.subarray(0, id.length).equals(id)) ?? null;
  }

  /** Stores `body` as the newest version of `key` (a repeat of a held version just moves it up). */
  add(key: string, body: Buffer, hash: Buffer = sha256(body), options: AddOptions = {}): Version {
    if (body.length > this.limits.storeBytes) return { hash, body };
    const versions = this.#touch(key) ?? [];
    const held = versions.findIndex((version) => version.hash.equals(hash));
    const version = held >= 0 ? versions.splice(held, 1)[0]! : { hash, body };
    if (held < 0) {
      this.#bytes += body.length;
      this.#versions++;
    }
    versions.push(version);
    while (versions.length > this.limits.versionsPerKey) this.#drop(versions.shift()!);
    this.#keys.set(key, versions);
    // The newest response decides: a page that turned cacheable no longer expires, and back.
    this.#expiring.delete(key);
    if (options.noStore) {
      this.#expiring.set(key, performance.now());
      this.#sweep ??= this.#scheduleSweep(this.noStoreIdleMs);
    }
    this.#evict(key);
    return version;
  }

  clear(): void {
    this.#keys.clear();
    this.#expiring.clear();
    this.#bytes = 0;
    this.#versions = 0;
  }

  /** Stops the idle sweep (the store is not used again). */
  close(): void {
    if (this.#sweep) clearTimeout(this.#sweep);
    this.#sweep = null;
    this.clear();
  }

  get stats(): { keys: number; versions: number; bytes: number } {
    return { keys: this.#keys.size, versions: this.#versions, bytes: this.#bytes };
  }

  #touch(key: string): Version[] | undefined {
    const usedAt = this.#expiring.get(key);
    if (usedAt !== undefined && performance.now() - usedAt >= this.noStoreIdleMs) this.#forget(key);
    const versions = this.#keys.get(key);
    if (versions) {
      this.#keys.delete(key);
      this.#keys.set(key, versions);
    }
    if (usedAt !== undefined && versions) {
      this.#expiring.delete(key);
      this.#expiring.set(key, performance.now());
    }
    return versions;
  }

  /** One timer for the least recently used no-store key; each run drops the idle ones and sets the next. */
  #scheduleSweep(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.#sweep = null;
        const now = performance.now();
        for (const [key, usedAt] of this.#expiring) {
          if (now - usedAt < this.noStoreIdleMs) {
            this.#sweep = this.#scheduleSweep(this.noStoreIdleMs - (now - usedAt));
            return;
          }
          this.#forget(key);
        }
      },
      Math.max(delayMs, 1),
    );
    timer.unref();
    return timer;
  }

  #forget(key: string): void {
    for (const version of this.#keys.get(key) ?? []) this.#drop(version);
    this.#keys.delete(key);
    this.#expiring.delete(key);
  }

  /** Drops the least recently used keys until the bytes fit; `keep` (just added to) goes last. */
  #evict(keep?: string): void {
    for (const [key] of this.#keys) {
      if (this.#bytes <= this.limits.storeBytes) return;
      if (key === keep) continue;
      this.#forget(key);
    }
    const kept = keep === undefined ? undefined : this.#keys.get(keep);
    while (kept && kept.length > 1 && this.#bytes > this.limits.storeBytes) this.#drop(kept.shift()!);
  }

  #drop(version: Version): void {
    this.#bytes -= version.body.length;
    this.#versions--;
  }
}
