// Versions shared by several senders through Redis (issue 15 item 5): where one edge machine is
// not enough, senders behind a load balancer announce the newest version any of them received,
// so a client sent to another sender still gets a delta. Redis holds, per cache key, the list of
// the last `versionsPerKey` hashes (newest last) and each version's body under its hash; each
// sender keeps the bodies it used in its own memory store, so only a version it never saw is read.
//
// Nothing in Redis names a user: a key is the SHA-256 of the cache key (which holds the cookies
// and authorization only as a SHA-256 already), a value is a page body or a list of hashes. Every
// key has a TTL: `ttl` for cacheable pages, `noStoreIdleMs` for no-store ones (RFC 9111
// §5.2.2.5), restarted on each use, as in the memory store.
//
// Redis is never in the way of an answer: each command gives up after 500 ms, nothing is queued
// while it is down (the request goes on as a full transfer), and its client reconnects by itself.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../api/engine.ts';
import { sha256 } from './codec.ts';
import type { Version, VersionStore } from './store.ts';

export interface SharedStoreOptions {
  url: string;
  maxBytes?: number | undefined;
  /** Seconds. */
  ttl: number;
  versionsPerKey: number;
  noStoreIdleMs: number;
  log: Logger;
}

const prefix = 'signalbox:railgun:';
const commandTimeoutMs = 500;
/** The list's entries: a version's SHA-256 and one byte, 1 when it came from a no-store response. */
const noStoreFlag = 1;

export class SharedVersions {
  readonly #redis: Redis;
  readonly #options: SharedStoreOptions;
  #down = false;

  constructor(options: SharedStoreOptions) {
    this.#options = options;
    this.#redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    this.#redis.on('error', (err: Error) => this.#trouble(err));
    this.#redis.on('ready', () => {
      if (this.#down) options.log.info('railgun sender: the shared store is back; deltas resume', { module: 'shared-store' });
      this.#down = false;
      if (options.maxBytes !== undefined) this.#limitMemory(options.maxBytes);
    });
  }

  /** Whether commands can go out now. */
  get up(): boolean {
    return this.#redis.status === 'ready';
  }

  /** The newest version any sender stored for `key`, its body from `local` when held there; null when Redis cannot say. */
  async newest(key: string, local: VersionStore): Promise<Version | null> {
    if (!this.up) return null;
    const id = keyId(key);
    try {
      const entry = await this.#redis.lindexBuffer(listKey(id), -1);
      if (!entry || entry.length !== 33) return null;
      const hash = entry.subarray(0, 32);
      const noStore = entry[32] === noStoreFlag;
      if (noStore) this.#touch(id, hash);
      const held = local.find(key, hash);
      if (held) return held;
      const body = await this.#redis.getBuffer(versionKey(id, hash));
      // A body that is not what its hash says (another writer, a damaged value) is no base.
      if (!body || !sha256(body).equals(hash)) return null;
      return local.add(key, body, Buffer.from(hash), { noStore });
    } catch (err) {
      this.#trouble(err as Error);
      return null;
    }
  }

  /** Shares `version` as the newest of `key`; a Redis that is down only means the next sender has no base. */
  async add(key: string, version: Version, noStore: boolean): Promise<void> {
    if (!this.up) return;
    const id = keyId(key);
    const ttlMs = noStore ? this.#options.noStoreIdleMs : this.#options.ttl * 1000;
    const entry = Buffer.concat([version.hash, Buffer.from([noStore ? noStoreFlag : 0])]);
    const other = Buffer.concat([version.hash, Buffer.from([noStore ? 0 : noStoreFlag])]);
    try {
      await this.#redis
        .multi()
        .set(versionKey(id, version.hash), version.body, 'PX', ttlMs)
        .lrem(listKey(id), 0, entry)
        .lrem(listKey(id), 0, other)
        .rpush(listKey(id), entry)
        .ltrim(listKey(id), -this.#options.versionsPerKey, -1)
        .pexpire(listKey(id), ttlMs)
        .exec();
    } catch (err) {
      this.#trouble(err as Error);
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  /** A no-store key that is used restarts its idle clock, for its list and the body used. */
  #touch(id: string, hash: Buffer): void {
    const ms = this.#options.noStoreIdleMs;
    this.#redis
      .multi()
      .pexpire(listKey(id), ms)
      .pexpire(versionKey(id, hash), ms)
      .exec()
      .catch((err: Error) => this.#trouble(err));
  }

  #limitMemory(maxBytes: number): void {
    // Every key has a TTL, so volatile-lru evicts the least recently used versions first.
    this.#redis
      .multi()
      .config('SET', 'maxmemory', String(maxBytes))
      .config('SET', 'maxmemory-policy', 'volatile-lru')
      .exec()
      .catch((err: Error) =>
        this.#options.log.warn('railgun sender: the shared store refused CONFIG SET maxmemory; set maxmemory on the Redis server instead', {
          module: 'shared-store',
          error: err.message,
        }),
      );
  }

  /** Logged once per outage, not per request. */
  #trouble(err: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.#options.log.warn('railgun sender: the shared store is not answering; requests go on without its bases', {
      module: 'shared-store',
      url: redactedUrl(this.#options.url),
      error: err.message,
    });
  }
}

function keyId(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function listKey(id: string): string {
  return `${prefix}${id}`;
}

function versionKey(id: string, hash: Buffer): string {
  return `${prefix}${id}:${hash.toString('base64url')}`;
}

/** The URL with its password as `***`, for the log and the console (a URL without one as it is). */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://?';
  }
}
