import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  /** The last answer; kept while later calls fail, so a panel never blanks on a hiccup. */
  data: T | null;
  /** Why the last call failed, or null when it succeeded. */
  error: unknown;
  /** Asks again now (after an action changed what the answer would be). */
  refresh(): void;
}

/**
 * Calls `load` every `everyMs`, one call at a time: the next call is timed from the end of the
 * previous one, so a slow engine is never asked twice at once. `key` restarts the loop.
 */
export function usePolling<T>(load: () => Promise<T>, everyMs: number, key: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const next = await loadRef.current();
        if (!active) return;
        setData(next);
        setError(null);
      } catch (err) {
        if (active) setError(err);
      }
      if (active) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [everyMs, generation, ...key]);

  const refresh = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, refresh };
}
