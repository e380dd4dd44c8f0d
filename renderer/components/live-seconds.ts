// The seconds behind a page's live chart: the engine's history of the last minutes, then each new
// second from its stream, kept as uPlot's columns.
import { useEffect, useState } from 'react';
import type { ClientError } from '../api/client.ts';
import { describeError } from './errors.ts';

/** Five minutes of 1 s points. */
export const chartSeconds = 300;

export interface Second {
  /** The second's start, epoch ms. */
  at: number;
}

/** The chart's columns, oldest first: uPlot's aligned data (x in seconds since the epoch), one column per line. */
export class SecondsSeries<T extends Second> {
  readonly x: number[] = [];
  readonly lines: number[][];
  private readonly pick: readonly ((second: T) => number)[];
  private readonly limit: number;
  private last: T | null = null;

  /** `pick` reads each line's value out of a second. */
  constructor(pick: readonly ((second: T) => number)[], limit = chartSeconds) {
    this.pick = pick;
    this.lines = pick.map(() => []);
    this.limit = limit;
  }

  /** Adds a second; one the series already has is replaced, an older one ignored. */
  add(second: T): void {
    const x = second.at / 1000;
    const newest = this.x.at(-1);
    if (newest !== undefined && x < newest) return;
    if (newest === x) for (const column of this.columns()) column.pop();
    this.x.push(x);
    this.pick.forEach((pick, line) => this.lines[line]!.push(pick(second)));
    this.last = second;
    if (this.x.length > this.limit) for (const column of this.columns()) column.shift();
  }

  get latest(): T | null {
    return this.last;
  }

  data(): [number[], ...number[][]] {
    return [this.x, ...this.lines];
  }

  private columns(): number[][] {
    return [this.x, ...this.lines];
  }
}

/** Where the seconds come from; keep it stable (useMemo), a new one starts over. */
export interface SecondsSource<T extends Second> {
  /** Opens the engine's stream of seconds; returns the function that closes it. */
  subscribe(onSecond: (second: T) => void, onEnd: (error?: ClientError) => void): () => void;
  /** The last `seconds` seconds, oldest first. */
  history(seconds: number): Promise<T[]>;
}

export interface LiveSeconds<T extends Second> {
  series: SecondsSeries<T>;
  /** Grows with every change of the series, so the chart knows to redraw. */
  version: number;
  error: string | null;
}

/**
 * The history, then each new second. The stream is opened first and its events held until the
 * history is in, so no second falls between them; a stream that ends is opened again after 3 s.
 */
export function useLiveSeconds<T extends Second>(source: SecondsSource<T>, pick: readonly ((second: T) => number)[]): LiveSeconds<T> {
  const [series] = useState(() => new SecondsSeries(pick));
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    let held: T[] | null = [];
    let retry: ReturnType<typeof setTimeout> | undefined;
    const bump = () => setVersion((n) => n + 1);
    const unsubscribe = source.subscribe(
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
    source
      .history(chartSeconds)
      .then(
        (seconds) => {
          if (!active) return;
          for (const second of seconds) series.add(second);
          setError(null);
        },
        (err: unknown) => {
          if (active) setError(`The chart has no history: ${describeError(err)}`);
        },
      )
      .finally(() => {
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
  }, [source, series, attempt]);

  return { series, version, error };
}
