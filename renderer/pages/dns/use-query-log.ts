import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorCode, type QueryLogEntry, type QueryLogFilter } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';
import { LogBuffer } from './log-buffer.ts';

/** What the console keeps: five seconds at 10,000 queries a second. */
export const logCapacity = 50_000;
/** What a new filter starts from: the newest matching entries of the engine's ring. */
const backfillLimit = 2000;

export interface QueryLogView {
  /** What the list shows, newest first through `buffer.newest(i)`. */
  buffer: LogBuffer;
  /** Grows whenever `buffer` changed; at most once per animation frame. */
  version: number;
  following: boolean;
  /** Entries that arrived while paused; they join the list on follow (the newest `logCapacity`). */
  waiting: number;
  /** Entries the engine could not send since the subscription started (it reports them per batch). */
  dropped: number;
  loading: boolean;
  error: string | null;
  /** When the log last started over because the engine restarted (its sequence numbers start again). */
  restartedAt: number | null;
  pause(): void;
  follow(): void;
}

/**
 * The live query log for one filter: the engine filters (`dns.queryLog` takes it as the stream's
 * params), the newest matches come first from `dns.recentQueries`, and batches are appended to a
 * bounded ring without a render per entry. A new filter starts over and follows again.
 */
export function useQueryLog(client: ApiClient, filter: QueryLogFilter): QueryLogView {
  const [buffer] = useState(() => new LogBuffer(logCapacity));
  const [held] = useState(() => new LogBuffer(logCapacity));
  const followingRef = useRef(true);
  const counts = useRef({ waiting: 0, dropped: 0 });
  const [following, setFollowing] = useState(true);
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [restartedAt, setRestartedAt] = useState<number | null>(null);
  const [attempt, setAttempt] = useState(0);
  const frame = useRef(0);

  const render = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setVersion((n) => n + 1);
    });
  }, []);

  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    const params = JSON.parse(filterKey) as QueryLogFilter;
    let active = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // Batches that arrive before the backfill answers wait here, so nothing is shown twice or out of order.
    let early: QueryLogEntry[][] | null = [];
    let newestSeq = 0;
    buffer.clear();
    held.clear();
    counts.current = { waiting: 0, dropped: 0 };
    followingRef.current = true;
    setFollowing(true);
    setLoading(true);
    render();

    const accept = (entries: QueryLogEntry[]) => {
      if (entries.length === 0) return;
      if (entries[0]!.seq <= newestSeq) {
        // A restarted engine numbers from 1 again and its ring is new: start over with it, as
        // rows are told apart by seq.
        active = false;
        setRestartedAt(Date.now());
        setAttempt((n) => n + 1);
        return;
      }
      newestSeq = entries.at(-1)!.seq;
      if (followingRef.current) buffer.push(entries);
      else {
        held.push(entries);
        counts.current.waiting += entries.length;
      }
      render();
    };

    const unsubscribe = client.subscribe(
      'dns.queryLog',
      params,
      (batch) => {
        if (!active) return;
        if (batch.dropped > 0) {
          counts.current.dropped += batch.dropped;
          render();
        }
        if (early) early.push(batch.entries);
        else accept(batch.entries);
      },
      (ended) => {
        if (!active || !ended) return;
        setError(`The live log stopped: ${describeError(ended)}`);
        // A filter the engine refused stays refused; anything else (a restart, a hiccup) is retried.
        if (ended.code !== ErrorCode.invalidParams) retry = setTimeout(() => setAttempt((n) => n + 1), 3000);
      },
    );

    client
      .call('dns.recentQueries', { filter: params, limit: backfillLimit })
      .then(
        ({ entries }) => {
          if (!active) return;
          buffer.push(entries);
          newestSeq = entries.at(-1)?.seq ?? 0;
          const newest = newestSeq;
          for (const batch of early ?? []) accept(batch.filter((entry) => entry.seq > newest));
          setError(null);
        },
        (err: unknown) => {
          if (!active) return;
          setError(`The log could not load its recent entries: ${describeError(err)}`);
          for (const batch of early ?? []) accept(batch);
        },
      )
      .finally(() => {
        if (!active) return;
        early = null;
        setLoading(false);
        render();
      });

    return () => {
      active = false;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [client, filterKey, attempt, buffer, held, render]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const pause = useCallback(() => {
    if (!followingRef.current) return;
    followingRef.current = false;
    setFollowing(false);
  }, []);

  const follow = useCallback(() => {
    if (followingRef.current) return;
    buffer.push(held.toArray());
    held.clear();
    counts.current.waiting = 0;
    followingRef.current = true;
    setFollowing(true);
    render();
  }, [buffer, held, render]);

  return { buffer, version, following, waiting: counts.current.waiting, dropped: counts.current.dropped, loading, error, restartedAt, pause, follow };
}
