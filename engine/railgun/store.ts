// The versions each end holds: the last K bodies per cache key, all of them bounded by bytes.
// Whole keys are evicted least recently used first; within a key the oldest version goes first.
import { sha256 } from './codec.ts';

export interface Version {
  readonly hash: Buffer;
  readonly body: Buffer;
}

export interface StoreLimits {
  versionsPerKey: number;
  storeBytes: number;
}

export class VersionStore {
  /** Map order is recency: a key is deleted and set again on every use. */
  readonly #keys = new Map<string, Version[]>();
  #bytes = 0;
  #versions = 0;

  private limits: StoreLimits;
  constructor(limits: StoreLimits) {
    this.limits = limits;
  }

  setLimits(limits: StoreLimits): void {
    this.limits = limits;
    for (const [key, versions] of this.#keys) {
      while (versions.length > limits.versionsPerKey) this.#drop(versions.shift()!);
      if (versions.length === 0) this.#keys.delete(key);
    }
    this.#evict();
  }

  /** The newest version of `key`, the one a sender announces. */
  newest(key: string): Version | null {
    const versions = this.#touch(key);
    return versions ? versions[versions.length - 1]! : null;
  }

  /** The version of `key` with this hash; never one of another key, so no page serves as another's base. */
  find(key: string, hash: Buffer): Version | null {
    const versions = this.#touch(key);
    return versions?.find((version) => version.hash.equals(hash)) ?? null;
  }

  /** Stores `body` as the newest version of `key` (a repeat of a held version just moves it up). */
  add(key: string, body: Buffer, hash: Buffer = sha256(body)): Version {
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
    this.#evict(key);
    return version;
  }

  clear(): void {
    this.#keys.clear();
    this.#bytes = 0;
    this.#versions = 0;
  }

  get stats(): { keys: number; versions: number; bytes: number } {
    return { keys: this.#keys.size, versions: this.#versions, bytes: this.#bytes };
  }

  #touch(key: string): Version[] | undefined {
    const versions = this.#keys.get(key);
    if (versions) {
      this.#keys.delete(key);
      this.#keys.set(key, versions);
    }
    return versions;
  }

  /** Drops the least recently used keys until the bytes fit; `keep` (just added to) goes last. */
  #evict(keep?: string): void {
    for (const [key, versions] of this.#keys) {
      if (this.#bytes <= this.limits.storeBytes) return;
      if (key === keep) continue;
      for (const version of versions) this.#drop(version);
      this.#keys.delete(key);
    }
    const kept = keep === undefined ? undefined : this.#keys.get(keep);
    while (kept && kept.length > 1 && this.#bytes > this.limits.storeBytes) this.#drop(kept.shift()!);
  }

  #drop(version: Version): void {
    this.#bytes -= version.body.length;
    this.#versions--;
  }
}
