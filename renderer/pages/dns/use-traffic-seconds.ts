import { useEffect, useRef, useState } from 'react';
import type { DnsSecond } from '../../../engine/api/index.ts';
import type { ApiClient } from '../../api/client.ts';
import { describeError } from '../../components/errors.ts';

/** Five minutes of 1 s points. */
export const chartSeconds = 300;

/** The chart's columns, oldest first: uPlot's aligned data (x in seconds since the epoch). */
export class SecondsSeries {
  readonly x: number[] = [];
  readonly queries: number[] = [];
  readonly hits: number[] = [];
  readonly rrl: number[] = [];
  readonly servfail: number[] = [];
  private readonly limit: number;

  constructor(limit = chartSeconds) {
    this.limit = limit;
  }

  /** Adds a second; one the series already has is replaced, an older one ignored. */
  add(second: DnsSecond): void {
    const x = second.at / 1000;
    const last = this.x.at(-1);
    if (last !== undefined && x < last) return;
    if (last === x) this.dropNewest();
    this.x.push(x);
    this.queries.push(second.queries);
    // Stale answers come from the cache too.
    this.hits.push(second.hits + second.stale);
    this.rrl.push(second.dropped + second.slipped);
    this.servfail.push(second.servfail);
    if (this.x.length > this.limit) this.dropOldest();
  }

  get latest(): { queries: number; hits: number; rrl: number; servfail: number } | null {
    if (this.x.length === 0) return null;
    return { queries: this.queries.at(-1)!, hits: this.hits.at(-1)!, rrl: this.rrl.at(-1)!, servfail: this.servfail.at(-1)! };
  }

  private columns(): number[][] {
    return [this.x, this.queries, this.hits, this.rrl, this.servfail];
  }

  private dropNewest(): void {
    for (const column of this.columns()) column.pop();
  }

  private dropOldest(): void {
    for (const column of this.columns()) column.shift();
  }

  data(): [number[], number[], number[], number[], number[]] {
    return [this.x, this.queries, this.hits, this.rrl, this.servfail];
  }
}

export interface TrafficSeconds {
  series: SecondsSeries;
  /** Grows with every change of the series, so the chart knows to redraw. */
  version: number;
  error: string | null;
}

/**
 * The per-second history from `dns.history`, then each new second from `dns.seconds`. The stream
 * is opened first and its events held until the history is in, so no second falls between them.
 */
export function useTrafficSeconds(client: ApiClient): TrafficSeconds {
  const series = useRef(new SecondsSeries()).current;
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    let held: DnsSecond[] | null = [];
    let retry: ReturnType<typeof setTimeout> | undefined;
    const bump = () => setVersion((n) => n + 1);
    const unsubscribe = client.subscribe(
      'dns.seconds',
      {},
      (second) => {
        if (held) held.push(second);
        else {
          series.add(second);
          bump();
        }
      },
      (ended) => {
        if (!active || !ended) return;
        setError(`The live chart stopped: ${describeError(ended)}`);
        retry = setTimeout(() => setAttempt((n) => n + 1), 3000);
      },
    );
    client.call('dns.history', { seconds: chartSeconds }).then(
      ({ seconds }) => {
        if (!active) return;
        for (const second of seconds) series.add(second);
        setError(null);
      },
      (err: unknown) => {
        if (active) setError(`The chart has no history: ${describeError(err)}`);
      },
    ).finally(() => {
      if (!active) return;
      for (const second of held ?? []) series.add(second);
      held = null;
      bump();
    });
    return () => {
      active = false;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [client, series, attempt]);

  return { series, version, error };
}
