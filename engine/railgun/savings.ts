// What the link saved: totals, per URL (the most recently used, bounded), one bucket a second for
// the chart, and a batched feed of finished requests for the page.
import { failureKinds, type ErrorsByKind, type RailgunRequest, type RailgunSecond, type Savings, type UrlSavings } from '../api/railgun.ts';

const maxUrls = 5000;
const historySeconds = 600;
const batchMs = 250;
const maxBatch = 2000;

export interface Finished extends RailgunRequest {
  deltaEligible: boolean;
  retried: boolean;
  encodeMs: number;
  decodeMs: number;
}

type Feed = (batch: { requests: RailgunRequest[]; dropped: number }) => void;

function emptySavings(): Savings {
  const errorsByKind = Object.fromEntries(failureKinds.map((kind) => [kind, 0])) as ErrorsByKind;
  return {
    requests: 0,
    rawBytes: 0,
    linkBytes: 0,
    deltaHits: 0,
    deltaEligible: 0,
    retries: 0,
    errors: 0,
    errorsByKind,
    lastFailure: null,
    encodeMs: 0,
    decodeMs: 0,
  };
}

function add(into: Savings, request: Finished): void {
  into.requests++;
  into.rawBytes += request.rawBytes;
  into.linkBytes += request.linkBytes;
  if (request.outcome === 'hit') into.deltaHits++;
  if (request.deltaEligible) into.deltaEligible++;
  if (request.retried) into.retries++;
  if (request.failure) {
    into.errors++;
    into.errorsByKind[request.failure.kind]++;
    into.lastFailure = request.failure;
  }
  into.encodeMs += request.encodeMs;
  into.decodeMs += request.decodeMs;
}

export class SavingsBook {
  /** Epoch ms: the counters count from here (the engine process's start; ends restart within it). */
  readonly since = Date.now();
  readonly totals = emptySavings();
  readonly #urls = new Map<string, UrlSavings>();
  readonly #seconds: RailgunSecond[] = [];
  readonly #feeds = new Set<{ emit: Feed; pending: RailgunRequest[]; dropped: number }>();
  readonly #secondListeners = new Set<(second: RailgunSecond) => void>();
  #current: RailgunSecond = { at: Math.floor(Date.now() / 1000) * 1000, requests: 0, rawBytes: 0, linkBytes: 0 };
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.#tick(), batchMs);
    this.#timer.unref();
  }

  record(request: Finished): void {
    add(this.totals, request);
    let url = this.#urls.get(request.url);
    if (url) this.#urls.delete(request.url);
    else url = { ...emptySavings(), url: request.url, lastAt: 0, lastOutcome: request.outcome };
    add(url, request);
    url.lastAt = request.at;
    url.lastOutcome = request.outcome;
    this.#urls.set(request.url, url);
    if (this.#urls.size > maxUrls) this.#urls.delete(this.#urls.keys().next().value!);

    this.#rollTo(Date.now());
    this.#current.requests++;
    this.#current.rawBytes += request.rawBytes;
    this.#current.linkBytes += request.linkBytes;

    const { deltaEligible: _e, retried: _r, encodeMs: _en, decodeMs: _de, ...event } = request;
    for (const feed of this.#feeds) {
      if (feed.pending.length < maxBatch) feed.pending.push(event);
      else feed.dropped++;
    }
  }

  /** The most recently used URLs first. */
  urls(limit: number): UrlSavings[] {
    return [...this.#urls.values()]
      .reverse()
      .slice(0, limit)
      .map((url) => ({ ...url, errorsByKind: { ...url.errorsByKind } }));
  }

  history(seconds: number): RailgunSecond[] {
    this.#rollTo(Date.now());
    return this.#seconds.slice(-seconds);
  }

  subscribeRequests(emit: Feed): () => void {
    const feed = { emit, pending: [] as RailgunRequest[], dropped: 0 };
    this.#feeds.add(feed);
    return () => this.#feeds.delete(feed);
  }

  subscribeSeconds(listener: (second: RailgunSecond) => void): () => void {
    this.#secondListeners.add(listener);
    return () => this.#secondListeners.delete(listener);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#feeds.clear();
    this.#secondListeners.clear();
  }

  #tick(): void {
    this.#rollTo(Date.now());
    for (const feed of this.#feeds) {
      if (feed.pending.length === 0 && feed.dropped === 0) continue;
      const batch = { requests: feed.pending, dropped: feed.dropped };
      feed.pending = [];
      feed.dropped = 0;
      feed.emit(batch);
    }
  }

  /** Closes finished seconds (empty ones included, so the chart's time axis has no holes). */
  #rollTo(now: number): void {
    const second = Math.floor(now / 1000) * 1000;
    while (this.#current.at < second) {
      const closed = this.#current;
      this.#seconds.push(closed);
      if (this.#seconds.length > historySeconds) this.#seconds.shift();
      for (const listener of this.#secondListeners) listener(closed);
      // After a long idle gap, jump: nobody needs more than the history of empty seconds.
      const next = second - closed.at > historySeconds * 1000 ? second : closed.at + 1000;
      this.#current = { at: next, requests: 0, rawBytes: 0, linkBytes: 0 };
    }
  }
}
